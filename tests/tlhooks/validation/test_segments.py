"""Segment results: each field type and format, each error kind, with its path, value and rule."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tlhooks.validation.factories import GOOD_METADATA, definition, make_task, segment
from tlhooks.validation import Issue, validate_task


def metadata(**changes: Any) -> dict[str, Any]:
    values = {**GOOD_METADATA, **changes}
    return {k: v for k, v in values.items() if v is not DROP}


DROP = object()

FIELD_CASES = [
    ("title", 5, "5", "type:string"),
    ("mood", "angry", "'angry'", "enum"),
    ("outdoor", "yes", "'yes'", "type:boolean"),
    ("outdoor", 1, "1", "type:boolean"),
    ("score", "0.5", "'0.5'", "type:number"),
    ("count", 2.5, "2.5", "type:integer"),
    ("count", "2", "'2'", "type:integer"),
    ("count", True, "True", "type:integer"),
    ("tags", "keeper", "'keeper'", "type:array"),
    ("at", "00:00:03", "'00:00:03'", "format:seconds"),
    ("clock", "00:00:04.000", "'00:00:04.000'", "format:hh:mm:ss"),
    ("clock", 4, "4", "format:hh:mm:ss"),
    ("exact", "00:00:04", "'00:00:04'", "format:hh:mm:ss.fff"),
    ("count", DROP, "<missing>", "required"),
]


@pytest.mark.parametrize(("field", "bad", "shown", "rule"), FIELD_CASES)
def test_a_bad_field_value_is_reported_at_its_path_with_value_and_rule(
    field: str, bad: Any, shown: str, rule: str
) -> None:
    task = make_task({"scene": [segment(0, 5), segment(5, 9, **metadata(**{field: bad}))]})
    outcome = validate_task(task)
    assert not outcome.valid
    assert [(e.path, e.value, e.rule) for e in outcome.errors] == [
        (f"scene[1].metadata.{field}", shown, rule)
    ]
    assert outcome.segments is not None
    assert [s.start_time for s in outcome.segments["scene"]] == [0.0]


def test_every_field_type_validates_and_is_typed_on_the_metadata_model() -> None:
    outcome = validate_task(make_task({"scene": [segment(0, 5)]}))
    assert outcome.valid, outcome.errors
    assert outcome.segments is not None
    only = outcome.segments["scene"][0]
    assert only.metadata.model_dump() == GOOD_METADATA
    assert type(only.metadata).__name__ == "SceneMetadata"


def test_an_array_item_of_the_wrong_type_is_reported_at_its_index() -> None:
    task = make_task({"scene": [segment(0, 5, **metadata(tags=["ok", 1]))]})
    assert [(e.path, e.value, e.rule) for e in validate_task(task).errors] == [
        ("scene[0].metadata.tags[1]", "1", "type:string")
    ]


def test_metadata_that_is_not_an_object_is_a_type_error() -> None:
    task = make_task({"scene": [{"start_time": 0, "end_time": 1, "metadata": []}]})
    assert [(e.path, e.rule) for e in validate_task(task).errors] == [
        ("scene[0].metadata", "type:object")
    ]


ENUM_CASES = [
    ({"type": "string", "enum": ["a", "b"]}, "b", "c", "'c'"),
    ({"type": "integer", "enum": ["1", "2"]}, 2, 3, "3"),
    ({"type": "number", "enum": ["0.5"]}, 0.5, 0.25, "0.25"),
    ({"type": "boolean", "enum": ["true"]}, True, False, "False"),
    ({"type": "array", "items": {"type": "string"}, "enum": ["x"]}, ["x"], ["y"], "'y'"),
]


@pytest.mark.parametrize(("spec", "good", "bad", "shown"), ENUM_CASES)
def test_an_enum_is_a_closed_set_for_every_type(
    spec: dict[str, Any], good: Any, bad: Any, shown: str
) -> None:
    fields = [{"name": "f", "description": "d", **spec}]
    defs = [definition("scene", fields)]
    assert validate_task(make_task({"scene": [segment(0, 1, f=good)]}, defs)).valid
    errors = validate_task(make_task({"scene": [segment(0, 1, f=bad)]}, defs)).errors
    path = "scene[0].metadata.f[0]" if spec["type"] == "array" else "scene[0].metadata.f"
    assert [(e.path, e.value, e.rule) for e in errors] == [(path, shown, "enum")]


BOUNDARY_CASES = [
    ("seconds", "00:00:01", "'00:00:01'", "format:seconds"),
    ("hh:mm:ss", 1.0, "1.0", "format:hh:mm:ss"),
    ("hh:mm:ss", "00:00:01.000", "'00:00:01.000'", "format:hh:mm:ss"),
    ("hh:mm:ss.fff", "00:00:01", "'00:00:01'", "format:hh:mm:ss.fff"),
    (None, "1 min", "'1 min'", "format:seconds|hh:mm:ss|hh:mm:ss.fff"),
]


@pytest.mark.parametrize(("time_format", "bad", "shown", "rule"), BOUNDARY_CASES)
def test_a_boundary_in_the_wrong_format_is_a_format_error(
    time_format: str | None, bad: Any, shown: str, rule: str
) -> None:
    task = make_task({"scene": [segment(bad, "00:00:05.000")]}, time_format=time_format)
    start = [(e.path, e.value, e.rule) for e in validate_task(task).errors if "start" in e.path]
    assert start == [("scene[0].start_time", shown, rule)]


@pytest.mark.parametrize(
    ("time_format", "start", "end", "seconds"),
    [
        ("seconds", 1.5, 62, (1.5, 62.0)),
        ("hh:mm:ss", "00:00:02", "01:01:02", (2.0, 3662.0)),
        ("hh:mm:ss.fff", "00:00:01.500", "00:01:02.250", (1.5, 62.25)),
        (None, "00:00:01.500", 62, (1.5, 62.0)),
    ],
)
def test_boundaries_become_float_seconds_whatever_the_format(
    time_format: str | None, start: Any, end: Any, seconds: tuple[float, float]
) -> None:
    outcome = validate_task(make_task({"scene": [segment(start, end)]}, time_format=time_format))
    assert outcome.valid, outcome.errors
    assert outcome.segments is not None
    only = outcome.segments["scene"][0]
    assert (only.start_time, only.end_time) == seconds


def errors_of(task_data: Any, **options: Any) -> list[tuple[str, str, str]]:
    return [
        (e.path, e.value, e.rule) for e in validate_task(make_task(task_data, **options)).errors
    ]


def test_an_end_before_the_start_is_an_order_error() -> None:
    assert errors_of({"scene": [segment(10, 5)]}) == [("scene[0].end_time", "5", "order")]


def test_a_segment_past_the_video_duration_is_a_window_error() -> None:
    assert errors_of({"scene": [segment(50, 61)]}, duration=60.0) == [
        ("scene[0].end_time", "61", "window")
    ]


def test_the_requested_window_wins_over_the_video_duration() -> None:
    data = {"scene": [segment(5, 20), segment(20, 55)]}
    assert errors_of(data, duration=600.0, start_time=10.0, end_time=50.0) == [
        ("scene[0].start_time", "5", "window"),
        ("scene[1].end_time", "55", "window"),
    ]


def test_hh_mm_ss_boundaries_are_allowed_their_rounding_at_the_window_edge() -> None:
    data = {"scene": [segment("00:00:00", "00:01:00")]}
    assert errors_of(data, duration=59.6, time_format="hh:mm:ss") == []


def test_a_segment_outside_its_definitions_time_ranges_is_a_window_error() -> None:
    ranged = {**definition(), "time_ranges": [{"start_time": 0, "end_time": 10}]}
    assert errors_of({"scene": [segment(2, 8), segment(20, 30)]}, definitions=[ranged]) == [
        ("scene[1]", "[20, 30]", "window")
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("{not json", ("$", "'{not json'", "json")),
        ("[]", ("$", "[]", "type:object")),
        ({"scene": {}}, ("scene", "{}", "type:array")),
        (
            {"scene": [{"end_time": 1, "metadata": GOOD_METADATA}]},
            ("scene[0].start_time", "<missing>", "required"),
        ),
    ],
)
def test_structural_errors_are_reported_at_their_path(data: Any, expected: tuple[str, ...]) -> None:
    outcome = validate_task(make_task(data))
    assert [(e.path, e.value, e.rule) for e in outcome.errors] == [expected]


def warnings_of(task_data: Any, **options: Any) -> list[tuple[str, str]]:
    outcome = validate_task(make_task(task_data, **options))
    assert outcome.valid, outcome.errors
    return [(w.path, w.rule) for w in outcome.warnings]


def test_an_unknown_definition_id_is_a_warning_and_ignored() -> None:
    assert warnings_of({"scene": [], "ghost": [segment(0, 1)]}) == [("ghost", "unknown_definition")]


def test_an_unknown_metadata_field_is_a_warning_and_kept_untyped() -> None:
    outcome = validate_task(make_task({"scene": [segment(0, 1, **metadata(extra=1))]}))
    assert [(w.path, w.value, w.rule) for w in outcome.warnings] == [
        ("scene[0].metadata.extra", "1", "unknown_field")
    ]
    assert outcome.segments is not None
    assert outcome.segments["scene"][0].metadata.model_extra == {"extra": 1}


def test_an_unknown_segment_key_is_a_warning() -> None:
    data = {"scene": [{**segment(0, 1), "label": "x"}]}
    assert warnings_of(data) == [("scene[0].label", "unknown_field")]


def test_a_definition_missing_from_the_result_is_a_warning_with_an_empty_list() -> None:
    defs = [definition("scene"), definition("logo")]
    outcome = validate_task(make_task({"scene": [segment(0, 1)]}, defs))
    assert [(w.path, w.rule) for w in outcome.warnings] == [("logo", "missing_definition")]
    assert outcome.segments is not None
    assert outcome.segments["logo"] == []


def test_segment_durations_outside_the_requested_range_are_warnings() -> None:
    data = {"scene": [segment(0, 1), segment(1, 100)]}
    assert warnings_of(data, min_segment_duration=2.0, max_segment_duration=60.0) == [
        ("scene[0].end_time", "min_duration"),
        ("scene[1].end_time", "max_duration"),
    ]


def test_field_names_that_are_not_python_identifiers_still_validate() -> None:
    fields = [
        {"name": "people count", "type": "integer", "description": "d"},
        {"name": "model_config", "type": "string", "description": "d"},
        {"name": "class", "type": "boolean", "description": "d"},
    ]
    defs = [definition("sponsor logo", fields)]
    good = {"people count": 1, "model_config": "x", "class": True}
    outcome = validate_task(make_task({"sponsor logo": [segment(0, 1, **good)]}, defs))
    assert outcome.valid, outcome.errors
    bad = validate_task(
        make_task({"sponsor logo": [segment(0, 1, **{**good, "people count": "1"})]}, defs)
    )
    assert [e.path for e in bad.errors] == ["['sponsor logo'][0].metadata['people count']"]


def test_example_a_of_the_facts_doc_validates(example_a_task: Any) -> None:
    outcome = validate_task(example_a_task)
    assert outcome.valid
    assert outcome.segments is not None
    assert {k: len(v) for k, v in outcome.segments.items()} == {"scene": 2, "sponsor_logo": 1}
    assert outcome.segments["scene"][1].metadata.people_count == 0  # type: ignore[attr-defined]
    assert [w.rule for w in outcome.warnings] == ["max_duration"]


def test_issues_are_plain_records() -> None:
    issue = Issue("scene[0].end_time", "5", "order", "End before start.")
    assert issue.model_dump() == {
        "path": "scene[0].end_time",
        "value": "5",
        "rule": "order",
        "message": "End before start.",
    }
