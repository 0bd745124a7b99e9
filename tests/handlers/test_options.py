"""HandlerOptions: the one list of what @handler accepts, each value checked at registration."""

from __future__ import annotations

import math

import pytest

from handlers import HandlerContext, HandlerOptions, Retry
from handlers.registry import HandlerRegistry
from tlhooks.errors import RegistrationError


def noop(ctx: HandlerContext) -> None:
    return None


@pytest.fixture
def registry() -> HandlerRegistry:
    return HandlerRegistry()


def test_keywords_and_an_options_object_register_the_same_handler(
    registry: HandlerRegistry,
) -> None:
    by_keywords = registry.register(noop, custom_id="ads-*", name="a", max_attempts=2, timeout=5)
    options = HandlerOptions(custom_id="ads-*", name="b", max_attempts=2, timeout=5)
    by_options = registry.register(noop, options)

    assert by_keywords.options == HandlerOptions(
        custom_id="ads-*", name="a", max_attempts=2, timeout=5
    )
    assert by_options.options is options


def test_keywords_override_the_options_object_they_come_with(registry: HandlerRegistry) -> None:
    base = HandlerOptions(custom_id="ads-*", max_attempts=2)
    spec = registry.register(noop, base, name="h", max_attempts=9)
    assert (spec.custom_id, spec.options.max_attempts, spec.name) == ("ads-*", 9, "h")


def test_the_retry_options_default_to_the_global_policy(registry: HandlerRegistry) -> None:
    options = registry.register(noop).options
    assert (options.max_attempts, options.permanent_errors, options.timeout) == (None, None, None)


def test_an_unknown_option_is_refused_naming_it_and_the_known_ones(
    registry: HandlerRegistry,
) -> None:
    with pytest.raises(RegistrationError, match=r"unknown option\(s\) retries;.*max_attempts"):
        registry.register(noop, retries=3)


def test_the_decorator_refuses_an_unknown_option_when_it_decorates(
    registry: HandlerRegistry,
) -> None:
    with pytest.raises(RegistrationError, match="unknown option"):
        registry.decorator(timeout_seconds=3)(noop)


@pytest.mark.parametrize("value", [0, -1, True, 2.5, "3"])
def test_max_attempts_must_be_a_whole_number_of_at_least_one(
    registry: HandlerRegistry, value: object
) -> None:
    with pytest.raises(RegistrationError, match=r"'h' has max_attempts=.*TLHOOKS_MAX_ATTEMPTS"):
        registry.register(noop, name="h", max_attempts=value)


@pytest.mark.parametrize("value", [0, -2.0, math.inf, math.nan, True, "5"])
def test_a_timeout_must_be_a_positive_finite_number_of_seconds(
    registry: HandlerRegistry, value: object
) -> None:
    with pytest.raises(RegistrationError, match=r"'h' has timeout=.*positive number of seconds"):
        registry.register(noop, name="h", timeout=value)


@pytest.mark.parametrize("value", [(KeyError, "ValueError"), (KeyboardInterrupt,), "KeyError"])
def test_permanent_errors_must_be_exception_classes(
    registry: HandlerRegistry, value: object
) -> None:
    with pytest.raises(RegistrationError, match=r"'h' has permanent_errors=.*exception classes"):
        registry.register(noop, name="h", permanent_errors=value)


def test_one_permanent_error_class_or_a_list_is_read_as_a_tuple(
    registry: HandlerRegistry,
) -> None:
    one = registry.register(noop, name="one", permanent_errors=KeyError)
    many = registry.register(noop, name="many", permanent_errors=[KeyError, ValueError])
    assert one.options.permanent_errors == (KeyError,)
    assert many.options.permanent_errors == (KeyError, ValueError)


def test_the_spec_reads_matching_and_validation_from_its_options(
    registry: HandlerRegistry,
) -> None:
    spec = registry.register(noop, custom_id="cam-*", on="both", partial_ok=True)
    assert (spec.custom_id, spec.on, spec.kinds, spec.partial_ok, spec.schema) == (
        "cam-*",
        "both",
        frozenset({"ready", "failed"}),
        True,
        None,
    )


@pytest.mark.parametrize("delay", [-1, math.inf, math.nan, "5", True])
def test_a_retry_with_a_delay_that_is_not_a_finite_number_of_seconds_is_refused(
    delay: object,
) -> None:
    with pytest.raises(ValueError, match=r"Retry\(delay=.*0 or more"):
        Retry(delay=delay)  # type: ignore[arg-type]


def test_a_retry_keeps_its_delay_and_says_why_it_was_raised() -> None:
    assert (Retry(delay=0).delay, Retry().delay) == (0, None)
    assert str(Retry("rate limited", delay=3)) == "rate limited"
