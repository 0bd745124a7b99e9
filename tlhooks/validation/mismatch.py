"""Differences between the schema a handler declares and the one the task was created with.

The declared schema wins (it is what the handler's code was written against); each
difference is a ``schema_mismatch`` warning, so the ledger shows a handler drifting from the
tasks it receives before a type error does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from tlhooks.errors import ResultSchemaInvalid
from tlhooks.validation.definitions import DefinitionSpec, FieldSpec, read_definitions
from tlhooks.validation.issues import Issue, render_path, shorten

RULE = "schema_mismatch"


def _issue(path: tuple[str, ...], value: object, message: str) -> Issue:
    return Issue(render_path(path), shorten(value), RULE, message)


def _task_kind(response_format: Mapping[str, Any] | None) -> str:
    return str(response_format.get("type")) if response_format else "plain text"


def _wrong_kind(response_format: Mapping[str, Any] | None, wanted: str) -> list[Issue]:
    kind = _task_kind(response_format)
    if kind == wanted:
        return []
    return [_issue((), kind, f"The handler declares {wanted} but the task asked for {kind}.")]


def task_definitions(response_format: Mapping[str, Any] | None) -> tuple[DefinitionSpec, ...]:
    if not response_format or response_format.get("type") != "segment_definitions":
        return ()
    return read_definitions(response_format.get("segment_definitions"))


def compare_definitions(
    response_format: Mapping[str, Any] | None, declared: tuple[DefinitionSpec, ...]
) -> list[Issue]:
    """Declared definitions against the task's: ids, and each common field's type."""
    issues = _wrong_kind(response_format, "segment_definitions")
    if issues:
        return issues
    try:
        theirs = {d.id: d for d in task_definitions(response_format)}
    except ResultSchemaInvalid as exc:
        return [_issue((), "segment_definitions", f"The task's definitions are unreadable: {exc}")]
    ours = {d.id: d for d in declared}
    issues = _compare_ids(set(ours), set(theirs))
    for identifier in ours.keys() & theirs.keys():
        issues += _compare_fields(
            identifier,
            {f.name: f for f in ours[identifier].fields},
            {f.name: f for f in theirs[identifier].fields},
        )
    return issues


def compare_models(
    response_format: Mapping[str, Any] | None,
    declared: Mapping[str, type[BaseModel]],
    theirs: tuple[DefinitionSpec, ...],
) -> list[Issue]:
    """Declared metadata models against the task's definitions: ids and field names."""
    issues = _wrong_kind(response_format, "segment_definitions")
    if issues:
        return issues
    by_id = {d.id: d for d in theirs}
    issues = [
        _issue((i,), i, f"The handler declares a model for {i!r}, which the task does not define.")
        for i in sorted(declared.keys() - by_id.keys())
    ]
    for identifier in sorted(declared.keys() & by_id.keys()):
        model = declared[identifier]
        ours = {f.alias or name for name, f in model.model_fields.items()}
        wanted = {f.name for f in by_id[identifier].fields}
        issues += [
            _issue(
                (identifier, "metadata", name),
                name,
                f"The model {model.__name__} has field {name!r}, which the task's "
                f"definition {identifier!r} does not declare.",
            )
            for name in sorted(ours - wanted)
        ] + [
            _issue(
                (identifier, "metadata", name),
                name,
                f"The task's definition {identifier!r} declares field {name!r}, which the "
                f"model {model.__name__} lacks.",
            )
            for name in sorted(wanted - ours)
        ]
    return issues


def compare_document(
    response_format: Mapping[str, Any] | None, model: type[BaseModel]
) -> list[Issue]:
    """A declared document model against the task's JSON Schema: top-level properties."""
    issues = _wrong_kind(response_format, "json_schema")
    if issues or response_format is None:
        return issues
    schema = response_format.get("json_schema") or {}
    theirs = set((schema.get("properties") or {}).keys())
    ours = set((model.model_json_schema(by_alias=True).get("properties") or {}).keys())
    return [
        _issue(
            (name,),
            name,
            f"The model {model.__name__} and the task's JSON Schema disagree "
            f"on property {name!r}; only {'the model' if name in ours else 'the task'} has it.",
        )
        for name in sorted(ours ^ theirs)
    ]


def _compare_ids(ours: set[str], theirs: set[str]) -> list[Issue]:
    return [
        _issue((i,), i, f"The handler declares definition {i!r}, which the task does not.")
        for i in sorted(ours - theirs)
    ] + [
        _issue(
            (i,),
            i,
            f"The task defines {i!r}, which the handler does not declare; its "
            "segments are reported as unknown.",
        )
        for i in sorted(theirs - ours)
    ]


def _compare_fields(
    identifier: str, ours: dict[str, FieldSpec], theirs: dict[str, FieldSpec]
) -> list[Issue]:
    issues: list[Issue] = []
    for name in sorted(ours.keys() | theirs.keys()):
        mine, task = ours.get(name), theirs.get(name)
        if mine is None or task is None or _signature(mine) != _signature(task):
            issues.append(
                _issue(
                    (identifier, "metadata", name),
                    _signature(task) if task else None,
                    f"Field {name!r} of {identifier!r} differs: the handler declares "
                    f"{_signature(mine) if mine else 'nothing'}, the task "
                    f"{_signature(task) if task else 'nothing'}.",
                )
            )
    return issues


def _signature(spec: FieldSpec) -> str:
    parts = [spec.type if spec.item_type is None else f"array[{spec.item_type}]"]
    if spec.format:
        parts.append(f"format {spec.format}")
    if spec.enum:
        parts.append(f"enum {list(spec.enum)}")
    return ", ".join(parts)
