"""Start-up loading of handler modules: configured modules, entry points, the built-in."""

from __future__ import annotations

import importlib
import os
import sys
from importlib.metadata import entry_points

from handlers import jsonl
from handlers.registry import HandlerRegistry, HandlerSpec, declared_by, declaring, registry
from tlhooks.errors import RegistrationError
from tlhooks.settings import Settings

ENTRY_POINT_GROUP = "tlhooks.handlers"


def working_directory_on_path() -> None:
    """Let ``TLHOOKS_HANDLERS=myapp.hooks`` import ``./myapp/hooks.py`` in every process.

    uvicorn puts its app dir (the working directory) first on ``sys.path``; the ``celery``
    script does not, so without this the receiver could import a project's handlers and the
    worker could not. Every Procfile line runs from the project root, so its modules resolve
    the same way in the receiver, the worker, beat and ``tlhooks dev``.
    """
    cwd = os.getcwd()
    if not {cwd, "", "."} & set(sys.path):
        sys.path.insert(0, cwd)


def import_handler_module(path: str) -> None:
    try:
        importlib.import_module(path)
    except ImportError as exc:
        raise RegistrationError(
            f"Cannot import handler module {path!r} named in TLHOOKS_HANDLERS: {exc}. Check "
            "the dotted path and that the module is installed or on PYTHONPATH."
        ) from exc


def load_handlers(settings: Settings, target: HandlerRegistry = registry) -> HandlerRegistry:
    """Import every handler source once and register what it declares on ``target``.

    Both the receiver and the workers call this. A source already imported by an earlier
    call contributes the handlers it declared then, so several registries can be loaded.
    """
    working_directory_on_path()
    for module in settings.handlers:
        with declaring(f"module:{module}"):
            import_handler_module(module)
        _add_all(target, declared_by(f"module:{module}"))
    for point in entry_points(group=ENTRY_POINT_GROUP):
        source = f"entry-point:{point.name}={point.value}"
        try:
            with declaring(source):
                point.load()
        except Exception as exc:
            raise RegistrationError(
                f"The installed handler plugin {point.name!r} ({point.value}) failed to load: "
                f"{exc}. Fix or uninstall the package that provides it."
            ) from exc
        _add_all(target, declared_by(source))
    if settings.jsonl_path is not None and target.get(jsonl.NAME) is None:
        jsonl.install(target, settings.jsonl_path, settings.jsonl_custom_id)
    return target


def _add_all(target: HandlerRegistry, specs: list[HandlerSpec]) -> None:
    for spec in specs:
        target.add(spec)
