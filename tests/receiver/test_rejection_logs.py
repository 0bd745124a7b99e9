"""A flood of bad signatures logs a few short lines, while the counters count every one."""

from __future__ import annotations

import logging
import time

import pytest

from receiver.metrics import REJECTIONS
from tests.receiver.conftest import WEBHOOK, ClientFactory, encode, envelope

MARKER = "Z" * 4000


def test_a_flood_of_bad_signatures_logs_briefly_and_counts_everything(
    client_factory: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = client_factory(rejection_log_per_second=5)
    body = encode(envelope())
    headers = {"content-type": "application/json", "TL-Signature": f"t=1,{MARKER}"}
    before = REJECTIONS.labels(reason="malformed")._value.get()
    started = time.monotonic()
    with caplog.at_level(logging.INFO, "tlhooks.receiver"):
        for _ in range(300):
            assert client.post(WEBHOOK, content=body, headers=headers).status_code == 401
    lines = [r.getMessage() for r in caplog.records if r.name == "tlhooks.receiver"]
    assert REJECTIONS.labels(reason="malformed")._value.get() - before == 300
    seconds_touched = int(time.monotonic() - started) + 2
    assert 1 <= len(lines) <= (5 + 1) * seconds_touched  # 5 lines and a summary per second
    assert all(len(line) < 300 and "ZZZZ" not in line for line in lines)
