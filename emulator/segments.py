"""Segments for time_based_metadata tasks: non-overlapping intervals with typed metadata.

Each definition gets its own intervals inside the task's window (``start_time`` / ``end_time``,
else the whole video), or one interval inside each of its ``time_ranges``. Lengths respect
``min_segment_duration`` / ``max_segment_duration``; field values have the declared type and
stay inside ``enum``. Boundaries lie on a grid the output format writes exactly (whole seconds
for ``hh:mm:ss``, milliseconds otherwise), so the written times keep those promises; only a
min/max pair with no grid point between them is rounded up, less than one step past the maximum.
"""

from __future__ import annotations

import math
import random
from typing import Any

from emulator.documents import WORDS
from emulator.request import TaskRequest
from emulator.timeformat import format_time

_MAX_SEGMENTS = 12
_DEFAULT_MIN = 4.0
_DEFAULT_MAX = 60.0


class SegmentWriter:
    """Writes the ``result.data`` object of a time_based_metadata task."""

    def __init__(self, rng: random.Random, request: TaskRequest, duration: float) -> None:
        self._rng = rng
        self._request = request
        self._window = (request.start_time or 0.0, request.end_time or duration)
        response_format = request.response_format or {}
        self._time_format = str(response_format.get("segment_time_format", "seconds"))
        self._step = 1.0 if self._time_format == "hh:mm:ss" else 0.001

    def build(self) -> dict[str, list[dict[str, Any]]]:
        return {str(d["id"]): self._segments(d) for d in self._request.segment_definitions}

    def _segments(self, definition: dict[str, Any]) -> list[dict[str, Any]]:
        ranges = definition.get("time_ranges")
        if ranges:
            bounds = sorted((float(r["start_time"]), float(r["end_time"])) for r in ranges)
            spans = [self._inside(start, end) for start, end in bounds]
        else:
            spans = self._spans(*self._window)
        fields = definition.get("fields") or []
        return [
            {
                "start_time": format_time(start, self._time_format),
                "end_time": format_time(end, self._time_format),
                "metadata": {str(f["name"]): self._value(f, start, end) for f in fields},
            }
            for start, end in spans
        ]

    def _ticks(self, seconds: float, rounding: str) -> int:
        exact = round(seconds / self._step, 6)
        return math.ceil(exact) if rounding == "up" else math.floor(exact)

    def _seconds(self, ticks: int) -> float:
        return round(ticks * self._step, 3)

    def _inside(self, start: float, end: float) -> tuple[float, float]:
        first, last = self._ticks(start, "up"), self._ticks(end, "down")
        quarter = (last - first) // 4
        begin = first + self._rng.randint(0, quarter)
        finish = max(begin + 1, last - self._rng.randint(0, quarter))
        return self._seconds(begin), self._seconds(min(finish, last))

    def _spans(self, start: float, end: float) -> list[tuple[float, float]]:
        least = self._request.min_segment_duration or _DEFAULT_MIN
        most = self._request.max_segment_duration or max(_DEFAULT_MAX, least)
        shortest = self._ticks(least, "up")
        longest = max(shortest, self._ticks(most, "down"))
        cursor, last = self._ticks(start, "up"), self._ticks(end, "down")
        spans: list[tuple[float, float]] = []
        while len(spans) < _MAX_SEGMENTS:
            cursor += self._rng.choice((0, 0, self._rng.randint(0, shortest)))
            length = self._rng.randint(shortest, longest)
            if cursor + length > last:
                break
            spans.append((self._seconds(cursor), self._seconds(cursor + length)))
            cursor += length
        first = self._ticks(start, "up")
        if not spans and last - first >= shortest:
            spans.append((self._seconds(first), self._seconds(min(last, first + longest))))
        return spans

    def _value(self, field: dict[str, Any], start: float, end: float) -> Any:
        kind = field.get("type")
        if kind == "timestamp":
            return format_time(self._rng.uniform(start, end), str(field.get("format")))
        if kind == "array":
            item_kind = str((field.get("items") or {}).get("type", "string"))
            count = self._rng.randint(1, 3)
            return [self._scalar(item_kind, field.get("enum")) for _ in range(count)]
        return self._scalar(str(kind), field.get("enum"))

    def _scalar(self, kind: str, enum: list[str] | None) -> Any:
        if kind == "boolean":
            return self._rng.random() < 0.5
        if kind == "integer":
            return self._rng.randint(0, 12)
        if kind == "number":
            return round(self._rng.random(), 2)
        if enum:
            return self._rng.choice(enum)
        return " ".join(self._rng.sample(WORDS, 2))
