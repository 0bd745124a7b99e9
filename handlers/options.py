"""What a handler is and how it asks to be run: the ``Handler`` protocol, ``On`` and options.

``HandlerOptions`` is the one list of what ``@handler`` accepts. Its retry fields
(``max_attempts``, ``permanent_errors``, ``timeout``) default to ``None``, meaning "as the
worker's global policy says"; a value set here wins over the global one for this handler.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields, replace
from typing import Any, Literal, Protocol

from handlers.batch_context import BatchContext
from handlers.context import HandlerContext
from tlhooks.errors import RegistrationError, ResultSchemaInvalid
from tlhooks.validation import DeclaredSchema, validator_for

On = Literal["ready", "failed", "both", "batch"]

BATCH = "batch"  # the kind a batch's completion is matched on: never a task event's kind
KINDS: dict[str, frozenset[str]] = {
    "ready": frozenset({"ready"}),
    "failed": frozenset({"failed"}),
    "both": frozenset({"ready", "failed"}),
    BATCH: frozenset({BATCH}),
}
_PATTERN = re.compile(r"^[A-Za-z0-9_\-*?\[\]!]{1,128}$")


class Handler(Protocol):
    """What a plugin registers: a callable taking one ``HandlerContext``; it may be async.

    Its return value is ignored. Raising ``Retry`` or ``NonRetryable`` steers the retry
    policy; any other exception is a failed attempt, retried with backoff.
    """

    def __call__(self, context: HandlerContext, /) -> object: ...


class BatchHandler(Protocol):
    """What ``on="batch"`` registers: a callable taking one ``BatchContext``; it may be async."""

    def __call__(self, context: BatchContext, /) -> object: ...


AnyHandler = Handler | BatchHandler


@dataclass(frozen=True, kw_only=True)
class HandlerOptions:
    """How a handler is matched and run; the keywords of ``@handler``.

    - ``custom_id``: a glob on the task's custom_id (``*`` also matches a task without one).
    - ``on``: the event kinds it runs for: ``ready``, ``failed``, ``both``, or ``batch``: once
      per submitted batch with an item whose custom_id matches, when the batch has ended and
      every item is settled (the function then takes a ``BatchContext``).
    - ``name``: defaults to the function's module and qualified name.
    - ``schema``: what the handler expects; see the README's validation section.
    - ``partial_ok``: run on the segments salvaged from a truncated result.
    - ``max_attempts``: attempts before the handler is given up (global TLHOOKS_MAX_ATTEMPTS).
    - ``permanent_errors``: exception types that give up at once, without a retry.
    - ``timeout``: seconds the worker waits for one call before counting it a failed attempt.
    """

    custom_id: str = "*"
    on: On = "ready"
    name: str | None = None
    schema: DeclaredSchema = None
    partial_ok: bool = False
    max_attempts: int | None = None
    permanent_errors: tuple[type[Exception], ...] | None = None
    timeout: float | None = None

    def __post_init__(self) -> None:
        errors: object = self.permanent_errors
        if isinstance(errors, type):  # one class is shorthand for a tuple of one
            object.__setattr__(self, "permanent_errors", (errors,))
        elif isinstance(errors, list):
            object.__setattr__(self, "permanent_errors", tuple(errors))

    @property
    def kinds(self) -> frozenset[str]:
        return KINDS[self.on]

    def check(self, handler: str) -> None:
        """Raise a ``RegistrationError`` naming the handler and the fix for a bad option."""
        if self.on not in KINDS:
            raise RegistrationError(
                f"Handler {handler!r} has on={self.on!r}; use on='ready', on='failed', "
                "on='both' or on='batch'."
            )
        if self.on == BATCH and (self.schema is not None or self.partial_ok):
            raise RegistrationError(
                f"Handler {handler!r} has on='batch' with schema= or partial_ok=; a batch "
                "handler receives counts and items, no result to validate: drop them."
            )
        _check_pattern(handler, self.custom_id)
        _check_schema(handler, self.schema)
        _check_max_attempts(handler, self.max_attempts)
        _check_permanent_errors(handler, self.permanent_errors)
        _check_timeout(handler, self.timeout)


OPTION_NAMES = frozenset(field.name for field in fields(HandlerOptions))


def merge_options(
    subject: object, options: HandlerOptions | None, keywords: dict[str, Any]
) -> HandlerOptions:
    """``options`` (default: all defaults) with ``keywords`` over it; unknown keywords refused."""
    unknown = sorted(set(keywords) - OPTION_NAMES)
    if unknown:
        raise RegistrationError(
            f"Cannot register {subject!r} as a handler: unknown option(s) {', '.join(unknown)}; "
            f"the options are {', '.join(sorted(OPTION_NAMES))}."
        )
    base = options or HandlerOptions()
    return replace(base, **keywords) if keywords else base


def _check_pattern(name: str, pattern: str) -> None:
    valid = isinstance(pattern, str) and bool(_PATTERN.match(pattern))
    if not valid or pattern.count("[") != pattern.count("]"):
        raise RegistrationError(
            f"Handler {name!r} has an invalid custom_id pattern {pattern!r}; use letters, "
            "digits, '_', '-' and the glob characters '*', '?' and '[...]', e.g. 'ads-*'."
        )


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


def _check_max_attempts(name: str, value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RegistrationError(
            f"Handler {name!r} has max_attempts={value!r}; pass a whole number of at least 1, "
            "or leave it out to use TLHOOKS_MAX_ATTEMPTS."
        )


def _check_permanent_errors(name: str, value: object) -> None:
    if value is None:
        return
    valid = isinstance(value, tuple) and all(
        isinstance(kind, type) and issubclass(kind, Exception) for kind in value
    )
    if not valid:
        raise RegistrationError(
            f"Handler {name!r} has permanent_errors={value!r}; pass exception classes, e.g. "
            "permanent_errors=(KeyError, ValueError)."
        )


def _check_timeout(name: str, value: float | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise RegistrationError(
            f"Handler {name!r} has timeout={value!r}; pass a positive number of seconds, or "
            "leave it out to wait for the handler as long as it runs."
        )
