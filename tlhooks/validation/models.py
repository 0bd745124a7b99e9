"""Pydantic models built from segment definitions, and the Python names they use.

Each definition gets a metadata model (every declared field required, strict types, unknown
fields kept in ``model_extra`` so they can be reported) and a segment model around it
(``start_time`` / ``end_time`` in ``segment_time_format``, ``metadata``). The document model
holds one list of segments per definition id, so a whole result validates in one pass of
pydantic-core over the JSON text.
"""

from __future__ import annotations

import keyword
import re
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PydanticUndefinedAnnotation,
    PydanticUserError,
    create_model,
)

from tlhooks.errors import ResultSchemaInvalid
from tlhooks.validation.definitions import DefinitionSpec, FieldSpec
from tlhooks.validation.timecodes import time_type

_SCALARS: dict[str, type] = {"string": str, "boolean": bool, "number": float, "integer": int}
_TAKEN = frozenset(dir(BaseModel)) | {"model_config"}
_METADATA_CONFIG = ConfigDict(strict=True, extra="allow", protected_namespaces=())


def class_name(identifier: str, suffix: str, taken: set[str]) -> str:
    """``sponsor_logo`` -> ``SponsorLogoMetadata``; unique among ``taken``, which it extends."""
    words = re.findall(r"[A-Za-z0-9]+", identifier)
    base = "".join(w[:1].upper() + w[1:] for w in words) or "Definition"
    if base[0].isdigit():
        base = f"D{base}"
    name, n = f"{base}{suffix}", 2
    while name in taken:
        name, n = f"{base}{n}{suffix}", n + 1
    taken.add(name)
    return name


def attribute_name(name: str, taken: set[str]) -> str:
    """A Python attribute for field ``name``: itself when usable, else a cleaned spelling."""
    cleaned = re.sub(r"\W", "_", name)
    if not cleaned or cleaned[0].isdigit() or cleaned.startswith("_"):
        cleaned = f"field_{cleaned.lstrip('_')}"
    if keyword.iskeyword(cleaned) or cleaned in _TAKEN:
        cleaned = f"{cleaned}_"
    candidate, n = cleaned, 2
    while candidate in taken:
        candidate, n = f"{cleaned}_{n}", n + 1
    taken.add(candidate)
    return candidate


def field_annotation(spec: FieldSpec) -> Any:
    """The pydantic type of one metadata field."""
    if spec.type == "timestamp":
        return time_type(spec.format)
    if spec.type == "array":
        return list[_scalar(spec.item_type or "string", spec.enum)]  # type: ignore[misc]
    return _scalar(spec.type, spec.enum)


def _scalar(kind: str, enum: tuple[Any, ...] | None) -> Any:
    if enum:
        return Literal[enum]
    return _SCALARS[kind]


def metadata_model(spec: DefinitionSpec, name: str) -> type[BaseModel]:
    """The metadata model of one definition: every declared field required."""
    taken: set[str] = set()
    fields: dict[str, Any] = {}
    for field in spec.fields:
        attribute = attribute_name(field.name, taken)
        alias = field.name if attribute != field.name else None
        fields[attribute] = (
            field_annotation(field),
            Field(alias=alias, description=field.description or None),
        )
    model: type[BaseModel] = create_model(
        name, __config__=_METADATA_CONFIG, __doc__=spec.description or None, **fields
    )
    return model


def segment_model(metadata: type[BaseModel], time_format: str | None, name: str) -> type[BaseModel]:
    """``{start_time, end_time, metadata}`` with boundaries in ``time_format``."""
    bound = time_type(time_format)
    model: type[BaseModel] = create_model(
        name,
        __config__=ConfigDict(strict=True, extra="allow"),
        start_time=(bound, ...),
        end_time=(bound, ...),
        metadata=(metadata, ...),
    )
    return model


def document_model(segments: dict[str, type[BaseModel]]) -> tuple[type[BaseModel], dict[str, str]]:
    """The whole result: one optional list per definition id; unknown ids land in extra.

    Returns the model and the attribute that holds each definition id's list.
    """
    taken: set[str] = set()
    attributes = {identifier: attribute_name(identifier, taken) for identifier in segments}
    fields: dict[str, Any] = {
        attributes[identifier]: (list[model], Field(default_factory=list, alias=identifier))  # type: ignore[valid-type]
        for identifier, model in segments.items()
    }
    document: type[BaseModel] = create_model(
        "SegmentsDocument",
        __config__=ConfigDict(strict=True, extra="allow", protected_namespaces=()),
        **fields,
    )
    return document, attributes


def ensure_complete(model: type[BaseModel], what: str) -> None:
    """Raise ``ResultSchemaInvalid`` unless ``model`` (and the models it uses) can validate."""
    try:
        model.model_rebuild()
    except (PydanticUserError, PydanticUndefinedAnnotation) as exc:
        raise ResultSchemaInvalid(
            f"{what} is not fully defined ({exc}); define every type it names, then call "
            "model_rebuild() on it."
        ) from exc
