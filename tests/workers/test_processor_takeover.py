"""EventProcessor when runs overlap: a killed predecessor, a lease that lapses mid-run."""

from __future__ import annotations

import pytest

from handlers.context import HandlerContext
from handlers.registry import HandlerRegistry
from tests.workers.processor_api import POLICY, Build, FakeApi, ok, stored
from tlhooks.errors import InvalidTransition, LeaseLost
from tlhooks.ledger import EventLedger, HandlerOutcome, HandlerState
from tlhooks.status import EventStatus


def test_a_run_that_finds_its_predecessor_died_too_often_buries_the_poison_event(
    ledger: EventLedger, registry: HandlerRegistry, build: Build
) -> None:
    registry.register(lambda _c: None, name="h")
    stored(ledger)
    for number in range(POLICY.max_attempts):
        claim = ledger.begin_run("e1", f"killed-{number}", 0.001)
        assert claim.outcome == "claimed"
        ledger.client.delete(ledger.keys.lease("e1"))  # the killed run's lease lapsed

    api = FakeApi(ok())
    assert build(api).process("e1") == "dead"

    event = ledger.require("e1")
    assert event.status is EventStatus.DEAD
    assert event.last_error is not None
    assert "poison" in event.last_error
    assert api.calls == 0


@pytest.mark.parametrize("late_run", ["succeeds", "fails"])
def test_a_lease_that_lapses_mid_run_lets_another_run_take_over_and_the_first_cannot_settle(
    ledger: EventLedger, registry: HandlerRegistry, build: Build, late_run: str
) -> None:
    """The first run's outcome write is refused (LeaseLost, an InvalidTransition): the second
    run owns the event and already settled it."""
    runs: list[int] = []
    takeover = build(FakeApi(ok()))

    def handler(context: HandlerContext) -> None:
        runs.append(context.attempt)
        if len(runs) == 1:
            ledger.client.delete(ledger.keys.lease("e1"))  # the lease lapses mid-run
            assert takeover.process("e1") == "handled"
            if late_run == "fails":  # its outcome must not overwrite the takeover's success
                raise RuntimeError("the late run fails after the takeover succeeded")

    registry.register(handler, name="h")
    stored(ledger)

    with pytest.raises(InvalidTransition):
        build(FakeApi(ok())).process("e1")

    event = ledger.require("e1")
    assert runs == [1, 1]  # no outcome was stored when the second run started
    assert event.status is EventStatus.HANDLED
    assert event.outcome("h").state is HandlerState.SUCCEEDED
    assert event.outcome("h").attempts == 1
    assert event.outcome("h").last_error is None
    assert [t.status for t in event.history].count(EventStatus.HANDLED) == 1
    assert ledger.client.exists(ledger.keys.lease("e1")) == 0


def test_a_run_that_stalls_after_its_last_outcome_cannot_settle_an_event_taken_over_meanwhile(
    ledger: EventLedger, registry: HandlerRegistry, build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The late run's outcome was stored while it owned the event; its move to ``handled``
    comes after another run took over and is refused, so the run that owns it settles it."""
    registry.register(lambda _c: None, name="h")
    stored(ledger)
    save_outcome = ledger.save_outcome

    def stall_after_saving(event_id: str, outcome: HandlerOutcome, token: str) -> None:
        save_outcome(event_id, outcome, token)
        ledger.client.delete(ledger.keys.lease(event_id))  # the run stalls past its lease
        assert ledger.begin_run(event_id, "taker", 60).outcome == "claimed"

    monkeypatch.setattr(ledger, "save_outcome", stall_after_saving)

    with pytest.raises(LeaseLost, match="handled"):
        build(FakeApi(ok())).process("e1")

    event = ledger.require("e1")
    assert event.status is EventStatus.HANDLING  # the taker's run, not settled by the late one
    assert EventStatus.HANDLED not in [t.status for t in event.history]
    assert ledger.client.get(ledger.keys.lease("e1")) == "taker"
