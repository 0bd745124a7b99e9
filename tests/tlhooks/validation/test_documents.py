"""JSON-schema results (jsonschema, Draft 2020-12, the platform's timestamp type) and text."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from tests.tlhooks.validation.factories import make_task
from tlhooks.validation import ResultSchemaInvalid, validate_task

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "count": {"type": "integer", "minimum": 0},
        "kind": {"type": "string", "enum": ["ad", "show"]},
        "at": {"type": "timestamp", "format": "hh:mm:ss"},
        "secs": {"type": "timestamp", "format": "seconds"},
        "day": {"type": "string", "format": "date"},
        "when": {"type": "string", "format": "date-time"},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}},
                "required": ["name"],
            },
        },
    },
    "required": ["title", "count"],
}
GOOD: dict[str, Any] = {
    "title": "Ad break",
    "count": 2,
    "kind": "ad",
    "at": "00:01:02",
    "secs": 62.5,
    "day": "2026-08-01",
    "when": "2026-08-01T09:14:05.812+09:00",
    "items": [{"name": "a"}],
}


def document_task(data: Any, **options: Any) -> Any:
    return make_task(
        data, response_format={"type": "json_schema", "json_schema": SCHEMA}, **options
    )


def test_a_valid_document_is_handed_over() -> None:
    outcome = validate_task(document_task(GOOD))
    assert (outcome.mode, outcome.valid, outcome.document) == ("document", True, GOOD)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"count": "2"}, ("count", "'2'", "type:integer")),
        ({"count": -1}, ("count", "-1", "minimum")),
        ({"kind": "film"}, ("kind", "'film'", "enum")),
        ({"at": "62"}, ("at", "'62'", "format:hh:mm:ss")),
        ({"secs": "00:01:02"}, ("secs", "'00:01:02'", "format:seconds")),
        ({"day": "yesterday"}, ("day", "'yesterday'", "format:date")),
        ({"when": "yesterday"}, ("when", "'yesterday'", "format:date-time")),
        ({"items": [{"name": 1}]}, ("items[0].name", "1", "type:string")),
        ({"items": [{}]}, ("items[0].name", "<missing>", "required")),
        ({"title": None}, ("title", "None", "type:string")),
    ],
)
def test_a_document_error_is_reported_at_its_path(
    change: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    outcome = validate_task(document_task({**GOOD, **change}))
    assert [(e.path, e.value, e.rule) for e in outcome.errors] == [expected]


def test_a_missing_required_property_is_reported_at_its_own_path() -> None:
    outcome = validate_task(document_task({"title": "x"}))
    assert [(e.path, e.value, e.rule) for e in outcome.errors] == [
        ("count", "<missing>", "required")
    ]


def test_a_document_that_is_not_json_is_a_json_error() -> None:
    outcome = validate_task(document_task('{"title": '))
    assert [(e.path, e.rule) for e in outcome.errors] == [("$", "json")]


def test_a_cut_document_is_truncated_and_invalid_with_no_document() -> None:
    outcome = validate_task(document_task('{"title": "Ad', finish_reason="length"))
    assert (outcome.truncated, outcome.valid, outcome.document) == (True, False, None)
    assert [w.rule for w in outcome.warnings] == ["truncated"]


def test_an_invalid_json_schema_cannot_be_compiled() -> None:
    task = make_task("{}", response_format={"type": "json_schema", "json_schema": {"type": 5}})
    with pytest.raises(ResultSchemaInvalid, match="JSON Schema is invalid"):
        validate_task(task)


def test_a_timestamp_without_format_cannot_be_compiled() -> None:
    schema = {"type": "object", "properties": {"at": {"type": "timestamp"}}}
    task = make_task("{}", response_format={"type": "json_schema", "json_schema": schema})
    with pytest.raises(ResultSchemaInvalid, match="timestamp"):
        validate_task(task)


class Report(BaseModel):
    title: str
    count: int


def test_a_declared_document_model_validates_and_is_instantiated() -> None:
    outcome = validate_task(document_task(GOOD), Report)
    assert isinstance(outcome.document, Report)
    assert outcome.document.count == 2
    assert [(w.path, w.rule) for w in outcome.warnings] == [
        (name, "schema_mismatch") for name in ("at", "day", "items", "kind", "secs", "when")
    ]


def test_a_declared_document_model_reports_errors_at_their_path() -> None:
    outcome = validate_task(document_task({"title": "x", "count": "many"}), Report)
    assert [(e.path, e.rule) for e in outcome.errors] == [("count", "type:integer")]


def test_plain_text_passes_through() -> None:
    outcome = validate_task(make_task("A keeper feeds the leopard.", plain=True))
    assert (outcome.mode, outcome.valid, outcome.text) == (
        "text",
        True,
        "A keeper feeds the leopard.",
    )
    assert outcome.partial is False


def test_cut_plain_text_is_handed_over_as_partial() -> None:
    outcome = validate_task(make_task("A keeper fe", plain=True, finish_reason="length"))
    assert (outcome.valid, outcome.truncated, outcome.partial, outcome.text) == (
        True,
        True,
        True,
        "A keeper fe",
    )


def test_a_task_without_result_is_reported_not_raised(example_a_task: Any) -> None:
    failed = example_a_task.model_copy(update={"result": None})
    outcome = validate_task(failed)
    assert [(e.path, e.rule) for e in outcome.errors] == [("$", "result")]
