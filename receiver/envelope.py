"""The webhook envelope: ``{id, created_at, type, data}``, parsed defensively.

The body must be strict JSON in UTF-8: ``NaN``, ``Infinity`` and a key repeated in one object
are refused (parsers disagree on them, so the stored body could say something other than what
was admitted), as are nesting deeper than the interpreter's recursion limit, integers of more
than 4300 digits and unpaired surrogates in the fields that are stored. Every refusal is an
``InvalidEnvelope`` (400).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, NoReturn

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from tlhooks.analysis import TASK_ID_PATTERN
from tlhooks.errors import InvalidEnvelope
from tlhooks.status import EventKind

NotificationId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,128}$")]
TaskId = Annotated[str, StringConstraints(pattern=TASK_ID_PATTERN.pattern)]


def _encodable(value: str) -> str:
    value.encode("utf-8")  # an unpaired surrogate raises UnicodeEncodeError, a ValueError
    return value


Text = Annotated[str, AfterValidator(_encodable)]


class EnvelopeData(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: TaskId
    custom_id: Annotated[Text, StringConstraints(max_length=256)] | None = None
    status: Text | None = None


class WebhookEnvelope(BaseModel):
    """A Twelve Labs notification. Unknown fields are kept; the raw body is stored anyway."""

    model_config = ConfigDict(extra="allow")

    id: NotificationId
    created_at: datetime
    type: Annotated[Text, StringConstraints(min_length=1, max_length=128)]
    data: EnvelopeData = Field(...)

    @property
    def kind(self) -> str | None:
        """``ready`` or ``failed`` for analyze task events, None for any other type."""
        known = self.type in EventKind._value2member_map_
        return EventKind(self.type).outcome if known else None


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number; send finite numbers only")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"key {key[:40]!r} appears twice in one object")
            seen.add(key)
    return result


def strict_json(body: bytes) -> Any:
    """The body as Python values, or ``InvalidEnvelope`` for anything but strict UTF-8 JSON."""
    try:
        text = body.decode("utf-8")
        return json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=_unique_keys)
    except UnicodeDecodeError:
        raise InvalidEnvelope("body: the body is not UTF-8") from None
    except RecursionError:
        raise InvalidEnvelope("body: the JSON is nested too deeply") from None
    except ValueError as exc:  # json.JSONDecodeError and the hooks' refusals
        raise InvalidEnvelope(f"body: {exc}") from None


def parse_envelope(body: bytes) -> WebhookEnvelope:
    document = strict_json(body)
    try:
        return WebhookEnvelope.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise InvalidEnvelope(f"{where}: {first['msg']}") from None
