"""Segment definitions, read into checked specs (facts doc §3).

A definition is ``{id, description, fields[], time_ranges[]?}``; a field is ``{name, type,
description, format?, enum?, items?}``. ``read_definitions`` accepts what the platform accepts
and raises ``ResultSchemaInvalid`` for what it would have refused at task creation: an unknown
type, ``format`` on anything but a timestamp (or a timestamp without one), ``enum`` on a
timestamp or with more than 100 values, an array without ``items.type``, a timestamp named
``start_time``, ``end_time`` or ``metadata``, and duplicate ids or field names.

``enum`` is a closed set. On string fields (and arrays of strings) the values are the strings
themselves; on integer, number and boolean fields each value is read as a JSON literal
(``["1", "2"]`` allows ``1`` and ``2``), and one that does not read as that type is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tlhooks.errors import ResultSchemaInvalid
from tlhooks.validation.timecodes import TIME_FORMATS

FIELD_TYPES = ("string", "boolean", "number", "integer", "array", "timestamp")
ITEM_TYPES = ("string", "number", "boolean", "integer")
RESERVED_TIMESTAMP_NAMES = frozenset({"start_time", "end_time", "metadata"})
MAX_ENUM = 100
_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
}

EnumValue = str | int | float | bool


@dataclass(frozen=True)
class FieldSpec:
    """One metadata field. ``enum`` holds typed values; ``item_type`` is set for arrays."""

    name: str
    type: str
    description: str = ""
    format: str | None = None
    enum: tuple[EnumValue, ...] | None = None
    item_type: str | None = None


@dataclass(frozen=True)
class DefinitionSpec:
    """One segment definition; ``time_ranges`` are the only spans its segments may cover."""

    id: str
    description: str
    fields: tuple[FieldSpec, ...]
    time_ranges: tuple[tuple[float, float], ...] = ()


def read_definitions(raw: object) -> tuple[DefinitionSpec, ...]:
    """Check and read a ``segment_definitions`` list."""
    if not isinstance(raw, list) or not raw:
        raise ResultSchemaInvalid(
            f"segment_definitions must be a non-empty list of definitions, not {raw!r:.80}."
        )
    specs = tuple(_read_definition(item, n) for n, item in enumerate(raw))
    _no_duplicates([spec.id for spec in specs], "definition id")
    return specs


def _read_definition(raw: object, position: int) -> DefinitionSpec:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
        raise ResultSchemaInvalid(
            f"segment_definitions[{position}] must be an object with a non-empty string id."
        )
    fields_raw = raw.get("fields") or []
    if not isinstance(fields_raw, list):
        raise ResultSchemaInvalid(f"Definition {raw['id']!r}: fields must be a list.")
    fields = tuple(_read_field(raw["id"], item) for item in fields_raw)
    _no_duplicates([f.name for f in fields], f"field name in definition {raw['id']!r}")
    return DefinitionSpec(
        id=raw["id"],
        description=str(raw.get("description") or ""),
        fields=fields,
        time_ranges=_read_ranges(raw["id"], raw.get("time_ranges")),
    )


def _read_field(owner: str, raw: object) -> FieldSpec:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
        raise ResultSchemaInvalid(f"Definition {owner!r}: every field needs a string name.")
    name, kind, where = raw["name"], raw.get("type"), f"Field {owner}.{raw['name']}"
    if kind not in FIELD_TYPES:
        raise ResultSchemaInvalid(f"{where}: type {kind!r} is not one of {list(FIELD_TYPES)}.")
    time_format = raw.get("format")
    if kind == "timestamp":
        if time_format not in TIME_FORMATS:
            raise ResultSchemaInvalid(
                f"{where}: a timestamp needs format, one of {list(TIME_FORMATS)}."
            )
        if name in RESERVED_TIMESTAMP_NAMES:
            raise ResultSchemaInvalid(f"{where}: {name!r} is reserved; rename the timestamp field.")
        if raw.get("enum") is not None or raw.get("items") is not None:
            raise ResultSchemaInvalid(f"{where}: a timestamp takes neither enum nor items.")
    elif time_format is not None:
        raise ResultSchemaInvalid(f"{where}: format is allowed only on timestamp fields.")
    item_type = _read_items(where, kind, raw.get("items"))
    return FieldSpec(
        name=name,
        type=kind,
        description=str(raw.get("description") or ""),
        format=time_format,
        enum=_read_enum(where, item_type or kind, raw.get("enum")),
        item_type=item_type,
    )


def _read_items(where: str, kind: str, items: object) -> str | None:
    if kind != "array":
        if items is not None:
            raise ResultSchemaInvalid(f"{where}: items is allowed only on array fields.")
        return None
    item_type = items.get("type") if isinstance(items, dict) else None
    if item_type not in ITEM_TYPES:
        raise ResultSchemaInvalid(f"{where}: an array needs items.type, one of {list(ITEM_TYPES)}.")
    return str(item_type)


def _read_enum(where: str, kind: str, enum: object) -> tuple[EnumValue, ...] | None:
    if enum is None:
        return None
    if not isinstance(enum, list) or not enum or len(enum) > MAX_ENUM:
        raise ResultSchemaInvalid(f"{where}: enum must list 1 to {MAX_ENUM} strings.")
    if kind == "string":
        return tuple(str(value) for value in enum)
    return tuple(_enum_literal(where, kind, value) for value in enum)


def _enum_literal(where: str, kind: str, value: object) -> EnumValue:
    parsed: Any = value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value
    typed = isinstance(parsed, _PYTHON_TYPES[kind])
    if typed and (kind == "boolean") == isinstance(parsed, bool):
        return parsed  # type: ignore[no-any-return]
    raise ResultSchemaInvalid(f"{where}: enum value {value!r} is not a {kind}.")


def _read_ranges(owner: str, raw: object) -> tuple[tuple[float, float], ...]:
    if not raw:
        return ()
    try:
        return tuple((float(r["start_time"]), float(r["end_time"])) for r in raw)  # type: ignore[attr-defined]
    except (TypeError, KeyError, ValueError) as exc:
        raise ResultSchemaInvalid(
            f"Definition {owner!r}: time_ranges must be a list of {{start_time, end_time}}."
        ) from exc


def _no_duplicates(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ResultSchemaInvalid(f"The {what} {name!r} is used twice; make it unique.")
        seen.add(name)
