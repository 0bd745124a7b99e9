from __future__ import annotations

import workers.validation


def test_the_public_api_is_pinned() -> None:
    assert sorted(workers.validation.__all__) == [
        "DeclaredSchema",
        "Issue",
        "ResultSchemaInvalid",
        "ResultValidator",
        "Segment",
        "SegmentLimits",
        "ValidationOutcome",
        "validate_task",
        "validator_for",
    ]
    for name in workers.validation.__all__:
        assert getattr(workers.validation, name) is not None


def test_the_schema_exception_derives_from_the_tlhooks_root() -> None:
    from tlhooks.errors import TlhooksError

    assert issubclass(workers.validation.ResultSchemaInvalid, TlhooksError)
