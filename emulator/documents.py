"""Documents that satisfy a response_format JSON schema (the §6 subset), from a seeded generator.

Covers the basic types, ``const`` / ``enum``, ``anyOf`` (first branch), ``$ref`` into ``$defs``,
integer and number bounds, ``minItems``, the four string formats and ``timestamp``. ``pattern``
is not honoured: the emulator writes plain words.
"""

from __future__ import annotations

import math
import random
import uuid
from typing import Any

from emulator.timeformat import format_time

WORDS = (
    "keeper", "enclosure", "leopard", "visitor", "feeding", "rocks", "shade", "water",
    "bucket", "fence", "keeper walks in", "animal rests", "crowd gathers", "sunny", "gate",
)  # fmt: skip
_MAX_DEPTH = 8


class DocumentGenerator:
    """Builds one instance of a schema; ``duration`` bounds the timestamps it invents."""

    def __init__(self, rng: random.Random, root: dict[str, Any], duration: float) -> None:
        self._rng = rng
        self._root = root
        self._duration = duration

    def build(self) -> Any:
        return self._instance(self._root, 0)

    def _instance(self, schema: Any, depth: int) -> Any:
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return None
        if "$ref" in schema:
            return self._instance(self._resolve(str(schema["$ref"])), depth + 1)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return self._rng.choice(schema["enum"])
        if isinstance(schema.get("anyOf"), list) and schema["anyOf"]:
            return self._instance(schema["anyOf"][0], depth + 1)
        kind = schema.get("type", "object")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        return self._typed(str(kind), schema, depth)

    def _typed(self, kind: str, schema: dict[str, Any], depth: int) -> Any:
        rng = self._rng
        if kind == "object":
            return self._object(schema, depth)
        if kind == "array":
            count = max(int(schema.get("minItems", 0)), rng.randint(1, 3))
            return [self._instance(schema.get("items", {}), depth + 1) for _ in range(count)]
        if kind in ("integer", "number"):
            return self._number(kind, schema)
        if kind == "boolean":
            return rng.random() < 0.5
        if kind == "timestamp":
            seconds = rng.uniform(0, self._duration)
            return format_time(seconds, str(schema.get("format", "seconds")))
        if kind == "string":
            return self._string(schema)
        return None

    def _number(self, kind: str, schema: dict[str, Any]) -> int | float:
        if kind == "integer":
            low, high = _integer_bounds(schema)
            return self._rng.randint(low, high)
        low_f, high_f = schema.get("minimum"), schema.get("maximum")
        if low_f is None:
            low_f = 0.0 if high_f is None or high_f >= 0 else float(high_f) - 1.0
        high_f = float(low_f) + 1.0 if high_f is None else high_f
        value = round(self._rng.uniform(float(low_f), max(float(low_f), float(high_f))), 3)
        return min(max(value, float(low_f)), float(high_f))

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        names = list(properties)
        required = [n for n in names if n in (schema.get("required") or [])]
        if names and required and names[0] not in required:
            names.remove(required[0])
            names.insert(0, required[0])
        return {name: self._instance(properties[name], depth + 1) for name in names}

    def _string(self, schema: dict[str, Any]) -> str:
        string_format = schema.get("format")
        if string_format == "uuid":
            return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        if string_format == "date-time":
            return f"2026-08-01T{self._rng.randint(0, 23):02d}:{self._rng.randint(0, 59):02d}:00Z"
        if string_format == "date":
            return f"2026-08-{self._rng.randint(1, 28):02d}"
        if string_format == "time":
            return f"{self._rng.randint(0, 23):02d}:{self._rng.randint(0, 59):02d}:00"
        return " ".join(self._rng.sample(WORDS, 2))

    def _resolve(self, reference: str) -> Any:
        prefix = "#/$defs/"
        if not reference.startswith(prefix):
            return {}
        return (self._root.get("$defs") or {}).get(reference[len(prefix) :], {})


def _integer_bounds(schema: dict[str, Any]) -> tuple[int, int]:
    """The inclusive range an integer schema allows; 100 wide when one side is open."""
    low = schema.get("minimum")
    if low is None and "exclusiveMinimum" in schema:
        low = math.floor(schema["exclusiveMinimum"]) + 1
    high = schema.get("maximum")
    if high is None and "exclusiveMaximum" in schema:
        high = math.ceil(schema["exclusiveMaximum"]) - 1
    if low is None:
        low = 0 if high is None or high >= 0 else int(high) - 100
    low = math.ceil(low)
    high = low + 100 if high is None else math.floor(high)
    return low, max(low, high)
