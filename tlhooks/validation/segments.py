"""Validation of ``segment_definitions`` results: typed segments per definition id.

The fast path hands the whole JSON text to pydantic-core once (one document model, compiled
once per schema). Only when that fails does the detailed path run: the text is decoded (or,
when the platform cut it, salvaged), each segment is validated on its own so that every bad
one is reported with its path and every good one is still handed over.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from tlhooks.validation.bounds import BoundsChecker, SegmentLimits
from tlhooks.validation.definitions import DefinitionSpec
from tlhooks.validation.issues import Issue, IssueLog, render_path, shorten
from tlhooks.validation.models import (
    class_name,
    document_model,
    ensure_complete,
    metadata_model,
    segment_model,
)
from tlhooks.validation.outcome import Mode, Segment, ValidationOutcome
from tlhooks.validation.salvage import salvage_segments
from tlhooks.validation.timecodes import ANY_FORMAT

_BOUNDARIES = ("start_time", "end_time")


class SegmentsValidator:
    """Compiled once per schema: ``definitions`` (the task's, or declared), ``declared`` models
    overriding the metadata model of their definition id, ``time_format`` of the boundaries
    (``None`` when the task does not say: any of the three formats is accepted).
    """

    mode: Mode = "segments"

    def __init__(
        self,
        definitions: tuple[DefinitionSpec, ...],
        time_format: str | None,
        declared: dict[str, type[BaseModel]] | None = None,
        schema_warnings: Iterable[Issue] = (),
    ) -> None:
        declared = declared or {}
        self._time_format = time_format
        self._schema_warnings = tuple(schema_warnings)
        self._ranges = {d.id: d.time_ranges for d in definitions}
        self._timestamps = {
            (d.id, f.name): str(f.format)
            for d in definitions
            if d.id not in declared
            for f in d.fields
            if f.type == "timestamp"
        }
        names: set[str] = set()
        metadata = {
            d.id: declared.get(d.id) or metadata_model(d, class_name(d.id, "Metadata", names))
            for d in definitions
        }
        metadata.update({i: m for i, m in declared.items() if i not in metadata})
        self.segment_models = {
            i: segment_model(m, time_format, class_name(i, "Segment", names))
            for i, m in metadata.items()
        }
        self.metadata_models = metadata
        self._document, self._attributes = document_model(self.segment_models)
        ensure_complete(self._document, f"A declared metadata model ({sorted(declared)})")

    def validate(self, text: str, *, limits: SegmentLimits, truncated: bool) -> ValidationOutcome:
        log = IssueLog()
        log.extend_warnings(self._schema_warnings)
        try:
            document = self._document.model_validate_json(text)
        except ValidationError as exc:
            return self._validate_in_detail(text, exc, limits, truncated, log)
        present = document.model_fields_set
        segments = {
            identifier: self._checker(identifier, limits).check(
                enumerate(getattr(document, attribute)), log
            )
            for identifier, attribute in self._attributes.items()
        }
        missing = [i for i, a in self._attributes.items() if a not in present]
        self._report_keys(missing, document.model_extra or {}, log)
        _report_truncation(log, truncated, None)
        return ValidationOutcome.build("segments", log, truncated=truncated, segments=segments)

    def _validate_in_detail(
        self,
        text: str,
        failure: ValidationError,
        limits: SegmentLimits,
        truncated: bool,
        log: IssueLog,
    ) -> ValidationOutcome:
        parsed: Any = None
        partial = False
        if any(e["type"] == "json_invalid" for e in failure.errors()):
            if truncated:
                parsed, partial = salvage_segments(text), True
            else:
                log.pydantic_errors(failure.errors(include_url=False))
                return ValidationOutcome.build("segments", log, truncated=truncated)
        else:
            try:
                parsed = json.loads(text)
            except (ValueError, RecursionError) as exc:
                log.error("$", shorten(text), "json", f"The result is not valid JSON: {exc}.")
                return ValidationOutcome.build("segments", log, truncated=truncated)
        segments = self._validate_items(parsed, limits, log, partial)
        salvaged = sum(len(found) for found in segments.values()) if partial else None
        _report_truncation(log, truncated, salvaged)
        return ValidationOutcome.build(
            "segments",
            log,
            truncated=truncated,
            segments=segments,
            salvaged=salvaged,
            partial=partial,
        )

    def _validate_items(
        self, parsed: Any, limits: SegmentLimits, log: IssueLog, partial: bool
    ) -> dict[str, list[Segment]]:
        segments: dict[str, list[Segment]] = {i: [] for i in self.segment_models}
        if not isinstance(parsed, dict):
            log.error(
                "$",
                shorten(parsed),
                "type:object",
                "The result must be a JSON object keyed by segment definition id.",
            )
            return segments
        for identifier, model in self.segment_models.items():
            items = parsed.get(identifier, [])
            if not isinstance(items, list):
                log.error(
                    render_path((identifier,)),
                    shorten(items),
                    "type:array",
                    f"The segments of {identifier!r} must be a JSON array.",
                )
                continue
            typed: list[tuple[int, BaseModel]] = []
            for index, item in enumerate(items):
                try:
                    typed.append((index, model.model_validate(item)))
                except ValidationError as exc:
                    log.pydantic_errors(
                        exc.errors(include_url=False), (identifier, index), self._rule_at
                    )
            segments[identifier] = self._checker(identifier, limits).check(typed, log)
        missing = [] if partial else [i for i in self.segment_models if i not in parsed]
        unknown = {k: v for k, v in parsed.items() if k not in self.segment_models}
        self._report_keys(missing, unknown, log)
        return segments

    def _checker(self, identifier: str, limits: SegmentLimits) -> BoundsChecker:
        return BoundsChecker(
            identifier, limits, self._time_format, self._ranges.get(identifier, ())
        )

    def _rule_at(self, loc: tuple[str | int, ...]) -> str | None:
        if len(loc) == 3 and loc[2] in _BOUNDARIES:
            return f"format:{self._time_format or ANY_FORMAT}"
        if len(loc) >= 4 and loc[2] == "metadata":
            found = self._timestamps.get((str(loc[0]), str(loc[3])))
            return f"format:{found}" if found else None
        return None

    @staticmethod
    def _report_keys(missing: list[str], unknown: dict[str, Any], log: IssueLog) -> None:
        for identifier in missing:
            log.warning(
                render_path((identifier,)),
                "<missing>",
                "missing_definition",
                f"The result has no segments for definition {identifier!r}.",
            )
        for identifier, value in unknown.items():
            log.warning(
                render_path((identifier,)),
                shorten(value),
                "unknown_definition",
                f"The result has segments for {identifier!r}, which no definition "
                "declares; they are ignored.",
            )


def _report_truncation(log: IssueLog, truncated: bool, salvaged: int | None) -> None:
    if not truncated:
        return
    detail = (
        f"its JSON was cut and {salvaged} complete segment(s) were salvaged"
        if salvaged is not None
        else "its JSON is complete"
    )
    log.warning(
        "$",
        "'length'",
        "truncated",
        f"The platform cut the output at max_tokens (finish_reason length); {detail}.",
    )
