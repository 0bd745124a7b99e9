"""``validator_for``: one compiled validator per distinct schema, cached by the schema's hash.

The schema is what the task was created with (``request_params.response_format``), or what
the handler declares; the declared schema wins and differences become ``schema_mismatch``
warnings. Compiling (reading definitions, building pydantic models, checking a JSON Schema)
happens once per distinct (response format, declared schema) pair; the cache is shared by the
worker's threads and bounded.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Protocol, TypeAlias

from pydantic import BaseModel

from tlhooks.errors import ResultSchemaInvalid
from tlhooks.validation.bounds import SegmentLimits
from tlhooks.validation.definitions import read_definitions
from tlhooks.validation.documents import DocumentValidator, ModelDocumentValidator, TextValidator
from tlhooks.validation.mismatch import (
    compare_definitions,
    compare_document,
    compare_models,
    task_definitions,
)
from tlhooks.validation.outcome import Mode, ValidationOutcome
from tlhooks.validation.segments import SegmentsValidator
from tlhooks.validation.timecodes import TIME_FORMATS

DeclaredSchema: TypeAlias = (
    list[dict[str, Any]] | dict[str, type[BaseModel]] | type[BaseModel] | None
)
CACHE_SIZE = 256


class ResultValidator(Protocol):
    """A compiled schema; ``validate`` reports on bad output and never raises for it."""

    mode: Mode

    def validate(
        self, text: str, *, limits: SegmentLimits, truncated: bool
    ) -> ValidationOutcome: ...


_cache: OrderedDict[tuple[str, tuple[type, ...]], ResultValidator] = OrderedDict()
_lock = threading.Lock()


def validator_for(
    response_format: Mapping[str, Any] | None, declared: DeclaredSchema = None
) -> ResultValidator:
    """The validator of ``response_format`` (``None``: plain text) or of ``declared``.

    Raises ``ResultSchemaInvalid`` when the schema that applies cannot be compiled.
    """
    key = _cache_key(response_format, declared)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    compiled = _compile(response_format, declared or None)
    with _lock:
        _cache[key] = compiled
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


def cache_clear() -> None:
    with _lock:
        _cache.clear()


def _cache_key(
    response_format: Mapping[str, Any] | None, declared: DeclaredSchema
) -> tuple[str, tuple[type, ...]]:
    models: tuple[type, ...] = ()
    shape: Any = declared
    if isinstance(declared, dict):
        models, shape = tuple(declared.values()), sorted(declared)
    elif isinstance(declared, type):
        models, shape = (declared,), "model"
    text = json.dumps([response_format, shape], sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest(), models


def _compile(
    response_format: Mapping[str, Any] | None, declared: DeclaredSchema
) -> ResultValidator:
    time_format = _time_format(response_format)
    if isinstance(declared, list):
        specs = read_definitions(declared)
        return SegmentsValidator(
            specs, time_format, None, compare_definitions(response_format, specs)
        )
    if isinstance(declared, dict):
        models = _models(declared)
        theirs = task_definitions(response_format)
        return SegmentsValidator(
            theirs, time_format, models, compare_models(response_format, models, theirs)
        )
    if isinstance(declared, type) and issubclass(declared, BaseModel):
        return ModelDocumentValidator(declared, compare_document(response_format, declared))
    if declared is not None:
        raise ResultSchemaInvalid(
            f"A declared schema must be a list of segment definitions, a dict of definition id "
            f"to pydantic model, or a pydantic model; got {declared!r:.80}."
        )
    return _compile_task_schema(response_format, time_format)


def _compile_task_schema(
    response_format: Mapping[str, Any] | None, time_format: str | None
) -> ResultValidator:
    kind = response_format.get("type") if response_format else None
    if response_format is None or kind is None:
        return TextValidator()
    if kind == "segment_definitions":
        return SegmentsValidator(task_definitions(response_format), time_format)
    if kind == "json_schema":
        return DocumentValidator(response_format.get("json_schema"))
    raise ResultSchemaInvalid(
        f"response_format.type {kind!r} is not json_schema or segment_definitions."
    )


def _time_format(response_format: Mapping[str, Any] | None) -> str | None:
    value = response_format.get("segment_time_format") if response_format else None
    if value is not None and value not in TIME_FORMATS:
        raise ResultSchemaInvalid(
            f"segment_time_format {value!r} is not one of {list(TIME_FORMATS)}."
        )
    return None if value is None else str(value)


def _models(declared: dict[str, Any]) -> dict[str, type[BaseModel]]:
    for identifier, model in declared.items():
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise ResultSchemaInvalid(
                f"The declared metadata model for {identifier!r} must be a pydantic BaseModel "
                f"subclass, not {model!r:.80}."
            )
    return dict(declared)
