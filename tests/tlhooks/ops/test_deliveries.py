"""Redelivered and reused notification ids: found by `events list`, itemised by `events show`."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from tests.support.processes import RedisServer
from tlhooks.ledger import EventLedger
from tlhooks.status import EventStatus
from tlhooks_cli import main


def deliver(ledger: EventLedger, event_id: str, body_hash: str, task: str) -> None:
    ledger.accept(
        event_id=event_id,
        kind="ready",
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": task, "body": body_hash},
        body_sha256=body_hash,
    )


def cli(redis_server: RedisServer, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"TLHOOKS_REDIS_URL": redis_server.url})


def listed(redis_server: RedisServer, *flags: str) -> list[str]:
    result = cli(redis_server, "events", "list", "--json", *flags)
    assert result.exit_code == 0, result.output
    return sorted(row["event_id"] for row in json.loads(result.output))


def test_list_finds_redelivered_and_reused_ids_and_show_lists_each_delivery(
    ledger: EventLedger, redis_server: RedisServer
) -> None:
    deliver(ledger, "once", "a", "t1")
    deliver(ledger, "twice", "b", "t2")
    deliver(ledger, "twice", "b", "t2")
    deliver(ledger, "reused", "c", "t3")
    deliver(ledger, "reused", "d", "t3")

    assert listed(redis_server) == ["once", "reused", "twice"]
    assert listed(redis_server, "--redelivered") == ["reused", "twice"]
    assert listed(redis_server, "--reused-id") == ["reused"]

    shown = cli(redis_server, "events", "show", "reused", "--json")
    assert shown.exit_code == 0, shown.output
    (detail,) = json.loads(shown.output)
    assert detail["body"] == "c"
    assert detail["deliveries"] == 2
    assert detail["reused_deliveries"] == 1
    log = detail["delivery_log"]
    assert [(d["body_sha256"], d["same"]) for d in log] == [("c", True), ("d", False)]
    assert all(d["at_iso"] for d in log)

    table = cli(redis_server, "events", "list", "--reused-id")
    assert "REUSED_DELIVERIES" in table.output


def test_the_delivery_log_of_an_id_delivered_without_end_stays_bounded(
    ledger: EventLedger,
) -> None:
    for _ in range(150):
        deliver(ledger, "flooded", "a", "t1")

    record = ledger.require("flooded")
    assert record.deliveries == 150
    assert len(record.delivery_log) == 100
