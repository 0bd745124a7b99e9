"""The processes a benchmark run starts: a private redis-server and uvicorn servers.

Redis listens on a free loopback port, without persistence, in a scratch folder, so a run
never touches the machine's Redis. Each server is one uvicorn process, optionally pinned to
one CPU; every process is stopped with its process group.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx

from tlhooks.processes import ManagedProcess, free_port, wait_until
from tlhooks.redis_server import RedisServerProcess

ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a whole process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_busy_seconds(cpu: int) -> float:
    """Time one CPU spent on anything but idle and I/O wait, from /proc/stat."""
    for line in Path("/proc/stat").read_text().splitlines():
        name, *ticks = line.split()
        if name == f"cpu{cpu}":
            user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, ticks[:8])
            return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    raise ValueError(f"/proc/stat has no line for CPU {cpu}")


def bench_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment without any TLHOOKS_ setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TLHOOKS_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return {**env, **extra}


class PrivateRedis(RedisServerProcess):
    """The bench's own redis-server, with its log in the scratch folder."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir, log_path=workdir / "redis.log")

    def start(self) -> PrivateRedis:
        super().start()
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


class UvicornServer(ManagedProcess):
    """``uvicorn APP`` as one process; the working folder keeps the repository's .env out."""

    def __init__(
        self,
        name: str,
        app: str,
        env: Mapping[str, str],
        workdir: Path,
        options: Sequence[str] = (),
    ) -> None:
        self.port = free_port()
        self._options = list(options)
        self.cpu: int | None = None
        self._app = app
        self._workdir = workdir
        super().__init__(name, [], bench_env(env), workdir / f"{name}.log", cwd=workdir)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start_on(self, cpu: int | None) -> UvicornServer:
        self.cpu = cpu
        pin = [] if cpu is None else [sys.executable, "-m", "bench.pinned", str(cpu), "--"]
        self.argv = [*pin, sys.executable, "-m", "uvicorn", self._app, "--host", "127.0.0.1"]
        self.argv += ["--port", str(self.port), "--log-level", "warning", "--no-access-log"]
        self.argv += self._options
        super().start()
        wait_until(self._up, timeout=30)
        return self

    def _up(self) -> bool:
        if not self.alive():
            raise RuntimeError(f"{self.name} exited during start-up:\n{self.log}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False
