"""``@handler(on="batch")``: registered, validated and matched apart from task events."""

from __future__ import annotations

import pytest

from handlers import BatchContext, HandlerContext
from handlers.registry import HandlerRegistry
from tlhooks.errors import RegistrationError


def report(ctx: BatchContext) -> None:
    return None


def per_task(ctx: HandlerContext) -> None:
    return None


@pytest.fixture
def registry() -> HandlerRegistry:
    registry = HandlerRegistry()
    registry.register(report, custom_id="ads-*", on="batch", name="report")
    registry.register(per_task, custom_id="*", on="both", name="per_task")
    return registry


def test_a_batch_handler_matches_a_batch_with_any_item_whose_custom_id_matches(
    registry: HandlerRegistry,
) -> None:
    assert [s.name for s in registry.match_batch(["news-1", "ads-7", None])] == ["report"]
    assert registry.match_batch(["news-1", None]) == []


def test_a_batch_handler_never_runs_for_a_task_event_nor_a_task_handler_for_a_batch(
    registry: HandlerRegistry,
) -> None:
    assert [s.name for s in registry.match("ads-1", "ready")] == ["per_task"]
    assert [s.name for s in registry.match("ads-1", "failed")] == ["per_task"]
    assert all(spec.name != "per_task" for spec in registry.match_batch(["ads-1"]))


@pytest.mark.parametrize("option", [{"schema": {"scene": dict}}, {"partial_ok": True}])
def test_a_batch_handler_with_result_options_is_refused_at_registration(
    option: dict[str, object],
) -> None:
    with pytest.raises(RegistrationError, match="a batch handler receives counts and items"):
        HandlerRegistry().register(report, on="batch", **option)


def test_an_unknown_on_names_batch_among_the_choices() -> None:
    with pytest.raises(RegistrationError, match="on='both' or on='batch'"):
        HandlerRegistry().register(report, on="batches")
