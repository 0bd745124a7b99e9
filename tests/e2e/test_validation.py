"""Results are validated before handlers see them: valid, invalid and truncated end to end."""

from __future__ import annotations

import json

from tests.e2e.conftest import Stack
from tests.e2e.test_ops import cli
from tlhooks.status import EventStatus

INVALID = json.dumps(
    {
        "scene": [
            {"start_time": 0, "end_time": 5, "metadata": {"activity": "eating", "people_count": 1}},
            {
                "start_time": 5,
                "end_time": 9,
                "metadata": {"activity": "dancing", "people_count": "two"},
            },
        ]
    }
)
CUT = (
    '{"scene":[{"start_time":0.0,"end_time":5.0,"metadata":{"activity":"eating",'
    '"people_count":1}},{"start_time":5.0,"end_time":9.0,"metadata":{"activ'
)


def tbm_task(stack: Stack, custom_id: str, **fields: object) -> str:
    task = stack.create_task(
        "ready", custom_id=custom_id, analysis_mode="time_based_metadata", **fields
    )
    return str(task["task_id"])


def test_a_valid_result_reaches_handlers_as_typed_segments(stack: Stack) -> None:
    stack.start()
    task_id = tbm_task(stack, "typed-1")

    event = stack.wait_for_status(task_id, EventStatus.HANDLED)

    (call,) = stack.calls("typed", task_id)
    assert call["start_type"] == "float"
    assert call["activity"] in {"feeding", "eating", "resting", "other"}
    assert call["partial"] is False
    assert event.validation is not None
    assert event.validation["valid"] is True


def test_an_invalid_result_is_quarantined_with_every_error_and_no_handler_runs(
    stack: Stack,
) -> None:
    stack.start()
    task_id = tbm_task(stack, "typed-2", result_data=INVALID)

    event = stack.wait_for_status(task_id, EventStatus.INVALID)

    assert event.validation is not None
    found = {(e["path"], e["rule"]) for e in event.validation["errors"]}
    assert ("scene[1].metadata.activity", "enum") in found
    assert ("scene[1].metadata.people_count", "type:integer") in found
    assert "breaks its schema" in (event.last_error or "")
    stack.settle(1.0)
    assert stack.calls("typed", task_id) == []
    assert stack.calls("record_ready", task_id) == []


def test_a_truncated_result_runs_only_partial_handlers_on_the_salvaged_segments(
    stack: Stack,
) -> None:
    stack.start()
    task_id = tbm_task(stack, "partial-1", result_data=CUT, finish_reason="length")

    event = stack.wait_for_status(task_id, EventStatus.TRUNCATED)

    assert event.validation is not None
    assert event.validation["truncated"] is True
    assert event.validation["salvaged"] == 1
    (call,) = stack.calls("partial", task_id)
    assert call == {"task_id": task_id, "partial": True, "segments": 1}
    assert stack.calls("record_ready", task_id) == []


def test_a_truncated_result_without_partial_handlers_is_quarantined(stack: Stack) -> None:
    stack.start()
    task_id = tbm_task(stack, "typed-3", result_data=CUT, finish_reason="length")

    event = stack.wait_for_status(task_id, EventStatus.TRUNCATED)

    assert "1 complete segment(s) salvaged" in (event.last_error or "")
    assert stack.calls("typed", task_id) == []


def test_replay_from_validate_after_a_schema_fix_turns_invalid_into_handled(stack: Stack) -> None:
    stack.start()
    task_id = tbm_task(stack, "strict-1")
    stack.wait_for_status(task_id, EventStatus.INVALID)
    stack.workers[0].kill()
    stack.start_worker(TEST_SCHEMA_FIXED="1")

    done = cli(stack, "events", "replay", "--status", "invalid", "--from", "validate", "--yes")

    assert done.exit_code == 0, done.output
    event = stack.wait_for_status(task_id, EventStatus.HANDLED)
    assert len(stack.calls("strict", task_id)) == 1
    assert len(stack.calls("record_ready", task_id)) == 1
    assert event.validation is not None
    assert event.validation["valid"] is True
