"""The built-in handler: append each handled result as one JSON line to a file.

Enabled without code by setting ``TLHOOKS_JSONL_PATH`` (and optionally
``TLHOOKS_JSONL_CUSTOM_ID``, a glob, default ``*``). It runs for ready and failed events.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from handlers.context import HandlerContext
from handlers.registry import HandlerRegistry

NAME = "tlhooks.jsonl"
_lock = threading.Lock()


class JsonlWriter:
    """Appends one line per event; a line is written with one ``write`` under a lock."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, ctx: HandlerContext) -> None:
        line: dict[str, Any] = {
            "event_id": ctx.event_id,
            "event_type": ctx.event_type,
            "task_id": ctx.task_id,
            "custom_id": ctx.custom_id,
            "idempotency_key": ctx.idempotency_key,
            "result": ctx.result,
            "error": ctx.error,
        }
        data = (json.dumps(line, separators=(",", ":"), default=str) + "\n").encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)


def install(registry: HandlerRegistry, path: Path, custom_id: str = "*") -> None:
    registry.register(JsonlWriter(path), custom_id=custom_id, on="both", name=NAME)
