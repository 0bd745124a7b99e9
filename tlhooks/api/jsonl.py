"""BatchResults: ``GET /analyze/batches/{id}/results``, one JSON object a line (facts doc §4).

Read as the platform's SDK reads it: line by line, blank lines skipped, lines that are not a
JSON object with a ``task_id`` dropped, but counted (``skipped``) so a garbled answer is seen.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class BatchResults:
    """The result lines of one batch, in the API's order; ``skipped`` counts garbled lines."""

    items: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0

    @classmethod
    def parse(cls, lines: Iterable[str]) -> BatchResults:
        results = cls()
        for line in lines:
            text = line.strip()
            if not text:
                continue
            try:
                item = json.loads(text)
            except ValueError:
                results.skipped += 1
                continue
            if not isinstance(item, dict) or not isinstance(item.get("task_id"), str):
                results.skipped += 1
                continue
            results.items.append(item)
        return results

    def by_task(self) -> dict[str, dict[str, Any]]:
        return {item["task_id"]: item for item in self.items}
