"""The ledger's compaction step: COMPACT, one script call per settled event, pipelined.

Each event is read whole, its compacted form planned in Python (``compaction.py``: zlib is not
available in Lua), and COMPACT applies the plan only if the event is still handled or settled
at intake (``status.COMPACTABLE``), in the state it was read in, no run holds it and nothing
read has changed; a changed event (a redelivery, a replay in between) is
read and planned again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import redis
from redis.commands.core import Script

from tlhooks.ledger._archive import MARK
from tlhooks.ledger.compaction import Compaction, plan
from tlhooks.ledger.keys import LedgerKeys
from tlhooks.ledger.translation import translate_redis_errors
from tlhooks.status import COMPACTABLE

_COMPACTABLE = ",".join(sorted(COMPACTABLE))

# Reads and plans of one event a compaction may take when the event changes in between.
_ATTEMPTS = 3


class CompactionSteps:
    """Mixed into EventLedger, which registers the COMPACT script."""

    client: redis.Redis
    keys: LedgerKeys
    _compact: Script

    def compact(self, event_id: str) -> str:
        """Compact one handled or intake-settled event; COMPACT's answer (``compacted``,
        ``skipped``, ...)."""
        return next(iter(self.compact_many([event_id])), "missing")

    def compact_many(self, ids: Sequence[str]) -> Counter[str]:
        """Compact the handled and intake-settled ones of ``ids``; how many got each answer:
        ``compacted``, ``skipped`` (in another state, or running), ``missing``, ``changed``
        (kept changing)."""
        answers: Counter[str] = Counter()
        pending = list(dict.fromkeys(ids))
        for _ in range(_ATTEMPTS):
            if not pending:
                break
            replies = self._compact_once(pending)
            answers.update(answer for answer in replies if answer != "changed")
            pending = [i for i, answer in zip(pending, replies, strict=True) if answer == "changed"]
        answers.update({"changed": len(pending)} if pending else {})
        return answers

    def compact_settled(self, chunk: int = 500) -> Counter[str]:
        """Compact every handled or intake-settled event that is not compacted yet (``tlhooks
        ledger compact``); ``already`` counts those that were."""
        answers: Counter[str] = Counter()
        for status in sorted(COMPACTABLE):
            answers.update(self._compact_index(self.keys.by_status(status), chunk))
        return answers

    def _compact_index(self, index: str, chunk: int) -> Counter[str]:
        answers: Counter[str] = Counter()
        start = 0
        while True:
            with translate_redis_errors():
                ids = [str(i) for i in self.client.zrange(index, start, start + chunk - 1)]
                pipe = self.client.pipeline(transaction=False)
                for event_id in ids:
                    pipe.hexists(self.keys.event(event_id), MARK)
                done = pipe.execute()
            if not ids:
                return answers
            start += len(ids)
            answers["already"] += sum(1 for flag in done if flag)
            answers.update(
                self.compact_many([i for i, flag in zip(ids, done, strict=True) if not flag])
            )

    def _compact_once(self, ids: list[str]) -> list[str]:
        keys = self.keys
        with translate_redis_errors():
            pipe = self.client.pipeline(transaction=False)
            for event_id in ids:
                pipe.hgetall(keys.event(event_id))
                pipe.lrange(keys.history(event_id), 0, -1)
                pipe.hgetall(keys.outcomes(event_id))
                pipe.lrange(keys.deliveries(event_id), 0, -1)
            replies: list[Any] = pipe.execute()
            answers: dict[int, str] = {}
            pipe = self.client.pipeline(transaction=False)
            planned: list[int] = []
            for index, event_id in enumerate(ids):
                fields, history, outcomes, deliveries = replies[4 * index : 4 * index + 4]
                if not fields:
                    answers[index] = "missing"
                elif fields.get("status") not in COMPACTABLE:
                    answers[index] = "skipped"
                else:
                    step = plan(fields, history, outcomes, deliveries)
                    self._compact(keys=self._compact_keys(event_id), args=_args(step), client=pipe)
                    planned.append(index)
            for index, answer in zip(planned, pipe.execute(), strict=True):
                answers[index] = str(answer)
        return [answers[index] for index in range(len(ids))]

    def _compact_keys(self, event_id: str) -> list[str]:
        keys = self.keys
        return [
            keys.event(event_id),
            keys.history(event_id),
            keys.outcomes(event_id),
            keys.deliveries(event_id),
            keys.lease(event_id),
            keys.handler_outcomes,
        ]


def _args(step: Compaction) -> list[str | int]:
    args: list[str | int] = [_COMPACTABLE, step.status]
    args += [step.history_length, step.deliveries_length]
    args += [len(step.removed), len(step.outcomes)]
    for pairs in (step.removed, step.outcomes, step.added):
        for name, value in pairs.items():
            args += [name, value]
    return args
