"""The emulator and trigger commands: a real subprocess and click's runner."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from click.testing import CliRunner

from emulator import EmulatorServer
from emulator.commands import emulator_command, parse_faults, trigger_command
from tlhooks.signing import SignatureVerifier

if TYPE_CHECKING:
    from conftest import WebhookReceiver

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def emulator_process(receiver: WebhookReceiver) -> Iterator[tuple[subprocess.Popen[str], str]]:
    options = ["--port", "0", "--webhook-url", receiver.url, "--secret", "whsec_cli"]
    options += ["--api-key", "cli-key", "--seed", "3", "--clock", "0.1"]
    options += ["--fault", "retry_after=7", "--fault", "latency=0.01"]
    command = [sys.executable, "-m", "emulator", *options]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+", line)
    assert match, line
    yield process, match.group(0)
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)
    process.stdout.close()


def test_python_m_emulator_serves_with_its_options_and_stops_on_ctrl_c(
    emulator_process: tuple[subprocess.Popen[str], str], receiver: WebhookReceiver
) -> None:
    process, root = emulator_process
    assert httpx.get(root + "/v1.3/analyze/tasks", headers={"x-api-key": "x"}).status_code == 401
    listed = httpx.get(root + "/v1.3/analyze/tasks", headers={"x-api-key": "cli-key"})
    assert listed.status_code == 200
    faults = httpx.get(root + "/_emulator/faults").json()
    assert (faults["retry_after"], faults["latency"]) == (7, 0.01)
    httpx.post(root + "/_emulator/tasks", json={"status": "ready"})
    [delivery] = receiver.wait_for(1)
    SignatureVerifier(["whsec_cli"]).verify(delivery.headers["tl-signature"], delivery.body)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0


def test_trigger_with_url_posts_one_signed_envelope(receiver: WebhookReceiver) -> None:
    result = CliRunner().invoke(
        trigger_command,
        ["analyze.task.failed", "--url", receiver.url, "--custom-id", "c1", "--secret", "s3"],
    )
    assert result.exit_code == 0, result.output
    [delivery] = receiver.wait_for(1)
    SignatureVerifier(["s3"]).verify(delivery.headers["tl-signature"], delivery.body)
    envelope = json.loads(delivery.body)
    assert envelope["type"] == "analyze.task.failed"
    assert re.fullmatch(r"[0-9a-f]{24}", envelope["data"]["id"])
    assert envelope["data"]["custom_id"] == "c1"


def test_trigger_with_emulator_creates_a_task_whose_webhook_flows(
    emulator: EmulatorServer, receiver: WebhookReceiver
) -> None:
    result = CliRunner().invoke(
        trigger_command, ["analyze.task.ready", "--emulator", emulator.root_url]
    )
    assert result.exit_code == 0, result.output
    [delivery] = receiver.wait_for(1)
    assert json.loads(delivery.body)["type"] == "analyze.task.ready"


def test_trigger_needs_exactly_one_destination() -> None:
    result = CliRunner().invoke(trigger_command, ["analyze.task.ready"])
    assert result.exit_code == 2
    assert "exactly one" in result.output


def test_fault_options_parse_as_json_values_into_a_checked_update() -> None:
    items = ("latency=0.5", "drop_webhooks=true", "duplicate_webhooks=2", "webhook_outage=3")
    assert parse_faults(None, None, items) == {
        "latency": 0.5,
        "drop_webhooks": True,
        "duplicate_webhooks": 2,
        "webhook_outage": 3.0,
    }


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("lag=1", "Unknown fault setting(s) ['lag']"),
        ("latency=soon", "latency must be a number, not 'soon'"),
        ("fail_fraction=2", "fail_fraction is a fraction between 0 and 1"),
        ("latency", "'latency' is not name=value"),
    ],
)
def test_emulator_command_rejects_a_bad_fault_before_serving(fault: str, message: str) -> None:
    result = CliRunner().invoke(emulator_command, ["--port", "0", "--fault", fault])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
