"""Pipeline: one scenario's processes, started fresh and always stopped.

A private redis-server (ledger and broker), the emulator, and the Procfile's ``web``,
``worker`` and ``beat`` lines as written: the receiver on uvicorn, one Celery worker with the
settings' default pool and concurrency (threads, 32) and beat, which runs the sweeper that
re-publishes scheduled retries and deferred runs. Every process runs in its own process group
and is stopped with it (SIGTERM, then SIGKILL after a bounded wait), whatever happened.
"""

from __future__ import annotations

import secrets
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType

import httpx
import redis

from bench.emulator_process import EmulatorProcess
from bench.procfile import ProcfileProcess
from bench.scenarios import Scenario
from bench.stack import PrivateRedis, cpu_seconds
from tlhooks.ledger import EventLedger
from tlhooks.ledger.store import connect
from tlhooks.processes import free_port, wait_until

HANDLERS = "bench.recording_handler"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


class Pipeline:
    """Start with ``with Pipeline(scenario, workdir) as pipeline:``; everything stops on exit."""

    def __init__(self, scenario: Scenario, workdir: Path) -> None:
        self.scenario = scenario
        self.workdir = workdir
        self.secret = secrets.token_hex(16)
        self.api_key = secrets.token_hex(8)
        self.port = free_port()
        self._stack = ExitStack()

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/twelvelabs"

    def __enter__(self) -> Pipeline:
        try:
            self._start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stack.close()

    def _start(self) -> None:
        self.redis = PrivateRedis(self.workdir).start()
        self._stack.callback(self.redis.stop, STOP_TIMEOUT)
        self.client: redis.Redis = self.redis.client()
        self._stack.callback(self.client.close)
        self.ledger = EventLedger(connect(self.redis.url, 10))
        self._stack.callback(self.ledger.client.close)
        faults = self.scenario.emulator_faults()
        self.emulator = EmulatorProcess(self.api_key, faults, self.workdir).start()
        self._stack.callback(self.emulator.stop, STOP_TIMEOUT)
        env = {
            "PORT": str(self.port),
            "TLHOOKS_REDIS_URL": self.redis.url,
            "TLHOOKS_WEBHOOK_SECRETS": self.secret,
            "TLHOOKS_API_KEY": self.api_key,
            "TLHOOKS_API_BASE_URL": self.emulator.api_url,
            "TLHOOKS_HANDLERS": HANDLERS,
            **self.scenario.worker_env(),
        }
        self.web = self._run("web", env)
        self.worker = self._run("worker", env)
        self.beat = self._run("beat", env)
        wait_until(self._receiver_up, timeout=START_TIMEOUT)
        wait_until(self._worker_ready, timeout=START_TIMEOUT)

    def _run(self, name: str, env: dict[str, str]) -> ProcfileProcess:
        process = ProcfileProcess(name, env, self.workdir)
        process.start()
        self._stack.callback(process.stop, STOP_TIMEOUT)
        return process

    def _receiver_up(self) -> bool:
        self._require_alive()
        try:
            url = f"http://127.0.0.1:{self.port}/healthz"
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def _worker_ready(self) -> bool:
        self._require_alive()
        return " ready." in self.worker.log

    def _require_alive(self) -> None:
        for process in (self.web, self.worker, self.beat):
            if not process.alive():
                raise RuntimeError(f"{process.name} exited during start-up:\n{process.log}")

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time used so far by each process of the pipeline."""
        processes = {
            "worker": self.worker.pid,
            "receiver": self.web.pid,
            "emulator": self.emulator.pid,
            "redis": self.redis.pid,
            "beat": self.beat.pid,
        }
        return {name: cpu_seconds(pid) for name, pid in processes.items()}
