"""``validate_task``: a fetched task's result, checked against the schema that applies.

It reads from the task what the result must respect (the response format, the analysis
window, the segment durations) and whether the platform cut the output, then runs the
cached validator. It never raises on bad model output; only a schema that cannot be
compiled raises ``ResultSchemaInvalid``.
"""

from __future__ import annotations

from typing import Any

from tlhooks.analysis import AnalyzeTask
from tlhooks.validation.bounds import SegmentLimits
from tlhooks.validation.compiler import DeclaredSchema, validator_for
from tlhooks.validation.issues import IssueLog
from tlhooks.validation.outcome import ValidationOutcome


def validate_task(task: AnalyzeTask, declared: DeclaredSchema = None) -> ValidationOutcome:
    """Validate ``task.result.data``; ``declared`` (the handler's schema) wins over the task's."""
    params = task.request_params
    response_format = (
        params.response_format.model_dump(exclude_none=True)
        if params is not None and params.response_format is not None
        else None
    )
    validator = validator_for(response_format, declared)
    if task.result is None:
        log = IssueLog()
        log.error(
            "$",
            repr(None),
            "result",
            f"Task {task.task_id} has no result (status {task.status.value}); only a "
            "ready task can be validated.",
        )
        return ValidationOutcome.build(validator.mode, log)
    truncated = task.result.finish_reason == "length"
    return validator.validate(task.result.data, limits=limits_of(task), truncated=truncated)


def limits_of(task: AnalyzeTask) -> SegmentLimits:
    """The analysis window and segment durations the task asked for, as far as it says."""
    extra: dict[str, Any] = (task.request_params.model_extra or {}) if task.request_params else {}
    start = _number(extra.get("start_time"))
    end = _number(extra.get("end_time"))
    return SegmentLimits(
        window_start=0.0 if start is None else start,
        window_end=_duration(task) if end is None else end,
        min_duration=_number(extra.get("min_segment_duration")),
        max_duration=_number(extra.get("max_segment_duration")),
    )


def _duration(task: AnalyzeTask) -> float | None:
    source = (task.model_extra or {}).get("video_source")
    metadata = source.get("system_metadata") if isinstance(source, dict) else None
    return _number(metadata.get("duration")) if isinstance(metadata, dict) else None


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None
