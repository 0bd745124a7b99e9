"""``tlhooks batches``: tables and JSON on a real Redis, and its usage errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.support.batches import BATCH_ID, TASKS, a_batch_in_every_state
from tests.support.processes import RedisServer
from tlhooks.ledger import EventLedger
from tlhooks_cli.main import main


@pytest.fixture
def env(redis_server: RedisServer) -> dict[str, str]:
    return {
        "TLHOOKS_REDIS_URL": redis_server.url,
        "TLHOOKS_API_KEY": "k",
        "TLHOOKS_API_BASE_URL": "http://127.0.0.1:9/v1.3",  # nothing answers: nothing is sent
    }


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


def test_list_prints_a_table_and_json_with_the_counts(
    ledger: EventLedger, env: dict[str, str]
) -> None:
    a_batch_in_every_state(ledger)

    code, table = run(env, "batches", "list")
    json_code, raw = run(env, "batches", "list", "--json")

    assert code == 0
    assert table.splitlines()[0].split()[:4] == ["BATCH_ID", "STATUS", "SUBMITTED", "EXPIRES_AT"]
    assert BATCH_ID in table
    assert json_code == 0
    assert json.loads(raw)["batches"][0]["counts"]["webhook"] == 3


def test_show_prints_every_item_and_json_has_them_too(
    ledger: EventLedger, env: dict[str, str]
) -> None:
    a_batch_in_every_state(ledger)

    code, text = run(env, "batches", "show", BATCH_ID)
    _, raw = run(env, "batches", "show", BATCH_ID, "--json")

    assert code == 0
    assert all(task_id in text for task_id in TASKS)
    assert [i["state"] for i in json.loads(raw)["items"]][3] == "canceled"


def test_an_empty_ledger_lists_nothing_and_exits_1(
    ledger: EventLedger, env: dict[str, str]
) -> None:
    assert run(env, "batches", "list") == (1, "(no batches)\n")


def test_an_unknown_batch_exits_1_with_a_sentence(ledger: EventLedger, env: dict[str, str]) -> None:
    code, output = run(env, "batches", "show", "c" * 24)
    assert code == 1
    assert "No batch 'cccccccccccccccccccccccc' was submitted by tlhooks." in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["batches", "show", "a:b"], "is not a batch id"),
        (["batches", "resubmit", "../x"], "is not a batch id"),
        (["batches", "list", "--limit", "0"], "--limit"),
        (["batches", "list", "--page", "0"], "--page"),
        (["batches", "show"], "Missing argument 'BATCH_ID'"),
        (["batches", "resubmit", "c" * 24], "was submitted by tlhooks"),
    ],
)
def test_usage_errors_exit_2_naming_the_fix(
    ledger: EventLedger, env: dict[str, str], args: list[str], message: str
) -> None:
    code, output = run(env, *args)
    assert code == 2
    assert message in output


def test_resubmitting_a_batch_without_canceled_items_sends_nothing(
    ledger: EventLedger, env: dict[str, str]
) -> None:
    a_batch_in_every_state(ledger)
    ledger.client.hdel(ledger.keys.expectation(TASKS[3]), "state")
    ledger.update_expectation(TASKS[3], state="expected")

    code, output = run(env, "batches", "resubmit", BATCH_ID)

    assert code == 2
    assert "has no canceled items to resubmit" in output
