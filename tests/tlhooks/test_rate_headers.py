"""Reading the platform's rate-limit headers."""

from __future__ import annotations

import pytest

from tlhooks.rate_headers import requested_delay, window_spent

NOW = 1_800_000_000.0


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "soon"])
def test_a_retry_after_that_is_no_time_is_ignored(value: str) -> None:
    assert requested_delay({"retry-after": value}, now=NOW) is None


@pytest.mark.parametrize(
    ("remaining", "spent"), [("0", True), (" 0 ", True), ("1", False), ("", False)]
)
def test_a_window_is_spent_only_when_no_request_remains(remaining: str, spent: bool) -> None:
    assert window_spent({"x-ratelimit-request-remaining": remaining}) is spent


def test_no_remaining_header_is_no_spent_window() -> None:
    assert window_spent({}) is False
