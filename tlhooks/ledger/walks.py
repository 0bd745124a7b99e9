"""Index walks for ops: sizes, chunked reads and membership checks that never read a record.

Mixed into EventLedger. A list or a count (``tlhooks.ops.listing``) picks the narrowest index
by its size, walks it in chunks and checks the other indexes with ``ZMSCORE``; only the ids
that pass are read, and only the few fields a filter needs (``filter_fields``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import cast

import redis
from redis.commands.core import Script

from tlhooks.ledger.keys import LedgerKeys, split_custom_member
from tlhooks.ledger.translation import translate_redis_errors
from tlhooks.status import EventStatus

Bound = float | str  # a score, or '-inf' / '+inf'

# The fields a filter reads from an event's hash (tlhooks.ops.selection.EventFacts).
FILTER_FIELDS = (
    "status",
    "event_type",
    "custom_id",
    "task_id",
    "handlers",
    "received_at",
    "last_error",
    "deliveries",
    "reused_deliveries",
)

_READ_CHUNK = 1000


def prefix_range(prefix: str) -> tuple[bytes, bytes]:
    """ZRANGEBYLEX bounds of every member that starts with ``prefix`` (UTF-8 never holds 0xFF)."""
    start = b"[" + prefix.encode()
    return start, start + b"\xff"


class IndexWalks:
    """Mixed into EventLedger, which registers the READ_FIELDS script."""

    client: redis.Redis
    keys: LedgerKeys
    _read_fields: Script

    def arrival_counts(self, keys: Sequence[str], since: Bound, until: Bound) -> list[int]:
        """How many ids of each arrival-scored index arrived between ``since`` and ``until``."""
        with translate_redis_errors():
            pipe = self.client.pipeline(transaction=False)
            for key in keys:
                pipe.zcount(key, since, until)
            return [int(n) for n in pipe.execute()]

    def status_total(self, statuses: Iterable[EventStatus]) -> int:
        """How many events are in any of ``statuses`` (the indexes' cardinalities)."""
        with translate_redis_errors():
            pipe = self.client.pipeline(transaction=False)
            for status in statuses:
                pipe.zcard(self.keys.by_status(status))
            return sum(int(n) for n in pipe.execute())

    def custom_id_count(self, prefix: str) -> int:
        """How many events have a custom_id that starts with ``prefix``."""
        with translate_redis_errors():
            return int(self.client.zlexcount(self.keys.custom_ids, *prefix_range(prefix)))

    def walk_arrivals(
        self, key: str, since: Bound, until: Bound, chunk: int
    ) -> Iterator[list[tuple[str, float]]]:
        """``(id, arrival)`` chunks of an arrival-scored index, newest first.

        The cursor is the last score seen (and how many ids at that score were taken), so a
        chunk costs the same deep in the index as at its head.
        """
        top: Bound = until
        skip = 0
        while True:
            with translate_redis_errors():
                found = cast(
                    list[tuple[str, float]],
                    self.client.zrevrangebyscore(
                        key, top, since, start=skip, num=chunk, withscores=True
                    ),
                )
            if not found:
                return
            yield [(str(i), float(score)) for i, score in found]
            last = float(found[-1][1])
            same = sum(1 for _, score in found if float(score) == last)
            skip = skip + same if top == last else same
            top = last
            if len(found) < chunk:
                return

    def walk_statuses(self, statuses: Iterable[EventStatus], chunk: int) -> Iterator[list[str]]:
        """Chunks of the ids in any of ``statuses``, in no useful order."""
        for status in statuses:
            start = 0
            while True:
                with translate_redis_errors():
                    ids = self.client.zrange(self.keys.by_status(status), start, start + chunk - 1)
                if not ids:
                    break
                start += len(ids)
                yield [str(i) for i in ids]

    def walk_custom_ids(self, prefix: str, chunk: int) -> Iterator[list[tuple[str, str]]]:
        """Chunks of ``(custom_id, event_id)`` whose custom_id starts with ``prefix``, by
        custom_id."""
        low, high = prefix_range(prefix)
        while True:
            with translate_redis_errors():
                found = self.client.zrangebylex(self.keys.custom_ids, low, high, start=0, num=chunk)
            if not found:
                return
            members = [str(member) for member in found]
            yield [split_custom_member(member) for member in members]
            low = b"(" + members[-1].encode()
            if len(found) < chunk:
                return

    def scores_in(self, key: str, ids: Sequence[str]) -> list[float | None]:
        """Each id's score in ``key`` (its arrival, for an arrival index), None when absent."""
        if not ids:
            return []
        with translate_redis_errors():
            scores = self.client.zmscore(key, list(ids))
        return [None if s is None else float(s) for s in scores]

    def filter_fields(
        self, ids: Sequence[str], names: Sequence[str] = FILTER_FIELDS
    ) -> list[dict[str, str | None]]:
        """Fields ``names`` of each id (empty for an id no longer stored), in one READ_FIELDS
        call per chunk of ids."""
        found: list[dict[str, str | None]] = []
        for start in range(0, len(ids), _READ_CHUNK):
            chunk = ids[start : start + _READ_CHUNK]
            with translate_redis_errors():
                replies = self._read_fields(
                    keys=[self.keys.event(i) for i in chunk], args=list(names)
                )
            found += [dict(zip(names, values, strict=True)) if values else {} for values in replies]
        return found

    def handler_outcome_counts(self) -> dict[str, dict[str, int]]:
        """handler -> outcome state -> how many events, from the counts the scripts keep."""
        with translate_redis_errors():
            counts = self.client.hgetall(self.keys.handler_outcomes)
        by_handler: dict[str, dict[str, int]] = {}
        for field, number in counts.items():
            state, _, handler = str(field).partition(":")
            if int(number):
                by_handler.setdefault(handler, {})[state] = int(number)
        return {name: by_handler[name] for name in sorted(by_handler)}
