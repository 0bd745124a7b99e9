"""Benchmark: validating a 98,304-token segments result, ours against plain ``jsonschema``.

    python -m bench.validation

Builds a result of about 400 KB (several definitions using every field type), then times
``validate_task`` (the schema is compiled once and cached, as in the worker) and, in the same
run, ``json.loads`` plus a compiled Draft 2020-12 ``jsonschema`` validator over an equivalent
JSON Schema. Prints medians and the ratio; asserts nothing about time.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator

from tlhooks.analysis import AnalyzeTask
from tlhooks.validation import validate_task
from tlhooks.validation.timecodes import PATTERNS

TARGET_BYTES = 400_000
RUNS = 15
FIELDS: list[dict[str, Any]] = [
    {"name": "title", "type": "string", "description": "Short headline"},
    {
        "name": "activity",
        "type": "string",
        "description": "Main activity",
        "enum": ["feeding", "eating", "resting", "playing", "other"],
    },
    {"name": "people_count", "type": "integer", "description": "People visible"},
    {"name": "outdoor", "type": "boolean", "description": "Outdoor area"},
    {"name": "confidence", "type": "number", "description": "0-1 confidence"},
    {
        "name": "tags",
        "type": "array",
        "description": "Visible objects",
        "items": {"type": "string"},
    },
    {"name": "peak", "type": "timestamp", "description": "Peak moment", "format": "hh:mm:ss.fff"},
    {"name": "cue", "type": "timestamp", "description": "Cue", "format": "seconds"},
]
DEFINITIONS = [
    {"id": name, "description": f"{name} intervals", "fields": FIELDS}
    for name in ("scene", "sponsor_logo", "speaker", "crowd")
]
WORDS = [
    *("keeper", "bucket", "leopard", "meat", "rocks", "tree"),
    *("water", "crowd", "logo", "banner", "child", "camera"),
]


def clock(seconds: float) -> str:
    millis = round(seconds * 1000)
    whole, fraction = divmod(millis, 1000)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}.{fraction:03d}"


def build_data(rng: random.Random) -> str:
    data: dict[str, list[dict[str, Any]]] = {d["id"]: [] for d in DEFINITIONS}
    cursors = dict.fromkeys(data, 0.0)
    size = 0
    while size < TARGET_BYTES:
        for identifier, segments in data.items():
            start = cursors[identifier]
            end = round(start + rng.uniform(2, 20), 3)
            cursors[identifier] = end
            item = {
                "start_time": start,
                "end_time": end,
                "metadata": {
                    "title": " ".join(rng.sample(WORDS, 3)),
                    "activity": rng.choice(FIELDS[1]["enum"]),
                    "people_count": rng.randint(0, 30),
                    "outdoor": rng.random() < 0.5,
                    "confidence": round(rng.random(), 3),
                    "tags": rng.sample(WORDS, rng.randint(1, 4)),
                    "peak": clock(rng.uniform(start, end)),
                    "cue": round(rng.uniform(start, end), 3),
                },
            }
            segments.append(item)
            size += len(json.dumps(item)) + 1
    return json.dumps(data)


def equivalent_json_schema() -> dict[str, Any]:
    def field(spec: dict[str, Any]) -> dict[str, Any]:
        if spec["type"] == "timestamp":
            if spec["format"] == "seconds":
                return {"type": "number"}
            return {"type": "string", "pattern": PATTERNS[spec["format"]]}
        if spec["type"] == "array":
            return {"type": "array", "items": spec["items"]}
        return {"type": spec["type"], **({"enum": spec["enum"]} if "enum" in spec else {})}

    metadata = {
        "type": "object",
        "properties": {f["name"]: field(f) for f in FIELDS},
        "required": [f["name"] for f in FIELDS],
    }
    segment = {
        "type": "object",
        "properties": {
            "start_time": {"type": "number"},
            "end_time": {"type": "number"},
            "metadata": metadata,
        },
        "required": ["start_time", "end_time", "metadata"],
    }
    return {
        "type": "object",
        "properties": {d["id"]: {"type": "array", "items": segment} for d in DEFINITIONS},
    }


def median_ms(action: Callable[[], object], runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


def make_task(data: str) -> AnalyzeTask:
    return AnalyzeTask.model_validate(
        {
            "task_id": "bench",
            "status": "ready",
            "video_source": {"type": "asset_id", "system_metadata": {"duration": 7200.0 * 4}},
            "request_params": {
                "analysis_mode": "time_based_metadata",
                "min_segment_duration": 2.0,
                "max_segment_duration": 60.0,
                "response_format": {
                    "type": "segment_definitions",
                    "segment_definitions": DEFINITIONS,
                    "segment_time_format": "seconds",
                },
            },
            "result": {"data": data, "finish_reason": "stop", "usage": {"output_tokens": 98304}},
        }
    )


def main() -> None:
    data = build_data(random.Random(7))
    task = make_task(data)
    count = sum(len(v) for v in json.loads(data).values())
    began = time.perf_counter()
    first = validate_task(task)
    cold = (time.perf_counter() - began) * 1000
    assert first.valid, first.errors[:3]
    ours = median_ms(lambda: validate_task(task))

    validator = Draft202012Validator(equivalent_json_schema())
    parsed = json.loads(data)
    assert validator.is_valid(parsed)
    theirs = median_ms(lambda: list(validator.iter_errors(json.loads(data))), runs=5)
    theirs_only = median_ms(lambda: list(validator.iter_errors(parsed)), runs=5)

    broken = json.loads(data)
    broken["scene"][len(broken["scene"]) // 2]["metadata"]["people_count"] = "many"
    slow_task = make_task(json.dumps(broken))
    slow = median_ms(lambda: validate_task(slow_task), runs=5)

    print(
        f"result: {len(data) / 1000:.0f} KB, {count} segments, {len(DEFINITIONS)} definitions, "
        f"{len(FIELDS)} fields each (every type and timestamp format)"
    )
    print(f"validate_task, first call (compile + validate): {cold:8.1f} ms")
    print(f"validate_task, median of {RUNS} (fast path):        {ours:8.1f} ms   (target < 50 ms)")
    print(f"validate_task, one bad segment (detailed path):   {slow:8.1f} ms")
    print(f"jsonschema Draft202012, json.loads + iter_errors: {theirs:8.1f} ms")
    print(f"jsonschema Draft202012, iter_errors only:         {theirs_only:8.1f} ms")
    print(f"ratio jsonschema / ours: {theirs / ours:.1f}x   (target >= 10x)")


if __name__ == "__main__":
    main()
