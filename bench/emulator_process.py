"""EmulatorProcess: the Twelve Labs emulator as its own process, steered through its control API.

``python -m emulator`` runs on a free loopback port with the scenario's faults from the start
(``latency``, and ``request_limit``/``request_window`` when the platform's rate limit is
emulated). It sends no webhooks: the bench creates terminal tasks with ``send_webhook: false``
and announces them itself, so it knows when each notification left. Its request journal
(``GET /_emulator/requests``) counts the workers' API calls and the 429s among them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.stack import bench_env
from tlhooks.processes import ManagedProcess, free_port, wait_until

CONTROL_TIMEOUT = 30.0


@dataclass(frozen=True)
class ApiTally:
    """The /v1.3 requests the emulator answered, and how many of them were 429s."""

    calls: int
    rate_limited: int


class EmulatorProcess(ManagedProcess):
    def __init__(self, api_key: str, faults: Mapping[str, object], workdir: Path) -> None:
        self.port = free_port()
        argv = [sys.executable, "-m", "emulator", "--port", str(self.port), "--api-key", api_key]
        for name, value in faults.items():
            argv += ["--fault", f"{name}={json.dumps(value)}"]
        super().__init__("emulator", argv, bench_env({}), workdir / "emulator.log", cwd=workdir)
        self._http = httpx.Client(base_url=self.root_url, timeout=CONTROL_TIMEOUT)

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.root_url}/v1.3"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> EmulatorProcess:
        super().start()
        wait_until(self._up, timeout=30)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._http.close()
        super().stop(timeout)

    def _up(self) -> bool:
        if not self.alive():
            raise RuntimeError(f"the emulator exited during start-up:\n{self.log}")
        try:
            return self._http.get("/_emulator/faults", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def create_ready_tasks(self, count: int, custom_id_prefix: str) -> list[dict[str, Any]]:
        """``count`` tasks that are ready now, whose webhooks the emulator does not send."""
        tasks = []
        for number in range(count):
            spec = {"status": "ready", "custom_id": f"{custom_id_prefix}{number}"}
            response = self._http.post("/_emulator/tasks", json={**spec, "send_webhook": False})
            response.raise_for_status()
            tasks.append(response.json())
        return tasks

    def api_tally(self) -> ApiTally:
        requests = self._http.get("/_emulator/requests").raise_for_status().json()
        rate_limited = sum(1 for entry in requests if entry["status"] == 429)
        return ApiTally(calls=len(requests), rate_limited=rate_limited)
