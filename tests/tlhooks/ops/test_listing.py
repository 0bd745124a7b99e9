"""Lists and counts from the indexes agree with a brute-force scan of every record, on random
ledgers and random filters; a walk stops at the cap and says so."""

from __future__ import annotations

import random

import pytest

from tests.support.ledger_truth import every_record
from tlhooks.ledger import EventLedger, EventRecord
from tlhooks.ledger import walks as ledger_walks
from tlhooks.ledger.intake import Arrival
from tlhooks.ops import listing
from tlhooks.ops.selection import EventFilter
from tlhooks.status import EventStatus

START = 1_000_000.0
HANDLERS = ["h.a", "h.b", "h:c"]
TYPES = ["analyze.task.ready", "analyze.task.failed", "other"]
CUSTOM_IDS = [None, "", "ads-1", "ads-12", "ads-2", "bench-7", "bench-77", "b[x]", "née-1"]
ERRORS = [None, "Timeout talking to the API", "HTTP 503", "schema: segments missing"]
GLOBS = ["ads-*", "ads-1*", "*-1", "bench-7?", "b[[]x]", "ads-1", "", "*", "n*", "?ds-*"]


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of a few ids, so the walks' cursors and ties are exercised on a small ledger."""
    monkeypatch.setattr(listing, "_CHUNK", 7)
    monkeypatch.setattr(ledger_walks, "_READ_CHUNK", 5)


def random_ledger(ledger: EventLedger, rng: random.Random, size: int) -> None:
    arrivals = []
    for n in range(size):
        fields = {
            "event_type": rng.choice(TYPES),
            "task_id": f"task{rng.randrange(size // 2)}",
            "custom_id": rng.choice(CUSTOM_IDS),
            "handlers": rng.sample(HANDLERS, rng.randrange(4)),
            "last_error": rng.choice(ERRORS),
        }
        arrivals.append(
            Arrival(
                event_id=f"e{n:04d}",
                kind=None,
                requested=rng.choice(list(EventStatus)),
                fields=fields,
                now=START + n // 9,  # nine events a second: ties across chunks of every index
            )
        )
    ledger.accept_many(arrivals)
    ledger.accept_many([a for a in arrivals if rng.random() < 0.1])  # redeliveries


def random_filter(rng: random.Random) -> EventFilter:
    def maybe(value: object) -> bool:
        return rng.random() < 0.3

    statuses = frozenset(rng.sample(list(EventStatus), rng.randrange(1, 4)))
    since = START + rng.randrange(17) if rng.random() < 0.3 else None
    return EventFilter(
        statuses=statuses if rng.random() < 0.4 else frozenset(),
        event_type=rng.choice(TYPES) if rng.random() < 0.3 else None,
        custom_id=rng.choice(GLOBS) if rng.random() < 0.4 else None,
        task_id=f"task{rng.randrange(60)}" if rng.random() < 0.1 else None,
        handler=rng.choice(HANDLERS) if rng.random() < 0.3 else None,
        since=since,
        until=since + rng.randrange(8) if since is not None and rng.random() < 0.5 else None,
        error=rng.choice(["timeout", "503", "nothing"]) if rng.random() < 0.2 else None,
        redelivered=rng.random() < 0.1,
        reused_id=rng.random() < 0.05,
    )


def brute_force(records: list[EventRecord], selection: EventFilter) -> list[str]:
    """Every match, newest first (ties by id, as ZREVRANGE orders them)."""
    found = [r for r in records if selection.matches(r)]
    return [r.event_id for r in sorted(found, key=lambda r: (r.received_at, r.event_id))][::-1]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pages_and_counts_agree_with_a_scan_of_every_record(ledger: EventLedger, seed: int) -> None:
    rng = random.Random(seed)
    random_ledger(ledger, rng, 150)
    records = every_record(ledger)
    for _ in range(60):
        selection = random_filter(rng)
        expected = brute_force(records, selection)
        limit, offset = rng.choice([1, 5, 50]), rng.choice([0, 0, 3, 40])

        page = listing.page(ledger, selection, limit=limit, offset=offset)
        counted = listing.count(ledger, selection)

        assert [r.event_id for r in page.records] == expected[offset : offset + limit], selection
        assert page.complete
        assert (counted.count, counted.exact) == (len(expected), True), selection
        assert [r.event_id for r in listing.select(ledger, selection)] == expected


def test_a_walk_stops_at_the_cap_and_says_so(ledger: EventLedger) -> None:
    random_ledger(ledger, random.Random(4), 100)
    nothing = EventFilter(error="no event has this text")

    page = listing.page(ledger, nothing, limit=10, cap=30)
    counted = listing.count(ledger, nothing, cap=30)

    assert (page.records, page.examined, page.complete) == ([], 30, False)
    assert (counted.count, counted.exact, counted.examined, counted.candidates) == (
        0,
        False,
        30,
        100,
    )


def test_a_capped_count_is_a_lower_bound_with_an_estimate(ledger: EventLedger) -> None:
    random_ledger(ledger, random.Random(5), 120)
    selection = EventFilter(error="timeout")
    truth = len(brute_force(every_record(ledger), selection))

    counted = listing.count(ledger, selection, cap=60)

    assert not counted.exact
    assert 0 < counted.count <= truth
    assert counted.estimate == round(counted.count * 120 / 60)


def test_a_cap_the_walk_ends_within_is_not_reported(ledger: EventLedger) -> None:
    random_ledger(ledger, random.Random(6), 40)
    page = listing.page(ledger, EventFilter(error="nothing"), limit=10, cap=40)
    assert (page.examined, page.complete) == (40, True)


@pytest.mark.parametrize(
    "selection",
    [
        EventFilter(statuses=frozenset({EventStatus.DEAD, EventStatus.FAILED})),
        EventFilter(handler="h.a", since=START + 2, until=START + 6),
        EventFilter(event_type="other"),
        EventFilter(custom_id="ads-1*"),
        EventFilter(redelivered=True),
        EventFilter(),
    ],
)
def test_a_count_one_index_answers_reads_no_record(
    ledger: EventLedger, selection: EventFilter, monkeypatch: pytest.MonkeyPatch
) -> None:
    random_ledger(ledger, random.Random(7), 90)
    truth = len(brute_force(every_record(ledger), selection))
    monkeypatch.setattr(EventLedger, "filter_fields", None)  # any read would fail
    monkeypatch.setattr(EventLedger, "walk_arrivals", None)

    counted = listing.count(ledger, selection, cap=1)

    assert (counted.count, counted.exact) == (truth, True)
