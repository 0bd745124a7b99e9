from __future__ import annotations

from email.utils import formatdate

import pytest

from workers.retry import RetryPolicy, requested_delay

NOW = 1_800_000_000.0


def upper_bound(low: float, high: float) -> float:
    return high


def test_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=8, base_delay=2, max_delay=600, uniform=upper_bound)
    assert [policy.delay(n) for n in range(1, 11)] == [2, 4, 8, 16, 32, 64, 128, 256, 512, 600]


def test_full_jitter_draws_between_zero_and_the_ceiling() -> None:
    seen: list[tuple[float, float]] = []

    def record(low: float, high: float) -> float:
        seen.append((low, high))
        return low

    RetryPolicy(base_delay=2, max_delay=600, uniform=record).delay(3)
    assert seen == [(0, 8)]


def test_a_requested_delay_is_honoured_and_capped() -> None:
    policy = RetryPolicy(base_delay=2, max_delay=60, uniform=lambda a, b: 0.0)
    assert policy.delay(1, retry_after=30) == 30
    assert policy.delay(1, retry_after=3600) == 60


def test_attempts_are_exhausted_at_the_maximum() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert not policy.exhausted(2)
    assert policy.exhausted(3)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "7"}, 7.0),
        ({"retry-after": formatdate(NOW + 20, usegmt=True)}, 20.0),
        ({"retry-after": "soon"}, None),
        ({"x-ratelimit-request-reset": "12"}, 12.0),
        ({"x-ratelimit-request-reset": str(int(NOW + 45))}, 45.0),
        ({"retry-after": "5", "x-ratelimit-request-reset": "9"}, 9.0),
        ({"retry-after": "-3"}, 0.0),
    ],
)
def test_rate_limit_hints_become_a_delay(headers: dict[str, str], expected: float | None) -> None:
    assert requested_delay(headers, now=NOW) == expected


# Found by mutation testing (docs/mutation.md).


def test_the_policy_from_settings_carries_every_setting() -> None:
    from tlhooks.settings import Settings

    settings = Settings(max_attempts=4, retry_base_delay=3, retry_max_delay=90)
    assert RetryPolicy.from_settings(settings) == RetryPolicy(4, 3, 90)


def test_a_requested_delay_gets_a_jitter_of_up_to_half_the_base_on_top() -> None:
    seen: list[tuple[float, float]] = []

    def lowest(low: float, high: float) -> float:
        seen.append((low, high))
        return low

    policy = RetryPolicy(base_delay=2, max_delay=60, uniform=lowest)
    assert policy.delay(1, retry_after=1) == 1  # even a one-second hint is honoured
    assert seen == [(0, 1.0)]


def test_a_zero_retry_after_is_no_hint_and_the_backoff_applies() -> None:
    policy = RetryPolicy(base_delay=2, max_delay=60, uniform=upper_bound)
    assert policy.delay(3, retry_after=0) == 8


def test_a_reset_time_already_past_asks_for_no_wait() -> None:
    assert requested_delay({"x-ratelimit-request-reset": str(int(NOW) - 5)}, now=NOW) == 0
    assert requested_delay({"retry-after": formatdate(NOW - 5, usegmt=True)}, now=NOW) == 0


def test_the_delay_is_measured_from_the_current_time_by_default() -> None:
    import time

    waited = requested_delay({"x-ratelimit-request-reset": str(int(time.time()) + 30)})
    assert waited is not None
    assert 28 <= waited <= 30
