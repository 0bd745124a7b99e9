"""Lists and counts from the indexes: the narrowest index drives, the others are checked by
membership, and only the ids that pass have a few fields read.

A list is newest first. Its driver is an arrival-scored index (every event, or the events of
a handler, a type, a task, the redelivered or the reused ones), walked from ``until`` down to
``since``; or, when it is smaller than that walk is expected to be, the state indexes or the
custom_id range (``literal prefix*``), read whole and sorted by arrival. Every candidate the
driver yields counts towards the cap (``scan_cap``): one request never examines more, and says
so (``Page.complete`` False, ``Count.exact`` False) instead of reading the whole ledger.

A count that one index answers (states, an arrival range alone or with one of the arrival
indexes, a ``prefix*`` custom_id glob) is that index's size; any other count walks its driver
to the end if the driver is within the cap (then it is exact), else up to the cap, and reports
what it found as a lower bound with an estimate.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from tlhooks.ledger import EventLedger, EventRecord
from tlhooks.ops.selection import EventFacts, EventFilter

DEFAULT_SCAN_CAP = 50_000
_CHUNK = 1000


@dataclass(frozen=True)
class Driver:
    """An index a walk can start from, and how many ids it holds."""

    kind: Literal["arrival", "statuses", "custom"]
    size: int
    key: str = ""


@dataclass
class Page:
    records: list[EventRecord]
    examined: int
    complete: bool  # False: the cap stopped the walk before the page (or the list) was full


def cap_note(examined: int) -> str:
    """What a list or count that stopped at the cap tells its reader."""
    return (
        f"Stopped after examining {examined:,} events (the cap per request, "
        "TLHOOKS_OPS_SCAN_CAP): older matches may exist; narrow the filters, e.g. with "
        "since/until or a state."
    )


@dataclass
class Count:
    count: int  # exact, or (when not exact) the matches found among the ids examined
    exact: bool
    examined: int = 0
    candidates: int = 0  # ids in the index that drove the count

    @property
    def estimate(self) -> int:
        if self.exact or not self.examined:
            return self.count
        return round(self.count * self.candidates / self.examined)


def _bounds(selection: EventFilter) -> tuple[float | str, float | str]:
    since = selection.since if selection.since is not None else "-inf"
    until = selection.until if selection.until is not None else "+inf"
    return since, until


def drivers(ledger: EventLedger, selection: EventFilter) -> list[Driver]:
    """Every index that holds all of the filter's matches, with its size; arrival ones first."""
    keys = ledger.keys
    arrival = [keys.all_events]
    if selection.task_id is not None:
        arrival.append(keys.task_events(selection.task_id))
    if selection.handler is not None:
        arrival.append(keys.by_handler(selection.handler))
    if selection.event_type is not None:
        arrival.append(keys.by_type(selection.event_type))
    if selection.redelivered:
        arrival.append(keys.redelivered)
    if selection.reused_id:
        arrival.append(keys.reused)
    sizes = ledger.arrival_counts(arrival, *_bounds(selection))
    found = [Driver("arrival", n, key) for key, n in zip(arrival, sizes, strict=True)]
    if selection.statuses:
        found.append(Driver("statuses", ledger.status_total(selection.statuses)))
    if selection.custom_id is not None:
        found.append(Driver("custom", ledger.custom_id_count(selection.custom_prefix)))
    return found


def one_index_count(selection: EventFilter, found: list[Driver]) -> int | None:
    """The count when one index answers it exactly, else None."""
    arrival = [d for d in found if d.kind == "arrival"]
    if selection.error is not None or selection.task_id is not None:
        return None
    if len(found) == len(arrival) and len(arrival) <= 2:
        return arrival[-1].size  # every event (in the range), or one arrival index
    ranged = selection.since is not None or selection.until is not None
    if len(found) == 2 and not ranged:
        other = found[1]
        if other.kind == "statuses" or selection.custom_is_prefix:
            return other.size
    return None


def candidates(
    ledger: EventLedger, selection: EventFilter, driver: Driver
) -> Iterator[tuple[int, list[str]]]:
    """Chunks of the driver: (entries read, ids among them); newest first for an arrival one."""
    if driver.kind == "arrival":
        for chunk in ledger.walk_arrivals(driver.key, *_bounds(selection), _CHUNK):
            yield len(chunk), [i for i, _ in chunk]
    elif driver.kind == "statuses":
        for ids in ledger.walk_statuses(sorted(selection.statuses), _CHUNK):
            yield len(ids), ids
    else:
        pattern = selection.custom_id or ""
        for pairs in ledger.walk_custom_ids(selection.custom_prefix, _CHUNK):
            yield len(pairs), [i for custom, i in pairs if fnmatch.fnmatchcase(custom, pattern)]


class Walk:
    """Iterates chunks of ids until the driver ends, or until ``cap`` entries were read: then
    ``complete`` is False (one more chunk was found to exist)."""

    def __init__(self, chunks: Iterator[tuple[int, list[str]]], cap: float) -> None:
        self.chunks = chunks
        self.cap = cap
        self.examined = 0
        self.complete = True

    def __iter__(self) -> Iterator[list[str]]:
        for read, ids in self.chunks:
            if self.examined >= self.cap:
                self.complete = False
                return
            self.examined += read
            yield ids


def membership_keys(ledger: EventLedger, selection: EventFilter) -> list[str]:
    """The arrival indexes (besides every event's) an id must be in to match."""
    keys = ledger.keys
    found = []
    if selection.task_id is not None:
        found.append(keys.task_events(selection.task_id))
    if selection.handler is not None:
        found.append(keys.by_handler(selection.handler))
    if selection.event_type is not None:
        found.append(keys.by_type(selection.event_type))
    if selection.redelivered:
        found.append(keys.redelivered)
    if selection.reused_id:
        found.append(keys.reused)
    return found


def passing(
    ledger: EventLedger, selection: EventFilter, driver: Driver, ids: list[str]
) -> list[str]:
    """The ids that match, by index membership (``ZMSCORE``); the few fields a filter needs
    are read only for what no index answers (error text, task id, a custom_id glob that did
    not drive)."""

    def keep(key: str, test: Callable[[float | None], bool] = _present) -> None:
        nonlocal ids
        if ids:
            scores = ledger.scores_in(key, ids)
            ids = [i for i, score in zip(ids, scores, strict=True) if test(score)]

    for key in membership_keys(ledger, selection):
        if key != driver.key:
            keep(key)
    if selection.statuses and driver.kind != "statuses":
        sets = [ledger.scores_in(ledger.keys.by_status(s), ids) for s in selection.statuses]
        ids = [i for i, *scores in zip(ids, *sets, strict=True) if any(map(_present, scores))]
    if driver.kind != "arrival" and (selection.since is not None or selection.until is not None):
        keep(ledger.keys.all_events, lambda at: at is not None and _in_range(selection, at))
    readable = selection.error is not None or selection.task_id is not None
    if not ids or not (readable or (selection.custom_id is not None and driver.kind != "custom")):
        return ids
    fields = ledger.filter_fields(ids)
    return [i for i, f in zip(ids, fields, strict=True) if f and selection.admits(_facts(f))]


def _present(score: float | None) -> bool:
    return score is not None


def _in_range(selection: EventFilter, at: float) -> bool:
    return (selection.since is None or at >= selection.since) and (
        selection.until is None or at <= selection.until
    )


def _facts(fields: dict[str, str | None]) -> EventFacts:
    return EventFacts.from_fields(fields)


def count(ledger: EventLedger, selection: EventFilter, cap: int = DEFAULT_SCAN_CAP) -> Count:
    """How many events match: exact from one index, or by walking the smallest one."""
    found = drivers(ledger, selection)
    exact = one_index_count(selection, found)
    if exact is not None:
        return Count(exact, True, 0, exact)
    driver = min(found, key=lambda d: d.size)
    walk = Walk(candidates(ledger, selection, driver), cap)
    matched = sum(len(passing(ledger, selection, driver, ids)) for ids in walk)
    return Count(matched, walk.complete, walk.examined, driver.size)


def choose_driver(found: list[Driver], need: float, cap: float) -> Driver:
    """The arrival index to walk newest first, or a smaller unordered one to read and sort."""
    walk = min((d for d in found if d.kind == "arrival"), key=lambda d: d.size)
    smallest = min(d.size for d in found)
    expected = walk.size if smallest == 0 else min(walk.size, need * walk.size / smallest)
    unordered = [d for d in found if d.kind != "arrival" and d.size <= cap]
    best = min(unordered, key=lambda d: d.size, default=None)
    return best if best is not None and best.size < expected else walk


def newest_first(ledger: EventLedger, selection: EventFilter, driver: Driver) -> list[str]:
    """An unordered driver's ids, read whole and sorted newest first (as ZREVRANGE orders)."""
    ids = [i for _, chunk in candidates(ledger, selection, driver) for i in chunk]
    arrivals = ledger.scores_in(ledger.keys.all_events, ids)
    ranked = sorted(
        ((at, i) for i, at in zip(ids, arrivals, strict=True) if at is not None), reverse=True
    )
    return [i for _, i in ranked]


def matching_ids(
    ledger: EventLedger, selection: EventFilter, need: float, cap: float = math.inf
) -> tuple[list[str], int, bool]:
    """Up to ``need`` matching ids, newest first; how many candidates were examined; and
    whether the walk ended by itself (True) or at the cap (False)."""
    found = drivers(ledger, selection)
    if min(d.size for d in found) == 0:
        return [], 0, True
    driver = choose_driver(found, need, cap)
    if driver.kind != "arrival":
        ordered = newest_first(ledger, selection, driver)
        chunks = (ordered[n : n + _CHUNK] for n in range(0, len(ordered), _CHUNK))
        return _collect(ledger, selection, driver, chunks, need), driver.size, True
    walk = Walk(candidates(ledger, selection, driver), cap)
    return _collect(ledger, selection, driver, walk, need), walk.examined, walk.complete


def _collect(
    ledger: EventLedger,
    selection: EventFilter,
    driver: Driver,
    chunks: Iterable[list[str]],
    need: float,
) -> list[str]:
    matched: list[str] = []
    for ids in chunks:
        matched += passing(ledger, selection, driver, ids)
        if len(matched) >= need:
            return matched[: int(need)]
    return matched


def page(
    ledger: EventLedger,
    selection: EventFilter,
    *,
    limit: int,
    offset: int = 0,
    cap: int = DEFAULT_SCAN_CAP,
) -> Page:
    """One page of matching records, newest first, examining at most ``cap`` candidates."""
    ids, examined, complete = matching_ids(ledger, selection, offset + limit, cap)
    records = [r for r in ledger.get_many(ids[offset:]) if selection.matches(r)]
    return Page(records, examined, complete)


def select(ledger: EventLedger, selection: EventFilter) -> Iterator[EventRecord]:
    """Every matching record, newest first, however many (replays and purges act on all)."""
    ids, _, _ = matching_ids(ledger, selection, math.inf)
    for start in range(0, len(ids), _CHUNK):
        for record in ledger.get_many(ids[start : start + _CHUNK]):
            if selection.matches(record):
                yield record
