"""Pipelined deletes of many events at once (kept for callers of the function form)."""

from __future__ import annotations

from collections.abc import Sequence

from tlhooks.ledger.store import EventLedger


def delete_many(ledger: EventLedger, ids: Sequence[str]) -> int:
    """Remove events and every index entry that names them; return how many existed."""
    return ledger.delete_many(ids)
