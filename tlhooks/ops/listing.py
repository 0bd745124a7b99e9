"""Lists and counts from the indexes: the narrowest index drives, the others are checked by
membership, and only the ids that pass have a few fields read.

A list is newest first. Its driver (``tlhooks.ops.planning`` picks it) is an arrival-scored
index (every event, or the events of a handler, a type, a task, the redelivered or the reused
ones), walked from ``until`` down to ``since``; or, when it is smaller than that walk is
expected to be, the state indexes or the custom_id range (the glob's literal prefix), read
whole and sorted by arrival. Every entry the driver yields counts towards the cap
(``scan_cap``): one request never examines more, and says so (``Page.complete`` False,
``Count.exact`` False) instead of reading the whole ledger.

A count that one index answers (states, an arrival range alone or with one of the arrival
indexes, a ``prefix*`` custom_id glob) is that index's size; any other count walks its driver
to the end if the driver is within the cap (then it is exact), else up to the cap, and reports
what it found as a lower bound with an estimate.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from tlhooks.ledger import EventLedger, EventRecord
from tlhooks.ops.planning import (
    Driver,
    bounds,
    choose_driver,
    drivers,
    membership_keys,
    one_index_count,
)
from tlhooks.ops.selection import EventFilter

DEFAULT_SCAN_CAP = 20_000
_CHUNK = 1000


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


def candidates(
    ledger: EventLedger, selection: EventFilter, driver: Driver
) -> Iterator[list[tuple[str, bool]]]:
    """Chunks of the driver's entries as ``(id, passes the driver's own test)``: newest first
    for an arrival one; a custom_id range entry passes when the whole glob matches it."""
    if driver.kind == "arrival":
        for chunk in ledger.walk_arrivals(driver.key, *bounds(selection), _CHUNK):
            yield [(i, True) for i, _ in chunk]
    elif driver.kind == "statuses":
        for ids in ledger.walk_statuses(sorted(selection.statuses), _CHUNK):
            yield [(i, True) for i in ids]
    else:
        glob = re.compile(fnmatch.translate(selection.custom_id or ""))
        for pairs in ledger.walk_custom_ids(selection.custom_prefix, _CHUNK):
            yield [(i, glob.match(custom) is not None) for custom, i in pairs]


class Walk:
    """Iterates the ids of the driver's entries until it ends, or until ``cap`` entries were
    examined: then ``complete`` is False (more entries were there)."""

    def __init__(self, chunks: Iterator[list[tuple[str, bool]]], cap: float) -> None:
        self.chunks = chunks
        self.cap = cap
        self.examined = 0
        self.complete = True

    def __iter__(self) -> Iterator[list[str]]:
        for chunk in self.chunks:
            room = self.cap - self.examined
            if room < len(chunk):
                self.complete = False
                chunk = chunk[: int(room)]
            self.examined += len(chunk)
            if chunk:
                yield [i for i, passes in chunk if passes]
            if not self.complete:
                return


def passing(
    ledger: EventLedger, selection: EventFilter, driver: Driver, ids: list[str]
) -> list[str]:
    """The ids that match, by index membership (``ZMSCORE``); a field is read only for what no
    index answers: error text, task id, a custom_id glob that did not drive."""

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
    checks = field_checks(selection, driver)
    if not ids or not checks:
        return ids
    fields = ledger.filter_fields(ids, list(checks))
    return [
        i
        for i, found in zip(ids, fields, strict=True)
        if found and all(check(found[name] or "") for name, check in checks.items())
    ]


def field_checks(selection: EventFilter, driver: Driver) -> dict[str, Callable[[str], bool]]:
    """For each criterion no index answers, the field it reads and its test of the stored
    value ('' when unset): EventFilter.admits' own tests, without building EventFacts."""
    checks: dict[str, Callable[[str], bool]] = {}
    if selection.custom_id is not None and driver.kind != "custom":
        glob = re.compile(fnmatch.translate(selection.custom_id))
        checks["custom_id"] = lambda value: glob.match(value) is not None
    if selection.task_id is not None:
        task_id = selection.task_id
        checks["task_id"] = lambda value: (value or None) == task_id
    if selection.error is not None:
        needle = selection.error.lower()
        checks["last_error"] = lambda value: needle in value.lower()
    return checks


def _present(score: float | None) -> bool:
    return score is not None


def _in_range(selection: EventFilter, at: float) -> bool:
    return (selection.since is None or at >= selection.since) and (
        selection.until is None or at <= selection.until
    )


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


def newest_first(ledger: EventLedger, selection: EventFilter, driver: Driver) -> list[str]:
    """An unordered driver's ids, read whole and sorted newest first (as ZREVRANGE orders)."""
    ids = [i for chunk in candidates(ledger, selection, driver) for i, ok in chunk if ok]
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
