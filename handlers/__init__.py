"""The plugin API: register functions that run when analyze tasks are ready or failed.

from handlers import handler, HandlerContext

@handler(custom_id="ads-*", on="ready")
def index_ad(ctx: HandlerContext) -> None:
    ...
"""

from __future__ import annotations

from handlers.context import HandlerContext
from handlers.registry import HandlerRegistry, HandlerSpec, handler, registry
from tlhooks.analysis import AnalyzeTask, TaskError, TaskResult
from tlhooks.errors import HandlerFailed, RegistrationError
from tlhooks.validation import Segment

__all__ = [
    "AnalyzeTask",
    "HandlerContext",
    "HandlerFailed",
    "HandlerRegistry",
    "HandlerSpec",
    "RegistrationError",
    "Segment",
    "TaskError",
    "TaskResult",
    "handler",
    "registry",
]
