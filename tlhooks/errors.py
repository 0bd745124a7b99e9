"""The one exception tree of tlhooks.

    TlhooksError
    ├── ConfigurationError            bad settings; raised at start-up
    ├── RegistrationError             a handler cannot be registered; raised at start-up
    ├── WebhookRejected               the receiver refuses a delivery (carries the HTTP status)
    │   ├── SignatureInvalid          401: missing, malformed, wrong or expired TL-Signature
    │   │   ├── SignatureMissing
    │   │   ├── SignatureMalformed
    │   │   ├── SignatureMismatch
    │   │   └── SignatureExpired
    │   ├── UnsupportedMediaType      415
    │   ├── PayloadTooLarge           413
    │   ├── BodyReadTimeout           408: the body did not arrive within its time
    │   └── InvalidEnvelope           400
    ├── StorageUnavailable            the ledger or the broker cannot be reached (503 at the edge)
    │   └── StorageRefused            it answers but refuses for now: OOM, READONLY, LOADING, BUSY
    ├── InvalidTransition             a status change the state machine forbids
    │   └── LeaseLost                 a run's write refused: another run owns the event now
    ├── EventNotFound                 no event with that id is in the ledger
    ├── FetchFailed                   retrieving a task from the API failed
    │   ├── RetryableFetchError       worth another try: 429, 5xx, transport error, task unsettled
    │   │   └── RateLimited           429, with the delay the platform asked for
    │   └── PermanentFetchError       no retry helps: 404 and other 4xx, unparseable bodies
    │       ├── TaskNotFound          404
    │       └── BatchNotFound         404 for a batch id
    ├── SubmissionFailed              creating a task or a batch failed
    │   ├── SubmissionRejected        4xx: the API refused the request (its status, code, message)
    │   ├── ActiveBatchLimit          429: the account's 5 batches are active; wait for one to end
    │   └── SubmissionUnavailable     retryable: 5xx, a rate 429, a timeout or transport error;
    │                                 submit again with the same Idempotency-Key
    ├── SubmissionInvalid             a request file or body tlhooks cannot submit (nothing sent)
    ├── ResultSchemaInvalid           a segment definition list or JSON Schema cannot be compiled
    └── HandlerFailed                 a handler's call ended without success (an attempt counted)
        ├── Retry                     raised by a handler: run me again after at least `delay` s
        ├── NonRetryable              raised by a handler: give up now, no further attempt
        └── HandlerTimedOut           raised by the worker: the call outlived the handler's timeout

Retryable and permanent failures are distinct types so that the retry policy reads the type,
never the message. A handler may raise any exception: only ``NonRetryable`` and the types in
its ``permanent_errors`` end it at once; everything else is retried until ``max_attempts``.
"""

from __future__ import annotations

import math


class TlhooksError(Exception):
    """Root of every exception tlhooks raises on purpose."""


class ConfigurationError(TlhooksError):
    """A setting is missing or invalid; the message names the variable and the fix."""


class RegistrationError(TlhooksError):
    """A handler cannot be registered; the message names the handler and the fix."""


class WebhookRejected(TlhooksError):
    """The receiver refuses a delivery. ``status_code`` is what the caller is told."""

    status_code = 400
    public_message = "The webhook was rejected."
    counter_label = "rejected"  # the reason label of tlhooks_webhook_rejections_total

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SignatureInvalid(WebhookRejected):
    """The TL-Signature header does not authenticate the body. The caller learns only that."""

    status_code = 401
    public_message = "The webhook signature could not be verified."
    counter_label = "invalid"


class SignatureMissing(SignatureInvalid):
    counter_label = "missing"


class SignatureMalformed(SignatureInvalid):
    counter_label = "malformed"


class SignatureMismatch(SignatureInvalid):
    counter_label = "mismatch"


class SignatureExpired(SignatureInvalid):
    counter_label = "expired"


class UnsupportedMediaType(WebhookRejected):
    status_code = 415
    public_message = "Webhooks must be sent as application/json."
    counter_label = "unsupported_media_type"


class PayloadTooLarge(WebhookRejected):
    status_code = 413
    public_message = "The webhook body is larger than this receiver accepts."
    counter_label = "too_large"


class BodyReadTimeout(WebhookRejected):
    status_code = 408
    public_message = "The request body did not arrive in time."
    counter_label = "slow_body"


class InvalidEnvelope(WebhookRejected):
    status_code = 400
    public_message = "The webhook body is not a valid Twelve Labs notification."
    counter_label = "invalid_envelope"


class StorageUnavailable(TlhooksError):
    """Redis (the ledger) or the Celery broker did not answer in time."""


class StorageRefused(StorageUnavailable):
    """Redis answered with a transient refusal (``code``: OOM, READONLY, LOADING, BUSY, ...)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class InvalidTransition(TlhooksError):
    """A status change that the event state machine does not allow."""


class LeaseLost(InvalidTransition):
    """A run's write was refused: its lease lapsed and another run owns the event now.

    An InvalidTransition, as the late run's final state change is: the processor lets both end
    the run the same way.
    """


class EventNotFound(TlhooksError):
    """No event with the given id is in the ledger (never stored, expired or purged)."""


class FetchFailed(TlhooksError):
    """Retrieving the analysis task from the Twelve Labs API failed."""


class RetryableFetchError(FetchFailed):
    """A failure that another attempt may cure (429, 5xx, a transport error)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(RetryableFetchError):
    """The API answered 429."""


class PermanentFetchError(FetchFailed):
    """A failure no retry can cure (404 and other 4xx, a body that is not a task)."""


class TaskNotFound(PermanentFetchError):
    """The API answered 404 for the task id."""


class BatchNotFound(PermanentFetchError):
    """The API answered 404 for the batch id."""


class SubmissionFailed(TlhooksError):
    """Creating an analysis task or batch failed."""


class SubmissionRejected(SubmissionFailed):
    """The API refused the request (4xx other than 429): no retry helps until it is fixed.

    ``status``, ``code`` and the message are the API's own.
    """

    def __init__(self, message: str, *, status: int, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class ActiveBatchLimit(SubmissionFailed):
    """429: the account already has its 5 active batches; submit once one has ended.

    Not a rate limit: it pauses nothing else.
    """


class SubmissionUnavailable(SubmissionFailed):
    """A failure another try may cure: 5xx, a rate-limit 429, a timeout or a transport error.

    The API may have created the task or batch before a timeout: submit again with the same
    Idempotency-Key and nothing is created twice.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SubmissionInvalid(TlhooksError):
    """A request tlhooks will not send (not JSON, not an object, no requests); nothing was sent."""


class ResultSchemaInvalid(TlhooksError):
    """A segment definition list, response format or JSON Schema cannot be compiled.

    The message names the offending definition, field or keyword and says how to fix it.
    Bad model output never raises this; it is reported in a validation outcome.
    """


class HandlerFailed(TlhooksError):
    """A handler's call ended without success; the worker records it as a failed attempt.

    Handlers raise the subclasses ``Retry`` and ``NonRetryable`` to steer the retry policy; the
    worker raises ``HandlerTimedOut``. Any other exception a handler raises is retried too.
    """


class Retry(HandlerFailed):
    """Run this handler again after at least ``delay`` seconds; the attempt still counts.

    ``delay=None`` waits the usual backoff. Like the API's ``Retry-After``, the wait is capped
    at ``TLHOOKS_RETRY_MAX_DELAY``; on the handler's last attempt the handler is given up.
    """

    def __init__(self, message: str = "", *, delay: float | None = None) -> None:
        number = isinstance(delay, int | float) and not isinstance(delay, bool)
        if delay is not None and not (number and 0 <= delay < math.inf):
            raise ValueError(f"Retry(delay={delay!r}): pass a finite number of seconds, 0 or more.")
        super().__init__(message or "the handler asked to be retried")
        self.delay = delay


class NonRetryable(HandlerFailed):
    """Give this handler up now: no further attempt; the event ends dead, naming it."""


class HandlerTimedOut(HandlerFailed):
    """The handler did not return within its ``timeout``; a retryable failed attempt.

    A thread cannot be stopped from outside, so the call is abandoned, not killed: it may still
    finish later, which is one more reason to write through ``idempotency_key``.
    """

    def __init__(self, handler: str, timeout: float, *, stack: str | None = None) -> None:
        super().__init__(
            f"Handler {handler!r} did not return within its timeout of {timeout:g} s; the call "
            "was abandoned and may still finish. Raise the timeout or make the handler faster."
        )
        self.handler = handler
        self.timeout = timeout
        self.stack = stack  # where the abandoned call was when the timeout passed
