"""TaskRequest: a validated ``POST /analyze/tasks`` body, and how the task echoes it back.

``request_params`` follows the spec's echo schema: no ``model_name``, response formats reduced
to ``type / json_schema / segment_definitions``. List answers shorten it further (facts doc §2):
prompts are cut to 30 characters, ``json_schema`` is left out and only the first segment
definition is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

GENERAL = "general"
TIME_BASED_METADATA = "time_based_metadata"
LIST_PROMPT_CHARS = 30


@dataclass
class TaskRequest:
    """What a client asked for, after validation and defaults."""

    video: dict[str, Any]
    custom_id: str | None = None
    model_name: str = "pegasus1.2"
    analysis_mode: str = GENERAL
    prompt: str | None = None
    prompt_v2: dict[str, Any] | None = None
    temperature: float = 0.2
    max_tokens: int = 4096
    response_format: dict[str, Any] | None = None
    min_segment_duration: float | None = None
    max_segment_duration: float | None = None
    start_time: float | None = None
    end_time: float | None = None

    @property
    def segment_definitions(self) -> list[dict[str, Any]]:
        if self.response_format is None:
            return []
        definitions = self.response_format.get("segment_definitions") or []
        return list(definitions)

    @property
    def json_schema(self) -> dict[str, Any] | None:
        if self.response_format is None or self.response_format.get("type") != "json_schema":
            return None
        schema = self.response_format.get("json_schema")
        return schema if isinstance(schema, dict) else None

    def video_key(self) -> str:
        """A stable identity of the video, from which its emulated duration is derived."""
        kind = str(self.video.get("type"))
        value = self.video.get(kind)
        return f"{kind}:{value if isinstance(value, str) else ''}"

    def request_params(self, *, list_view: bool = False) -> dict[str, Any]:
        params: dict[str, Any] = {"analysis_mode": self.analysis_mode}
        if self.prompt is not None:
            params["prompt"] = self.prompt[:LIST_PROMPT_CHARS] if list_view else self.prompt
        if self.prompt_v2 is not None:
            prompt_v2 = dict(self.prompt_v2)
            if list_view:
                prompt_v2["input_text"] = str(prompt_v2.get("input_text", ""))[:LIST_PROMPT_CHARS]
            params["prompt_v2"] = prompt_v2
        if self.response_format is not None:
            params["response_format"] = _echo_format(self.response_format, list_view=list_view)
        params["temperature"] = self.temperature
        params["max_tokens"] = self.max_tokens
        for name in ("min_segment_duration", "max_segment_duration", "start_time", "end_time"):
            value = getattr(self, name)
            if value is not None:
                params[name] = value
        return params


def _echo_format(response_format: dict[str, Any], *, list_view: bool) -> dict[str, Any]:
    echo: dict[str, Any] = {"type": response_format["type"]}
    if "json_schema" in response_format and not list_view:
        echo["json_schema"] = response_format["json_schema"]
    definitions = response_format.get("segment_definitions")
    if definitions:
        kept = definitions[:1] if list_view else definitions
        echo["segment_definitions"] = [_echo_definition(d) for d in kept]
    return echo


def _echo_definition(definition: dict[str, Any]) -> dict[str, Any]:
    echo: dict[str, Any] = {k: definition[k] for k in ("id", "description") if k in definition}
    if "fields" in definition:
        echo["fields"] = [
            {
                key: field[key]
                for key in ("name", "type", "description", "enum", "items")
                if key in field
            }
            for field in definition["fields"]
        ]
    return echo
