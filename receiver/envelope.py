"""The webhook envelope: ``{id, created_at, type, data}``, parsed defensively.

Parsing uses pydantic-core's JSON parser, which refuses nesting deeper than a fixed limit and
numbers out of range with an error rather than a hang, so hostile bodies become 400s.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from tlhooks.analysis import TASK_ID_PATTERN
from tlhooks.errors import InvalidEnvelope

READY = "analyze.task.ready"
FAILED = "analyze.task.failed"
KIND_OF_TYPE = {READY: "ready", FAILED: "failed"}

NotificationId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,128}$")]
TaskId = Annotated[str, StringConstraints(pattern=TASK_ID_PATTERN.pattern)]


class EnvelopeData(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: TaskId
    custom_id: Annotated[str, StringConstraints(max_length=256)] | None = None
    status: str | None = None


class WebhookEnvelope(BaseModel):
    """A Twelve Labs notification. Unknown fields are kept; the raw body is stored anyway."""

    model_config = ConfigDict(extra="allow")

    id: NotificationId
    created_at: datetime
    type: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    data: EnvelopeData = Field(...)

    @property
    def kind(self) -> str | None:
        """``ready`` or ``failed`` for analyze task events, None for any other type."""
        return KIND_OF_TYPE.get(self.type)


def parse_envelope(body: bytes) -> WebhookEnvelope:
    try:
        return WebhookEnvelope.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise InvalidEnvelope(f"{where}: {first['msg']}") from None
