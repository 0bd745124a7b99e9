"""HandlerContext: everything a handler is told about the event it runs for."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from tlhooks.analysis import AnalyzeTask
from tlhooks.status import EventKind
from tlhooks.validation import Segment


@dataclass(frozen=True)
class HandlerContext:
    """The one argument every handler receives.

    ``idempotency_key`` is ``{task_id}:{handler}``: the same on every retry and every replay,
    so a handler can pass it to the systems it writes to and have a repeat be harmless.

    For ready events the result is validated first: ``segments`` maps each definition id to
    its validated segments (``start_time``/``end_time`` as floats, ``metadata`` a pydantic
    model), ``document`` holds a validated JSON-schema document, ``text`` a text result, and
    ``partial`` says the data was salvaged from a truncated result. ``result`` is the raw
    parsed ``result.data``.
    """

    task_id: str
    custom_id: str | None
    event_type: str
    event_id: str
    handler: str
    idempotency_key: str
    attempt: int
    task: AnalyzeTask
    result: Any = None
    error: str | None = None
    segments: dict[str, list[Segment]] | None = None
    document: Any = None
    text: str | None = None
    partial: bool = False
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("tlhooks.handler"))

    @property
    def ready(self) -> bool:
        return self.event_type == EventKind.READY


def idempotency_key(task_id: str, handler: str) -> str:
    return f"{task_id}:{handler}"
