"""Checks a ``response_format.json_schema`` against the platform's subset (facts doc §6).

Unsupported keywords (``minLength``, ``maxLength``, ``additionalProperties``, ``uniqueItems``,
``maxItems``, and composition other than ``anyOf``) answer 422. Misplaced or malformed
``timestamp`` types, ``$ref`` outside ``$defs`` and bad reserved ``start_time`` / ``end_time``
properties answer 400 ``parameter_invalid``.
"""

from __future__ import annotations

from typing import Any

from emulator.errors import InvalidParameter, UnsupportedSchema
from emulator.timeformat import TIME_FORMATS

TYPES = frozenset({"array", "boolean", "integer", "null", "number", "object", "string"})
UNSUPPORTED = ("minLength", "maxLength", "additionalProperties", "uniqueItems", "maxItems")
COMPOSITION = ("oneOf", "allOf", "not")
RESERVED = frozenset({"start_time", "end_time"})
_RESERVED_REJECTED = frozenset({"boolean", "object", "array", "null"})
_ROOT = "response_format.json_schema"


class SchemaChecker:
    """Walks one schema; ``timestamps`` says whether the model knows the timestamp type."""

    def __init__(self, *, timestamps: bool) -> None:
        self._timestamps = timestamps

    def check(self, schema: object) -> None:
        if not isinstance(schema, dict):
            raise InvalidParameter(f"{_ROOT} must be a JSON object.")
        self._walk(schema, [])

    def _walk(self, schema: dict[str, Any], path: list[str]) -> None:
        where = ".".join([_ROOT, *path])
        self._reject_keywords(schema, where)
        reference = schema.get("$ref")
        if reference is not None and not str(reference).startswith("#/$defs/"):
            raise InvalidParameter(f"{where}.$ref: only references into $defs are supported.")
        kind = schema.get("type")
        if kind == "timestamp":
            self._check_timestamp(schema, path, where)
        elif kind is not None and not all(k in TYPES for k in _as_list(kind)):
            raise InvalidParameter(f"{where}.type: {kind!r} is not a supported type.")
        if path and path[-1] in RESERVED and path[-2:-1] == ["properties"]:
            self._check_reserved(schema, where)
        for child_path, child in _children(schema):
            self._walk(child, [*path, *child_path])

    @staticmethod
    def _reject_keywords(schema: dict[str, Any], where: str) -> None:
        for keyword in UNSUPPORTED + COMPOSITION:
            if keyword not in schema:
                continue
            if keyword in ("minLength", "maxLength"):
                raise UnsupportedSchema(f"String length constraints ({keyword}) are not supported.")
            raise UnsupportedSchema(f"{where}: the keyword {keyword} is not supported.")
        if schema.get("minItems", 0) not in (0, 1):
            raise InvalidParameter(f"{where}.minItems: only 0 and 1 are supported.")

    def _check_timestamp(self, schema: dict[str, Any], path: list[str], where: str) -> None:
        if not self._timestamps:
            raise InvalidParameter(f"{where}.type: timestamp requires model_name pegasus1.5.")
        top_level = len(path) == 2 and path[0] == "properties"
        in_items = (
            len(path) == 5 and path[0] == "properties" and path[2:4] == ["items", "properties"]
        )
        if not (top_level or in_items):
            raise InvalidParameter(
                f"{where}: a timestamp may only appear as properties.<name> or "
                "properties.<array>.items.properties.<name>."
            )
        if schema.get("format") not in TIME_FORMATS:
            raise InvalidParameter(
                f"{where}.format: format is required for timestamp type; "
                "allowed values: seconds, hh:mm:ss, hh:mm:ss.fff"
            )

    @staticmethod
    def _check_reserved(schema: dict[str, Any], where: str) -> None:
        kinds = set(_as_list(schema.get("type")))
        if kinds & _RESERVED_REJECTED or ("string" in kinds and "format" in schema):
            raise InvalidParameter(
                f"{where}: start_time and end_time must be number, integer, timestamp or a "
                "string without format."
            )


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else [value]


def _children(schema: dict[str, Any]) -> list[tuple[list[str], dict[str, Any]]]:
    children: list[tuple[list[str], dict[str, Any]]] = []
    for keyword in ("properties", "$defs"):
        members = schema.get(keyword)
        if isinstance(members, dict):
            children += [([keyword, n], s) for n, s in members.items() if isinstance(s, dict)]
    items = schema.get("items")
    if isinstance(items, dict):
        children.append((["items"], items))
    branches = schema.get("anyOf")
    if isinstance(branches, list):
        children += [(["anyOf", str(i)], s) for i, s in enumerate(branches) if isinstance(s, dict)]
    return children
