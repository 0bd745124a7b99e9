"""RequestLimit on a fake clock: fixed windows aligned to the unix clock."""

from __future__ import annotations

from emulator.request_limit import RequestLimit


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_window_admits_its_limit_then_refuses_until_it_ends() -> None:
    clock = Clock(1_000.0)
    limit = RequestLimit(clock)
    answers = [limit.admit(2, 60) for _ in range(3)]
    assert [a.allowed for a in answers] == [True, True, False]
    assert answers[2].reset_at == 1_020.0
    assert answers[2].retry_after == 20.0
    clock.now = 1_020.0
    assert limit.admit(2, 60).allowed


def test_the_refusal_headers_carry_retry_after_and_a_whole_second_reset() -> None:
    limit = RequestLimit(Clock(10.25))
    limit.admit(1, 1)
    headers = limit.admit(1, 1).headers()
    assert headers == {
        "X-RateLimit-Request-Remaining": "0",
        "X-RateLimit-Request-Reset": "11",
        "Retry-After": "0.75",
    }
