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
    ├── EventNotFound                 no event with that id is in the ledger
    ├── FetchFailed                   retrieving a task from the API failed
    │   ├── RetryableFetchError       worth another try: 429, 5xx, transport error, task unsettled
    │   │   └── RateLimited           429, with the delay the platform asked for
    │   └── PermanentFetchError       no retry helps: 404 and other 4xx, unparseable bodies
    │       └── TaskNotFound          404
    ├── ResultSchemaInvalid           a segment definition list or JSON Schema cannot be compiled
    └── HandlerFailed                 a handler raised; the original exception is its __cause__

Retryable and permanent failures are distinct types so that the retry policy reads the type,
never the message.
"""

from __future__ import annotations


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


class ResultSchemaInvalid(TlhooksError):
    """A segment definition list, response format or JSON Schema cannot be compiled.

    The message names the offending definition, field or keyword and says how to fix it.
    Bad model output never raises this; it is reported in a validation outcome.
    """


class HandlerFailed(TlhooksError):
    """A handler raised. The handler's own exception is chained as ``__cause__``."""

    def __init__(self, handler: str, message: str) -> None:
        super().__init__(f"Handler {handler!r} failed: {message}")
        self.handler = handler
