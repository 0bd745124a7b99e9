"""Retention (the ledger's expire) and purge against a real Redis."""

from __future__ import annotations

import pytest

from tlhooks.ledger import EventLedger
from tlhooks.ops.housekeeping import purge, stats
from tlhooks.ops.selection import EventFilter, parse_moment
from tlhooks.status import EventStatus

DAY = 86400.0


def event_in(ledger: EventLedger, event_id: str, status: EventStatus, at: float) -> None:
    ledger.accept(
        event_id=event_id,
        kind=None,
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": event_id},
        now=at,
    )
    path = {
        EventStatus.HANDLED: [EventStatus.FETCHING, EventStatus.HANDLING, EventStatus.HANDLED],
        EventStatus.DEAD: [EventStatus.DEAD],
        EventStatus.INVALID: [EventStatus.FETCHING, EventStatus.HANDLING, EventStatus.INVALID],
        EventStatus.RECEIVED: [],
    }[status]
    for step in path:
        ledger.transition(event_id, step)
    ledger.client.zadd(ledger.keys.by_status(status), {event_id: at})


def test_retention_expires_only_old_settled_events_it_may_forget(ledger: EventLedger) -> None:
    now = 1_000 * DAY
    event_in(ledger, "old-handled", EventStatus.HANDLED, now - 40 * DAY)
    event_in(ledger, "new-handled", EventStatus.HANDLED, now - 1 * DAY)
    event_in(ledger, "old-dead", EventStatus.DEAD, now - 40 * DAY)
    event_in(ledger, "old-invalid", EventStatus.INVALID, now - 40 * DAY)
    event_in(ledger, "old-received", EventStatus.RECEIVED, now - 40 * DAY)

    assert ledger.expire(days=30, now=now) == 1

    assert ledger.get("old-handled") is None
    for kept in ("new-handled", "old-dead", "old-invalid", "old-received"):
        assert ledger.get(kept) is not None


def test_retention_of_zero_days_keeps_everything(ledger: EventLedger) -> None:
    event_in(ledger, "old-handled", EventStatus.HANDLED, 0.0)
    assert ledger.expire(days=0) == 0


def test_purge_skips_unsettled_events_unless_forced(ledger: EventLedger) -> None:
    event_in(ledger, "done", EventStatus.HANDLED, 1.0)
    event_in(ledger, "waiting", EventStatus.RECEIVED, 1.0)

    dry = purge(ledger, EventFilter(), dry_run=True)
    kept = purge(ledger, EventFilter())

    assert (dry.matched, dry.deleted, dry.skipped_unsettled) == (2, 0, 1)
    assert (kept.deleted, kept.skipped_unsettled) == (1, 1)
    assert ledger.get("waiting") is not None
    assert purge(ledger, EventFilter(), force=True).deleted == 1


def test_stats_report_the_oldest_unsettled_event(ledger: EventLedger) -> None:
    event_in(ledger, "waiting", EventStatus.RECEIVED, 100.0)
    event_in(ledger, "done", EventStatus.HANDLED, 50.0)
    report = stats(ledger, now=160.0)
    assert report["oldest_unsettled"] == {"event_id": "waiting", "age_seconds": 60.0}
    assert report["by_status"] == {"received": 1, "handled": 1}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", 1000.0 - 7200),
        ("30m", 1000.0 - 1800),
        ("1700000000", 1.7e9),
        ("1970-01-01T00:10:00Z", 600.0),
    ],
)
def test_moments_are_read_as_durations_ago_or_absolute_times(text: str, expected: float) -> None:
    assert parse_moment(text, now=1000.0) == expected


def test_a_moment_that_is_not_a_time_says_which_forms_are_allowed() -> None:
    with pytest.raises(ValueError, match="duration ago like '2h'"):
        parse_moment("yesterday")


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-inf", "1e999", "9" * 400 + "s"])
def test_a_time_that_is_not_finite_is_refused_with_a_sentence(text: str) -> None:
    with pytest.raises(ValueError, match="is not a time"):
        parse_moment(text, now=1_000.0)
