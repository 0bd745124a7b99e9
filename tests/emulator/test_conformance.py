"""Generated results conform to what was asked, for random valid requests and many seeds.

Segment definitions: the result is a JSON string keyed by definition id; segments lie inside the
analysis window (or their time range), do not overlap, honour min/max segment duration, write
their boundaries in ``segment_time_format`` and carry metadata of the declared field types.
JSON schemas: the generated document validates against the schema (``timestamp`` read as the
JSON type its format produces).
"""

from __future__ import annotations

import itertools
import json
import random
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from emulator.documents import DocumentGenerator
from emulator.request import TaskRequest
from emulator.results import render
from emulator.task import Task
from emulator.validation import parse_task_request

FORMATS = ("seconds", "hh:mm:ss", "hh:mm:ss.fff")
PATTERNS = {
    "hh:mm:ss": re.compile(r"^(\d{2}):(\d{2}):(\d{2})$"),
    "hh:mm:ss.fff": re.compile(r"^(\d{2}):(\d{2}):(\d{2})\.(\d{3})$"),
}
SCALARS = {"string": str, "boolean": bool, "number": (int, float), "integer": int}
WORD = st.text("abcdefghij", min_size=1, max_size=8)
BOUNDED = settings(max_examples=100, deadline=None)


def seconds_of(value: Any, time_format: str) -> float:
    if time_format == "seconds":
        assert isinstance(value, int | float)
        assert not isinstance(value, bool)
        return float(value)
    match = PATTERNS[time_format].match(value)
    assert match, f"{value!r} is not {time_format}"
    hours, minutes, secs = (int(part) for part in match.groups()[:3])
    millis = int(match.group(4)) / 1000 if time_format == "hh:mm:ss.fff" else 0.0
    return hours * 3600 + minutes * 60 + secs + millis


@st.composite
def fields(draw: st.DrawFn) -> list[dict[str, Any]]:
    names = draw(st.lists(WORD, min_size=0, max_size=6, unique=True))
    chosen = []
    for name in names:
        kind = draw(
            st.sampled_from(("string", "boolean", "number", "integer", "array", "timestamp"))
        )
        field: dict[str, Any] = {"name": f"f_{name}", "type": kind, "description": "A field"}
        if kind == "timestamp":
            field["format"] = draw(st.sampled_from(FORMATS))
        if kind == "array":
            field["items"] = {"type": draw(st.sampled_from(tuple(SCALARS)))}
        if draw(st.booleans()) and "string" in (kind, field.get("items", {}).get("type")):
            field["enum"] = draw(st.lists(WORD, min_size=1, max_size=5, unique=True))
        chosen.append(field)
    return chosen


@st.composite
def time_ranges(draw: st.DrawFn) -> list[dict[str, float]]:
    cuts = draw(st.lists(st.integers(0, 600), min_size=2, max_size=8, unique=True))
    cuts = sorted(cut / 10 for cut in cuts)
    pairs = [(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b - a >= 2]
    return [{"start_time": a, "end_time": b} for a, b in pairs] or [
        {"start_time": 0.0, "end_time": 2.0}
    ]


@st.composite
def segment_requests(draw: st.DrawFn) -> TaskRequest:
    timing = draw(st.sampled_from(("none", "durations", "window", "ranges")))
    ids = draw(st.lists(WORD, min_size=1, max_size=4, unique=True))
    definitions = []
    for definition_id in ids:
        definition: dict[str, Any] = {"id": definition_id, "description": "Spans"}
        definition["fields"] = draw(fields())
        if timing == "ranges":
            definition["time_ranges"] = draw(time_ranges())
        definitions.append(definition)
    response_format: dict[str, Any] = {
        "type": "segment_definitions",
        "segment_definitions": definitions,
    }
    if draw(st.booleans()):
        response_format["segment_time_format"] = draw(st.sampled_from(FORMATS))
    body: dict[str, Any] = {
        "video": {"type": "asset_id", "asset_id": "68ab3f90e5f1d93a7c2b0e01"},
        "model_name": "pegasus1.5",
        "analysis_mode": "time_based_metadata",
        "response_format": response_format,
    }
    if timing == "durations":
        low = draw(st.floats(2, 20, allow_nan=False))
        body["min_segment_duration"] = low
        if draw(st.booleans()):
            body["max_segment_duration"] = low + draw(st.floats(0, 40, allow_nan=False))
    if timing == "window":
        start, length = draw(st.integers(0, 300)), draw(st.integers(40, 300))
        body["start_time"], body["end_time"] = start / 10, (start + length) / 10
    return parse_task_request(body)


def window_of(request: TaskRequest, duration: float) -> tuple[float, float]:
    return request.start_time or 0.0, request.end_time or duration


def assert_metadata(metadata: dict[str, Any], fields: list[dict[str, Any]], span: Any) -> None:
    assert sorted(metadata) == sorted(field["name"] for field in fields)
    for field in fields:
        value, kind = metadata[field["name"]], field["type"]
        if kind == "timestamp":
            at = seconds_of(value, field["format"])
            assert span[0] - 0.5 <= at <= span[1] + 0.5
            continue
        values = value if kind == "array" else [value]
        item_kind = field["items"]["type"] if kind == "array" else kind
        assert isinstance(values, list)
        for item in values:
            assert isinstance(item, SCALARS[item_kind])
            assert item_kind in ("boolean", "string") or not isinstance(item, bool)
            assert "enum" not in field or item in field["enum"]


def assert_spans(request: TaskRequest, definition: dict[str, Any], spans: list[Any]) -> None:
    for (_, previous_end), (next_start, _) in itertools.pairwise(spans):
        assert previous_end <= next_start
    if "time_ranges" in definition:
        ranges = [(r["start_time"], r["end_time"]) for r in definition["time_ranges"]]
        for start, end in spans:
            assert any(low <= start < end <= high for low, high in ranges)
        return
    # a min/max pair with no grid point between them ends less than one step past the maximum
    slack = 1.0 if _format(request) == "hh:mm:ss" else 0.001
    for start, end in spans:
        least = request.min_segment_duration or 0.0
        most = request.max_segment_duration or float("inf")
        assert least - 1e-9 <= end - start <= most + slack + 1e-9


def _format(request: TaskRequest) -> str:
    return str((request.response_format or {}).get("segment_time_format", "seconds"))


@BOUNDED
@given(request=segment_requests(), seed=st.integers(0, 2**32), duration=st.floats(60, 600))
def test_every_segment_result_conforms_to_its_definitions(
    request: TaskRequest, seed: int, duration: float
) -> None:
    task = Task(task_id="0" * 24, request=request, created_at=0.0, duration=duration)

    data = render(task, random.Random(seed))

    document = json.loads(data)
    assert isinstance(data, str)
    assert list(document) == [d["id"] for d in request.segment_definitions]
    low, high = window_of(request, duration)
    for definition in request.segment_definitions:
        spans = []
        for segment in document[definition["id"]]:
            assert sorted(segment) == ["end_time", "metadata", "start_time"]
            span = (
                seconds_of(segment["start_time"], _format(request)),
                seconds_of(segment["end_time"], _format(request)),
            )
            assert low - 1e-9 <= span[0] < span[1] <= high + 1e-9
            assert_metadata(segment["metadata"], definition.get("fields") or [], span)
            spans.append(span)
        assert_spans(request, definition, spans)


def scalar_schemas() -> st.SearchStrategy[dict[str, Any]]:
    bounds = st.integers(-50, 50)
    return st.one_of(
        st.just({"type": "string"}),
        st.sampled_from(("uuid", "date-time", "date", "time")).map(
            lambda f: {"type": "string", "format": f}
        ),
        st.lists(WORD, min_size=1, max_size=4).map(lambda e: {"type": "string", "enum": e}),
        st.just({"type": "boolean"}),
        st.just({"type": "null"}),
        st.just({"type": "string", "const": "fixed"}),
        st.tuples(bounds, st.integers(0, 50)).map(
            lambda b: {"type": "integer", "minimum": b[0], "maximum": b[0] + b[1]}
        ),
        bounds.map(lambda b: {"type": "integer", "exclusiveMaximum": b}),
        bounds.map(lambda b: {"type": "integer", "exclusiveMinimum": b}),
        bounds.map(lambda b: {"type": "number", "maximum": b}),
        bounds.map(lambda b: {"type": "number", "minimum": b}),
        st.just({"type": ["string", "null"]}),
    )


def objects(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    def build(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
        kept = [name for name in required if name in properties]
        return {"type": "object", "properties": properties, "required": kept}

    named = st.dictionaries(WORD, children, min_size=1, max_size=4)
    return st.builds(build, named, st.lists(WORD, max_size=3))


def nested_schemas() -> st.SearchStrategy[dict[str, Any]]:
    return st.recursive(
        scalar_schemas(),
        lambda inner: st.one_of(
            objects(inner),
            st.builds(
                lambda items, least: {"type": "array", "items": items, "minItems": least},
                inner,
                st.sampled_from((0, 1)),
            ),
            st.lists(inner, min_size=1, max_size=3).map(lambda branches: {"anyOf": branches}),
        ),
        max_leaves=8,
    )


TIMESTAMP = st.sampled_from(FORMATS).map(lambda f: {"type": "timestamp", "format": f})


@st.composite
def json_schemas(draw: st.DrawFn) -> dict[str, Any]:
    schema = draw(objects(st.one_of(nested_schemas(), TIMESTAMP)))
    if draw(st.booleans()):
        schema["$defs"] = {"shared": draw(nested_schemas())}
        schema["properties"]["linked"] = {"$ref": "#/$defs/shared"}
    if draw(st.booleans()):
        row = {"type": "object", "properties": {"at": draw(TIMESTAMP)}, "required": ["at"]}
        schema["properties"]["rows"] = {"type": "array", "items": row}
    return schema


def standard(schema: Any) -> Any:
    """The schema with each ``timestamp`` replaced by the JSON type its format writes."""
    if isinstance(schema, list):
        return [standard(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("type") == "timestamp":
        if schema["format"] == "seconds":
            return {"type": "number", "minimum": 0}
        return {"type": "string", "pattern": PATTERNS[schema["format"]].pattern}
    return {key: standard(value) for key, value in schema.items()}


@BOUNDED
@given(schema=json_schemas(), seed=st.integers(0, 2**32), duration=st.floats(60, 600))
def test_every_json_schema_document_validates_against_its_schema(
    schema: dict[str, Any], seed: int, duration: float
) -> None:
    body = {
        "video": {"type": "url", "url": "https://media.example.com/clip.mp4"},
        "model_name": "pegasus1.5",
        "prompt": "Fill the schema.",
        "response_format": {"type": "json_schema", "json_schema": schema},
    }
    request = parse_task_request(body)

    document = DocumentGenerator(random.Random(seed), schema, duration).build()

    assert request.json_schema == schema
    validator = Draft202012Validator(standard(schema), format_checker=FormatChecker())
    errors = [error.message for error in validator.iter_errors(document)]
    assert errors == []
    assert json.loads(json.dumps(document)) == document


def test_a_decimal_window_of_exactly_four_seconds_is_accepted_despite_binary_rounding() -> None:
    body = {
        "video": {"type": "url", "url": "https://media.example.com/clip.mp4"},
        "model_name": "pegasus1.5",
        "prompt": "Describe it.",
        "start_time": 0.3,
        "end_time": 4.3,
    }

    assert parse_task_request(body).end_time == 4.3
