"""A restarted emulator hands out new ids unless it is given the same seed."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from emulator import EmulatorConfig

if TYPE_CHECKING:
    from conftest import WebhookReceiver

ROOT = Path(__file__).resolve().parents[2]
TASKS = 3


def ids_of_one_run(receiver: WebhookReceiver, *seed: str) -> set[str]:
    """Start ``python -m emulator``, create a few tasks, stop it: their task and event ids."""
    command = [sys.executable, "-m", "emulator", "--port", "0", "--clock", "0"]
    command += ["--webhook-url", receiver.url, *seed]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    try:
        match = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline())
        assert match, "the emulator did not say where it listens"
        before = len(receiver.received)
        for _ in range(TASKS):
            response = httpx.post(match.group(0) + "/_emulator/tasks", json={"status": "ready"})
            assert response.status_code == 201, response.text
        deliveries = receiver.wait_for(before + TASKS)[before:]
        assert len(deliveries) == TASKS
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
        process.stdout.close()
    events = [json.loads(delivery.body) for delivery in deliveries]
    return {e["id"] for e in events} | {e["data"]["id"] for e in events}


def test_two_emulator_runs_without_a_seed_hand_out_disjoint_ids(
    receiver_factory: Callable[..., WebhookReceiver],
) -> None:
    receiver = receiver_factory()
    first, second = ids_of_one_run(receiver), ids_of_one_run(receiver)
    assert len(first) == len(second) == 2 * TASKS
    assert first.isdisjoint(second)


def test_two_emulator_runs_with_the_same_seed_hand_out_the_same_ids(
    receiver_factory: Callable[..., WebhookReceiver],
) -> None:
    receiver = receiver_factory()
    first = ids_of_one_run(receiver, "--seed", "11")
    second = ids_of_one_run(receiver, "--seed", "11")
    assert len(first) == 2 * TASKS
    assert first == second


def test_emulator_configs_without_a_seed_draw_different_seeds() -> None:
    assert EmulatorConfig().seed != EmulatorConfig().seed
    assert EmulatorConfig(seed=5).seed == 5
