"""Start and stop the real components the end-to-end tests run against."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx

from tlhooks.processes import RECEIVER_SERVER_OPTIONS, ManagedProcess, free_port, wait_until
from tlhooks.redis_server import RedisServerProcess

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class Managed(ManagedProcess):
    """A component of the test stack, logging into the session's log folder."""

    def __init__(self, name: str, argv: list[str], env: Mapping[str, str], log_dir: Path) -> None:
        log_path = log_dir / f"{name}-{time.monotonic_ns()}.log"
        super().__init__(name, argv, env, log_path, cwd=ROOT)

    def start(self) -> Managed:
        super().start()
        return self


class RedisServer(RedisServerProcess):
    """The suite's own redis-server (no persistence), logging into the session's log folder.

    ``also_bind``: addresses it listens on besides loopback (a veth of a test's own network
    namespace), without protected mode, which would refuse clients that come from them.
    """

    def __init__(self, log_dir: Path, also_bind: Sequence[str] = ()) -> None:
        super().__init__(log_dir, log_path=log_dir / f"redis-{time.monotonic_ns()}.log")
        if also_bind:
            at = self.argv.index("--bind") + 2
            self.argv[at:at] = list(also_bind)
            self.argv += ["--protected-mode", "no"]

    def url_at(self, host: str) -> str:
        """The URL of database 0 through one of its addresses (``url`` is loopback's)."""
        return f"redis://{host}:{self.port}/0"


class Receiver(Managed):
    def __init__(self, env: Mapping[str, str], log_dir: Path) -> None:
        self.port = free_port()
        argv = [str(BIN / "uvicorn"), "receiver.app:app", "--host", "127.0.0.1"]
        argv += ["--port", str(self.port), "--log-level", "info", *RECEIVER_SERVER_OPTIONS]
        super().__init__("receiver", argv, env, log_dir)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Receiver:
        super().start()
        wait_until(self._up, timeout=20)
        return self

    def _up(self) -> bool:
        if not self.alive():
            raise AssertionError(f"receiver exited:\n{self.log}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False


class Worker(Managed):
    """A Celery worker (with beat unless ``beat`` is False); ``prefix`` goes before its
    command, e.g. ``ip netns exec <namespace>`` to run it in a network namespace."""

    def __init__(
        self,
        env: Mapping[str, str],
        log_dir: Path,
        *,
        pool: str = "threads",
        beat: bool = True,
        prefix: Sequence[str] = (),
    ) -> None:
        env = {**env, "TLHOOKS_WORKER_POOL": pool, "TLHOOKS_WORKER_CONCURRENCY": "4"}
        argv = [*prefix, str(BIN / "celery"), "-A", "workers.app", "worker"]
        argv += ["--without-mingle", "--without-gossip"]
        argv += ["--without-heartbeat", "-l", "info", "-n", f"test-{free_port()}@%h"]
        if beat:
            argv += ["-B", "-s", str(log_dir / f"beat-{time.monotonic_ns()}")]
        super().__init__("worker", argv, env, log_dir)

    def start(self) -> Worker:
        super().start()
        wait_until(self._ready, timeout=30)
        return self

    def _ready(self) -> bool:
        if not self.alive():
            raise AssertionError(f"worker exited:\n{self.log}")
        return " ready." in self.log
