"""One call of one handler under its policy, turned into the outcome the ledger records.

How an exception is read (the type, never the message):

- ``NonRetryable`` or a type in the handler's ``permanent_errors``: the handler is given up
  now (``exhausted``), whatever attempts it has left;
- ``Retry(delay=...)``: a failed attempt; the next one waits at least ``delay`` seconds;
- anything else, and ``HandlerTimedOut``: a failed attempt, retried with backoff;
- any failure on the handler's last attempt (its ``max_attempts``): ``exhausted``.

A timeout runs the call in a helper thread and stops waiting for it when the timeout passes.
A thread cannot be killed, and the default worker pool is threads, so a sync handler's call is
abandoned, not stopped: it may still finish, and write, after its attempt was counted failed
and while its retry runs. Async handlers are also cancelled at their next ``await``. Either
way a handler with a timeout must write through ``idempotency_key``.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import sys
import threading
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

from handlers.batch_context import BatchContext
from handlers.context import HandlerContext
from handlers.registry import HandlerSpec
from tlhooks.errors import HandlerTimedOut, Retry
from tlhooks.ledger import HandlerOutcome, HandlerState
from workers.retry import RetryPolicy

Context = HandlerContext | BatchContext  # an event's handlers, or a batch's (on="batch")


@dataclass(frozen=True)
class HandlerRun:
    """The outcome of one call and, for a ``Retry``, the delay the handler asked for."""

    outcome: HandlerOutcome
    retry_after: float | None = None


def invoke(
    spec: HandlerSpec | None,
    context: Context,
    policy: RetryPolicy,
    clock: Callable[[], float],
) -> HandlerRun:
    """Call the handler once under ``policy`` (already resolved for it) and judge the call."""
    started = clock()
    try:
        if spec is None:
            raise LookupError(
                f"Handler {context.handler!r} is not registered in this worker; add its module "
                "to TLHOOKS_HANDLERS or install its plugin package."
            )
        call_within(spec, context, policy.timeout)
    except Exception as exc:
        given_up = policy.is_permanent(exc) or policy.exhausted(context.attempt)
        outcome = HandlerOutcome(
            handler=context.handler,
            state=HandlerState.EXHAUSTED if given_up else HandlerState.FAILED,
            attempts=context.attempt,
            last_error=f"{type(exc).__name__}: {exc}",
            last_traceback=_traceback_of(exc),
            started_at=started,
            finished_at=clock(),
        )
        return HandlerRun(outcome, exc.delay if isinstance(exc, Retry) else None)
    outcome = HandlerOutcome(
        handler=context.handler,
        state=HandlerState.SUCCEEDED,
        attempts=context.attempt,
        started_at=started,
        finished_at=clock(),
    )
    return HandlerRun(outcome)


def call_within(spec: HandlerSpec, context: Context, timeout: float | None) -> None:
    """Call the handler, waiting at most ``timeout`` seconds (no bound when it is None)."""
    if timeout is None:
        spec.call(context)
        return
    call = _AbandonableCall(spec, context)
    thread = threading.Thread(
        target=contextvars.copy_context().run,
        args=(call.run,),
        name=f"tlhooks-handler-{spec.name}",
        daemon=True,  # an abandoned call must not keep the worker process alive at shutdown
    )
    thread.start()
    if not call.finished.wait(timeout):
        call.cancel()
        raise HandlerTimedOut(spec.name, timeout, stack=_stack_of(thread))
    if call.failure is not None:
        raise call.failure


class _AbandonableCall:
    """A handler call on a helper thread that the caller may stop waiting for."""

    def __init__(self, spec: HandlerSpec, context: Context) -> None:
        self.spec = spec
        self.context = context
        self.finished = threading.Event()
        self.failure: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[object] | None = None

    def run(self) -> None:
        try:
            if inspect.iscoroutinefunction(self.spec.func):
                asyncio.run(self._cancellable())
            else:
                self.spec.call(self.context)
        except BaseException as exc:  # handed to the waiting thread, which re-raises it
            self.failure = exc
        finally:
            self.finished.set()

    async def _cancellable(self) -> object:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        return await cast(Awaitable[object], cast(Any, self.spec.func)(self.context))

    def cancel(self) -> None:
        """Cancel an async call at its next ``await``; a sync call cannot be stopped."""
        loop, task = self._loop, self._task
        if loop is not None and task is not None:
            # RuntimeError: the loop closed meanwhile, so the call has just ended
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(task.cancel)


def _traceback_of(exc: Exception) -> str:
    if isinstance(exc, HandlerTimedOut) and exc.stack:
        return exc.stack
    return traceback.format_exc()


def _stack_of(thread: threading.Thread) -> str | None:
    frame = sys._current_frames().get(thread.ident or -1)
    if frame is None:
        return None
    where = "".join(traceback.format_stack(frame))
    return f"The handler was still running here when its timeout passed:\n{where}"
