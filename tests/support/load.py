"""SteadyLoad: signed webhooks posted at a steady pace from a few threads, as the platform would.

Each delivery is posted until the receiver answers 202; a 503 (or no answer) is retried after a
short pause, as the platform retries, within a deadline. Every answer is kept with its time, so a
test can say what was acknowledged before a fault and what was refused during it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx


@dataclass
class Delivery:
    body: bytes
    event_id: str
    answers: list[tuple[float, int]] = field(default_factory=list)  # (monotonic time, status)

    @property
    def acked_at(self) -> float | None:
        return next((at for at, status in self.answers if status == 202), None)


class SteadyLoad:
    """Posts ``bodies`` with ``post`` from ``threads`` threads, one every ``interval`` s each."""

    def __init__(
        self,
        post: Callable[[bytes], httpx.Response],
        bodies: list[bytes],
        *,
        threads: int = 4,
        interval: float = 0.1,
        deadline: float = 60.0,
    ) -> None:
        self.post = post
        self.deliveries = [Delivery(body, json.loads(body)["id"]) for body in bodies]
        self.interval = interval
        self.deadline = time.monotonic() + deadline
        self._next = iter(self.deliveries)
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def start(self) -> SteadyLoad:
        for thread in self._threads:
            thread.start()
        return self

    def join(self) -> None:
        for thread in self._threads:
            thread.join(max(self.deadline - time.monotonic(), 0) + 10)

    def acked(self, before: float = float("inf"), after: float = float("-inf")) -> list[Delivery]:
        return [
            d for d in self.deliveries if (at := d.acked_at) is not None and after < at < before
        ]

    def answers(self, after: float) -> list[int]:
        return [status for d in self.deliveries for at, status in d.answers if at > after]

    def _run(self) -> None:
        while time.monotonic() < self.deadline:
            with self._lock:
                delivery = next(self._next, None)
            if delivery is None:
                return
            self._deliver(delivery)
            time.sleep(self.interval)

    def _deliver(self, delivery: Delivery) -> None:
        while time.monotonic() < self.deadline:
            try:
                status = self.post(delivery.body).status_code
            except httpx.HTTPError:
                status = 0  # no answer at all: retried like a 503
            delivery.answers.append((time.monotonic(), status))
            if status not in (0, 503):
                return
            time.sleep(0.1)
