"""The errors the emulated API answers with, and the bodies it writes for them.

    ApiError                      any non-2xx answer of the emulated /v1.3 API
    ├── InvalidParameter          400 parameter_invalid
    ├── MissingParameter          400 parameter_not_provided
    ├── UnsupportedSchema         422 an unsupported JSON-schema keyword
    ├── TaskNotFound              404 resource_not_exist
    ├── BatchNotFound             404 resource_not_exist
    ├── TaskInProgress            409 a task cannot be deleted while it is being processed
    ├── BatchConflict             409 batch_not_terminal, batch_completed, batch_canceled, ...
    ├── IdempotencyConflict       409 an Idempotency-Key reused with a different body [undoc]
    └── TooManyActiveBatches      429 too_many_requests: the active-batch limit is reached

Most analyze endpoints use the nested ``{"error": {"code", "message"}}`` body; the list endpoint's
400 uses the older flat ``{"code", "message"}`` body (facts doc §0), hence ``flat``.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


class ApiError(Exception):
    """An error answer: HTTP status, platform error code and a message naming the fix."""

    status_code = 400
    code = "parameter_invalid"

    def __init__(self, message: str, *, flat: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.flat = flat

    def body(self) -> dict[str, Any]:
        if self.flat:
            return {"code": self.code, "message": self.message}
        return {"error": {"code": self.code, "message": self.message}}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status_code)


class InvalidParameter(ApiError):
    status_code = 400
    code = "parameter_invalid"


class MissingParameter(ApiError):
    status_code = 400
    code = "parameter_not_provided"


class UnsupportedSchema(ApiError):
    # The 422 error code is not documented [undoc]; parameter_invalid is the emulator's choice.
    status_code = 422
    code = "parameter_invalid"


class TaskNotFound(ApiError):
    status_code = 404
    code = "resource_not_exist"

    def __init__(self, task_id: str) -> None:
        super().__init__(f"The analysis task {task_id!r} does not exist.")


class TaskInProgress(ApiError):
    status_code = 409
    code = "task_not_terminal"  # [undoc] the spec gives only the message

    def __init__(self, task_id: str) -> None:
        super().__init__(
            f"Cannot delete task {task_id!r} while it is being processed; "
            "wait until it is ready or failed."
        )


class BatchNotFound(ApiError):
    status_code = 404
    code = "resource_not_exist"

    def __init__(self, batch_id: str) -> None:
        super().__init__(f"The batch {batch_id!r} does not exist.")


class BatchConflict(ApiError):
    """409 with a code chosen per case: ``batch_not_terminal`` or ``batch_<terminal status>``."""

    status_code = 409

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class IdempotencyConflict(ApiError):
    status_code = 409
    code = "idempotency_key_reused"  # [undoc] the platform documents no semantics


class TooManyActiveBatches(ApiError):
    status_code = 429
    code = "too_many_requests"


def error_body(code: str, message: str) -> dict[str, Any]:
    """The nested body for errors raised outside an ``ApiError`` (auth, injected faults)."""
    return {"error": {"code": code, "message": message}}
