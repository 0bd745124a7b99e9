"""The plugin API: register functions that run when analyze tasks are ready or failed.

from handlers import handler, HandlerContext, Retry

@handler(custom_id="ads-*", on="ready", max_attempts=5, timeout=30)
def index_ad(ctx: HandlerContext) -> None:
    ...
"""

from __future__ import annotations

from handlers.context import HandlerContext
from handlers.options import Handler, HandlerOptions, On
from handlers.registry import HandlerRegistry, HandlerSpec, handler, registry
from tlhooks.analysis import AnalyzeTask, TaskError, TaskResult
from tlhooks.errors import (
    HandlerFailed,
    HandlerTimedOut,
    NonRetryable,
    RegistrationError,
    Retry,
)
from tlhooks.validation import Segment

__all__ = [
    "AnalyzeTask",
    "Handler",
    "HandlerContext",
    "HandlerFailed",
    "HandlerOptions",
    "HandlerRegistry",
    "HandlerSpec",
    "HandlerTimedOut",
    "NonRetryable",
    "On",
    "RegistrationError",
    "Retry",
    "Segment",
    "TaskError",
    "TaskResult",
    "handler",
    "registry",
]
