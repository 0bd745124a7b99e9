from __future__ import annotations

import logging

import pytest

from tlhooks.logs import SampledLog, escaped_prefix


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_flood_logs_a_few_lines_a_second_and_then_how_many_it_suppressed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    log = SampledLog(logging.getLogger("tlhooks.test"), per_second=3, clock=clock)
    with caplog.at_level(logging.INFO, "tlhooks.test"):
        for _ in range(1000):
            log.log(logging.INFO, "mismatch", "rejected")
        clock.now += 1
        log.log(logging.INFO, "mismatch", "rejected")
    lines = [record.getMessage() for record in caplog.records]
    assert lines == ["rejected"] * 3 + [
        "997 more 'mismatch' lines suppressed (at most 3 a second are logged)",
        "rejected",
    ]


def test_each_reason_has_its_own_allowance(caplog: pytest.LogCaptureFixture) -> None:
    log = SampledLog(logging.getLogger("tlhooks.test"), per_second=1, clock=Clock())
    with caplog.at_level(logging.INFO, "tlhooks.test"):
        for reason in ("missing", "expired", "missing"):
            log.log(logging.INFO, reason, reason)
    assert [record.getMessage() for record in caplog.records] == ["missing", "expired"]


def test_untrusted_text_is_cut_short_and_escaped() -> None:
    assert escaped_prefix("é\n\x1b[31m" + "A" * 4000, 8) == (
        "\\xe9\\n\\x1b[31mA... (4007 characters)"
    )
    assert escaped_prefix("plain") == "plain"
