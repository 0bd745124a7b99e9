"""Validators are compiled once per schema; a declared schema wins and a mismatch is reported."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from tests.tlhooks.validation.factories import GOOD_METADATA, definition, make_task, segment
from tlhooks.validation import validate_task, validator_for

FORMAT: dict[str, Any] = {"type": "segment_definitions", "segment_definitions": [definition()]}


def test_the_same_schema_is_compiled_once() -> None:
    first = validator_for(FORMAT)
    again = validator_for({**FORMAT, "segment_definitions": [definition()]})
    assert first is again


def test_a_different_schema_gets_its_own_validator() -> None:
    other = {**FORMAT, "segment_time_format": "hh:mm:ss"}
    assert validator_for(FORMAT) is not validator_for(other)


class SceneNote(BaseModel):
    title: str
    mood: Literal["calm", "busy"]


def test_a_declared_model_becomes_the_metadata_of_its_definition() -> None:
    task = make_task({"scene": [segment(0, 1)]})
    outcome = validate_task(task, {"scene": SceneNote})
    assert outcome.segments is not None
    note = outcome.segments["scene"][0].metadata
    assert isinstance(note, SceneNote)
    assert (note.title, note.mood) == ("Keeper arrives", "calm")


def test_a_declared_model_that_lacks_task_fields_is_a_mismatch_warning() -> None:
    outcome = validate_task(make_task({"scene": [segment(0, 1)]}), {"scene": SceneNote})
    assert outcome.valid
    mismatched = {w.path for w in outcome.warnings if w.rule == "schema_mismatch"}
    assert mismatched == {
        f"scene.metadata.{name}"
        for name in ("at", "clock", "count", "exact", "outdoor", "score", "tags")
    }


def test_a_declared_model_for_an_undefined_id_is_a_mismatch_and_still_validates() -> None:
    task = make_task({"scene": [segment(0, 1)], "note": [segment(0, 1, title="t", mood="busy")]})
    outcome = validate_task(task, {"note": SceneNote})
    assert ("note", "schema_mismatch") in [(w.path, w.rule) for w in outcome.warnings]
    assert outcome.segments is not None
    assert isinstance(outcome.segments["note"][0].metadata, SceneNote)


def test_declared_definitions_win_over_the_tasks() -> None:
    declared = [definition("scene", [{"name": "title", "type": "integer", "description": "d"}])]
    outcome = validate_task(make_task({"scene": [segment(0, 1)]}), declared)
    assert [(e.path, e.rule) for e in outcome.errors] == [
        ("scene[0].metadata.title", "type:integer")
    ]
    assert ("scene.metadata.title", "schema_mismatch") in [
        (w.path, w.rule) for w in outcome.warnings
    ]


def test_identical_declared_definitions_report_no_mismatch() -> None:
    outcome = validate_task(make_task({"scene": [segment(0, 1)]}), [definition()])
    assert (outcome.valid, outcome.warnings) == (True, [])


def test_declaring_segments_for_a_plain_text_task_is_a_mismatch() -> None:
    data = {"scene": [segment(0, 1, **GOOD_METADATA)]}
    outcome = validate_task(make_task(data, plain=True), [definition()])
    assert outcome.mode == "segments"
    assert [(w.path, w.value, w.rule) for w in outcome.warnings] == [
        ("$", "'plain text'", "schema_mismatch")
    ]


def test_a_record_for_the_ledger_is_json_able(example_c_task: Any) -> None:
    import json

    record = validate_task(example_c_task).to_record()
    assert json.loads(json.dumps(record)) == record
    assert record["truncated"] is True
    assert record["partial"] is True
    assert record["salvaged"] == 1


def test_errors_beyond_the_cap_are_only_counted() -> None:
    data = {"scene": [segment(10, 5) for _ in range(130)]}
    outcome = validate_task(make_task(data))
    assert (len(outcome.errors), outcome.omitted_errors) == (100, 30)
    assert outcome.to_record()["omitted_errors"] == 30


def test_a_long_value_is_cut_to_about_200_characters() -> None:
    outcome = validate_task(
        make_task({"scene": [segment(0, 1, **{**GOOD_METADATA, "title": 7 * ["x" * 50]})]})
    )
    assert len(outcome.errors[0].value) == 200
    assert outcome.errors[0].value.endswith("...")
