"""Moving a ledger written before the hash tag to its current key names, on a real Redis."""

from __future__ import annotations

import json

import pytest
import redis
from click.testing import CliRunner

from tests.support.processes import RedisServer
from tlhooks.ledger import EventLedger
from tlhooks.status import EventStatus
from tlhooks_cli.main import main

FIELDS = {"event_type": "analyze.task.ready", "task_id": "t1", "handlers": ["h"]}


def written_by_an_older_tlhooks(client: redis.Redis) -> None:
    """An old ledger: one handled event, its task, its indexes, under ``tlhooks:``."""
    client.hset(
        "tlhooks:event:old",
        mapping={
            **FIELDS,
            "handlers": '["h"]',
            "status": "handled",
            "received_at": 1.0,
            "updated_at": 2.0,
        },
    )
    client.rpush("tlhooks:event:old:history", json.dumps({"status": "handled", "at": 2.0}))
    client.hset("tlhooks:task:t1", "ready", "old")
    client.zadd("tlhooks:events", {"old": 1.0})
    client.zadd("tlhooks:status:handled", {"old": 2.0})
    client.set("tlhooks:unrelated-thing", "x")  # not a ledger kind: left alone


def test_legacy_keys_are_renamed_and_the_old_event_is_found_again(
    ledger: EventLedger, redis_client: redis.Redis
) -> None:
    written_by_an_older_tlhooks(redis_client)
    assert ledger.get("old") is None
    assert ledger.legacy_keys_present()

    report = ledger.migrate_legacy_keys()

    assert (report.found, report.renamed, report.merged, report.conflicts) == (5, 5, 0, [])
    event = ledger.require("old")
    assert event.status is EventStatus.HANDLED
    assert ledger.count_in_status(EventStatus.HANDLED) == 1
    assert not ledger.legacy_keys_present()
    assert redis_client.get("tlhooks:unrelated-thing") == "x"


def test_a_second_migration_finds_nothing_left(
    ledger: EventLedger, redis_client: redis.Redis
) -> None:
    written_by_an_older_tlhooks(redis_client)
    ledger.migrate_legacy_keys()

    again = ledger.migrate_legacy_keys()

    assert (again.found, again.renamed, again.merged) == (0, 0, 0)


def test_a_dry_run_counts_and_changes_nothing(
    ledger: EventLedger, redis_client: redis.Redis
) -> None:
    written_by_an_older_tlhooks(redis_client)

    report = ledger.migrate_legacy_keys(dry_run=True)

    assert (report.found, report.renamed) == (5, 5)
    assert ledger.get("old") is None
    assert redis_client.exists("tlhooks:event:old") == 1


def test_indexes_written_since_the_upgrade_are_merged_and_a_taken_record_is_kept(
    ledger: EventLedger, redis_client: redis.Redis
) -> None:
    written_by_an_older_tlhooks(redis_client)
    redis_client.hset("tlhooks:event:new", mapping={"status": "handled"})
    ledger.accept(event_id="new", kind="failed", requested=EventStatus.RECEIVED, fields=FIELDS)

    report = ledger.migrate_legacy_keys()

    assert report.conflicts == ["tlhooks:event:new"]  # the current record is not overwritten
    assert report.merged >= 2  # all-events index and the task's first-of-kind hash
    assert set(ledger.arrival_ids()) == {"old", "new"}
    assert redis_client.hgetall(ledger.keys.task("t1")) == {"ready": "old", "failed": "new"}
    assert ledger.require("new").status is EventStatus.RECEIVED  # kept as written since


def test_the_migrate_command_reports_counts_as_json(
    redis_client: redis.Redis, redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    written_by_an_older_tlhooks(redis_client)
    env = {"TLHOOKS_REDIS_URL": redis_server.url}

    dry = CliRunner().invoke(main, ["ledger", "migrate", "--dry-run", "--json"], env=env)
    done = CliRunner().invoke(main, ["ledger", "migrate"], env=env)

    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["renamed"] == 5
    assert done.exit_code == 0, done.output
    assert "5 legacy keys found; renamed 5" in done.output
