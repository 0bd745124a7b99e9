"""Validation of analysis results against the schema the task (or its handler) asked for.

``validate_task(task, declared)`` returns a ``ValidationOutcome``: typed data for handlers
(``segments``, ``document`` or ``text``) and the issues found, each with its JSON path, the
offending value, the rule and a message. It never raises on bad model output (invalid JSON,
wrong types, a cut result). It raises ``ResultSchemaInvalid`` only when the schema that
applies cannot be compiled, which the platform would have refused at task creation.

Errors (``valid`` is False) are problems with data a handler relies on:

- ``json``: the result is not JSON (and was not cut by the platform);
- ``type:<type>``, ``enum``, ``required``, ``format:<format>``, and for JSON Schema its other
  keywords (``pattern``, ``minimum``, ``anyOf``, ...): a value that does not fit its field;
- ``order``, ``window``: a segment's boundaries (end before start, outside the analysis
  window or outside its definition's ``time_ranges``);
- ``unknown_field`` only when a handler's own model forbids extra fields;
- ``result``: the task has no result at all.

Warnings (``valid`` stays True) are about data that is extra or missing but harms no typed
value: they are recorded for the ledger and the handler still runs.

- ``unknown_definition``: segments for an id no definition declares (ignored);
- ``unknown_field``: a metadata field, or a segment key, that is not declared (kept in the
  model's ``model_extra``, untyped);
- ``missing_definition``: a declared definition with no key in the result (its list is
  empty; not reported for a cut result, where the cut explains it);
- ``min_duration`` / ``max_duration``: a segment shorter or longer than the task asked; the
  durations steer the model rather than bind it (the facts doc's example A breaks its own
  ``max_segment_duration``), so the segment is still handed over;
- ``schema_mismatch``: the handler's declared schema differs from the task's;
- ``truncated``: ``finish_reason`` is ``length``. The truncation itself is a warning so
  that ``valid`` says whether the data handed over validates: for a segments result cut
  mid-JSON the complete segments before the cut are salvaged (``partial``, ``salvaged``);
  a cut JSON Schema document cannot be salvaged and is a ``json`` error; a cut text is
  handed over as it is, with ``partial`` set. ``truncated`` always tells a cut result apart.

Segments with an error are left out of ``segments``; the others are handed over. Integer
fields are strict: ``3.0`` is not an integer, and ``"3"`` is not a number. When the task
does not echo ``segment_time_format``, boundaries in any of the three formats are accepted.
"""

from __future__ import annotations

from tlhooks.errors import ResultSchemaInvalid
from tlhooks.validation.bounds import SegmentLimits
from tlhooks.validation.compiler import DeclaredSchema, ResultValidator, validator_for
from tlhooks.validation.issues import Issue
from tlhooks.validation.outcome import Segment, ValidationOutcome
from tlhooks.validation.task import validate_task

__all__ = [
    "DeclaredSchema",
    "Issue",
    "ResultSchemaInvalid",
    "ResultValidator",
    "Segment",
    "SegmentLimits",
    "ValidationOutcome",
    "validate_task",
    "validator_for",
]
