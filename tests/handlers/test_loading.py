from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from handlers import loading
from handlers.registry import HandlerRegistry
from tlhooks.errors import RegistrationError
from tlhooks.settings import load_settings


def test_installed_plugins_are_loaded_through_their_entry_points(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loaded: list[str] = []
    point = EntryPoint("myplugin", "json", loading.ENTRY_POINT_GROUP)
    monkeypatch.setattr(loading, "entry_points", lambda group: [point] if group else [])
    monkeypatch.setattr(EntryPoint, "load", lambda self: loaded.append(self.name))
    loading.load_handlers(load_settings(), HandlerRegistry())
    assert loaded == ["myplugin"]


def test_a_plugin_that_fails_to_load_names_itself_and_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    point = EntryPoint("broken", "no_such_module_x", loading.ENTRY_POINT_GROUP)
    monkeypatch.setattr(loading, "entry_points", lambda group: [point])
    with pytest.raises(RegistrationError, match=r"plugin 'broken'.*Fix or uninstall"):
        loading.load_handlers(load_settings(), HandlerRegistry())


def test_a_configured_module_is_imported_once_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    imported: list[str] = []
    monkeypatch.setattr(loading.importlib, "import_module", imported.append)
    loading.load_handlers(load_settings(handlers=["app.hooks", "other.hooks"]), HandlerRegistry())
    assert imported == ["app.hooks", "other.hooks"]
