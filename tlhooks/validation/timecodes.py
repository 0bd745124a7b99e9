"""Times inside results: ``seconds`` (a JSON number), ``hh:mm:ss`` and ``hh:mm:ss.fff``.

The platform writes segment boundaries in ``segment_time_format`` and every ``timestamp``
field in its own ``format`` (facts doc §3). This module holds the patterns that recognise
each format, turns any of them into float seconds, and says how much rounding a format
implies, so range checks do not flag a boundary the platform rounded to the nearest second.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, StringConstraints

TIME_FORMATS = ("seconds", "hh:mm:ss", "hh:mm:ss.fff")
PATTERNS = {
    "hh:mm:ss": r"^\d{2,}:[0-5]\d:[0-5]\d$",
    "hh:mm:ss.fff": r"^\d{2,}:[0-5]\d:[0-5]\d\.\d{3}$",
}
_ROUNDING = {"seconds": 1e-6, "hh:mm:ss": 0.5, "hh:mm:ss.fff": 0.0005}
ANY_FORMAT = "seconds|hh:mm:ss|hh:mm:ss.fff"
_ANY_PATTERN = re.compile(r"^\d{2,}:[0-5]\d:[0-5]\d(\.\d{3})?$")


def to_seconds(value: float | str) -> float:
    """``12.5``, ``"00:00:13"`` or ``"00:00:12.500"`` as float seconds (input already valid)."""
    if isinstance(value, str):
        hours, minutes, seconds = value.split(":")
        return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    return float(value)


def rounding(time_format: str | None) -> float | None:
    """The largest error rounding to ``time_format`` can introduce into one value."""
    return None if time_format is None else _ROUNDING[time_format]


def rounding_of(value: float | str) -> float:
    """The rounding of one written time, judged from how it is written."""
    if not isinstance(value, str):
        return _ROUNDING["seconds"]
    return _ROUNDING["hh:mm:ss.fff" if "." in value else "hh:mm:ss"]


def _any_time(value: Any) -> float | str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _ANY_PATTERN.match(value):
        return value
    raise ValueError("a time must be a number of seconds or an hh:mm:ss[.fff] string")


AnyTime = Annotated[Any, AfterValidator(_any_time)]


def time_type(time_format: str | None) -> Any:
    """The pydantic type of a time written in ``time_format`` (``None``: any of the three)."""
    if time_format is None:
        return AnyTime
    if time_format == "seconds":
        return float
    return Annotated[str, StringConstraints(pattern=PATTERNS[time_format])]
