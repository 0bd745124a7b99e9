"""How the emulator writes times inside results: ``seconds``, ``hh:mm:ss`` or ``hh:mm:ss.fff``.

``seconds`` is a JSON number; ``hh:mm:ss`` is rounded to the nearest second; negative values
render as ``00:00:00`` (facts doc §3).
"""

from __future__ import annotations

TIME_FORMATS = ("seconds", "hh:mm:ss", "hh:mm:ss.fff")


def format_time(seconds: float, time_format: str = "seconds") -> float | str:
    if time_format == "seconds":
        return round(seconds, 3)
    value = max(0.0, seconds)
    if time_format == "hh:mm:ss":
        whole = round(value)
        return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    millis = round(value * 1000)
    whole, fraction = divmod(millis, 1000)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}.{fraction:03d}"
