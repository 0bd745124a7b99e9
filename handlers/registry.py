"""HandlerRegistry: which functions run for which events, validated when they register."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import fnmatch
import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from tlhooks.errors import RegistrationError, ResultSchemaInvalid
from tlhooks.status import RESERVED_HANDLER_NAMES
from tlhooks.validation import DeclaredSchema, validator_for

On = Literal["ready", "failed", "both"]
HandlerFunc = Callable[[Any], Any]
F = TypeVar("F", bound=HandlerFunc)

_PATTERN = re.compile(r"^[A-Za-z0-9_\-*?\[\]!]{1,128}$")
_KINDS: dict[str, frozenset[str]] = {
    "ready": frozenset({"ready"}),
    "failed": frozenset({"failed"}),
    "both": frozenset({"ready", "failed"}),
}


@dataclass(frozen=True)
class HandlerSpec:
    """A registered handler: its name, function, custom_id glob and the kinds it runs on."""

    name: str
    func: HandlerFunc
    custom_id: str
    on: On
    schema: DeclaredSchema = None
    partial_ok: bool = False

    @property
    def kinds(self) -> frozenset[str]:
        return _KINDS[self.on]

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


def _handler_name(func: object, name: object) -> str:
    if name is None:
        if not callable(func):
            raise RegistrationError(
                f"Cannot register {func!r} as a handler: it is not callable; decorate a function."
            )
        module = getattr(func, "__module__", None) or "<unknown>"
        qualname = getattr(func, "__qualname__", None) or type(func).__qualname__
        return f"{module}.{qualname}"
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


def _check_schema(name: str, schema: DeclaredSchema) -> None:
    if schema is None:
        return
    try:
        validator_for(None, schema)
    except (ResultSchemaInvalid, TypeError, ValueError) as exc:
        raise RegistrationError(
            f"Handler {name!r} declares a schema that cannot be compiled: {exc} Pass segment "
            "definitions, a dict of definition id to pydantic model, or one pydantic model."
        ) from exc


def _check_pattern(name: str, pattern: str) -> None:
    valid = isinstance(pattern, str) and bool(_PATTERN.match(pattern))
    if not valid or pattern.count("[") != pattern.count("]"):
        raise RegistrationError(
            f"Handler {name!r} has an invalid custom_id pattern {pattern!r}; use letters, "
            "digits, '_', '-' and the glob characters '*', '?' and '[...]', e.g. 'ads-*'."
        )


class HandlerRegistry:
    """Handlers by name. Registration errors fail at start-up, naming the handler and the fix."""

    def __init__(self) -> None:
        self._handlers: dict[str, HandlerSpec] = {}

    def register(
        self,
        func: HandlerFunc,
        *,
        custom_id: str = "*",
        on: str = "ready",
        name: str | None = None,
        schema: DeclaredSchema = None,
        partial_ok: bool = False,
    ) -> HandlerSpec:
        handler_name = _handler_name(func, name)
        if not callable(func):
            raise RegistrationError(f"Handler {handler_name!r} is not callable.")
        if on not in _KINDS:
            raise RegistrationError(
                f"Handler {handler_name!r} has on={on!r}; use on='ready', on='failed' or on='both'."
            )
        _check_pattern(handler_name, custom_id)
        _check_schema(handler_name, schema)
        spec = HandlerSpec(handler_name, func, custom_id, on, schema, partial_ok)  # type: ignore[arg-type]
        return self.add(spec)

    def add(self, spec: HandlerSpec) -> HandlerSpec:
        """Add a validated spec (one registered elsewhere, e.g. by a module already imported)."""
        existing = self._handlers.get(spec.name)
        if existing is not None and existing.func is not spec.func:
            raise RegistrationError(
                f"Handler name {spec.name!r} is already registered by "
                f"{existing.func.__module__}.{existing.func.__qualname__}; pass a distinct "
                "name= to @handler."
            )
        self._handlers[spec.name] = spec
        return spec

    def decorator(
        self,
        *,
        custom_id: str = "*",
        on: str = "ready",
        name: str | None = None,
        schema: DeclaredSchema = None,
        partial_ok: bool = False,
    ) -> Callable[[F], F]:
        def register(func: F) -> F:
            self.register(
                func, custom_id=custom_id, on=on, name=name, schema=schema, partial_ok=partial_ok
            )
            return func

        return register

    def match(self, custom_id: str | None, kind: str) -> list[HandlerSpec]:
        """The handlers for an event, in registration order."""
        return [spec for spec in self._handlers.values() if spec.matches(custom_id, kind)]

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


def handler(
    *,
    custom_id: str = "*",
    on: str = "ready",
    name: str | None = None,
    schema: DeclaredSchema = None,
    partial_ok: bool = False,
) -> Callable[[F], F]:
    """Register a function to run for analyze events whose custom_id matches a glob.

    ``on`` is ``"ready"``, ``"failed"`` or ``"both"``; ``name`` defaults to the function's
    module and qualified name. The function takes one ``HandlerContext``; it may be async.

    ``schema`` declares what the handler expects (segment definitions, a mapping of
    definition id to a pydantic model, or one pydantic model for JSON-schema documents); it
    wins over the task's own schema, and a mismatch is reported. ``partial_ok=True`` lets the
    handler run on the segments salvaged from a truncated result.
    """

    def register(func: F) -> F:
        source = _loading.get()
        if source is None:
            registry.register(
                func, custom_id=custom_id, on=on, name=name, schema=schema, partial_ok=partial_ok
            )
            return func
        scratch = HandlerRegistry()  # validates exactly as a registration would
        spec = scratch.register(
            func, custom_id=custom_id, on=on, name=name, schema=schema, partial_ok=partial_ok
        )
        _declared[source].append(spec)
        return func

    return register
