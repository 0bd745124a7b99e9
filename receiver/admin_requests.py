"""The admin API's inputs as pydantic models: anything else is a 400 with one sentence.

Event ids and task ids are checked against the formats the receiver accepts, so no input
ever addresses one of the ledger's internal keys (``<event id>:history`` and the like).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    StringConstraints,
    ValidationError,
)

from receiver.envelope import NotificationId, strict_json
from tlhooks.errors import InvalidEnvelope
from tlhooks.ops.replay import ReplayStage
from tlhooks.ops.selection import EventFilter
from tlhooks.ops.service import EVENT_OR_TASK_ID, build_filter

MAX_IDS = 10_000
MIN_RATE = 1.0
Short = Annotated[StrictStr, StringConstraints(min_length=1, max_length=256)]
Statuses = Annotated[list[Short], Field(max_length=32)]


class AdminInputInvalid(ValueError):
    """An admin request that cannot be served; the message is the sentence the caller reads."""


def describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{where}: {first['msg']}."


class FilterFields(BaseModel):
    """The filters shared by listing and replaying."""

    model_config = ConfigDict(extra="forbid")

    status: Short | Statuses | None = None
    event_type: Short | None = None
    custom_id: Short | None = None
    task_id: Short | None = None
    handler: Short | None = None
    since: Short | None = None
    until: Short | None = None
    error: Short | None = None
    redelivered: bool | None = None
    reused_id: bool | None = None

    def selection(self) -> EventFilter:
        status = [self.status] if isinstance(self.status, str) else list(self.status or [])
        fields = self.model_dump(include=set(FilterFields.model_fields) - {"status"})
        try:
            return build_filter(status=status, **fields)
        except ValueError as exc:
            raise AdminInputInvalid(str(exc)) from None


class ListQuery(FilterFields):
    """``GET /admin/events`` query parameters (numbers arrive as text)."""

    limit: int = Field(50, ge=1, le=1000)
    page: int = Field(1, ge=1, le=1_000_000)


class ReplayBody(FilterFields):
    """``POST /admin/replay``: ``ids`` or filters, and how to replay them."""

    ids: Annotated[list[NotificationId], Field(max_length=MAX_IDS)] = Field(default_factory=list)
    stage: ReplayStage = Field(ReplayStage.HANDLERS, alias="from")
    all_handlers: StrictBool = False
    dry_run: StrictBool = False
    rate: float | None = Field(None, ge=MIN_RATE, le=100_000, allow_inf_nan=False)


def parse_list_query(params: dict[str, Any]) -> ListQuery:
    try:
        return ListQuery.model_validate(params)
    except ValidationError as exc:
        raise AdminInputInvalid(f"Invalid query: {describe(exc)}") from None


def parse_replay_body(body: bytes) -> ReplayBody:
    try:
        document = strict_json(body)
    except InvalidEnvelope as exc:
        raise AdminInputInvalid(f"The replay request is not JSON: {exc.reason}") from None
    try:
        return ReplayBody.model_validate(document)
    except ValidationError as exc:
        raise AdminInputInvalid(f"Invalid replay request: {describe(exc)}") from None


def check_key(key: str) -> str:
    """An event id or a task id, or ``AdminInputInvalid`` naming the accepted format."""
    if EVENT_OR_TASK_ID.fullmatch(key):
        return key
    raise AdminInputInvalid(
        f"{key[:80]!r} is neither an event id nor a task id: both are 1 to 128 letters, "
        "digits, '_' or '-'."
    )
