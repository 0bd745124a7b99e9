"""Which index drives a list or a count: every index that holds all of a filter's matches,
with its size, and the choice between walking an arrival index newest first and reading a
smaller unordered one (the state indexes, a custom_id range) whole.

A count that one index answers exactly never walks at all (``one_index_count``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tlhooks.ledger import EventLedger
from tlhooks.ops.selection import EventFilter


@dataclass(frozen=True)
class Driver:
    """An index a walk can start from, and how many ids it holds."""

    kind: Literal["arrival", "statuses", "custom"]
    size: int
    key: str = ""


def bounds(selection: EventFilter) -> tuple[float | str, float | str]:
    since = selection.since if selection.since is not None else "-inf"
    until = selection.until if selection.until is not None else "+inf"
    return since, until


def drivers(ledger: EventLedger, selection: EventFilter) -> list[Driver]:
    """Every index that holds all of the filter's matches, with its size; arrival ones first."""
    arrival = [ledger.keys.all_events, *membership_keys(ledger, selection)]
    sizes = ledger.arrival_counts(arrival, *bounds(selection))
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


def choose_driver(found: list[Driver], need: float, cap: float) -> Driver:
    """The arrival index to walk newest first, or a smaller unordered one to read and sort."""
    walk = min((d for d in found if d.kind == "arrival"), key=lambda d: d.size)
    smallest = min(d.size for d in found)
    expected = walk.size if smallest == 0 else min(walk.size, need * walk.size / smallest)
    unordered = [d for d in found if d.kind != "arrival" and d.size <= cap]
    best = min(unordered, key=lambda d: d.size, default=None)
    return best if best is not None and best.size < expected else walk
