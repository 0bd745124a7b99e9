"""ResultGenerator: how a task ends: its result text, usage, truncation or failure.

Everything here is a function of the emulator's seed and the task id, so the same seed yields
the same results. Video durations are derived from the seed and the video's identity (60 to
600 s) [undoc: the emulator does not download videos].
"""

from __future__ import annotations

import json
import random
from typing import Any

from emulator.documents import WORDS, DocumentGenerator
from emulator.ids import derived_rng
from emulator.request import TIME_BASED_METADATA, TaskRequest
from emulator.segments import SegmentWriter
from emulator.task import Outcome, Task
from tlhooks.analysis import TaskStatus

TRUNCATION_MESSAGE = (
    "output truncated: the generation reached the configured max_tokens. The partial output is "
    "returned; raise max_tokens (up to 98304) if you need a longer response."
)
FAILURE_MESSAGES = (
    "Video duration exceeds maximum allowed duration",
    "The video could not be downloaded from the provided URL.",
    "The video could not be decoded; re-encode it with a supported codec.",
    "An internal error occurred while analyzing the video; please retry the request.",
)
_TOKENS_PER_SECOND = 400


def video_duration(seed: int, request: TaskRequest) -> float:
    return round(derived_rng(seed, "duration", request.video_key()).uniform(60, 600), 1)


class ResultGenerator:
    """Fills in ``result``, ``error`` and the terminal status of a finishing task."""

    def __init__(self, seed: int) -> None:
        self._seed = seed

    def complete(
        self,
        task: Task,
        *,
        data: str | None = None,
        error_message: str | None = None,
    ) -> None:
        rng = derived_rng(self._seed, "result", task.task_id)
        if task.outcome is Outcome.FAILED:
            task.status = TaskStatus.FAILED
            task.result = None
            task.error_message = error_message or rng.choice(FAILURE_MESSAGES)
            return
        truncated = task.outcome is Outcome.TRUNCATED
        text = data if data is not None else render(task, rng)
        if truncated and data is None:
            text = text[: max(1, len(text) // 2)]
        max_tokens = task.request.max_tokens
        output_tokens = max_tokens if truncated else max(1, min(max_tokens - 1, len(text) // 4))
        prompt = task.request.prompt or ""
        input_tokens = int(task.duration * _TOKENS_PER_SECOND) + len(prompt) // 4
        task.result = {
            "generation_id": f"gen_{rng.getrandbits(64):016x}",
            "data": text,
            "finish_reason": "length" if truncated else "stop",
            "usage": {"output_tokens": output_tokens, "input_tokens": input_tokens},
        }
        task.error_message = (error_message or TRUNCATION_MESSAGE) if truncated else None
        task.status = TaskStatus.READY


def render(task: Task, rng: random.Random) -> str:
    """The full, untruncated ``result.data`` string for a task."""
    request = task.request
    if request.analysis_mode == TIME_BASED_METADATA:
        return _compact(SegmentWriter(rng, request, task.duration).build())
    if request.json_schema is not None:
        return _compact(DocumentGenerator(rng, request.json_schema, task.duration).build())
    return _prose(rng, task.duration)


def _prose(rng: random.Random, duration: float) -> str:
    sentences = []
    for _ in range(rng.randint(3, 6)):
        first, second = rng.sample(WORDS, 2)
        at = rng.uniform(0, duration)
        sentences.append(f"At {at:.0f} seconds the {first} is seen near the {second}.")
    return f"The {duration:.0f}-second video shows a zoo enclosure. " + " ".join(sentences)


def _compact(document: Any) -> str:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)
