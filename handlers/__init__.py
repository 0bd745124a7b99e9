"""The plugin API: register functions that run when analyze tasks are ready or failed.

from handlers import handler, HandlerContext, Retry

@handler(custom_id="ads-*", on="ready", max_attempts=5, timeout=30)
def index_ad(ctx: HandlerContext) -> None:
    ...


@handler(custom_id="ads-*", on="batch")  # once per batch, when every item is settled
def report(ctx: BatchContext) -> None:
    ...
"""

from __future__ import annotations

from handlers.batch_context import BatchContext
from handlers.context import HandlerContext
from handlers.options import BatchHandler, Handler, HandlerOptions, On
from handlers.registry import HandlerRegistry, HandlerSpec, handler, registry
from tlhooks.analysis import AnalyzeTask, TaskError, TaskResult
from tlhooks.errors import (
    HandlerFailed,
    HandlerTimedOut,
    NonRetryable,
    RegistrationError,
    Retry,
)
from tlhooks.ops.batches import BatchItem
from tlhooks.validation import Segment

__all__ = [
    "AnalyzeTask",
    "BatchContext",
    "BatchHandler",
    "BatchItem",
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
