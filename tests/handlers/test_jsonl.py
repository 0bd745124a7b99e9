from __future__ import annotations

import json
from pathlib import Path

from handlers import jsonl
from handlers.context import HandlerContext
from handlers.loading import load_handlers
from handlers.registry import HandlerRegistry
from tlhooks.analysis import AnalyzeTask
from tlhooks.settings import load_settings


def context(task_id: str) -> HandlerContext:
    return HandlerContext(
        task_id=task_id,
        custom_id="cam-1",
        event_type="analyze.task.ready",
        event_id=f"whe_{task_id}",
        handler=jsonl.NAME,
        idempotency_key=f"{task_id}:{jsonl.NAME}",
        attempt=1,
        task=AnalyzeTask.model_validate({"task_id": task_id, "status": "ready"}),
        result={"scene": []},
    )


def test_each_event_becomes_one_json_line(tmp_path: Path) -> None:
    writer = jsonl.JsonlWriter(tmp_path / "out" / "results.jsonl")
    writer(context("t1"))
    writer(context("t2"))
    lines = [json.loads(line) for line in writer.path.read_text().splitlines()]
    assert [line["task_id"] for line in lines] == ["t1", "t2"]
    assert lines[0]["result"] == {"scene": []}
    assert lines[0]["idempotency_key"] == f"t1:{jsonl.NAME}"


def test_setting_a_path_enables_the_built_in_handler_for_both_kinds(tmp_path: Path) -> None:
    registry = HandlerRegistry()
    load_handlers(load_settings(jsonl_path=tmp_path / "r.jsonl"), registry)
    assert [s.name for s in registry.match(None, "ready")] == [jsonl.NAME]
    assert [s.name for s in registry.match("x", "failed")] == [jsonl.NAME]


def test_without_a_path_no_built_in_handler_is_registered() -> None:
    registry = HandlerRegistry()
    load_handlers(load_settings(), registry)
    assert registry.names() == []
