"""The plugin API is exactly what ``handlers`` exports (httpx's ``test_exported_members``)."""

from __future__ import annotations
import __future__

import dataclasses
import types

import handlers

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


BATCH_CONTEXT_FIELDS = {
    "batch_id",
    "status",
    "event_id",
    "handler",
    "idempotency_key",
    "attempt",
    "counts",
    "items",
    "logger",
}


def public_names(module: types.ModuleType) -> set[str]:
    """Names a reader of the module sees: not ``_``-prefixed, not submodules, not __future__."""
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and not isinstance(value, __future__._Feature)
    }


def test_every_public_name_of_the_package_is_exported_and_every_export_exists() -> None:
    assert set(handlers.__all__) == public_names(handlers)


def test_the_exports_are_listed_once_and_sorted() -> None:
    assert handlers.__all__ == sorted(set(handlers.__all__))


def test_the_context_carries_exactly_the_documented_fields() -> None:
    fields = {field.name for field in dataclasses.fields(handlers.HandlerContext)}
    assert fields == CONTEXT_FIELDS


def test_the_batch_context_carries_exactly_the_documented_fields() -> None:
    fields = {field.name for field in dataclasses.fields(handlers.BatchContext)}
    assert fields == BATCH_CONTEXT_FIELDS
