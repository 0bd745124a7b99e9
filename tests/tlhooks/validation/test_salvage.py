"""Results cut mid-JSON: the complete segments before the cut are salvaged, never an exception."""

from __future__ import annotations

import json
from typing import Any

from tests.tlhooks.validation.examples import example
from tests.tlhooks.validation.factories import make_task, segment
from tlhooks.analysis import AnalyzeTask
from tlhooks.validation import validate_task
from tlhooks.validation.salvage import salvage_segments


def test_example_c_salvages_the_one_complete_segment(example_c_task: AnalyzeTask) -> None:
    outcome = validate_task(example_c_task)
    assert (outcome.truncated, outcome.partial, outcome.salvaged, outcome.valid) == (
        True,
        True,
        1,
        True,
    )
    assert outcome.segments is not None
    only = outcome.segments["scene"][0]
    assert (only.start_time, only.end_time, only.metadata.model_dump()) == (
        0.0,
        31.0,
        {"activity": "resting"},
    )
    assert [(w.path, w.rule) for w in outcome.warnings] == [("$", "truncated")]


def test_every_cut_of_example_a_salvages_only_complete_segments() -> None:
    task = example("A")
    data: str = task["result"]["data"]
    full = json.loads(data)
    for cut in range(len(data) + 1):
        task["result"].update(data=data[:cut], finish_reason="length")
        outcome = validate_task(AnalyzeTask.model_validate(task))
        assert outcome.truncated
        assert outcome.segments is not None
        for identifier, segments in outcome.segments.items():
            originals = full[identifier][: len(segments)]
            assert [s.end_time for s in segments] == [o["end_time"] for o in originals]
            for original in originals:
                assert json.dumps(original, separators=(",", ":")) in data[:cut]


def test_a_cut_inside_a_number_does_not_count_the_number() -> None:
    assert salvage_segments('{"scene":[{"a":1},12') == {"scene": [{"a": 1}]}
    assert salvage_segments('{"scene":[{"a":1},12]') == {"scene": [{"a": 1}, 12]}


def test_garbage_salvages_nothing() -> None:
    for text in ("", "[", "nope", '{"scene"', '{"scene":', "{1:[]}", "{" * 5000):
        assert salvage_segments(text) in ({}, {"scene": []})


def test_a_salvaged_segment_that_is_invalid_is_reported() -> None:
    text = json.dumps({"scene": [segment(5, 2), segment(0, 1), segment(1, 2)]})[:-5]
    outcome = validate_task(make_task(text, finish_reason="length"))
    assert [(e.path, e.rule) for e in outcome.errors] == [("scene[0].end_time", "order")]
    assert (outcome.valid, outcome.partial, outcome.salvaged) == (False, True, 1)


def test_invalid_json_that_was_not_cut_is_not_salvaged() -> None:
    text: Any = json.dumps({"scene": [segment(0, 1)]})[:-3]
    outcome = validate_task(make_task(text))
    assert (outcome.partial, outcome.segments, outcome.salvaged) == (False, None, None)
    assert [e.rule for e in outcome.errors] == ["json"]


def test_a_cut_result_whose_json_is_complete_is_truncated_but_not_partial() -> None:
    outcome = validate_task(make_task({"scene": [segment(0, 1)]}, finish_reason="length"))
    assert (outcome.truncated, outcome.partial, outcome.valid) == (True, False, True)
