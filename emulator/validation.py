"""Validates a ``POST /analyze/tasks`` body into a TaskRequest (facts doc §2 and §8).

A missing required value answers 400 ``parameter_not_provided``; a wrong one 400
``parameter_invalid``; an unknown top-level key 400 ``parameter_unknown``. The response_format
rules live in ``emulator.response_format`` and ``emulator.json_schema``.
"""

from __future__ import annotations

import re
from typing import Any

from emulator.errors import ApiError, InvalidParameter, MissingParameter
from emulator.request import GENERAL, TIME_BASED_METADATA, TaskRequest
from emulator.response_format import check_response_format

CUSTOM_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MODELS = ("pegasus1.2", "pegasus1.5")
MODES = (GENERAL, TIME_BASED_METADATA)
VIDEO_TYPES = ("url", "asset_id", "base64_string")
MAX_BASE64_CHARS = 30 * 1024 * 1024 * 4 // 3
# (model, mode) -> (minimum, maximum, default) max_tokens
MAX_TOKENS = {
    ("pegasus1.2", GENERAL): (2, 4096, 4096),
    ("pegasus1.5", GENERAL): (512, 98304, 4096),
    ("pegasus1.5", TIME_BASED_METADATA): (2048, 98304, 32768),
}
KNOWN_KEYS = frozenset(
    {
        "video", "custom_id", "model_name", "prompt", "prompt_v2", "analysis_mode",
        "temperature", "max_tokens", "response_format", "min_segment_duration",
        "max_segment_duration", "start_time", "end_time",
    }
)  # fmt: skip


class UnknownParameter(ApiError):
    code = "parameter_unknown"


def parse_task_request(body: object, *, max_definitions: int = 20) -> TaskRequest:
    if not isinstance(body, dict):
        raise InvalidParameter("The request body must be a JSON object.")
    unknown = sorted(set(body) - KNOWN_KEYS)
    if unknown:
        raise UnknownParameter(f"Unknown parameter(s) {unknown}; remove them from the request.")
    model = _choice(body, "model_name", MODELS, "pegasus1.2")
    mode = _choice(body, "analysis_mode", MODES, GENERAL)
    if mode == TIME_BASED_METADATA and model != "pegasus1.5":
        raise InvalidParameter("analysis_mode time_based_metadata requires model_name pegasus1.5.")
    request = TaskRequest(
        video=_video(body.get("video")),
        custom_id=_custom_id(body.get("custom_id")),
        model_name=model,
        analysis_mode=mode,
        temperature=_temperature(body.get("temperature", 0.2)),
        max_tokens=_max_tokens(body.get("max_tokens"), model, mode),
    )
    _apply_prompts(request, body)
    _apply_response_format(request, body, max_definitions)
    _apply_timing(request, body)
    return request


def _choice(body: dict[str, Any], key: str, allowed: tuple[str, ...], default: str) -> str:
    value = body.get(key, default)
    if value not in allowed:
        raise InvalidParameter(f"{key} {value!r} is not one of {list(allowed)}.")
    return str(value)


def _video(video: object) -> dict[str, Any]:
    if video is None:
        raise MissingParameter("video is required: {type: url|asset_id|base64_string, ...}.")
    if not isinstance(video, dict) or video.get("type") not in VIDEO_TYPES:
        raise InvalidParameter(f"video.type must be one of {list(VIDEO_TYPES)}.")
    kind = video["type"]
    value = video.get(kind)
    if not isinstance(value, str) or not value:
        raise MissingParameter(f"video.{kind} is required when video.type is {kind}.")
    others = [k for k in VIDEO_TYPES if k != kind and k in video]
    if others:
        raise InvalidParameter(f"video must carry exactly one source; remove {others}.")
    if kind == "url" and not value.startswith(("http://", "https://")):
        raise InvalidParameter("video.url must be a direct http(s) link to the media file.")
    if kind == "base64_string" and len(value) > MAX_BASE64_CHARS:
        raise InvalidParameter("video.base64_string exceeds 30 MB; upload the video as an asset.")
    return dict(video)


def _custom_id(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not CUSTOM_ID.match(value):
        raise InvalidParameter(
            f"custom_id {value!r} must match ^[A-Za-z0-9_-]{{1,64}}$: "
            "1 to 64 letters, digits, _ or -."
        )
    return value


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _temperature(value: object) -> float:
    if not _number(value) or not 0 <= value <= 1:  # type: ignore[operator]
        raise InvalidParameter(f"temperature {value!r} must be a number between 0 and 1.")
    return float(value)  # type: ignore[arg-type]


def _max_tokens(value: object, model: str, mode: str) -> int:
    low, high, default = MAX_TOKENS[(model, mode)]
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidParameter(
            f"max_tokens {value!r} must be an integer from {low} to {high} for {model} {mode}."
        )
    return value


def _apply_prompts(request: TaskRequest, body: dict[str, Any]) -> None:
    prompt, prompt_v2 = body.get("prompt"), body.get("prompt_v2")
    if prompt is not None and prompt_v2 is not None:
        raise InvalidParameter("prompt and prompt_v2 are mutually exclusive; send one.")
    if request.analysis_mode == TIME_BASED_METADATA:
        if prompt is not None or prompt_v2 is not None:
            raise InvalidParameter("prompt and prompt_v2 are not allowed with time_based_metadata.")
        return
    if prompt is None and prompt_v2 is None:
        raise MissingParameter("prompt is required for analysis_mode general.")
    if prompt is not None:
        if not isinstance(prompt, str) or not prompt.strip():
            raise InvalidParameter("prompt must be a non-empty string.")
        request.prompt = prompt
        return
    request.prompt_v2 = _prompt_v2(prompt_v2, request.model_name)


def _prompt_v2(value: object, model: str) -> dict[str, Any]:
    if model != "pegasus1.5":
        raise InvalidParameter("prompt_v2 requires model_name pegasus1.5.")
    if not isinstance(value, dict) or not isinstance(value.get("input_text"), str):
        raise MissingParameter("prompt_v2.input_text is required.")
    sources = value.get("media_sources", [])
    if not isinstance(sources, list) or len(sources) > 4:
        raise InvalidParameter("prompt_v2.media_sources allows at most 4 images.")
    for source in sources:
        if not isinstance(source, dict) or source.get("media_type") != "image":
            raise InvalidParameter("prompt_v2.media_sources entries need media_type image.")
        if sum(k in source for k in VIDEO_TYPES) != 1 or "name" not in source:
            raise InvalidParameter(
                "Each prompt_v2.media_sources entry needs a name and exactly one of "
                "url, asset_id or base64_string."
            )
    return dict(value)


def _apply_response_format(request: TaskRequest, body: dict[str, Any], limit: int) -> None:
    value = body.get("response_format")
    if value is None:
        if request.analysis_mode == TIME_BASED_METADATA:
            raise MissingParameter("time_based_metadata requires response_format.")
        return
    request.response_format = check_response_format(
        value, model=request.model_name, max_definitions=limit
    )
    segments = request.response_format["type"] == "segment_definitions"
    if segments != (request.analysis_mode == TIME_BASED_METADATA):
        raise InvalidParameter(
            "response_format.type segment_definitions goes with analysis_mode "
            "time_based_metadata, and only with it."
        )


def _apply_timing(request: TaskRequest, body: dict[str, Any]) -> None:
    names = ("min_segment_duration", "max_segment_duration", "start_time", "end_time")
    given = {name: body[name] for name in names if body.get(name) is not None}
    for name, value in given.items():
        if not _number(value) or value < 0:
            raise InvalidParameter(f"{name} {value!r} must be a number of seconds.")
        if request.model_name != "pegasus1.5":
            raise InvalidParameter(f"{name} requires model_name pegasus1.5.")
        setattr(request, name, float(value))
    durations = [given.get("min_segment_duration"), given.get("max_segment_duration")]
    if any(d is not None for d in durations) and request.analysis_mode != TIME_BASED_METADATA:
        raise InvalidParameter(
            "min/max_segment_duration require analysis_mode time_based_metadata."
        )
    if any(d is not None and d < 2 for d in durations):
        raise InvalidParameter("min_segment_duration and max_segment_duration must be >= 2.")
    shortest, longest = durations
    if shortest is not None and longest is not None and longest < shortest:
        raise InvalidParameter("max_segment_duration must not be less than min_segment_duration.")
    start, end = request.start_time or 0.0, request.end_time
    # a tolerance keeps decimal inputs such as 0.3 and 4.3 from failing on binary rounding
    if end is not None and end - start < 4 - 1e-9:
        raise InvalidParameter("end_time must lie at least 4 seconds after start_time.")
    ranged = any("time_ranges" in d for d in request.segment_definitions)
    if ranged and any(name in given for name in names):
        raise InvalidParameter(
            "segment_definitions[].time_ranges cannot be combined with start_time, end_time, "
            "min_segment_duration or max_segment_duration."
        )
