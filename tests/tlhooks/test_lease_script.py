"""RENEW_LEASE, called directly through the ledger on a real Redis: who may extend a lease."""

from __future__ import annotations

import time

from tlhooks.ledger import EventLedger
from tlhooks.status import EventStatus


def claimed(ledger: EventLedger, event_id: str, token: str, lease_seconds: float) -> None:
    ledger.accept(
        event_id=event_id,
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": f"t-{event_id}", "handlers": ["h"]},
    )
    assert ledger.begin_run(event_id, token, lease_seconds).outcome == "claimed"


def lease(ledger: EventLedger, event_id: str) -> tuple[str | None, int]:
    key = ledger.keys.lease(event_id)
    return ledger.client.get(key), int(ledger.client.pttl(key))


def test_the_holder_extends_its_lease(ledger: EventLedger) -> None:
    claimed(ledger, "e1", "run-1", 1)
    assert ledger.renew_lease("e1", "run-1", 60)
    holder, ttl = lease(ledger, "e1")
    assert holder == "run-1"
    assert ttl > 59_000


def test_another_token_cannot_extend_a_held_lease(ledger: EventLedger) -> None:
    claimed(ledger, "e1", "run-1", 1)
    assert not ledger.renew_lease("e1", "run-2", 60)
    holder, ttl = lease(ledger, "e1")
    assert holder == "run-1"
    assert ttl <= 1000


def test_a_live_run_takes_its_lapsed_lease_back_when_no_run_took_over(ledger: EventLedger) -> None:
    claimed(ledger, "e1", "run-1", 0.05)
    time.sleep(0.1)  # Redis was away longer than the lease, say
    assert lease(ledger, "e1")[0] is None
    assert ledger.renew_lease("e1", "run-1", 60)
    assert lease(ledger, "e1")[0] == "run-1"


def test_a_lapsed_lease_is_not_taken_back_once_a_new_run_claimed_the_event(
    ledger: EventLedger,
) -> None:
    claimed(ledger, "e1", "run-1", 0.05)
    time.sleep(0.1)
    assert ledger.begin_run("e1", "run-2", 0.05).outcome == "claimed"
    time.sleep(0.1)  # run-2's lease lapsed too, but the event is run-2's now
    assert not ledger.renew_lease("e1", "run-1", 60)
    assert lease(ledger, "e1")[0] is None


def test_a_lease_of_an_event_that_does_not_exist_is_not_created(ledger: EventLedger) -> None:
    assert not ledger.renew_lease("nowhere", "run-1", 60)
    assert lease(ledger, "nowhere")[0] is None
