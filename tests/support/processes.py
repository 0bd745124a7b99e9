"""Start and stop the real components the end-to-end tests run against."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx
import redis

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(
    predicate: Callable[[], object], timeout: float = 20.0, interval: float = 0.05
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s: {predicate}")


class Managed:
    """A subprocess in its own session, logging to a file, killed with its children."""

    def __init__(self, name: str, argv: list[str], env: Mapping[str, str], log_dir: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = dict(env)
        self.log_path = log_dir / f"{name}-{time.monotonic_ns()}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Managed:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signum)

    def stop(self, timeout: float = 10.0) -> None:
        if not self.alive():
            return
        assert self.process is not None
        self.signal(signal.SIGCONT)
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self.alive():
            assert self.process is not None
            self.signal(signal.SIGKILL)
            self.process.wait(10)


class RedisServer(Managed):
    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--dir", str(log_dir)]
        super().__init__("redis", argv, os.environ, log_dir)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, decode_responses=True, socket_timeout=5)

    def start(self) -> RedisServer:
        super().start()
        wait_until(self._answers, timeout=10)
        return self

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False


class Receiver(Managed):
    def __init__(self, env: Mapping[str, str], log_dir: Path) -> None:
        self.port = free_port()
        argv = [str(BIN / "uvicorn"), "receiver.app:app", "--host", "127.0.0.1"]
        argv += ["--port", str(self.port), "--log-level", "info"]
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
    def __init__(
        self, env: Mapping[str, str], log_dir: Path, *, pool: str = "threads", beat: bool = True
    ) -> None:
        env = {**env, "TLHOOKS_WORKER_POOL": pool, "TLHOOKS_WORKER_CONCURRENCY": "4"}
        argv = [str(BIN / "celery"), "-A", "workers.app", "worker"]
        argv += ["-Q", "tlhooks,tlhooks.sweep", "--without-mingle", "--without-gossip"]
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
