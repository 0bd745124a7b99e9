"""Registration refuses what would break later: reserved names, non-functions, and loading
registers on the registry it is given, never on the global one behind its back."""

from __future__ import annotations

import sys
import uuid
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from handlers import loading
from handlers.registry import HandlerRegistry, registry
from tlhooks.errors import RegistrationError
from tlhooks.settings import load_settings
from tlhooks.status import RESERVED_HANDLER_NAMES


def noop(_context: object) -> None:
    return None


@pytest.mark.parametrize("name", [*sorted(RESERVED_HANDLER_NAMES), "ALL", " unsucceeded "])
def test_a_handler_named_after_a_replay_word_is_refused(name: str) -> None:
    with pytest.raises(RegistrationError, match="reserved by the replay protocol"):
        HandlerRegistry().register(noop, name=name)


@pytest.mark.parametrize("thing", [42, None, "handlers.jsonl"])
def test_registering_something_that_is_not_a_function_is_a_registration_error(
    thing: object,
) -> None:
    with pytest.raises(RegistrationError, match="not callable"):
        HandlerRegistry().register(thing)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["", "   ", 42, "x" * 201])
def test_a_handler_name_must_be_a_short_non_empty_string(name: object) -> None:
    with pytest.raises(RegistrationError, match="non-empty string"):
        HandlerRegistry().register(noop, name=name)  # type: ignore[arg-type]


@pytest.fixture
def handler_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    name = f"hooks_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(
        "from handlers import handler\n\n\n"
        f"@handler(name='{name}.h')\n"
        "def h(context):\n"
        "    return None\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def test_configured_modules_register_on_the_registry_given_not_the_global_one(
    handler_module: str,
) -> None:
    settings = load_settings(handlers=[handler_module])
    first, second = HandlerRegistry(), HandlerRegistry()
    loading.load_handlers(settings, first)
    loading.load_handlers(settings, second)
    assert first.names() == second.names() == [f"{handler_module}.h"]
    assert registry.get(f"{handler_module}.h") is None


def test_entry_point_plugins_register_on_the_registry_given(
    handler_module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    point = EntryPoint("plugin", handler_module, loading.ENTRY_POINT_GROUP)
    monkeypatch.setattr(loading, "entry_points", lambda group: [point])
    target = HandlerRegistry()
    loading.load_handlers(load_settings(), target)
    assert target.names() == [f"{handler_module}.h"]
    assert registry.get(f"{handler_module}.h") is None
