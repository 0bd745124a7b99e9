"""What a settled event keeps of its result: a digest once handled (by default), the whole
task when asked, or when the event is quarantined; a replay fetches a dropped task again."""

from __future__ import annotations

import hashlib
import json

import pytest

from handlers.registry import HandlerRegistry
from tests.workers.processor_api import NOW, POLICY, FakeApi, ok, stored, task
from tlhooks.analysis import AnalyzeTask
from tlhooks.ledger import EventLedger
from tlhooks.ledger.replaying import ReplayReset
from tlhooks.status import EventStatus
from workers.lease import LeaseKeeper
from workers.processor import EventProcessor
from workers.result_retention import settled_fields


def processor(
    ledger: EventLedger, leases: LeaseKeeper, api: FakeApi, policy: str = "drop"
) -> EventProcessor:
    registry = HandlerRegistry()
    registry.register(lambda _ctx: None, name="h")
    return EventProcessor(
        ledger,
        api.client(),
        registry,
        POLICY,
        leases,
        clock=lambda: NOW,
        settled_results=policy,  # type: ignore[arg-type]
    )


def test_a_handled_event_keeps_a_digest_of_its_result_not_the_result(
    ledger: EventLedger, leases: LeaseKeeper
) -> None:
    stored(ledger)

    processor(ledger, leases, FakeApi(ok())).process("e1")

    event = ledger.require("e1")
    data = task()["result"]["data"]
    assert event.task is None
    assert event.result_digest == {
        "status": "ready",
        "bytes": len(data.encode()),
        "sha256": hashlib.sha256(data.encode()).hexdigest(),
        "finish_reason": "stop",
        "generation_id": None,
    }
    stored_fields = ledger.client.hgetall(ledger.keys.event("e1"))
    assert stored_fields.get("task", "") == ""


def test_keep_leaves_the_whole_task_on_a_handled_event(
    ledger: EventLedger, leases: LeaseKeeper
) -> None:
    stored(ledger)

    processor(ledger, leases, FakeApi(ok()), policy="keep").process("e1")

    event = ledger.require("e1")
    assert event.task is not None
    assert event.result_digest is None


@pytest.mark.parametrize(
    "status", [EventStatus.TRUNCATED, EventStatus.INVALID, EventStatus.DEAD, EventStatus.FAILED]
)
def test_a_quarantined_or_unfinished_event_keeps_its_task_for_ops(status: EventStatus) -> None:
    assert settled_fields("drop", status, AnalyzeTask.model_validate(task())) == {}


def test_a_replay_of_an_event_whose_result_was_dropped_fetches_the_task_again(
    ledger: EventLedger, leases: LeaseKeeper
) -> None:
    stored(ledger)
    api = FakeApi(ok())
    run = processor(ledger, leases, api)
    run.process("e1")
    ledger.replay_many(["e1"], replay_id="r1", note="replay", reset=ReplayReset("all"))

    assert run.process("e1") == "handled"

    assert api.calls == 2
    assert json.loads(json.dumps(ledger.require("e1").result_digest))["status"] == "ready"
