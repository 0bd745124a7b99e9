"""ValidationStage: validate a ready task's result before any handler sees it.

The task's own schema gives the event's verdict; a handler that declares a schema gets its own
validation (cached per schema). The verdict's ``VerdictStatus`` is one of

- ``ok``: every handler's data validates; all pending handlers run;
- ``invalid``: some data a handler relies on breaks its schema; no handler runs, the event is
  quarantined with every error (path, value, rule) in the ledger;
- ``truncated``: ``finish_reason: length``; only ``partial_ok`` handlers run, on the salvaged
  segments, and the event ends ``truncated``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from handlers.registry import HandlerSpec
from tlhooks.analysis import AnalyzeTask
from tlhooks.errors import ResultSchemaInvalid
from tlhooks.validation import ValidationOutcome, validate_task


class VerdictStatus(StrEnum):
    OK = "ok"
    INVALID = "invalid"
    TRUNCATED = "truncated"


@dataclass
class Verdict:
    status: VerdictStatus
    record: dict[str, Any]
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    summary: str = ""


def _inputs(outcome: ValidationOutcome) -> dict[str, Any]:
    return {
        "segments": outcome.segments,
        "document": outcome.document,
        "text": outcome.text,
        "partial": outcome.partial,
    }


def _summary(outcome: ValidationOutcome) -> str:
    errors = len(outcome.errors) + outcome.omitted_errors
    if not outcome.errors:
        return "The result is valid."
    first = outcome.errors[0]
    return (
        f"The result breaks its schema: {errors} error(s); first at {first.path}: "
        f"{first.message} (rule {first.rule}, value {first.value})."
    )


def _unreadable_format(task: AnalyzeTask, exc: ResultSchemaInvalid) -> Verdict:
    """The task's own response format cannot be compiled (e.g. ``segment_definitions`` with no
    list): its result cannot be validated, so the event is quarantined, saying why."""
    summary = (
        f"Task {task.task_id}'s response_format cannot be read, so its result cannot be "
        f"validated: {exc}"
    )
    error = {"path": "$.request_params.response_format", "rule": "response_format"}
    record = {"valid": False, "errors": [{**error, "message": summary}]}
    return Verdict(VerdictStatus.INVALID, record, summary=summary)


def judge(task: AnalyzeTask, specs: dict[str, HandlerSpec | None]) -> Verdict:
    """Validate once per distinct schema and decide what the handlers get."""
    try:
        base = validate_task(task)
    except ResultSchemaInvalid as exc:
        return _unreadable_format(task, exc)
    record = base.to_record()
    per_handler: dict[str, ValidationOutcome] = {}
    for name, spec in specs.items():
        declared = spec.schema if spec is not None else None
        per_handler[name] = base if declared is None else validate_task(task, declared)
    broken = [o for o in (base, *per_handler.values()) if not o.valid]
    if broken:
        worst = broken[0]
        record["handlers"] = {n: o.to_record() for n, o in per_handler.items() if o is not base}
        return Verdict(VerdictStatus.INVALID, record, summary=_summary(worst))
    inputs = {name: _inputs(outcome) for name, outcome in per_handler.items()}
    if base.truncated:
        partial = {n: i for n, i in inputs.items() if (s := specs[n]) and s.partial_ok}
        summary = f"The result was truncated; {base.salvaged or 0} complete segment(s) salvaged."
        return Verdict(VerdictStatus.TRUNCATED, record, partial, summary)
    return Verdict(VerdictStatus.OK, record, inputs)
