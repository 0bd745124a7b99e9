"""``tlhooks schema``: check a saved result against its schema; print models for definitions.

``check`` exits 0 when the result is valid, 1 when it is not, and 2 when the input cannot be
used (an unreadable file, a file that is not a task response, a schema that cannot be
compiled), with a message that says which.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from tlhooks.analysis import AnalyzeTask
from tlhooks.errors import ResultSchemaInvalid
from tlhooks.validation.codegen import models_source
from tlhooks.validation.definitions import read_definitions
from tlhooks.validation.outcome import ValidationOutcome
from tlhooks.validation.task import validate_task

_FORMAT_TYPES = ("segment_definitions", "json_schema")
_FILE = click.Path(dir_okay=False, path_type=Path)


class UnusableInput(click.ClickException):
    """The input cannot be validated at all; the exit status is 2."""

    exit_code = 2


schema_group = click.Group("schema", help="Validate analysis results and generate models.")


@schema_group.command("check")
@click.argument("file", type=_FILE)
@click.option(
    "--schema",
    "schema_file",
    type=_FILE,
    help="A schema file (segment definitions, a response_format, a JSON Schema or a whole "
    "task response); FILE is then a bare result: the result object or just its data.",
)
def check(file: Path, schema_file: Path | None) -> None:
    """Validate FILE, a saved task response (GET /analyze/tasks/{id}), and list every issue."""
    task = _task_for(file, schema_file)
    try:
        outcome = validate_task(task)
    except ResultSchemaInvalid as exc:
        raise UnusableInput(f"The schema cannot be compiled: {exc}") from exc
    _print(outcome)
    click.get_current_context().exit(0 if outcome.valid else 1)


@schema_group.command("models")
@click.argument("file", type=_FILE)
def models(file: Path) -> None:
    """Print pydantic models for the segment definitions in FILE (a list of definitions, a
    response_format, or a whole task response), ready to paste into a plugin.
    """
    loaded = _load_json(file)
    definitions: Any = loaded
    if isinstance(loaded, dict):
        definitions = _response_format_of(loaded).get("segment_definitions")
    try:
        specs = read_definitions(definitions)
    except ResultSchemaInvalid as exc:
        raise UnusableInput(f"{file} holds no usable segment definitions: {exc}") from exc
    click.echo(models_source(specs), nl=False)


def _task_for(file: Path, schema_file: Path | None) -> AnalyzeTask:
    if schema_file is None:
        return _as_task(_load_json(file), file)
    schema = _load_json(schema_file)
    base: dict[str, Any] = {"task_id": "cli", "status": "ready"}
    if isinstance(schema, dict) and "task_id" in schema:
        base = {**schema, "status": "ready"}
    else:
        base["request_params"] = {"response_format": _response_format_of(schema)}
    base["result"] = _bare_result(file)
    return _as_task(base, file)


def _response_format_of(schema: Any) -> dict[str, Any]:
    if isinstance(schema, list):
        return {"type": "segment_definitions", "segment_definitions": schema}
    if not isinstance(schema, dict):
        raise UnusableInput("A schema must be a JSON list of definitions or a JSON object.")
    if "request_params" in schema:
        return dict((schema.get("request_params") or {}).get("response_format") or {})
    if schema.get("type") in _FORMAT_TYPES:
        return schema
    if "segment_definitions" in schema:
        return {"type": "segment_definitions", **schema}
    return {"type": "json_schema", "json_schema": schema}


def _bare_result(file: Path) -> dict[str, Any]:
    text = _read(file)
    try:
        loaded = json.loads(text)
    except ValueError:
        loaded = None
    if isinstance(loaded, dict) and isinstance(loaded.get("data"), str):
        return {"finish_reason": "stop", **loaded}
    if isinstance(loaded, str):
        return {"data": loaded, "finish_reason": "stop"}
    return {"data": text, "finish_reason": "stop"}


def _as_task(value: Any, file: Path) -> AnalyzeTask:
    try:
        return AnalyzeTask.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UnusableInput(
            f"{file} is not a task response ({'.'.join(map(str, first['loc']))}: "
            f"{first['msg']}); save GET /analyze/tasks/{{id}}, or pass --schema for a bare "
            "result."
        ) from exc


def _load_json(file: Path) -> Any:
    try:
        return json.loads(_read(file))
    except ValueError as exc:
        raise UnusableInput(f"{file} is not valid JSON: {exc}.") from exc


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UnusableInput(f"Cannot read {file}: {exc}.") from exc


def _print(outcome: ValidationOutcome) -> None:
    for kind, issues in (("error", outcome.errors), ("warning", outcome.warnings)):
        for issue in issues:
            click.echo(f"{kind:<8} {issue.path}  [{issue.rule}]  value={issue.value}")
            click.echo(f"         {issue.message}")
    verdict = "valid" if outcome.valid else "invalid"
    extra = f" (+{outcome.omitted_errors} more)" if outcome.omitted_errors else ""
    salvage = f", {outcome.salvaged} segment(s) salvaged" if outcome.partial else ""
    click.echo(
        f"{verdict}: {outcome.mode}, {len(outcome.errors)} error(s){extra}, "
        f"{len(outcome.warnings)} warning(s), truncated={'yes' if outcome.truncated else 'no'}"
        f"{salvage}"
    )
