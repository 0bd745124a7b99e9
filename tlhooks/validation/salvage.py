"""Salvage from a segments result cut mid-JSON: every segment that was complete before the cut.

A ``finish_reason: "length"`` result may stop anywhere (facts doc §3), e.g. ``{"scene":
[{...}, {"start_time": 31.0, "metad``. The scanner walks the top-level object by hand and
lets ``json`` decode one whole segment at a time, so a segment counts only if its closing
brace was written. The longest valid prefix is therefore, for each definition id, the
segments parsed before the cut. It never raises, whatever the cut point.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


class _Cut(Exception):
    """The text ended, or stopped being the expected shape, at this point."""


def salvage_segments(text: str) -> dict[str, list[Any]]:
    """Each definition id seen before the cut, mapped to its complete segments (raw JSON)."""
    found: dict[str, list[Any]] = {}
    with contextlib.suppress(_Cut, ValueError, RecursionError):
        _scan_document(text, found)
    return found


def _scan_document(text: str, found: dict[str, list[Any]]) -> None:
    position = _expect(text, _skip(text, 0), "{")
    while True:
        position = _skip(text, position)
        if text.startswith("}", position):
            return
        key, position = _DECODER.raw_decode(text, position)
        if not isinstance(key, str):
            raise _Cut
        position = _skip(text, _expect(text, _skip(text, position), ":"))
        if text.startswith("[", position):
            position = _scan_segments(text, position + 1, found.setdefault(key, []))
        else:
            value, position = _decoder_before_delimiter(text, position)
            found[key] = value
        position = _skip(text, position)
        if not text.startswith(",", position):
            return
        position += 1


def _scan_segments(text: str, position: int, segments: list[Any]) -> int:
    while True:
        position = _skip(text, position)
        if text.startswith("]", position):
            return position + 1
        if text.startswith("{", position):
            segment, position = _DECODER.raw_decode(text, position)
            segments.append(segment)
        else:
            item, position = _decoder_before_delimiter(text, position)
            segments.append(item)
        position = _skip(text, position)
        if text.startswith("]", position):
            return position + 1
        position = _expect(text, position, ",")


def _decoder_before_delimiter(text: str, position: int) -> tuple[Any, int]:
    """A scalar counts only when a delimiter follows: ``12`` may be the start of ``125``."""
    value, end = _DECODER.raw_decode(text, position)
    following = _skip(text, end)
    if following >= len(text) or text[following] not in ",]}":
        raise _Cut
    return value, end


def _skip(text: str, position: int) -> int:
    match = _SPACE.match(text, position)
    return match.end() if match else position


def _expect(text: str, position: int, token: str) -> int:
    if not text.startswith(token, position):
        raise _Cut
    return position + len(token)
