"""A Redis primary, its replicas and three Sentinels on free loopback ports, for failover tests.

Every data node asks for a password (``requirepass``, and ``masterauth`` to follow a primary),
so a client that reaches them proves the password of ``TLHOOKS_REDIS_URL`` travels through
Sentinel; the ledger lives in database ``DB``, not 0, for the same reason about the database.
"""

from __future__ import annotations

import contextlib
import signal
import time
from pathlib import Path

import redis
from redis.sentinel import MasterNotFoundError, Sentinel

from tlhooks.processes import ManagedProcess, free_port, wait_until
from tlhooks.redis_server import find_redis_server

MASTER = "tlhooks-e2e"
PASSWORD = "e2e-redis-pass"
DB = 2
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 4000


class RedisNode(ManagedProcess):
    """One redis-server, primary or replica, without persistence."""

    def __init__(self, workdir: Path, log_dir: Path, primary: int | None = None) -> None:
        self.port = free_port()
        data = workdir / f"redis-{self.port}"
        data.mkdir(parents=True)
        argv = [find_redis_server(), "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--dir", str(data), "--save", "", "--appendonly", "no"]
        argv += ["--maxmemory-policy", "noeviction", "--requirepass", PASSWORD]
        argv += ["--masterauth", PASSWORD]
        if primary is not None:
            argv += ["--replicaof", "127.0.0.1", str(primary)]
        super().__init__("redis", argv, {}, log_dir / f"redis-{self.port}.log", cwd=data)

    def client(self) -> redis.Redis:
        return redis.Redis(
            port=self.port, password=PASSWORD, decode_responses=True, socket_timeout=5
        )

    def info(self, section: str) -> dict[str, object]:
        with self.client() as client:
            return dict(client.info(section))


class SentinelNode(ManagedProcess):
    def __init__(self, workdir: Path, log_dir: Path, primary: int) -> None:
        self.port = free_port()
        config = workdir / f"sentinel-{self.port}.conf"
        config.write_text(
            f"port {self.port}\nbind 127.0.0.1\ndir {workdir}\n"
            f"sentinel monitor {MASTER} 127.0.0.1 {primary} 2\n"
            f"sentinel auth-pass {MASTER} {PASSWORD}\n"
            f"sentinel down-after-milliseconds {MASTER} {DOWN_AFTER_MS}\n"
            f"sentinel failover-timeout {MASTER} {FAILOVER_TIMEOUT_MS}\n"
            f"sentinel parallel-syncs {MASTER} 1\n"
        )
        argv = [find_redis_server(), str(config), "--sentinel"]
        super().__init__("sentinel", argv, {}, log_dir / f"sentinel-{self.port}.log", cwd=workdir)


class SentinelCluster:
    """Start with ``start()``, always ``stop()``: every process it started is killed there."""

    def __init__(self, workdir: Path, log_dir: Path, replicas: int = 1) -> None:
        self.primary = RedisNode(workdir, log_dir)
        self.replicas = [RedisNode(workdir, log_dir, self.primary.port) for _ in range(replicas)]
        self.sentinels = [SentinelNode(workdir, log_dir, self.primary.port) for _ in range(3)]

    @property
    def nodes(self) -> list[RedisNode]:
        return [self.primary, *self.replicas]

    @property
    def url(self) -> str:
        """TLHOOKS_REDIS_URL: the first primary's address, its password and the ledger's db."""
        return f"redis://:{PASSWORD}@127.0.0.1:{self.primary.port}/{DB}"

    def env(self) -> dict[str, str]:
        return {
            "TLHOOKS_REDIS_URL": self.url,
            "TLHOOKS_REDIS_SENTINELS": ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels),
            "TLHOOKS_REDIS_SENTINEL_MASTER": MASTER,
        }

    def start(self) -> SentinelCluster:
        self.primary.start()
        wait_until(lambda: _answers(self.primary), timeout=10)
        for replica in self.replicas:
            replica.start()
        wait_until(self._replicas_in_sync, timeout=20)
        for sentinel in self.sentinels:
            sentinel.start()
        wait_until(self._sentinels_agree, timeout=30, interval=0.2)
        return self

    def client(self) -> redis.Redis:
        """A client of whichever node the Sentinels call the primary (the test's own view)."""
        manager = Sentinel([("127.0.0.1", s.port) for s in self.sentinels], socket_timeout=2)
        client: redis.Redis = manager.master_for(
            MASTER, db=DB, password=PASSWORD, decode_responses=True, socket_timeout=5
        )
        return client

    def primary_port(self) -> int | None:
        """The primary's port as the Sentinels report it, or None while they know of none."""
        manager = Sentinel([("127.0.0.1", s.port) for s in self.sentinels], socket_timeout=1)
        try:
            return int(manager.discover_master(MASTER)[1])
        except MasterNotFoundError:
            return None
        finally:
            manager.close()

    def wait_for_failover(self, old_port: int, timeout: float = 30.0) -> RedisNode:
        """Wait until a replica is the primary and takes writes; return it."""
        started = time.monotonic()

        def promoted() -> bool:
            port = self.primary_port()
            if port is None or port == old_port:
                return False
            node = self.node(port)
            return node.info("replication").get("role") == "master"

        wait_until(promoted, timeout=timeout, interval=0.1)
        self.failover_seconds = time.monotonic() - started
        port = self.primary_port()
        assert port is not None
        return self.node(port)

    def cut_off(self, replica: RedisNode) -> None:
        """Stop ``replica`` and close its replication link: from now on it misses every write.

        A stopped process still receives what the kernel buffers for it, so stopping it alone
        loses nothing; the primary closes that one link (the other replicas keep theirs).
        """
        with replica.client() as client:
            link = client.client_list(_type="master")[0]["laddr"]
        replica.signal(signal.SIGSTOP)
        with self.primary.client() as primary:
            assert primary.client_kill_filter(addr=link) == 1

    def node(self, port: int) -> RedisNode:
        (found,) = [node for node in self.nodes if node.port == port]
        return found

    def stop(self) -> None:
        for process in [*self.sentinels, *self.nodes]:
            with contextlib.suppress(Exception):
                process.kill()

    def _replicas_in_sync(self) -> bool:
        return all(
            _answers(node) and node.info("replication").get("master_link_status") == "up"
            for node in self.replicas
        )

    def _sentinels_agree(self) -> bool:
        for sentinel in self.sentinels:
            try:
                with redis.Redis(port=sentinel.port, socket_timeout=1) as client:
                    state = client.sentinel_master(MASTER)
            except redis.RedisError:
                return False
            if state.get("num-slaves", 0) < len(self.replicas):
                return False
            if state.get("num-other-sentinels", 0) < len(self.sentinels) - 1:
                return False
        return True


def _answers(node: RedisNode) -> bool:
    try:
        with node.client() as client:
            return bool(client.ping())
    except redis.RedisError:
        return False
