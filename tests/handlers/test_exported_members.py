"""The plugin API is a promise: this list changes only on purpose."""

from __future__ import annotations

import handlers


def test_the_public_names_of_the_plugin_api_are_pinned() -> None:
    assert sorted(handlers.__all__) == [
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
    for name in handlers.__all__:
        assert getattr(handlers, name) is not None


def test_the_context_carries_the_documented_fields() -> None:
    fields = set(handlers.HandlerContext.__dataclass_fields__)
    assert {
        "task_id",
        "custom_id",
        "event_type",
        "event_id",
        "idempotency_key",
        "task",
        "result",
        "error",
        "logger",
        "segments",
        "document",
        "text",
        "partial",
    } <= fields
