"""The official ``twelvelabs`` SDK, pointed at a running emulator, sees the platform it expects.

The SDK is generated from the public spec, so its paths, field names and models are the
contract: every call here goes through the SDK's own client, parsing and exception classes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from twelvelabs import TwelveLabs
from twelvelabs.core.api_error import ApiError
from twelvelabs.errors import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    TooManyRequestsError,
)
from twelvelabs.types import (
    AnalyzeBatchStatusResponse,
    AnalyzeTaskResponse,
    AsyncResponseFormat,
    BatchDefaults,
    BatchItemRequest,
    BatchPrompt,
    BatchResultItem,
    BatchVideoContext,
    SegmentDefinition,
    SegmentField,
    SegmentFieldItems,
    VideoContext_AssetId,
    VideoContext_Url,
)

from emulator import EmulatorServer

API_KEY = "sdk-test-key"

ASSET = "68ab3f90e5f1d93a7c2b0e01"
HH_MM_SS = re.compile(r"^\d{2}:\d{2}:\d{2}$")
HH_MM_SS_FFF = re.compile(r"^\d{2}:\d{2}:\d{2}\.\d{3}$")
EVERY_FIELD = [
    SegmentField(name="title", type="string", description="Headline"),
    SegmentField(
        name="activity", type="string", description="Activity", enum=["feeding", "resting"]
    ),
    SegmentField(name="outdoor", type="boolean", description="Outdoors"),
    SegmentField(name="confidence", type="number", description="0-1 confidence"),
    SegmentField(name="people", type="integer", description="People visible"),
    SegmentField(
        name="tags", type="array", description="Objects", items=SegmentFieldItems(type="string")
    ),
    SegmentField(
        name="counts", type="array", description="Counts", items=SegmentFieldItems(type="integer")
    ),
    SegmentField(name="peak_s", type="timestamp", description="Peak", format="seconds"),
    SegmentField(name="peak_hms", type="timestamp", description="Peak", format="hh:mm:ss"),
    SegmentField(name="peak_ms", type="timestamp", description="Peak", format="hh:mm:ss.fff"),
]
SEGMENTS = AsyncResponseFormat(
    type="segment_definitions",
    segment_time_format="hh:mm:ss.fff",
    segment_definitions=[SegmentDefinition(id="scene", description="Scenes", fields=EVERY_FIELD)],
)


@pytest.fixture
def sdk(emulator: EmulatorServer) -> TwelveLabs:
    return TwelveLabs(api_key=API_KEY, base_url=emulator.base_url)


@pytest.fixture
def slow_sdk(emulator_factory: Callable[..., EmulatorServer]) -> TwelveLabs:
    """An SDK client of an emulator whose tasks take 3 s and whose batches run one at a time."""
    server = emulator_factory(clock=3.0, batch_concurrency=1)
    return TwelveLabs(api_key=API_KEY, base_url=server.base_url)


def ready_task(sdk: TwelveLabs, task_id: str, wait_until: Callable[..., Any]) -> Any:
    def finished() -> AnalyzeTaskResponse | None:
        task = sdk.analyze_async.tasks.retrieve(task_id)
        return task if task.status in ("ready", "failed") else None

    return wait_until(finished)


def assert_segment_metadata(metadata: dict[str, Any]) -> None:
    assert isinstance(metadata["title"], str)
    assert metadata["activity"] in ("feeding", "resting")
    assert isinstance(metadata["outdoor"], bool)
    assert isinstance(metadata["confidence"], float)
    assert type(metadata["people"]) is int
    assert all(isinstance(tag, str) for tag in metadata["tags"])
    assert all(type(count) is int for count in metadata["counts"])
    assert isinstance(metadata["peak_s"], float | int)
    assert HH_MM_SS.match(metadata["peak_hms"])
    assert HH_MM_SS_FFF.match(metadata["peak_ms"])


def test_a_segmentation_task_with_every_field_type_parses_into_the_sdk_models(
    sdk: TwelveLabs, wait_until: Callable[..., Any]
) -> None:
    created = sdk.analyze_async.tasks.create(
        video=VideoContext_Url(url="https://media.example.com/clip.mp4"),
        model_name="pegasus1.5",
        analysis_mode="time_based_metadata",
        response_format=SEGMENTS,
        custom_id="sdk-every-field",
    )
    task = ready_task(sdk, created.task_id, wait_until)

    assert isinstance(task, AnalyzeTaskResponse)
    assert (task.status, task.custom_id, task.result.finish_reason) == (
        "ready",
        "sdk-every-field",
        "stop",
    )
    assert task.completed_at is not None
    assert task.result.usage.output_tokens > 0
    echoed = task.request_params.response_format.segment_definitions[0]
    assert [field.type for field in echoed.fields] == [field.type for field in EVERY_FIELD]
    segments = json.loads(task.result.data)["scene"]
    assert segments
    for segment in segments:
        assert HH_MM_SS_FFF.match(segment["start_time"])
        assert_segment_metadata(segment["metadata"])


def test_a_general_task_lists_and_deletes_through_the_sdk(
    sdk: TwelveLabs, wait_until: Callable[..., Any]
) -> None:
    created = sdk.analyze_async.tasks.create(
        video=VideoContext_AssetId(asset_id=ASSET), prompt="Summarize the clip."
    )
    ready_task(sdk, created.task_id, wait_until)

    listed = sdk.analyze_async.tasks.list(page_limit=5)
    sdk.analyze_async.tasks.delete(created.task_id)

    assert [task.task_id for task in listed.data] == [created.task_id]
    assert (listed.page_info.total_results, listed.page_info.limit_per_page) == (1, 5)
    with pytest.raises(NotFoundError):
        sdk.analyze_async.tasks.retrieve(created.task_id)


def create_batch(sdk: TwelveLabs, count: int = 3) -> Any:
    return sdk.analyze_async.batches.create(
        model_name="pegasus1.5",
        analysis_mode="time_based_metadata",
        defaults=BatchDefaults(response_format=SEGMENTS, min_segment_duration=4.0),
        requests=[
            BatchItemRequest(
                video=BatchVideoContext(type="asset_id", asset_id=ASSET), custom_id=f"item-{n}"
            )
            for n in range(count)
        ],
    )


def test_a_batch_completes_and_its_json_lines_results_parse_into_sdk_models(
    sdk: TwelveLabs, wait_until: Callable[..., Any]
) -> None:
    created = create_batch(sdk)

    def completed() -> AnalyzeBatchStatusResponse | None:
        batch = sdk.analyze_async.batches.retrieve(created.batch_id)
        return batch if batch.status == "completed" else None

    batch = wait_until(completed)
    results = list(sdk.analyze_async.batches.results(created.batch_id))

    assert re.fullmatch(r"[0-9a-f]{24}", created.batch_id)
    assert [item.custom_id for item in created.items] == ["item-0", "item-1", "item-2"]
    assert (batch.total_items, batch.ready_items, batch.completed_at is not None) == (3, 3, True)
    assert all(isinstance(line, BatchResultItem) for line in results)
    assert [line.task_id for line in results] == [item.task_id for item in created.items]
    for line in results:
        assert (line.status, line.error) == ("ready", None)
        for segment in json.loads(line.data.data)["scene"]:
            assert_segment_metadata(segment["metadata"])


def test_a_batch_in_general_mode_takes_its_prompt_from_the_defaults(
    sdk: TwelveLabs, wait_until: Callable[..., Any]
) -> None:
    created = sdk.analyze_async.batches.create(
        model_name="pegasus1.5",
        analysis_mode="general",
        defaults=BatchDefaults(prompt=BatchPrompt(input_text="Describe the enclosure.")),
        requests=[BatchItemRequest(video=BatchVideoContext(type="asset_id", asset_id=ASSET))],
    )
    task = ready_task(sdk, created.items[0].task_id, wait_until)

    assert task.request_params.prompt_v_2.input_text == "Describe the enclosure."
    assert created.items[0].custom_id is None


def test_a_canceled_batch_shows_canceling_then_canceled_through_the_sdk(
    slow_sdk: TwelveLabs, wait_until: Callable[..., Any]
) -> None:
    created = create_batch(slow_sdk, count=3)

    before = slow_sdk.analyze_async.batches.cancel(created.batch_id)
    during = slow_sdk.analyze_async.batches.retrieve(created.batch_id)

    assert before.status in ("pending", "processing")
    assert (during.status, during.canceled_items) == ("canceling", 2)
    batch = wait_until(
        lambda: (
            (b := slow_sdk.analyze_async.batches.retrieve(created.batch_id)).status == "canceled"
            and b
        ),
        timeout=10,
    )
    assert (batch.ready_items, batch.canceled_items, batch.canceled_at is not None) == (1, 2, True)
    lines = list(slow_sdk.analyze_async.batches.results(created.batch_id))
    assert [line.status for line in lines] == ["ready", "canceled", "canceled"]
    with pytest.raises(ConflictError) as raised:
        slow_sdk.analyze_async.batches.cancel(created.batch_id)
    assert raised.value.body["error"]["code"] == "batch_canceled"


def test_sdk_errors_are_the_sdks_own_exceptions_with_the_platforms_status_codes(
    sdk: TwelveLabs,
) -> None:
    url = VideoContext_Url(url="https://media.example.com/clip.mp4")
    unsupported = AsyncResponseFormat(
        type="json_schema",
        json_schema={"type": "object", "properties": {"a": {"type": "string", "minLength": 2}}},
    )

    with pytest.raises(BadRequestError) as bad_request:
        sdk.analyze_async.tasks.create(video=url, custom_id="not valid!", prompt="Hi")
    with pytest.raises(NotFoundError) as not_found:
        sdk.analyze_async.batches.retrieve("0" * 24)
    with pytest.raises(ApiError) as unprocessable:
        sdk.analyze_async.tasks.create(
            video=url, model_name="pegasus1.5", prompt="Hi", response_format=unsupported
        )

    assert bad_request.value.status_code == 400
    assert bad_request.value.body["error"]["code"] == "parameter_invalid"
    assert not_found.value.body["error"]["code"] == "resource_not_exist"
    assert unprocessable.value.status_code == 422


def test_a_wrong_api_key_is_an_sdk_api_error_with_status_401(
    emulator_factory: Callable[..., EmulatorServer],
) -> None:
    server = emulator_factory(api_key="the-right-key")
    sdk = TwelveLabs(api_key="a-wrong-key", base_url=server.base_url)

    with pytest.raises(ApiError) as unauthorized:
        sdk.analyze_async.tasks.retrieve(ASSET)

    assert unauthorized.value.status_code == 401
    assert unauthorized.value.body["error"]["code"] == "api_key_invalid"


def test_deleting_a_running_task_is_an_sdk_conflict_error(slow_sdk: TwelveLabs) -> None:
    created = slow_sdk.analyze_async.tasks.create(
        video=VideoContext_AssetId(asset_id=ASSET), prompt="Summarize the clip."
    )

    with pytest.raises(ConflictError) as conflict:
        slow_sdk.analyze_async.tasks.delete(created.task_id)

    assert conflict.value.status_code == 409


def test_deleting_a_running_batch_is_a_conflict_and_the_sixth_active_batch_is_refused(
    slow_sdk: TwelveLabs,
) -> None:
    batches = [create_batch(slow_sdk, count=1) for _ in range(5)]

    with pytest.raises(ConflictError) as conflict:
        slow_sdk.analyze_async.batches.delete(batches[0].batch_id)
    with pytest.raises(TooManyRequestsError) as too_many:
        create_batch(slow_sdk, count=1)

    assert conflict.value.body["error"]["code"] == "batch_not_terminal"
    assert too_many.value.status_code == 429
    listed = list(slow_sdk.analyze_async.batches.list(status=["pending", "processing"]))
    assert [batch.batch_id for batch in listed] == [b.batch_id for b in reversed(batches)]
