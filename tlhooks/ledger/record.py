"""What the ledger keeps about an event, as typed models."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from tlhooks.ledger.compaction import expand
from tlhooks.status import EventStatus

_JSON_FIELDS = ("headers", "handlers", "task", "validation", "platform_webhooks", "result_digest")


class HandlerState(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    EXHAUSTED = "exhausted"


class HandlerOutcome(BaseModel):
    """How one handler fared on one event, across all its attempts."""

    handler: str
    state: HandlerState = HandlerState.PENDING
    attempts: int = 0
    last_error: str | None = None
    last_traceback: str | None = None
    started_at: float | None = None
    finished_at: float | None = None


class Delivery(BaseModel):
    """One delivery of the notification id: when, the body's SHA-256, and whether it matched."""

    at: float
    body_sha256: str = ""
    same: bool = True


class Compaction(BaseModel):
    """What a compacted event no longer keeps (``body``, ``headers.tl-signature``)."""

    dropped: list[str] = Field(default_factory=list)


class Transition(BaseModel):
    status: EventStatus
    at: float
    note: str = ""


class EventRecord(BaseModel):
    """One webhook event and everything that happened to it."""

    event_id: str
    event_type: str
    task_id: str | None = None
    custom_id: str | None = None
    status: EventStatus
    received_at: float
    updated_at: float
    notification_created_at: str | None = None
    body: str = ""
    headers: dict[str, str] = Field(default_factory=dict)
    handlers: list[str] = Field(default_factory=list)
    attempts: int = 0
    runs: int = 0
    crashes: int = 0
    requeues: int = 0
    deliveries: int = 1
    reused_deliveries: int = 0
    body_sha256: str | None = None
    next_attempt_at: float | None = None
    rate_limited: int = 0  # 429 answers while fetching its task; never counted as attempts
    api_slot_at: float | None = None  # a slot of the API budget held for its next run
    last_error: str | None = None
    last_traceback: str | None = None
    task: dict[str, Any] | None = None
    result_digest: dict[str, Any] | None = None  # what a handled event kept of a dropped task
    replay_id: str | None = None
    reconciled: bool = False  # made by tlhooks from the API's answer: no webhook came in time
    batch_id: str | None = None  # the batch tlhooks submitted the task in
    platform_webhooks: list[dict[str, Any]] | None = None  # webhooks[] as the platform said
    replays: int = 0
    validation: dict[str, Any] | None = None
    duplicate_of: str | None = None
    conflict_with: str | None = None
    history: list[Transition] = Field(default_factory=list)
    outcomes: dict[str, HandlerOutcome] = Field(default_factory=dict)
    delivery_log: list[Delivery] = Field(default_factory=list)
    # once handled or settled at intake, and compacted (ledger/compaction.py): what was dropped
    compaction: Compaction | None = None

    @classmethod
    def from_redis(
        cls,
        fields: dict[str, str],
        history: list[str],
        outcomes: dict[str, str],
        deliveries: list[str] | None = None,
    ) -> EventRecord:
        record = expand(fields, history, outcomes, deliveries or [])
        data: dict[str, Any] = {k: v for k, v in record.fields.items() if v != ""}
        for name in _JSON_FIELDS:
            if name in data:
                data[name] = json.loads(data[name])
        data["history"] = record.history
        data["outcomes"] = record.outcomes
        data["delivery_log"] = record.deliveries
        data["compaction"] = record.compaction
        return cls.model_validate(data)

    def outcome(self, handler: str) -> HandlerOutcome:
        return self.outcomes.get(handler) or HandlerOutcome(handler=handler)

    @property
    def pending_handlers(self) -> list[str]:
        """Handlers that still have to run: not succeeded and not out of attempts."""
        done = {HandlerState.SUCCEEDED, HandlerState.EXHAUSTED}
        return [name for name in self.handlers if self.outcome(name).state not in done]


# Fields the indexes are built from (and the state, which only the scripts move): set at
# intake and never changed afterwards, so an index entry or a handler count stays true.
INDEXED_FIELDS = frozenset(
    {"status", "event_type", "custom_id", "task_id", "handlers", "received_at", "tallied"}
)


def encode_later_fields(values: dict[str, Any]) -> dict[str, str]:
    """``encode_fields`` for a change after intake; an indexed field is refused."""
    fixed = sorted(INDEXED_FIELDS.intersection(values))
    if fixed:
        raise ValueError(
            f"Field {fixed[0]!r} is set at intake and never changed: the ledger's indexes and "
            "handler counts are built from it (a replay is the way to run an event again)."
        )
    return encode_fields(values)


def encode_fields(values: dict[str, Any]) -> dict[str, str]:
    """Turn record fields into Redis hash values (JSON for structures, '' for None)."""
    encoded: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            encoded[name] = ""
        elif isinstance(value, dict | list):
            encoded[name] = json.dumps(value, separators=(",", ":"))
        else:
            encoded[name] = str(value)
    return encoded
