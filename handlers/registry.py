"""HandlerRegistry: which functions run for which events, validated when they register."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import fnmatch
import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from handlers.options import BATCH, AnyHandler, HandlerOptions, On, merge_options
from tlhooks.errors import RegistrationError
from tlhooks.status import RESERVED_HANDLER_NAMES
from tlhooks.validation import DeclaredSchema

F = TypeVar("F", bound=AnyHandler)


@dataclass(frozen=True)
class HandlerSpec:
    """A registered handler: its resolved name, the callable and the options it was given."""

    name: str
    func: AnyHandler
    options: HandlerOptions = field(default_factory=HandlerOptions)

    @property
    def custom_id(self) -> str:
        return self.options.custom_id

    @property
    def on(self) -> On:
        return self.options.on

    @property
    def schema(self) -> DeclaredSchema:
        return self.options.schema

    @property
    def partial_ok(self) -> bool:
        return self.options.partial_ok

    @property
    def kinds(self) -> frozenset[str]:
        return self.options.kinds

    def matches(self, custom_id: str | None, kind: str) -> bool:
        """A task without custom_id matches only the catch-all pattern ``*``."""
        if kind not in self.kinds:
            return False
        if custom_id is None:
            return self.custom_id == "*"
        return fnmatch.fnmatchcase(custom_id, self.custom_id)

    def call(self, context: Any) -> Any:
        """Run the handler; coroutine functions get an event loop of their own."""
        if inspect.iscoroutinefunction(self.func):
            return asyncio.run(self.func(context))
        return self.func(context)

    @property
    def on_batch(self) -> bool:
        return self.options.on == BATCH


def _qualified_name(func: object) -> str:
    module = getattr(func, "__module__", None) or "<unknown>"
    qualname = getattr(func, "__qualname__", None) or type(func).__qualname__
    return f"{module}.{qualname}"


def _handler_name(func: object, name: object) -> str:
    if name is None:
        if not callable(func):
            raise RegistrationError(
                f"Cannot register {func!r} as a handler: it is not callable; decorate a function."
            )
        return _qualified_name(func)
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise RegistrationError(
            f"Handler name {name!r} is not a non-empty string of at most 200 characters; "
            "pass name='my_handler'."
        )
    if name.strip().lower() in RESERVED_HANDLER_NAMES:
        raise RegistrationError(
            f"Handler name {name!r} is reserved by the replay protocol (it means "
            f"{' or '.join(sorted(RESERVED_HANDLER_NAMES))} handlers); pass another name=."
        )
    return name


class HandlerRegistry:
    """Handlers by name. Registration errors fail at start-up, naming the handler and the fix."""

    def __init__(self) -> None:
        self._handlers: dict[str, HandlerSpec] = {}

    def register(
        self, func: AnyHandler, options: HandlerOptions | None = None, /, **keywords: Any
    ) -> HandlerSpec:
        """Register ``func`` with ``options``, or with the same options given as keywords."""
        chosen = merge_options(func, options, keywords)
        handler_name = _handler_name(func, chosen.name)
        if not callable(func):
            raise RegistrationError(f"Handler {handler_name!r} is not callable.")
        chosen.check(handler_name)
        return self.add(HandlerSpec(handler_name, func, chosen))

    def add(self, spec: HandlerSpec) -> HandlerSpec:
        """Add a validated spec (one registered elsewhere, e.g. by a module already imported)."""
        existing = self._handlers.get(spec.name)
        if existing is not None and existing.func is not spec.func:
            raise RegistrationError(
                f"Handler name {spec.name!r} is already registered by "
                f"{_qualified_name(existing.func)}; pass a distinct "
                "name= to @handler."
            )
        self._handlers[spec.name] = spec
        return spec

    def decorator(
        self, options: HandlerOptions | None = None, /, **keywords: Any
    ) -> Callable[[F], F]:
        def register(func: F) -> F:
            self.register(func, options, **keywords)
            return func

        return register

    def match(self, custom_id: str | None, kind: str) -> list[HandlerSpec]:
        """The handlers for an event, in registration order."""
        return [spec for spec in self._handlers.values() if spec.matches(custom_id, kind)]

    def match_batch(self, custom_ids: Iterable[str | None]) -> list[HandlerSpec]:
        """The ``on="batch"`` handlers for a batch: those matching any item's custom_id."""
        wanted = set(custom_ids)
        return [
            spec
            for spec in self._handlers.values()
            if spec.on_batch and any(spec.matches(custom_id, BATCH) for custom_id in wanted)
        ]

    def get(self, name: str) -> HandlerSpec | None:
        return self._handlers.get(name)

    def names(self) -> list[str]:
        return list(self._handlers)

    def clear(self) -> None:
        self._handlers.clear()


registry = HandlerRegistry()

# While ``handlers.loading`` imports a handler source, ``@handler`` records what the source
# declares under the source's name instead of registering it on the global registry; the
# loader then adds those specs to the registry it was given, now or on any later load.
_loading: contextvars.ContextVar[str | None] = contextvars.ContextVar("_loading", default=None)
_declared: dict[str, list[HandlerSpec]] = {}


@contextlib.contextmanager
def declaring(source: str) -> Iterator[list[HandlerSpec]]:
    """Collect the handlers a source declares while it is imported; yields them afterwards."""
    token = _loading.set(source)
    try:
        yield _declared.setdefault(source, [])
    finally:
        _loading.reset(token)


def declared_by(source: str) -> list[HandlerSpec]:
    """The handlers a source declared when it was first imported under ``declaring``."""
    return list(_declared.get(source, ()))


def handler(options: HandlerOptions | None = None, /, **keywords: Any) -> Callable[[F], F]:
    """Register a function to run for analyze events whose custom_id matches a glob.

    The keywords are the fields of ``HandlerOptions`` (``custom_id``, ``on``, ``name``,
    ``schema``, ``partial_ok``, ``max_attempts``, ``permanent_errors``, ``timeout``); an
    unknown keyword or a bad value fails at registration, naming the handler and the fix.
    ``@handler(HandlerOptions(...))`` is the same with the options type-checked. The function
    takes one ``HandlerContext`` (a ``BatchContext`` with ``on="batch"``); it may be async.
    """

    def register(func: F) -> F:
        source = _loading.get()
        if source is None:
            registry.register(func, options, **keywords)
            return func
        scratch = HandlerRegistry()  # validates exactly as a registration would
        _declared[source].append(scratch.register(func, options, **keywords))
        return func

    return register
