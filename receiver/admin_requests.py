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
from tlhooks.ops.listing import DEFAULT_SCAN_CAP
from tlhooks.ops.replay import ReplayStage
from tlhooks.ops.selection import EventFilter
from tlhooks.ops.service import EVENT_OR_TASK_ID, build_filter

MAX_IDS = 10_000
MAX_LIMIT = 1000
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
    """``GET /admin/events`` query parameters (``limit`` and ``page`` checked first, by
    ``parse_list_query``)."""

    limit: int = 50
    page: int = 1


class ReplayBody(FilterFields):
    """``POST /admin/replay``: ``ids`` or filters, and how to replay them."""

    ids: Annotated[list[NotificationId], Field(max_length=MAX_IDS)] = Field(default_factory=list)
    stage: ReplayStage = Field(ReplayStage.HANDLERS, alias="from")
    all_handlers: StrictBool = False
    dry_run: StrictBool = False
    rate: float | None = Field(None, ge=MIN_RATE, le=100_000, allow_inf_nan=False)


def parse_list_query(params: dict[str, Any], scan_cap: int = DEFAULT_SCAN_CAP) -> ListQuery:
    """The query, with ``limit`` from 1 to ``MAX_LIMIT`` and ``page`` no deeper than the
    ``scan_cap`` newest matches (a list never examines more events than that)."""
    limit = whole_number(params, "limit", 50, MAX_LIMIT)
    deepest = max(1, scan_cap // limit)
    page = whole_number(
        params,
        "page",
        1,
        deepest,
        f" with limit={limit} (a list reaches the {scan_cap:,} newest matches at most; "
        "narrow it with since/until to see older ones)",
    )
    try:
        return ListQuery.model_validate({**params, "limit": limit, "page": page})
    except ValidationError as exc:
        raise AdminInputInvalid(f"Invalid query: {describe(exc)}") from None


def whole_number(params: dict[str, Any], name: str, default: int, top: int, why: str = "") -> int:
    """``params[name]`` as a whole number from 1 to ``top``, or a sentence saying so."""
    raw = params.get(name, default)
    text = str(raw).strip()
    if text.isascii() and text.isdigit() and 1 <= int(text) <= top:
        return int(text)
    raise AdminInputInvalid(
        f"'{name}' must be a whole number from 1 to {top:,}{why}; got {str(raw)[:40]!r}."
    )


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
