from __future__ import annotations

import types

import tlhooks.validation


def test_the_public_api_is_pinned() -> None:
    assert sorted(tlhooks.validation.__all__) == [
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


def test_every_public_name_of_the_package_is_exported_and_every_export_exists() -> None:
    public = {
        name
        for name, value in vars(tlhooks.validation).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"
    }
    assert public == set(tlhooks.validation.__all__)


def test_the_schema_exception_derives_from_the_tlhooks_root() -> None:
    from tlhooks.errors import TlhooksError

    assert issubclass(tlhooks.validation.ResultSchemaInvalid, TlhooksError)
