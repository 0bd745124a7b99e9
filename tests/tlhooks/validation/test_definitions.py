"""Definitions the platform would refuse cannot be compiled; the rest compile."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tlhooks.validation.factories import definition, make_task, segment
from tlhooks.validation import ResultSchemaInvalid, validate_task, validator_for


def field(**spec: Any) -> dict[str, Any]:
    return {"name": "f", "type": "string", "description": "d", **spec}


def compile_fields(*fields: dict[str, Any]) -> None:
    response_format = {
        "type": "segment_definitions",
        "segment_definitions": [definition("scene", list(fields))],
    }
    validator_for(response_format)


REFUSED = [
    ("a timestamp named start_time", field(name="start_time", type="timestamp", format="seconds")),
    ("a timestamp named end_time", field(name="end_time", type="timestamp", format="hh:mm:ss")),
    ("a timestamp named metadata", field(name="metadata", type="timestamp", format="seconds")),
    ("a timestamp without format", field(type="timestamp")),
    ("a timestamp with an unknown format", field(type="timestamp", format="minutes")),
    ("format on a string", field(format="seconds")),
    ("enum on a timestamp", field(type="timestamp", format="seconds", enum=["1"])),
    ("more than 100 enum values", field(enum=[str(n) for n in range(101)])),
    ("an empty enum", field(enum=[])),
    ("an integer enum value that is not an integer", field(type="integer", enum=["x"])),
    ("a boolean enum value that is not a boolean", field(type="boolean", enum=["1"])),
    ("an array without items", field(type="array")),
    ("an array of objects", field(type="array", items={"type": "object"})),
    ("items on a string", field(items={"type": "string"})),
    ("an unknown type", field(type="date")),
]


@pytest.mark.parametrize("spec", [case[1] for case in REFUSED], ids=[c[0] for c in REFUSED])
def test_a_field_the_platform_refuses_cannot_be_compiled(spec: dict[str, Any]) -> None:
    with pytest.raises(ResultSchemaInvalid):
        compile_fields(spec)


@pytest.mark.parametrize("name", ["start_time", "end_time", "metadata"])
def test_reserved_names_are_allowed_on_fields_that_are_not_timestamps(name: str) -> None:
    defs = [definition("scene", [field(name=name)])]
    outcome = validate_task(make_task({"scene": [segment(0, 1, **{name: "x"})]}, defs))
    assert outcome.valid, outcome.errors


def test_duplicate_definition_ids_cannot_be_compiled() -> None:
    with pytest.raises(ResultSchemaInvalid, match="'scene' is used twice"):
        validator_for(
            {"type": "segment_definitions", "segment_definitions": [definition(), definition()]}
        )


def test_duplicate_field_names_cannot_be_compiled() -> None:
    with pytest.raises(ResultSchemaInvalid, match="used twice"):
        compile_fields(field(), field())


def test_an_unknown_segment_time_format_cannot_be_compiled() -> None:
    with pytest.raises(ResultSchemaInvalid, match="segment_time_format"):
        validator_for(
            {
                "type": "segment_definitions",
                "segment_definitions": [definition()],
                "segment_time_format": "minutes",
            }
        )


def test_an_unknown_response_format_type_cannot_be_compiled() -> None:
    with pytest.raises(ResultSchemaInvalid, match="'xml'"):
        validator_for({"type": "xml"})


def test_validate_task_raises_only_for_a_schema_that_cannot_be_compiled() -> None:
    bad = [definition("scene", [field(type="timestamp")])]
    with pytest.raises(ResultSchemaInvalid):
        validate_task(make_task("{not json", bad))
