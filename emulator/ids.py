"""Identifiers and timestamps the emulator hands out.

Ids come from one seeded generator, so an emulator started with the same seed and fed the same
requests in the same order returns the same ids. An emulator started without a seed draws a
fresh one (``EmulatorConfig``), so a restart never reuses an id: a receiver would drop a
webhook with a reused notification id as a duplicate. The formats of task and batch ids (24 hex) and
notification ids (``whe_`` + 32) are documented; the ``gen_`` + 16 hex generation id copies the
facts doc's example and is an emulator choice [undoc].
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime

TASK_ID_LENGTH = 24


class IdFactory:
    """Hands out task and notification ids from a seeded sequence."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def task_id(self) -> str:
        return f"{self._rng.getrandbits(96):024x}"

    def batch_id(self) -> str:
        return f"{self._rng.getrandbits(96):024x}"

    def event_id(self) -> str:
        return f"whe_{self._rng.getrandbits(128):032x}"


def derived_rng(seed: int, *parts: str) -> random.Random:
    """A generator that depends only on the seed and the given parts, never on process state."""
    digest = hashlib.sha256(":".join([str(seed), *parts]).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def is_task_id(value: str) -> bool:
    return len(value) == TASK_ID_LENGTH and all(c in "0123456789abcdef" for c in value)


def rfc3339(timestamp: float) -> str:
    """``2026-08-01T09:00:03.123Z``: UTC with milliseconds, as the platform writes times."""
    moment = datetime.fromtimestamp(timestamp, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
