from __future__ import annotations

import pytest

from handlers import HandlerContext
from handlers.registry import HandlerRegistry
from tlhooks.errors import RegistrationError


def noop(ctx: HandlerContext) -> None:
    return None


async def async_noop(ctx: HandlerContext) -> str:
    return "ran"


@pytest.fixture
def registry() -> HandlerRegistry:
    return HandlerRegistry()


def test_a_handler_defaults_to_its_qualified_name(registry: HandlerRegistry) -> None:
    spec = registry.register(noop)
    assert spec.name == f"{__name__}.noop"


@pytest.mark.parametrize(
    ("pattern", "custom_id", "matches"),
    [
        ("*", "anything", True),
        ("*", None, True),
        ("ads-*", "ads-2026", True),
        ("ads-*", "news-1", False),
        ("ads-*", None, False),
        ("cam-?", "cam-a", True),
        ("cam-[ab]", "cam-c", False),
        ("ADS-*", "ads-1", False),
    ],
)
def test_custom_id_globs_match_as_documented(
    registry: HandlerRegistry, pattern: str, custom_id: str | None, matches: bool
) -> None:
    registry.register(noop, custom_id=pattern)
    assert bool(registry.match(custom_id, "ready")) is matches


@pytest.mark.parametrize(
    ("on", "ready", "failed"), [("ready", 1, 0), ("failed", 0, 1), ("both", 1, 1)]
)
def test_on_selects_the_event_kinds(
    registry: HandlerRegistry, on: str, ready: int, failed: int
) -> None:
    registry.register(noop, on=on)
    assert (len(registry.match("x", "ready")), len(registry.match("x", "failed"))) == (
        ready,
        failed,
    )


def test_a_duplicate_name_fails_naming_the_handler_and_the_fix(registry: HandlerRegistry) -> None:
    registry.register(noop, name="index")
    with pytest.raises(RegistrationError, match=r"'index'.*pass a distinct name="):
        registry.register(async_noop, name="index")


@pytest.mark.parametrize("pattern", ["", "a b", "a/b", "[unclosed", "x" * 200])
def test_an_invalid_pattern_fails_naming_the_handler(
    registry: HandlerRegistry, pattern: str
) -> None:
    with pytest.raises(RegistrationError, match="'h' has an invalid custom_id pattern"):
        registry.register(noop, custom_id=pattern, name="h")


def test_a_bad_on_fails_with_the_allowed_values(registry: HandlerRegistry) -> None:
    with pytest.raises(RegistrationError, match="on='ready', on='failed', on='both' or on='batch'"):
        registry.register(noop, on="done", name="h")


def test_async_handlers_run_to_completion(registry: HandlerRegistry) -> None:
    spec = registry.register(async_noop)
    assert spec.call(object()) == "ran"


def test_the_decorator_returns_the_function_unchanged(registry: HandlerRegistry) -> None:
    decorated = registry.decorator(custom_id="ads-*")(noop)
    assert decorated is noop


def test_a_declared_schema_that_cannot_compile_fails_at_registration(
    registry: HandlerRegistry,
) -> None:
    bad = [{"id": "scene", "description": "d", "fields": [{"name": "t", "type": "timestamp"}]}]
    with pytest.raises(RegistrationError, match="'h' declares a schema that cannot be compiled"):
        registry.register(noop, name="h", schema=bad)


def test_a_declared_schema_and_partial_ok_are_kept_on_the_spec(registry: HandlerRegistry) -> None:
    definitions = [
        {
            "id": "scene",
            "description": "d",
            "fields": [{"name": "n", "type": "integer", "description": "x"}],
        }
    ]
    spec = registry.register(noop, schema=definitions, partial_ok=True)
    assert spec.schema == definitions
    assert spec.partial_ok
