"""The plugin API is a promise: this list changes only on purpose."""

from __future__ import annotations

import dataclasses
import types

import handlers

PLUGIN_API = [
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

CONTEXT_FIELDS = {
    "task_id",
    "custom_id",
    "event_type",
    "event_id",
    "handler",
    "idempotency_key",
    "attempt",
    "task",
    "result",
    "error",
    "segments",
    "document",
    "text",
    "partial",
    "logger",
}


def test_the_public_names_of_the_plugin_api_are_pinned() -> None:
    assert sorted(handlers.__all__) == PLUGIN_API


def test_every_public_name_of_the_package_is_exported_and_every_export_exists() -> None:
    public = {
        name
        for name, value in vars(handlers).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"
    }
    assert public == set(handlers.__all__)


def test_the_context_carries_exactly_the_documented_fields() -> None:
    fields = {field.name for field in dataclasses.fields(handlers.HandlerContext)}
    assert fields == CONTEXT_FIELDS
