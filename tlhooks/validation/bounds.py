"""Range checks on segments whose types already validated: order, window and duration.

They run in one tight loop after pydantic, over the typed segments:

- ``order``: ``end_time`` is not before ``start_time``;
- ``window``: the segment lies inside the analysis window (``request_params.start_time`` /
  ``end_time`` when given, else ``[0, video duration]`` when the duration is known) and, when
  its definition has ``time_ranges``, inside one of them;
- ``min_duration`` / ``max_duration``: when the task asked for them. These are warnings,
  not errors: the durations steer the model rather than bind it, and the facts doc's own
  example A (a 75.5 s segment under ``max_segment_duration: 60``) breaks them. A segment
  outside them is still handed over.

Boundaries written as ``hh:mm:ss`` are rounded to the second by the platform, so every
comparison allows the rounding the format implies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from tlhooks.validation.issues import IssueLog, join_path, render_path, shorten
from tlhooks.validation.outcome import Segment
from tlhooks.validation.timecodes import rounding, rounding_of, to_seconds


@dataclass(frozen=True)
class SegmentLimits:
    """What the task asked of its segments; ``None`` means not asked or not known."""

    window_start: float | None = None
    window_end: float | None = None
    min_duration: float | None = None
    max_duration: float | None = None


class BoundsChecker:
    """Checks one definition's typed segments and turns the good ones into ``Segment``."""

    def __init__(
        self,
        definition_id: str,
        limits: SegmentLimits,
        time_format: str | None,
        ranges: tuple[tuple[float, float], ...] = (),
    ) -> None:
        self._prefix = render_path((definition_id,))
        self._limits = limits
        self._rounding = rounding(time_format)
        self._slack = 0.0
        self._ranges = ranges

    def check(self, typed: Iterable[tuple[int, BaseModel]], log: IssueLog) -> list[Segment]:
        """The segments that pass every check; the others are reported in ``log``.

        The loop only compares; reporting (and its formatting) runs for the rare segment that
        fails a check or carries unknown keys.
        """
        accepted: list[Segment] = []
        fixed = self._rounding
        low, high = self._limits.window_start, self._limits.window_end
        shortest, longest = self._limits.min_duration, self._limits.max_duration
        ranges = self._ranges
        for index, model in typed:
            segment: Any = model
            raw_start, raw_end = segment.start_time, segment.end_time
            start = raw_start if type(raw_start) is float else to_seconds(raw_start)
            end = raw_end if type(raw_end) is float else to_seconds(raw_end)
            slack = (
                fixed if fixed is not None else max(rounding_of(raw_start), rounding_of(raw_end))
            )
            if (
                start <= end
                and (low is None or start >= low - slack)
                and (high is None or end <= high + slack)
                and (shortest is None or end - start >= shortest - 2 * slack)
                and (longest is None or end - start <= longest + 2 * slack)
                and (not ranges or any(a - slack <= start and end <= b + slack for a, b in ranges))
                and not segment.__pydantic_extra__
                and not getattr(segment.metadata, "__pydantic_extra__", None)
            ) or self._report(index, segment, start, end, slack, log):
                accepted.append(Segment(start, end, segment.metadata))
        return accepted

    def _report(
        self, index: int, segment: Any, start: float, end: float, slack: float, log: IssueLog
    ) -> bool:
        """Report what ``segment`` breaks; whether it is still good enough to hand over."""
        self._slack = slack
        where = f"{self._prefix}[{index}]"
        before = len(log.errors) + log.omitted_errors
        if end < start:
            log.error(
                f"{where}.end_time",
                shorten(segment.end_time),
                "order",
                f"end_time {end:g} s is before start_time {start:g} s.",
            )
        else:
            self._check_window(where, segment, start, end, log)
            self._check_duration(where, segment.end_time, end - start, log)
        _report_unknown_fields(where, segment, log)
        return len(log.errors) + log.omitted_errors == before

    def _check_window(
        self, where: str, segment: Any, start: float, end: float, log: IssueLog
    ) -> None:
        low, high, slack = self._limits.window_start, self._limits.window_end, self._slack
        if low is not None and start < low - slack:
            log.error(
                f"{where}.start_time",
                shorten(segment.start_time),
                "window",
                f"The segment starts at {start:g} s, before the analysis window ({low:g} s).",
            )
        if high is not None and end > high + slack:
            log.error(
                f"{where}.end_time",
                shorten(segment.end_time),
                "window",
                f"The segment ends at {end:g} s, after the analysis window ({high:g} s).",
            )
        if self._ranges and not any(
            a - slack <= start and end <= b + slack for a, b in self._ranges
        ):
            log.error(
                where,
                f"[{start:g}, {end:g}]",
                "window",
                f"The segment [{start:g}, {end:g}] s lies in none of the definition's time_ranges.",
            )

    def _check_duration(self, where: str, raw_end: object, length: float, log: IssueLog) -> None:
        shortest, longest = self._limits.min_duration, self._limits.max_duration
        slack = 2 * self._slack
        if shortest is not None and length < shortest - slack:
            log.warning(
                f"{where}.end_time",
                shorten(raw_end),
                "min_duration",
                f"The segment lasts {length:g} s, less than min_segment_duration {shortest:g} s.",
            )
        if longest is not None and length > longest + slack:
            log.warning(
                f"{where}.end_time",
                shorten(raw_end),
                "max_duration",
                f"The segment lasts {length:g} s, more than max_segment_duration {longest:g} s.",
            )


def _report_unknown_fields(where: str, segment: Any, log: IssueLog) -> None:
    for name, value in (segment.__pydantic_extra__ or {}).items():
        log.warning(
            join_path(where, name),
            shorten(value),
            "unknown_field",
            f"The segment has a key {name!r} beyond start_time, end_time and metadata; "
            "it is ignored.",
        )
    for name, value in (getattr(segment.metadata, "__pydantic_extra__", None) or {}).items():
        log.warning(
            join_path(where, "metadata", name),
            shorten(value),
            "unknown_field",
            f"The metadata has a field {name!r} its definition does not declare; it is kept "
            "but not typed.",
        )
