"""What an event keeps of its task's result once it is handled (``TLHOOKS_SETTLED_RESULTS``).

Segment results run to hundreds of KB, and Redis holds every event until retention expires it,
so by default (``drop``) a handled event keeps only a digest of its result: its size, SHA-256,
finish reason and generation id. The platform keeps results for 30 days, so a replay simply
fetches the task again (a replayed event with no stored task starts at the fetch stage). With
``keep`` the whole task stays until retention. Dead, invalid and truncated events always keep
their task: that is what ops look at and replay.

Compression is no middle way: with ``keep`` a compacted event (``TLHOOKS_COMPACT_HANDLED``)
holds its task zlib-compressed, but a real segment result compressed is still tens of KB, far
above the ~1.9 KB a compacted handled event otherwise costs (docs/deploy.md, "Capacity").
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from tlhooks.analysis import AnalyzeTask
from tlhooks.status import EventStatus

SettledResults = Literal["drop", "keep"]


def settled_fields(
    policy: SettledResults, status: EventStatus, task: AnalyzeTask
) -> dict[str, Any]:
    """The fields to write with the move to ``status``: none, or the task dropped for a digest."""
    if policy == "keep" or status is not EventStatus.HANDLED:
        return {}
    return {"task": None, "result_digest": digest(task)}


def digest(task: AnalyzeTask) -> dict[str, Any]:
    """Enough to recognise the result again: its size, hash, finish reason and generation."""
    result = task.result
    if result is None:
        return {"status": task.status.value, "result": None}
    data = result.data.encode()
    return {
        "status": task.status.value,
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "finish_reason": result.finish_reason,
        "generation_id": result.generation_id,
    }
