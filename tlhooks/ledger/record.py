"""What the ledger keeps about an event, as typed models."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from tlhooks.status import EventStatus

_JSON_FIELDS = ("headers", "handlers", "task", "validation")


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
    replay_id: str | None = None
    replays: int = 0
    validation: dict[str, Any] | None = None
    duplicate_of: str | None = None
    conflict_with: str | None = None
    history: list[Transition] = Field(default_factory=list)
    outcomes: dict[str, HandlerOutcome] = Field(default_factory=dict)
    delivery_log: list[Delivery] = Field(default_factory=list)

    @classmethod
    def from_redis(
        cls,
        fields: dict[str, str],
        history: list[str],
        outcomes: dict[str, str],
        deliveries: list[str] | None = None,
    ) -> EventRecord:
        data: dict[str, Any] = {k: v for k, v in fields.items() if v != ""}
        for name in _JSON_FIELDS:
            if name in data:
                data[name] = json.loads(data[name])
        data["history"] = [json.loads(item) for item in history]
        data["outcomes"] = {name: json.loads(raw) for name, raw in outcomes.items()}
        data["delivery_log"] = [json.loads(item) for item in deliveries or []]
        return cls.model_validate(data)

    def outcome(self, handler: str) -> HandlerOutcome:
        return self.outcomes.get(handler) or HandlerOutcome(handler=handler)

    @property
    def pending_handlers(self) -> list[str]:
        """Handlers that still have to run: not succeeded and not out of attempts."""
        done = {HandlerState.SUCCEEDED, HandlerState.EXHAUSTED}
        return [name for name in self.handlers if self.outcome(name).state not in done]


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
