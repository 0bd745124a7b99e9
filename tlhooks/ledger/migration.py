"""Moving a ledger written before the hash tag (``tlhooks:event:...``) to its current names.

Older tlhooks wrote ``<prefix>:...``; the keys are now ``{<prefix>}:...`` (``keys.py``), so an
upgraded deployment does not see the old records until ``tlhooks ledger migrate`` renames them.
The migration SCANs the old names and, key by key: renames it when the new name is free;
merges a sorted-set index or a task's first-of-kind hash into the new one when both exist (what
was written since the upgrade wins); and leaves any other key whose new name is taken in place,
reported as a conflict. Run again, it finds nothing left to do. Run it once every process of
the old version has stopped; it runs on one Redis server (the old layout never ran on a
cluster, its scripts crossed slots).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import redis

from tlhooks.ledger.keys import LedgerKeys
from tlhooks.ledger.translation import translate_redis_errors


@dataclass
class MigrationReport:
    """What ``migrate_legacy_keys`` did (or, with ``dry_run``, would do)."""

    dry_run: bool
    found: int = 0
    renamed: int = 0
    merged: int = 0
    conflicts: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "found": self.found,
            "renamed": self.renamed,
            "merged": self.merged,
            "conflicts": len(self.conflicts),
            "conflict_keys": self.conflicts[:20],
        }


class LegacyMigration:
    client: redis.Redis
    keys: LedgerKeys

    def legacy_keys_present(self) -> bool:
        """True when an older tlhooks' indexes are in Redis: ``tlhooks ledger migrate`` is due."""
        names = [f"{self.keys.prefix}:events", f"{self.keys.prefix}:unsettled"]
        with translate_redis_errors():
            return bool(self.client.exists(*names))

    def migrate_legacy_keys(self, *, dry_run: bool = False, count: int = 1000) -> MigrationReport:
        """Rename every legacy ledger key to its current name; idempotent. See the module."""
        report = MigrationReport(dry_run)
        with translate_redis_errors():
            for key in self.client.scan_iter(match=self.keys.legacy_pattern, count=count):
                target = self.keys.from_legacy(str(key))
                if target is not None:
                    report.found += 1
                    self._migrate_one(str(key), target, report)
        return report

    def _migrate_one(self, key: str, target: str, report: MigrationReport) -> None:
        if not self.client.exists(target):
            if not report.dry_run:
                self.client.renamenx(key, target)
            report.renamed += 1
            return
        kind = str(self.client.type(key))
        if kind != str(self.client.type(target)) or not _mergeable(target, kind):
            report.conflicts.append(key)
            return
        report.merged += 1
        if report.dry_run:
            return
        pipe = self.client.pipeline(transaction=True)
        if kind == "zset":
            entries = cast(list[tuple[str, float]], self.client.zrange(key, 0, -1, withscores=True))
            if entries:
                pipe.zadd(target, dict(entries), nx=True)
        else:
            for name, value in self.client.hgetall(key).items():
                pipe.hsetnx(target, name, value)
        pipe.delete(key)
        pipe.execute()


def _mergeable(target: str, kind: str) -> bool:
    """Indexes (sorted sets) and a task's first-of-kind hash merge; records never do."""
    if kind == "zset":
        return True
    parts = target.split(":")
    return kind == "hash" and len(parts) == 3 and parts[1] == "task"
