"""``tlhooks events`` and ``tlhooks ledger reindex`` on a real Redis: an upgraded ledger is
indexed by the reindex, and a list or count that stops at the cap says so."""

from __future__ import annotations

import json

import pytest
import redis
from click.testing import CliRunner

from tests.support.ledger_truth import assert_indexes_agree
from tests.support.processes import RedisServer
from tests.tlhooks.test_migration import written_by_an_older_tlhooks
from tlhooks.ledger import EventLedger
from tlhooks.ledger.intake import Arrival
from tlhooks.status import EventStatus
from tlhooks_cli.main import main


@pytest.fixture
def env(redis_server: RedisServer) -> dict[str, str]:
    return {"TLHOOKS_REDIS_URL": redis_server.url, "TLHOOKS_OPS_SCAN_CAP": "1000"}


def test_an_upgraded_ledger_is_listed_by_handler_after_migrate_and_reindex(
    ledger: EventLedger, redis_client: redis.Redis, env: dict[str, str]
) -> None:
    written_by_an_older_tlhooks(redis_client)
    assert CliRunner().invoke(main, ["ledger", "migrate"], env=env).exit_code == 0
    before = CliRunner().invoke(main, ["events", "list", "--handler", "h", "--count"], env=env)

    done = CliRunner().invoke(main, ["ledger", "reindex", "--json"], env=env)
    again = CliRunner().invoke(main, ["ledger", "reindex"], env=env)
    after = CliRunner().invoke(main, ["events", "list", "--handler", "h", "--count"], env=env)
    stats = CliRunner().invoke(main, ["events", "stats", "--json"], env=env)

    assert before.output.strip() == "0"
    assert json.loads(done.output) == {"events": 1, "tallied": 1, "indexed": 0}
    assert "0 indexed and counted now, 1 counted already" in again.output
    assert after.output.strip() == "1"
    assert json.loads(stats.output)["by_handler"] == {"h": {"pending": 1}}
    assert_indexes_agree(ledger)


def test_a_count_or_list_that_stops_at_the_cap_says_so(
    ledger: EventLedger, env: dict[str, str]
) -> None:
    fields = {"event_type": "analyze.task.ready", "handlers": ["h"], "last_error": "HTTP 503"}
    ledger.accept_many(
        [
            Arrival(f"e{n}", None, EventStatus.DEAD, {**fields, "task_id": f"t{n}"}, now=n)
            for n in range(1200)
        ]
    )
    exact = CliRunner().invoke(main, ["events", "list", "--status", "dead", "--count"], env=env)
    bound = CliRunner().invoke(main, ["events", "list", "--error", "503", "--count"], env=env)
    listed = CliRunner().invoke(main, ["events", "list", "--error", "nothing"], env=env)
    deep = CliRunner().invoke(main, ["events", "list", "--page", "21"], env=env)

    assert (exact.exit_code, exact.output) == (0, "1200\n")
    assert bound.exit_code == 0
    assert bound.stdout == "at least 1000\n"
    assert "A bound, not an exact count: 1,000 of 1,200 candidate events" in bound.stderr
    assert "about 1,200 in all" in bound.stderr
    assert listed.exit_code == 1
    assert "Stopped after examining 1,000 events" in listed.stderr
    assert deep.exit_code == 2
    assert "goes past the 1,000 newest matches" in deep.output
