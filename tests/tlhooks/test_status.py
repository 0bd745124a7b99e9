from __future__ import annotations

import itertools

import pytest

from tlhooks.status import REPLAYABLE, SETTLED, TRANSITIONS, EventStatus, sources_of

# The states an event is created in by intake; no transition leads into them.
INTAKE_STATES = ("received", "ignored", "duplicate", "unmatched", "conflict")


def can_transition(source: EventStatus, target: EventStatus) -> bool:
    return target in TRANSITIONS[source]


def test_every_status_has_a_row_in_the_transition_table() -> None:
    assert set(TRANSITIONS) == set(EventStatus)


@pytest.mark.parametrize("status", sorted(SETTLED))
def test_a_settled_status_has_no_way_out(status: EventStatus) -> None:
    assert TRANSITIONS[status] == frozenset()
    assert status.settled


@pytest.mark.parametrize("status", sorted(set(EventStatus) - SETTLED))
def test_every_unsettled_status_can_end_dead(status: EventStatus) -> None:
    assert can_transition(status, EventStatus.DEAD)
    assert not status.settled


@pytest.mark.parametrize("outcome", ["handled", "invalid", "truncated"])
def test_a_result_outcome_is_reached_only_from_handling(outcome: str) -> None:
    assert sources_of(EventStatus(outcome)) == {EventStatus.HANDLING}


def test_only_settled_or_failed_events_can_be_replayed() -> None:
    assert SETTLED | {EventStatus.FAILED} >= REPLAYABLE
    for status in ("received", "queued", "fetching", "handling"):
        assert EventStatus(status) not in REPLAYABLE


def test_intake_states_are_never_entered_by_a_transition() -> None:
    for status in INTAKE_STATES:
        assert sources_of(EventStatus(status)) == frozenset()


def test_the_happy_path_is_allowed_step_by_step() -> None:
    path = ["received", "queued", "fetching", "handling", "handled"]
    for source, target in itertools.pairwise(path):
        assert can_transition(EventStatus(source), EventStatus(target))


def test_a_failed_event_can_be_retried_but_not_handled_directly() -> None:
    assert can_transition(EventStatus.FAILED, EventStatus.QUEUED)
    assert not can_transition(EventStatus.FAILED, EventStatus.HANDLED)
