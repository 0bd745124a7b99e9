"""Properties over generated definitions and results: valid passes, one mutation fails at its
path, and any cut point salvages exactly the complete segments without raising.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.tlhooks.validation.factories import make_task
from tlhooks.validation import validate_task

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TIME_FORMATS = ("seconds", "hh:mm:ss", "hh:mm:ss.fff")
NAMES = st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True)
WORDS = st.text(alphabet='abcdefgh xyz"\\é', min_size=1, max_size=6)


def render(millis: int, time_format: str) -> float | str:
    seconds, fraction = divmod(millis, 1000)
    clock = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if time_format == "seconds":
        return millis / 1000
    return clock if time_format == "hh:mm:ss" else f"{clock}.{fraction:03d}"


@st.composite
def field_specs(draw: st.DrawFn, name: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["string", "boolean", "number", "integer", "array", "timestamp"]))
    spec: dict[str, Any] = {"name": name, "type": kind, "description": f"the {name}"}
    if kind == "timestamp":
        spec["format"] = draw(st.sampled_from(TIME_FORMATS))
    elif kind == "array":
        spec["items"] = {"type": draw(st.sampled_from(["string", "number", "boolean", "integer"]))}
    if kind == "string" or (kind == "array" and spec["items"]["type"] == "string"):
        spec["enum"] = draw(st.none() | st.lists(WORDS, min_size=1, max_size=4, unique=True))
        if spec["enum"] is None:
            del spec["enum"]
    return spec


@st.composite
def definitions(draw: st.DrawFn) -> list[dict[str, Any]]:
    ids = draw(st.lists(NAMES, min_size=1, max_size=3, unique=True))
    result = []
    for identifier in ids:
        names = draw(st.lists(NAMES, min_size=1, max_size=5, unique=True))
        result.append(
            {
                "id": identifier,
                "description": identifier,
                "fields": [draw(field_specs(name)) for name in names],
            }
        )
    return result


def value_for(draw: st.DrawFn, spec: dict[str, Any], kind: str | None = None) -> Any:
    kind = kind or spec["type"]
    if kind == "array":
        count = draw(st.integers(0, 3))
        return [value_for(draw, spec, spec["items"]["type"]) for _ in range(count)]
    if "enum" in spec and kind == "string":
        return draw(st.sampled_from(spec["enum"]))
    strategies: dict[str, st.SearchStrategy[Any]] = {
        "string": st.text(max_size=8),
        "boolean": st.booleans(),
        "number": st.floats(-1e6, 1e6, allow_nan=False) | st.integers(-1000, 1000),
        "integer": st.integers(-(10**9), 10**9),
    }
    if kind == "timestamp":
        return render(draw(st.integers(0, 7_200_000)), spec["format"])
    return draw(strategies[kind])


@st.composite
def tasks(draw: st.DrawFn) -> tuple[list[dict[str, Any]], str, dict[str, list[dict[str, Any]]]]:
    defs = draw(definitions())
    time_format = draw(st.sampled_from(TIME_FORMATS))
    step = 1000 if time_format == "hh:mm:ss" else 1
    data: dict[str, list[dict[str, Any]]] = {}
    for definition in defs:
        segments = []
        for _ in range(draw(st.integers(0, 4))):
            start, end = sorted(draw(st.lists(st.integers(0, 3600), min_size=2, max_size=2)))
            segments.append(
                {
                    "start_time": render(start * 1000 // step * step, time_format),
                    "end_time": render(end * 1000 // step * step, time_format),
                    "metadata": {f["name"]: value_for(draw, f) for f in definition["fields"]},
                }
            )
        data[definition["id"]] = segments
    return defs, time_format, data


@SETTINGS
@given(tasks())
def test_any_generated_valid_result_passes(case: Any) -> None:
    defs, time_format, data = case
    outcome = validate_task(make_task(data, defs, time_format=time_format))
    assert outcome.valid, outcome.errors
    assert outcome.warnings == []
    assert outcome.segments is not None
    assert {k: len(v) for k, v in outcome.segments.items()} == {k: len(v) for k, v in data.items()}


WRONG = {"string": 12, "boolean": "true", "number": "1.5", "integer": 1.5, "array": "x"}


@SETTINGS
@given(tasks(), st.data())
def test_one_wrong_type_or_enum_value_fails_at_its_path(case: Any, pick: st.DataObject) -> None:
    defs, time_format, data = case
    targets = [(d, i) for d in defs for i in range(len(data[d["id"]]))]
    assume(targets)
    definition, index = pick.draw(st.sampled_from(targets))
    spec = pick.draw(st.sampled_from(definition["fields"]))
    if spec["type"] == "timestamp":
        bad, rule = ("00:00" if spec["format"] == "seconds" else 1.5), f"format:{spec['format']}"
    elif "enum" in spec and spec["type"] == "string":
        bad, rule = "~not-in-enum~", "enum"
    else:
        bad, rule = WRONG[spec["type"]], f"type:{spec['type']}"
    data[definition["id"]][index]["metadata"][spec["name"]] = bad
    outcome = validate_task(make_task(data, defs, time_format=time_format))
    path = f"{definition['id']}[{index}].metadata.{spec['name']}"
    assert not outcome.valid
    assert [(e.path, e.rule) for e in outcome.errors] == [(path, rule)]


def serialize(data: dict[str, list[dict[str, Any]]]) -> tuple[str, dict[str, list[int]]]:
    """The JSON text and, per definition, where each segment's closing brace ends."""
    text, ends = "{", {}
    for n, (identifier, segments) in enumerate(data.items()):
        text += ("," if n else "") + json.dumps(identifier) + ":["
        ends[identifier] = []
        for m, item in enumerate(segments):
            text += ("," if m else "") + json.dumps(item)
            ends[identifier].append(len(text))
        text += "]"
    return text + "}", ends


@SETTINGS
@given(tasks(), st.data())
def test_any_cut_salvages_exactly_the_complete_segments(case: Any, pick: st.DataObject) -> None:
    defs, time_format, data = case
    text, ends = serialize(data)
    cut = pick.draw(st.integers(0, len(text)))
    outcome = validate_task(
        make_task(text[:cut], defs, time_format=time_format, finish_reason="length")
    )
    assert outcome.truncated
    assert outcome.valid, outcome.errors
    assert outcome.segments is not None
    complete = {k: sum(end <= cut for end in v) for k, v in ends.items()}
    assert {k: len(outcome.segments.get(k, [])) for k in ends} == complete
    if outcome.partial:
        assert outcome.salvaged == sum(complete.values())


@settings(max_examples=80, deadline=None)
@given(
    st.text(alphabet='{}[]":,0123456789.tfnrue ascen_-\\', max_size=60),
    st.sampled_from(["stop", "length"]),
    st.sampled_from(["segments", "document", "text"]),
)
def test_validation_never_raises_on_any_output(text: str, finish_reason: str, mode: str) -> None:
    response_format = {
        "segments": None,
        "document": {"type": "json_schema", "json_schema": {"type": "object"}},
        "text": None,
    }[mode]
    task = make_task(
        text, finish_reason=finish_reason, response_format=response_format, plain=mode == "text"
    )
    outcome = validate_task(task)
    assert outcome.truncated is (finish_reason == "length")
    assert outcome.valid is not bool(outcome.errors)
