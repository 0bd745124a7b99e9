"""Validation of ``json_schema`` results (facts doc §6) and of plain-text results.

A JSON Schema result is checked with ``jsonschema`` (Draft 2020-12, formats checked). The
platform's own ``timestamp`` type is not JSON Schema, so it is rewritten before compiling:
``seconds`` becomes a number, ``hh:mm:ss`` and ``hh:mm:ss.fff`` a string with the matching
pattern; a marker keeps the format so a failure is reported as ``format:<format>``. A handler
may instead declare a pydantic model for the document, which then validates it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import SchemaError
from pydantic import BaseModel
from pydantic import ValidationError as ModelValidationError

from tlhooks.errors import ResultSchemaInvalid
from tlhooks.validation.bounds import SegmentLimits
from tlhooks.validation.issues import MISSING, Issue, IssueLog, render_path, shorten
from tlhooks.validation.models import ensure_complete
from tlhooks.validation.outcome import Mode, ValidationOutcome
from tlhooks.validation.timecodes import PATTERNS, TIME_FORMATS

_MARKER = "x-tlhooks-timestamp"


def rewrite_timestamps(schema: Any) -> Any:
    """A copy of ``schema`` where every ``{"type": "timestamp", "format": f}`` is JSON Schema."""
    if isinstance(schema, list):
        return [rewrite_timestamps(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    copy = {key: rewrite_timestamps(value) for key, value in schema.items()}
    if copy.get("type") != "timestamp":
        return copy
    time_format = copy.pop("format", None)
    if time_format not in TIME_FORMATS:
        raise ResultSchemaInvalid(
            f"A timestamp in the JSON Schema has format {time_format!r}; use one of "
            f"{list(TIME_FORMATS)}."
        )
    copy[_MARKER] = time_format
    if time_format == "seconds":
        copy["type"] = "number"
    else:
        copy.update(type="string", pattern=PATTERNS[time_format])
    return copy


class DocumentValidator:
    """A compiled JSON Schema (``jsonschema``'s Draft 2020-12 validator)."""

    mode: Mode = "document"

    def __init__(self, schema: object, schema_warnings: Iterable[Issue] = ()) -> None:
        if not isinstance(schema, dict):
            raise ResultSchemaInvalid(f"The JSON Schema must be an object, not {schema!r:.80}.")
        rewritten = rewrite_timestamps(schema)
        try:
            Draft202012Validator.check_schema(rewritten)
        except SchemaError as exc:
            raise ResultSchemaInvalid(
                f"The JSON Schema is invalid at {render_path(list(exc.absolute_path))}: "
                f"{exc.message}. Fix the schema the task or handler declares."
            ) from exc
        self._validator = Draft202012Validator(
            rewritten, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        self._schema_warnings = tuple(schema_warnings)

    def validate(self, text: str, *, limits: SegmentLimits, truncated: bool) -> ValidationOutcome:
        del limits  # the analysis window concerns segments only
        log = IssueLog()
        log.extend_warnings(self._schema_warnings)
        _report_truncation(log, truncated)
        try:
            document = json.loads(text)
        except (ValueError, RecursionError) as exc:
            log.error("$", shorten(text), "json", f"The result is not valid JSON: {exc}.")
            return ValidationOutcome.build("document", log, truncated=truncated)
        for error in self._validator.iter_errors(document):
            _record(error, log)
        return ValidationOutcome.build("document", log, truncated=truncated, document=document)


class ModelDocumentValidator:
    """A handler's pydantic model for the whole document; ``document`` is its instance."""

    mode: Mode = "document"

    def __init__(self, model: type[BaseModel], schema_warnings: Iterable[Issue] = ()) -> None:
        ensure_complete(model, f"The declared document model {model.__name__}")
        self._model = model
        self._schema_warnings = tuple(schema_warnings)

    def validate(self, text: str, *, limits: SegmentLimits, truncated: bool) -> ValidationOutcome:
        del limits  # the analysis window concerns segments only
        log = IssueLog()
        log.extend_warnings(self._schema_warnings)
        _report_truncation(log, truncated)
        try:
            document = self._model.model_validate_json(text)
        except ModelValidationError as exc:
            log.pydantic_errors(exc.errors(include_url=False))
            return ValidationOutcome.build("document", log, truncated=truncated)
        return ValidationOutcome.build("document", log, truncated=truncated, document=document)


class TextValidator:
    """General mode: the text passes through; a cut text is handed over as partial."""

    mode: Mode = "text"

    def __init__(self, schema_warnings: Iterable[Issue] = ()) -> None:
        self._schema_warnings = tuple(schema_warnings)

    def validate(self, text: str, *, limits: SegmentLimits, truncated: bool) -> ValidationOutcome:
        del limits  # the analysis window concerns segments only
        log = IssueLog()
        log.extend_warnings(self._schema_warnings)
        _report_truncation(log, truncated)
        return ValidationOutcome.build(
            "text", log, truncated=truncated, text=text, partial=truncated
        )


def _record(error: ValidationError, log: IssueLog) -> None:
    path = list(error.absolute_path)
    value = shorten(error.instance)
    rule = str(error.validator)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if rule == "required":
        missing = [
            name
            for name in (error.validator_value if isinstance(error.validator_value, list) else [])
            if isinstance(error.instance, dict)
            and name not in error.instance
            and f"{name!r} is a required" in error.message
        ]
        path, value = [*path, *missing[:1]], MISSING
    elif _MARKER in schema:
        rule = f"format:{schema[_MARKER]}"
    elif rule in ("type", "format"):
        expected = error.validator_value
        rule = f"{rule}:{'|'.join(expected) if isinstance(expected, list) else expected}"
    log.error(render_path(path), value, rule, f"{error.message}.")


def _report_truncation(log: IssueLog, truncated: bool) -> None:
    if truncated:
        log.warning(
            "$",
            "'length'",
            "truncated",
            "The platform cut the output at max_tokens (finish_reason length).",
        )
