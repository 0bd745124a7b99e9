"""Replays: plan first (count, stages, handlers), then queue, safely and at a capped rate.

Safety rules:
- an event that is queued or running (``received``, ``queued``, ``fetching``, ``handling``,
  or holding a run lease) is refused, checked again atomically when it is replayed;
- every replay carries a replay id recorded on the event and in its history;
- handlers keep their idempotency key ``{task_id}:{handler}``, whatever the replay.

Stages: ``fetch`` re-fetches and re-validates, ``validate`` re-validates the stored result,
``handlers`` (default) re-runs the handlers that did not succeed (``handler`` for one,
``all_handlers`` to force the succeeded ones too).
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tlhooks.ledger import EventLedger, EventRecord, HandlerState
from tlhooks.ledger.replaying import ReplayReset
from tlhooks.queue.publisher import EventPublisher
from tlhooks.status import (
    BATCH_COMPLETED,
    REPLAYABLE,
    RESET_ALL_HANDLERS,
    RESET_UNSUCCEEDED_HANDLERS,
    EventStatus,
)

ACTIVE = frozenset(
    {EventStatus.RECEIVED, EventStatus.QUEUED, EventStatus.FETCHING, EventStatus.HANDLING}
)


class ReplayStage(StrEnum):
    FETCH = "fetch"
    VALIDATE = "validate"
    HANDLERS = "handlers"


@dataclass(frozen=True)
class ReplayRequest:
    stage: ReplayStage = ReplayStage.HANDLERS
    handler: str | None = None
    all_handlers: bool = False

    @property
    def reset(self) -> str:
        if self.all_handlers:
            return RESET_ALL_HANDLERS
        return self.handler or RESET_UNSUCCEEDED_HANDLERS

    def handlers_to_run(self, record: EventRecord) -> list[str]:
        if self.handler is not None:
            return [self.handler]
        if self.all_handlers:
            return list(record.handlers)
        return [
            name
            for name in record.handlers
            if record.outcome(name).state is not HandlerState.SUCCEEDED
        ]

    def refusal(self, record: EventRecord) -> str | None:
        if record.status in ACTIVE:
            return f"it is {record.status.value}: wait until it settles"
        if record.status not in REPLAYABLE:
            return f"a {record.status.value} event is never processed, so it cannot be replayed"
        if self.handler is not None and self.handler not in record.handlers:
            return f"handler {self.handler!r} is not one of its handlers {record.handlers}"
        no_task = record.event_type != BATCH_COMPLETED  # a batch's completion has none
        if no_task and self.stage is not ReplayStage.FETCH and record.task is None:
            return "it has no stored result yet: replay it --from fetch"
        return None


@dataclass
class ReplayPlan:
    request: ReplayRequest
    replay_id: str = field(default_factory=lambda: f"rpl_{uuid.uuid4().hex[:16]}")
    eligible: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    handlers: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {
            "replay_id": self.replay_id if self.eligible else None,
            "from": self.request.stage.value,
            "handler": self.request.handler,
            "all_handlers": self.request.all_handlers,
            "events": len(self.eligible),
            "by_status": dict(self.statuses),
            "handlers": dict(self.handlers),
            "refused": len(self.refused),
            "refusals": dict(list(self.refused.items())[:20]),
        }


@dataclass
class ReplaySummary:
    replay_id: str
    queued: int = 0
    refused: dict[str, str] = field(default_factory=dict)
    stopped: bool = False
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "replay_id": self.replay_id,
            "queued": self.queued,
            "refused": len(self.refused),
            "refusals": dict(list(self.refused.items())[:20]),
            "stopped": self.stopped,
            "seconds": round(self.seconds, 3),
        }


class Replayer:
    def __init__(self, ledger: EventLedger, publisher: EventPublisher) -> None:
        self.ledger = ledger
        self.publisher = publisher

    def plan(self, records: Iterable[EventRecord], request: ReplayRequest) -> ReplayPlan:
        plan = ReplayPlan(request)
        for record in records:
            reason = request.refusal(record)
            if reason is not None:
                plan.refused[record.event_id] = reason
                continue
            plan.eligible.append(record.event_id)
            plan.statuses[record.status.value] += 1
            plan.handlers.update(request.handlers_to_run(record))
        return plan

    def execute(
        self,
        plan: ReplayPlan,
        *,
        rate: float | None = None,
        progress: Callable[[int], object] = lambda _: None,
        stop: Callable[[], bool] = lambda: False,
        batch: int = 200,
    ) -> ReplaySummary:
        """Queue the plan's events in batches; ``stop()`` ends it cleanly between batches."""
        summary = ReplaySummary(plan.replay_id)
        started = time.monotonic()
        step = max(1, min(batch, int(rate))) if rate else batch
        for start in range(0, len(plan.eligible), step):
            if stop():
                summary.stopped = True
                break
            chunk = plan.eligible[start : start + step]
            queued = self._replay_chunk(plan, chunk, summary)
            self.publisher.publish_many(queued)
            summary.queued += len(queued)
            progress(len(chunk))
            if rate:
                ahead = (start + len(chunk)) / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
        summary.seconds = time.monotonic() - started
        return summary

    def _replay_chunk(self, plan: ReplayPlan, ids: list[str], summary: ReplaySummary) -> list[str]:
        request = plan.request
        reset = ReplayReset(
            handlers=request.reset,
            task=request.stage is ReplayStage.FETCH,
            validation=request.stage is not ReplayStage.HANDLERS,
        )
        note = f"replay {plan.replay_id} from {request.stage.value}"
        answers = self.ledger.replay_many(ids, replay_id=plan.replay_id, note=note, reset=reset)
        queued = []
        for event_id, answer in zip(ids, answers, strict=True):
            if answer.outcome == "ok":
                queued.append(event_id)
            else:
                summary.refused[event_id] = (
                    f"{answer.outcome} (status {answer.status or 'unknown'})"
                )
        return queued
