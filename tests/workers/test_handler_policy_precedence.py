"""RetryPolicy.for_handler: a handler's own options first, then the worker's global policy."""

from __future__ import annotations

from handlers import HandlerOptions, NonRetryable, Retry
from workers.retry import RetryPolicy

GLOBAL = RetryPolicy(
    max_attempts=8, base_delay=2.0, max_delay=600.0, permanent_errors=(KeyError,), timeout=30.0
)


def test_a_handler_without_policy_options_gets_the_global_policy_unchanged() -> None:
    assert GLOBAL.for_handler(HandlerOptions()) == GLOBAL
    assert GLOBAL.for_handler(None) is GLOBAL


def test_each_option_the_handler_sets_wins_over_the_global_one() -> None:
    options = HandlerOptions(max_attempts=2, permanent_errors=(ValueError,), timeout=1.5)
    resolved = GLOBAL.for_handler(options)
    assert (resolved.max_attempts, resolved.permanent_errors, resolved.timeout) == (
        2,
        (ValueError,),
        1.5,
    )


def test_an_option_the_handler_leaves_out_falls_back_to_the_global_one() -> None:
    resolved = GLOBAL.for_handler(HandlerOptions(max_attempts=20))
    assert (resolved.max_attempts, resolved.permanent_errors, resolved.timeout) == (
        20,
        (KeyError,),
        30.0,
    )


def test_an_empty_tuple_of_permanent_errors_overrides_the_global_ones() -> None:
    resolved = GLOBAL.for_handler(HandlerOptions(permanent_errors=()))
    assert not resolved.is_permanent(KeyError("sku"))


def test_the_backoff_stays_global_whatever_the_handler_sets() -> None:
    resolved = GLOBAL.for_handler(HandlerOptions(max_attempts=2, timeout=1))
    assert (resolved.base_delay, resolved.max_delay) == (GLOBAL.base_delay, GLOBAL.max_delay)


def test_non_retryable_and_the_permanent_types_are_permanent_and_nothing_else_is() -> None:
    assert GLOBAL.is_permanent(NonRetryable("gone"))
    assert GLOBAL.is_permanent(KeyError("sku"))
    assert not GLOBAL.is_permanent(Retry(delay=1))
    assert not GLOBAL.is_permanent(RuntimeError("flaky"))
