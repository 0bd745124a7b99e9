"""Issues: one problem found in a result, with where it is, what was there and which rule failed.

``IssueLog`` collects them and keeps the lists short: the first ``MAX_ISSUES`` errors and
warnings are kept, the rest only counted, so a result with thousands of bad segments still
makes a small ledger record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass

from pydantic_core import ErrorDetails

MAX_ISSUES = 100
MAX_VALUE_CHARS = 200
MISSING = "<missing>"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_PYDANTIC_RULES = {
    "string_type": "type:string",
    "int_type": "type:integer",
    "int_from_float": "type:integer",
    "int_parsing": "type:integer",
    "float_parsing": "type:number",
    "bool_parsing": "type:boolean",
    "float_type": "type:number",
    "bool_type": "type:boolean",
    "list_type": "type:array",
    "model_type": "type:object",
    "model_attributes_type": "type:object",
    "dict_type": "type:object",
    "literal_error": "enum",
    "enum": "enum",
    "missing": "required",
    "extra_forbidden": "unknown_field",
    "json_invalid": "json",
    "json_type": "json",
}
_STRUCTURAL = frozenset({"missing", "extra_forbidden", "json_invalid", "json_type"})

RuleOverride = Callable[[tuple[str | int, ...]], str | None]


@dataclass(frozen=True, slots=True)
class Issue:
    """A problem at ``path`` (``scene[3].metadata.people_count``; ``$`` is the whole result).

    ``value`` is the repr of what was found, cut to 200 characters; ``rule`` names the check
    (``type:integer``, ``enum``, ``required``, ``format:hh:mm:ss``, ``order``, ``window``, ...).
    """

    path: str
    value: str
    rule: str
    message: str

    def model_dump(self) -> dict[str, str]:
        return asdict(self)


def shorten(value: object) -> str:
    """The repr of ``value``, cut to ``MAX_VALUE_CHARS`` with a marker when cut."""
    text = repr(value)
    if len(text) <= MAX_VALUE_CHARS:
        return text
    return text[: MAX_VALUE_CHARS - 3] + "..."


def render_path(loc: Sequence[str | int]) -> str:
    """``("scene", 3, "metadata", "n")`` as ``scene[3].metadata.n``; the root is ``$``."""
    return join_path("", *loc) or "$"


def join_path(base: str, *keys: str | int) -> str:
    """``base`` extended by ``keys``: ``[3]`` for an index, ``.name`` or ``['odd name']``."""
    parts = [base]
    for key in keys:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif _IDENTIFIER.match(key):
            parts.append(f".{key}" if any(parts) else key)
        else:
            parts.append(f"[{key!r}]")
    return "".join(parts)


class IssueLog:
    """Errors and warnings of one validation, each list capped at ``cap`` entries."""

    def __init__(self, cap: int = MAX_ISSUES) -> None:
        self.cap = cap
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self.omitted_errors = 0
        self.omitted_warnings = 0

    def error(self, path: str, value: str, rule: str, message: str) -> None:
        if len(self.errors) < self.cap:
            self.errors.append(Issue(path, value, rule, message))
        else:
            self.omitted_errors += 1

    def warning(self, path: str, value: str, rule: str, message: str) -> None:
        if len(self.warnings) < self.cap:
            self.warnings.append(Issue(path, value, rule, message))
        else:
            self.omitted_warnings += 1

    def extend_warnings(self, issues: Iterable[Issue]) -> None:
        for issue in issues:
            self.warning(issue.path, issue.value, issue.rule, issue.message)

    def pydantic_errors(
        self,
        errors: Iterable[ErrorDetails],
        prefix: tuple[str | int, ...] = (),
        override: RuleOverride | None = None,
    ) -> None:
        """Record pydantic's errors under ``prefix``; ``override`` names format rules by place."""
        for detail in errors:
            loc = (*prefix, *detail["loc"])
            kind = detail["type"]
            rule = _PYDANTIC_RULES.get(kind, kind)
            if override is not None and kind not in _STRUCTURAL:
                rule = override(loc) or rule
            value = MISSING if kind == "missing" else shorten(detail.get("input"))
            self.error(render_path(loc), value, rule, _sentence(detail["msg"]))


def _sentence(text: str) -> str:
    return text if text.endswith(".") else f"{text}."
