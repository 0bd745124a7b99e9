"""ReplayBoard: plans shown and awaiting confirmation, and replays running, in this process.

A plan is kept ``PLAN_SECONDS`` for its confirmation, so what runs is exactly what was shown
(the confirm re-checks each event atomically, as every replay does). A confirmed plan runs in
a thread of its own through ``Replayer.execute``, reporting progress per batch. Both live in
the receiver process that made them: behind several receiver processes, pin console users to
one (the Procfile runs one).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from tlhooks.errors import TlhooksError
from tlhooks.ops.replay import ReplayPlan, ReplaySummary
from tlhooks.ops.service import OpsService

PLAN_SECONDS = 15 * 60
MAX_KEPT = 100


@dataclass
class PendingPlan:
    plan: ReplayPlan
    rate: float | None
    back: str
    made_at: float = field(default_factory=time.monotonic)


@dataclass
class ReplayJob:
    """One confirmed replay: how far it got, and how it ended."""

    plan: ReplayPlan
    back: str
    done: int = 0
    summary: ReplaySummary | None = None
    error: str | None = None
    stop_requested: bool = False

    @property
    def total(self) -> int:
        return len(self.plan.eligible)

    @property
    def finished(self) -> bool:
        return self.summary is not None or self.error is not None

    def advance(self, count: int) -> None:
        self.done += count

    def run(self, service: OpsService, rate: float | None) -> None:
        try:
            self.summary = service.replayer.execute(
                self.plan, rate=rate, progress=self.advance, stop=lambda: self.stop_requested
            )
        except TlhooksError as exc:
            self.error = f"The replay stopped after {self.done} events: {exc}"


class ReplayBoard:
    def __init__(self) -> None:
        self._plans: OrderedDict[str, PendingPlan] = OrderedDict()
        self._jobs: OrderedDict[str, ReplayJob] = OrderedDict()
        self._lock = threading.Lock()

    def keep_plan(self, pending: PendingPlan) -> None:
        with self._lock:
            self._plans[pending.plan.replay_id] = pending
            while len(self._plans) > MAX_KEPT:
                self._plans.popitem(last=False)

    def plan(self, replay_id: str) -> PendingPlan | None:
        with self._lock:
            pending = self._plans.get(replay_id)
        if pending is None or time.monotonic() - pending.made_at > PLAN_SECONDS:
            return None
        return pending

    def start(self, service: OpsService, replay_id: str) -> ReplayJob | None:
        """Run a kept plan (once: a second confirm finds it gone)."""
        with self._lock:
            pending = self._plans.pop(replay_id, None)
        if pending is None or time.monotonic() - pending.made_at > PLAN_SECONDS:
            return None
        job = ReplayJob(pending.plan, pending.back)
        with self._lock:
            self._jobs[replay_id] = job
            finished = [k for k, j in self._jobs.items() if j.finished]
            for key in finished[: max(0, len(self._jobs) - MAX_KEPT)]:
                del self._jobs[key]
        name = f"console-{replay_id}"
        threading.Thread(
            target=job.run, args=(service, pending.rate), name=name, daemon=True
        ).start()
        return job

    def job(self, replay_id: str) -> ReplayJob | None:
        with self._lock:
            return self._jobs.get(replay_id)
