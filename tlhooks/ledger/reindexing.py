"""Building the type, custom_id and handler indexes and the handler counts for events stored
before they existed (``tlhooks ledger reindex``).

Every event in the arrival index goes through REINDEX, one script call per event, pipelined
by chunks: it joins the indexes it is missing from and, unless it counts already, is counted
in ``handler_outcomes``. Running it again changes nothing; running it while receivers and
workers run is safe, since an event counts exactly once (its ``tallied`` field) and every
script that changes an outcome moves the counts of counted events only.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

import redis
from redis.commands.core import Script

from tlhooks.ledger.keys import LedgerKeys
from tlhooks.ledger.translation import translate_redis_errors

_CHUNK = 1000


@dataclass
class ReindexReport:
    """What ``reindex`` found: ``tallied`` events counted now, ``indexed`` ones that counted
    already (their index entries were checked), and ``missing`` ones deleted meanwhile."""

    answers: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.answers.values())

    def to_dict(self) -> dict[str, Any]:
        return {"events": self.total, **{k: self.answers[k] for k in ("tallied", "indexed")}}


class Reindexing:
    """Mixed into EventLedger, which registers the REINDEX script."""

    client: redis.Redis
    keys: LedgerKeys
    _reindex: Script

    def reindex(self, chunk: int = _CHUNK) -> ReindexReport:
        """Index and count every event stored before the indexes existed; idempotent."""
        report = ReindexReport()
        start = 0
        while True:
            with translate_redis_errors():
                ids = [
                    str(i)
                    for i in self.client.zrange(self.keys.all_events, start, start + chunk - 1)
                ]
            if not ids:
                return report
            start += len(ids)
            report.answers.update(self._reindex_chunk(ids))

    def _reindex_chunk(self, ids: list[str]) -> list[str]:
        keys = self.keys
        answers: list[str] = []
        pending = ids
        for _ in range(3):
            with translate_redis_errors():
                pipe = self.client.pipeline(transaction=False)
                for event_id in pending:
                    pipe.hmget(keys.event(event_id), ["handlers", "event_type"])
                found = cast(list[list[str | None]], pipe.execute())
                pipe = self.client.pipeline(transaction=False)
                for event_id, (handlers, event_type) in zip(pending, found, strict=True):
                    names = [str(name) for name in json.loads(handlers or "[]")]
                    event_keys = [keys.event(event_id), keys.outcomes(event_id), keys.all_events]
                    event_keys += [keys.by_type(event_type or ""), keys.custom_ids]
                    event_keys += [keys.handler_outcomes, *keys.handler_indexes(names)]
                    args = [event_id, handlers or "", event_type or ""]
                    self._reindex(keys=event_keys, args=args, client=pipe)
                replies = [str(answer) for answer in pipe.execute()]
            answers += [answer for answer in replies if answer != "changed"]
            pending = [i for i, a in zip(pending, replies, strict=True) if a == "changed"]
            if not pending:
                break
        return answers
