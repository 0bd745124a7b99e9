"""Checks ``response_format``: its type, a JSON schema, or segment definitions (facts doc §3).

Segment definition rules: 1 to ``max_definitions`` definitions with unique ids and a
description; up to 20 fields each, with ``format`` iff the type is ``timestamp``, at most 100
``enum`` values and ``items`` iff the type is ``array`` (neither on timestamps), and no timestamp
field named ``start_time``, ``end_time`` or ``metadata``; up to 4 media sources; time ranges of
at least 2 s that do not overlap.
"""

from __future__ import annotations

import itertools
from typing import Any

from emulator.errors import InvalidParameter, MissingParameter
from emulator.json_schema import SchemaChecker
from emulator.timeformat import TIME_FORMATS

FORMAT_TYPES = ("json_schema", "segment_definitions")
FIELD_TYPES = ("string", "boolean", "number", "integer", "array", "timestamp")
ITEM_TYPES = ("string", "number", "boolean", "integer")
RESERVED_FIELD_NAMES = frozenset({"start_time", "end_time", "metadata"})
MAX_FIELDS = 20
MAX_ENUM = 100
MAX_MEDIA_SOURCES = 4
MIN_RANGE_SECONDS = 2.0
_PATH = "response_format.segment_definitions"


def check_response_format(value: object, *, model: str, max_definitions: int) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidParameter("response_format must be a JSON object.")
    kind = value.get("type")
    if kind is None:
        raise MissingParameter(
            "response_format.type is required: json_schema or segment_definitions."
        )
    if kind not in FORMAT_TYPES:
        raise InvalidParameter(f"response_format.type {kind!r} is not one of {list(FORMAT_TYPES)}.")
    time_format = value.get("segment_time_format", "seconds")
    if time_format not in TIME_FORMATS:
        raise InvalidParameter(
            f"response_format.segment_time_format {time_format!r} is not one of "
            f"{list(TIME_FORMATS)}."
        )
    if kind == "json_schema":
        if "json_schema" not in value:
            raise MissingParameter("response_format.json_schema is required for type json_schema.")
        SchemaChecker(timestamps=model == "pegasus1.5").check(value["json_schema"])
    else:
        _check_definitions(value.get("segment_definitions"), max_definitions)
    return value


def _check_definitions(definitions: object, max_definitions: int) -> None:
    if definitions is None:
        raise MissingParameter(f"{_PATH} is required for type segment_definitions.")
    if not isinstance(definitions, list) or not 1 <= len(definitions) <= max_definitions:
        raise InvalidParameter(f"{_PATH} must be a list of 1 to {max_definitions} definitions.")
    seen: set[str] = set()
    for definition in definitions:
        if not isinstance(definition, dict):
            raise InvalidParameter(f"Each entry of {_PATH} must be a JSON object.")
        for key in ("id", "description"):
            if not isinstance(definition.get(key), str) or not definition[key]:
                raise MissingParameter(f"{_PATH}.{key} is required and must be a non-empty string.")
        if definition["id"] in seen:
            raise InvalidParameter(
                f"{_PATH}.id {definition['id']!r} is used twice; ids must be unique."
            )
        seen.add(definition["id"])
        _check_definition_parts(definition)


def _check_definition_parts(definition: dict[str, Any]) -> None:
    fields = definition.get("fields", [])
    if not isinstance(fields, list) or len(fields) > MAX_FIELDS:
        raise InvalidParameter(f"{_PATH}.fields must be a list of at most {MAX_FIELDS} fields.")
    for field in fields:
        _check_field(field)
    sources = definition.get("media_sources", [])
    if not isinstance(sources, list) or len(sources) > MAX_MEDIA_SOURCES:
        raise InvalidParameter(f"{_PATH}.media_sources allows at most {MAX_MEDIA_SOURCES} images.")
    check_time_ranges(definition.get("time_ranges"))


def _check_field(field: object) -> None:
    where = f"{_PATH}.fields"
    if not isinstance(field, dict):
        raise InvalidParameter(f"Each entry of {where} must be a JSON object.")
    for key in ("name", "type", "description"):
        if not isinstance(field.get(key), str) or not field[key]:
            raise MissingParameter(f"{where}.{key} is required and must be a non-empty string.")
    if field["type"] not in FIELD_TYPES:
        raise InvalidParameter(f"{where}.type {field['type']!r} is not one of {list(FIELD_TYPES)}.")
    _check_timestamp_rules(field, where)
    _check_value_rules(field, where)


def _check_timestamp_rules(field: dict[str, Any], where: str) -> None:
    timestamp = field["type"] == "timestamp"
    if timestamp and field.get("format") not in TIME_FORMATS:
        raise InvalidParameter(
            f"{where}.format: format is required for timestamp type; "
            "allowed values: seconds, hh:mm:ss, hh:mm:ss.fff"
        )
    if not timestamp and "format" in field:
        raise InvalidParameter(f"{where}.format is only allowed when type is timestamp.")
    if timestamp and field["name"] in RESERVED_FIELD_NAMES:
        raise InvalidParameter(
            f"{where}.name {field['name']!r} is reserved; rename the timestamp field."
        )


def _check_value_rules(field: dict[str, Any], where: str) -> None:
    kind = field["type"]
    timestamp = kind == "timestamp"
    enum = field.get("enum")
    if enum is not None and (
        timestamp or not isinstance(enum, list) or len(enum) > MAX_ENUM
        or not all(isinstance(v, str) for v in enum)
    ):  # fmt: skip
        raise InvalidParameter(
            f"{where}.enum must be at most {MAX_ENUM} strings, not on timestamps."
        )
    items = field.get("items")
    if kind == "array" and not (isinstance(items, dict) and items.get("type") in ITEM_TYPES):
        raise InvalidParameter(
            f"{where}.items with a type in {list(ITEM_TYPES)} is required for arrays."
        )
    if kind != "array" and items is not None:
        raise InvalidParameter(f"{where}.items is only allowed when type is array.")


def check_time_ranges(ranges: object) -> None:
    if ranges is None:
        return
    where = f"{_PATH}.time_ranges"
    if not isinstance(ranges, list):
        raise InvalidParameter(f"{where} must be a list of {{start_time, end_time}} objects.")
    spans: list[tuple[float, float]] = []
    for entry in ranges:
        start = entry.get("start_time") if isinstance(entry, dict) else None
        end = entry.get("end_time") if isinstance(entry, dict) else None
        if not isinstance(start, int | float) or not isinstance(end, int | float) or start < 0:
            raise InvalidParameter(f"{where} entries need numeric start_time >= 0 and end_time.")
        if end - start < MIN_RANGE_SECONDS - 1e-9:
            raise InvalidParameter(f"{where}: [{start}, {end}] is shorter than 2 seconds.")
        spans.append((float(start), float(end)))
    spans.sort()
    for (_, previous_end), (next_start, _) in itertools.pairwise(spans):
        if next_start < previous_end:
            raise InvalidParameter(f"{where} overlap; ranges may touch but not overlap.")
