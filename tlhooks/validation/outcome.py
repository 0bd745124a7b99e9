"""What validation hands back: typed data for handlers and a summary for the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel

from tlhooks.validation.issues import Issue, IssueLog

Mode = Literal["segments", "document", "text"]


class Segment(NamedTuple):
    """One validated segment. Boundaries are float seconds whatever format the platform used;
    ``metadata`` is an instance of the definition's model (the handler's own when declared).

    A named tuple: immutable and cheap to build by the thousand.
    """

    start_time: float
    end_time: float
    metadata: BaseModel


@dataclass(frozen=True)
class ValidationOutcome:
    """The result of validating one task's result against its schema.

    ``valid`` means no errors (warnings allowed). A truncated result (``finish_reason:
    "length"``) has ``truncated`` set and a ``truncated`` warning; when its JSON was cut,
    the complete segments before the cut are salvaged into ``segments``, ``partial`` is set
    and ``salvaged`` counts the salvaged segments handed over (those that also validate).
    ``valid`` then says whether what was salvaged validates.
    """

    mode: Mode
    truncated: bool = False
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    omitted_errors: int = 0
    omitted_warnings: int = 0
    segments: dict[str, list[Segment]] | None = None
    document: Any = None
    text: str | None = None
    salvaged: int | None = None
    partial: bool = False

    @property
    def valid(self) -> bool:
        return not self.errors and not self.omitted_errors

    @classmethod
    def build(cls, mode: Mode, log: IssueLog, **data: Any) -> ValidationOutcome:
        """An outcome carrying ``log``'s issues."""
        return cls(
            mode=mode,
            errors=log.errors,
            warnings=log.warnings,
            omitted_errors=log.omitted_errors,
            omitted_warnings=log.omitted_warnings,
            **data,
        )

    def to_record(self) -> dict[str, Any]:
        """A JSON-able summary for the ledger (no data, only what was found)."""
        return {
            "mode": self.mode,
            "valid": self.valid,
            "truncated": self.truncated,
            "errors": [issue.model_dump() for issue in self.errors],
            "warnings": [issue.model_dump() for issue in self.warnings],
            "omitted_errors": self.omitted_errors,
            "omitted_warnings": self.omitted_warnings,
            "salvaged": self.salvaged,
            "partial": self.partial,
        }
