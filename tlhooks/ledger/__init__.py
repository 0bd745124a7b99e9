"""The event ledger: one durable record per webhook event, kept in Redis."""

from __future__ import annotations

from tlhooks.ledger.intake import IntakeResult
from tlhooks.ledger.record import EventRecord, HandlerOutcome, HandlerState, Transition
from tlhooks.ledger.store import EventLedger, RunClaim

__all__ = [
    "EventLedger",
    "EventRecord",
    "HandlerOutcome",
    "HandlerState",
    "IntakeResult",
    "RunClaim",
    "Transition",
]
