"""The ledger's indexes and handler counts worked out the slow way, from every record, to
compare with what the scripts keep."""

from __future__ import annotations

from collections import Counter, defaultdict

from tlhooks.ledger import EventLedger, EventRecord
from tlhooks.ledger.keys import custom_member


def every_record(ledger: EventLedger) -> list[EventRecord]:
    """Every stored event, found by its hash key (not through an index)."""
    pattern = ledger.keys.event("*")
    ids = [str(key).rsplit(":", 1)[1] for key in ledger.client.scan_iter(match=pattern)]
    return ledger.get_many([i for i in ids if ":" not in i and i])


def handler_counts(records: list[EventRecord]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for record in records:
        for name in record.handlers:
            counts[name][record.outcome(name).state.value] += 1
    return {name: dict(states) for name, states in counts.items()}


def index_members(ledger: EventLedger, kind: str) -> dict[str, dict[str, float]]:
    """Every ``{prefix}:<kind>:<name>`` sorted set: name -> {id: score}."""
    found = {}
    head = f"{ledger.keys.tag}:{kind}:"
    for key in ledger.client.scan_iter(match=head + "*"):
        entries = ledger.client.zrange(str(key), 0, -1, withscores=True)
        if entries:
            found[str(key)[len(head) :]] = {str(i): float(s) for i, s in entries}
    return found


def assert_indexes_agree(ledger: EventLedger) -> None:
    """The handler counts, the type, handler and custom_id indexes hold exactly what the
    records say."""
    records = every_record(ledger)
    assert ledger.handler_outcome_counts() == handler_counts(records)
    by_type: dict[str, dict[str, float]] = defaultdict(dict)
    by_handler: dict[str, dict[str, float]] = defaultdict(dict)
    for record in records:
        by_type[record.event_type][record.event_id] = record.received_at
        for name in record.handlers:
            by_handler[name][record.event_id] = record.received_at
    assert index_members(ledger, "type") == by_type
    assert index_members(ledger, "handler") == by_handler
    members = set(ledger.client.zrange(ledger.keys.custom_ids, 0, -1))
    assert members == {custom_member(r.custom_id, r.event_id) for r in records}
