"""Every command answers an unreachable Redis or a malformed URL with one sentence, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.processes import RedisServer
from tlhooks.ledger import EventLedger
from tlhooks.processes import free_port
from tlhooks.status import EventStatus
from tlhooks_cli import main

BIN = Path(sys.executable).parent

LEDGER_COMMANDS = [
    ["events", "list"],
    ["events", "list", "--count"],
    ["events", "show", "whe_0"],
    ["events", "stats"],
    ["events", "replay", "whe_0", "--yes"],
    ["events", "replay", "--status", "dead", "--dry-run"],
    ["events", "purge", "--status", "dead", "--yes"],
]

BAD_ENVIRONMENTS = {
    "redis-down": ("TLHOOKS_REDIS_URL", f"redis://:hunter2@127.0.0.1:{free_port()}/0"),
    "redis-no-scheme": ("TLHOOKS_REDIS_URL", "redis//x"),
    "redis-http": ("TLHOOKS_REDIS_URL", "http://x"),
    "redis-bad-port": ("TLHOOKS_REDIS_URL", "redis://host:notaport"),
    "broker-http": ("TLHOOKS_BROKER_URL", "http://x"),
    "broker-bad-port": ("TLHOOKS_BROKER_URL", "amqp://host:notaport//"),
    "api-ftp": ("TLHOOKS_API_BASE_URL", "ftp://x"),
    "api-bad-port": ("TLHOOKS_API_BASE_URL", "http://x:notaport/v1.3"),
    "api-no-host": ("TLHOOKS_API_BASE_URL", "https:///v1.3"),
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [name for name in os.environ if name.startswith("TLHOOKS_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def assert_one_sentence_naming(output: str, exit_code: int, *words: str) -> None:
    lines = [line for line in output.splitlines() if line.strip()]
    assert exit_code != 0, output
    assert "Traceback" not in output
    assert len(lines) == 1, output
    assert lines[0].startswith("Error: "), output
    assert lines[0].rstrip().endswith("."), output
    for word in words:
        assert word in lines[0], output


@pytest.mark.parametrize("case", sorted(BAD_ENVIRONMENTS))
@pytest.mark.parametrize("command", LEDGER_COMMANDS, ids=" ".join)
def test_an_events_command_names_the_variable_it_cannot_use(case: str, command: list[str]) -> None:
    variable, value = BAD_ENVIRONMENTS[case]
    result = CliRunner().invoke(main, command, env={variable: value})
    assert isinstance(result.exception, SystemExit), result.exception
    assert_one_sentence_naming(result.output, result.exit_code, variable)
    assert "hunter2" not in result.output


@pytest.mark.parametrize(
    "case", [case for case in sorted(BAD_ENVIRONMENTS) if not case.startswith("api-")]
)
def test_dev_names_the_redis_or_broker_variable_it_cannot_use(case: str) -> None:
    variable, value = BAD_ENVIRONMENTS[case]
    result = CliRunner().invoke(main, ["dev", "--no-demo"], env={variable: value})
    assert isinstance(result.exception, SystemExit), result.exception
    assert_one_sentence_naming(result.output, result.exit_code, variable)
    assert not (Path.cwd() / ".tlhooks").exists()


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (["trigger", "analyze.task.ready", "--url", "http://x:notaport"], "--url"),
        (["trigger", "analyze.task.ready", "--url", "redis//x"], "--url"),
        (["trigger", "analyze.task.failed", "--emulator", "ftp://x"], "--emulator"),
        (["emulator", "--port", "0", "--webhook-url", "redis//x"], "--webhook-url"),
        (["emulator", "--port", "0", "--webhook-url", "http://x:notaport"], "--webhook-url"),
    ],
    ids=" ".join,
)
def test_an_emulator_command_names_the_url_option_it_cannot_use(
    command: list[str], option: str
) -> None:
    result = CliRunner().invoke(main, command)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    error = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(error) == 1, result.output
    assert f"Invalid value for '{option}'" in error[0], result.output


def test_a_trigger_whose_emulator_does_not_answer_says_so_in_a_sentence() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(main, ["trigger", "analyze.task.ready", "--emulator", url])
    assert isinstance(result.exception, SystemExit), result.exception
    assert_one_sentence_naming(result.output, result.exit_code, f"The request to {url} failed")


def test_the_installed_command_prints_one_sentence_when_redis_is_down(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TLHOOKS_")}
    env["TLHOOKS_REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    done = subprocess.run(
        [str(BIN / "tlhooks"), "events", "list"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert_one_sentence_naming(done.stderr, done.returncode, "TLHOOKS_REDIS_URL", "Cannot reach")


def test_a_replay_whose_broker_does_not_answer_names_the_broker_variable(
    ledger: EventLedger, redis_server: RedisServer
) -> None:
    ledger.accept(
        event_id="whe_dead",
        kind=None,
        requested=EventStatus.RECEIVED,
        fields={"event_type": "analyze.task.ready", "task_id": "a" * 24},
        now=time.time(),
    )
    ledger.transition("whe_dead", EventStatus.DEAD)
    env = {
        "TLHOOKS_REDIS_URL": redis_server.url,
        "TLHOOKS_BROKER_URL": f"amqp://guest:guest@127.0.0.1:{free_port()}//",
    }
    result = CliRunner().invoke(
        main, ["events", "replay", "whe_dead", "--from", "fetch", "--yes"], env=env
    )
    assert isinstance(result.exception, SystemExit), result.exception
    last = result.output.splitlines()[-1]
    assert_one_sentence_naming(last, result.exit_code, "TLHOOKS_BROKER_URL", "the broker")


@pytest.mark.parametrize("command", [["events", "stats"], ["dev", "--no-demo"]], ids=" ".join)
def test_sentinels_that_do_not_answer_are_named_in_one_sentence(command: list[str]) -> None:
    sentinels = f"127.0.0.1:{free_port()},127.0.0.1:{free_port()}"
    env = {"TLHOOKS_REDIS_SENTINELS": sentinels, "TLHOOKS_REDIS_SENTINEL_MASTER": "tlhooks"}
    result = CliRunner().invoke(main, command, env=env)
    assert isinstance(result.exception, SystemExit), result.exception
    assert_one_sentence_naming(
        result.output, result.exit_code, "TLHOOKS_REDIS_SENTINELS", sentinels.split(",")[0]
    )
    assert not (Path.cwd() / ".tlhooks").exists()
