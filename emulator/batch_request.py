"""Validates a ``POST /analyze/batches`` body into one TaskRequest per item (facts doc §4).

``model_name`` (``pegasus1.5`` only), ``analysis_mode`` and 1 to 1,000 ``requests`` are
required. Each item needs ``video: {type: "asset_id", asset_id}`` (24 hex characters
[undoc: the platform's own asset id format]) and may carry a ``custom_id``, unique within the
batch. ``defaults`` are merged under each item's overrides; an item's ``prompt`` or
``response_format`` replaces the default object whole. The batch ``prompt`` is an object
``{input_text, media_sources?}`` and becomes the task's ``prompt_v2``. Every merged item is then
checked by the task rules of ``emulator.validation``; its errors name the item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from emulator.errors import ApiError, InvalidParameter, MissingParameter
from emulator.request import GENERAL, TIME_BASED_METADATA, TaskRequest
from emulator.validation import UnknownParameter, parse_task_request

BATCH_MODEL = "pegasus1.5"
MAX_REQUESTS = 1000
ASSET_ID = re.compile(r"^[0-9a-fA-F]{24}$")
TOP_KEYS = frozenset({"model_name", "analysis_mode", "requests", "defaults"})
OVERRIDES = frozenset(
    {
        "prompt", "response_format", "temperature", "max_tokens", "min_segment_duration",
        "max_segment_duration", "start_time", "end_time",
    }
)  # fmt: skip
ITEM_KEYS = OVERRIDES | {"video", "custom_id"}


@dataclass
class BatchRequest:
    """A validated batch: its model, its mode and one task request per item, in order."""

    model_name: str
    analysis_mode: str
    requests: list[TaskRequest]


def parse_batch_request(body: object, *, max_definitions: int = 20) -> BatchRequest:
    if not isinstance(body, dict):
        raise InvalidParameter("The request body must be a JSON object.")
    _reject_unknown(body, TOP_KEYS, "")
    model, mode = _model_and_mode(body)
    defaults = body.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise InvalidParameter("defaults must be a JSON object.")
    _reject_unknown(defaults, OVERRIDES, "defaults.")
    items = body.get("requests")
    if items is None:
        raise MissingParameter("requests is required: a list of 1 to 1000 items.")
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_REQUESTS:
        raise InvalidParameter(f"requests must be a list of 1 to {MAX_REQUESTS} items.")
    seen: set[str] = set()
    requests = []
    for index, item in enumerate(items):
        task_body = _item_body(index, item, defaults, model, mode)
        custom_id = task_body.get("custom_id")
        if custom_id is not None and custom_id in seen:
            raise InvalidParameter(
                f"requests[{index}].custom_id {custom_id!r} is used twice in this batch; "
                "custom_id values must be unique within a batch."
            )
        if isinstance(custom_id, str):
            seen.add(custom_id)
        requests.append(_task_request(index, task_body, max_definitions))
    return BatchRequest(model, mode, requests)


def _model_and_mode(body: dict[str, Any]) -> tuple[str, str]:
    model, mode = body.get("model_name"), body.get("analysis_mode")
    if model is None or mode is None:
        raise MissingParameter("model_name and analysis_mode are required for a batch.")
    if model != BATCH_MODEL:
        raise InvalidParameter(f"model_name {model!r} is not supported; batches use pegasus1.5.")
    if mode not in (GENERAL, TIME_BASED_METADATA):
        raise InvalidParameter(
            f"analysis_mode {mode!r} is not one of ['{GENERAL}', '{TIME_BASED_METADATA}']."
        )
    return model, str(mode)


def _reject_unknown(body: dict[str, Any], known: frozenset[str], where: str) -> None:
    unknown = sorted(set(body) - known)
    if unknown:
        names = [where + name for name in unknown]
        raise UnknownParameter(f"Unknown parameter(s) {names}; remove them from the request.")


def _item_body(
    index: int, item: object, defaults: dict[str, Any], model: str, mode: str
) -> dict[str, Any]:
    where = f"requests[{index}]"
    if not isinstance(item, dict):
        raise InvalidParameter(f"{where} must be a JSON object.")
    _reject_unknown(item, ITEM_KEYS, f"{where}.")
    video = item.get("video")
    if video is None:
        raise MissingParameter(f"{where}.video is required: {{type: asset_id, asset_id}}.")
    if (
        not isinstance(video, dict)
        or video.get("type") != "asset_id"
        or set(video)
        != {
            "type",
            "asset_id",
        }
    ):
        raise InvalidParameter(
            f"{where}.video must be {{type: asset_id, asset_id}}; batches accept assets only."
        )
    if not isinstance(video["asset_id"], str) or not ASSET_ID.match(video["asset_id"]):
        raise InvalidParameter(
            f"{where}.video.asset_id {video['asset_id']!r} is not 24 hexadecimal characters."
        )
    merged = {**defaults, **{k: v for k, v in item.items() if k in OVERRIDES}}
    body: dict[str, Any] = {"video": video, "model_name": model, "analysis_mode": mode}
    if item.get("custom_id") is not None:
        body["custom_id"] = item["custom_id"]
    for name, value in merged.items():
        if value is not None:
            body["prompt_v2" if name == "prompt" else name] = value
    return body


def _task_request(index: int, body: dict[str, Any], max_definitions: int) -> TaskRequest:
    try:
        return parse_task_request(body, max_definitions=max_definitions)
    except ApiError as exc:
        message = exc.message.replace("prompt_v2", "prompt")
        raised = type(exc)(f"requests[{index}]: {message}")
        raise raised from None
