"""``tlhooks schema check`` and ``tlhooks schema models``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pydantic import BaseModel

from tests.tlhooks.validation.examples import example
from tests.tlhooks.validation.factories import (
    ALL_TYPES,
    GOOD_METADATA,
    definition,
    make_task,
    segment,
)
from tlhooks.validation import ResultSchemaInvalid, validate_task
from tlhooks.validation.commands import schema_group


@pytest.fixture
def write(tmp_path: Path) -> Any:
    def write(name: str, content: Any) -> str:
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        return str(path)

    return write


def run(*args: str) -> Any:
    return CliRunner().invoke(schema_group, list(args))


def test_check_accepts_a_valid_task_response_with_exit_0(write: Any) -> None:
    result = run("check", write("a.json", example("A")))
    assert result.exit_code == 0, result.output
    assert "valid: segments, 0 error(s), 1 warning(s), truncated=no" in result.output


def test_check_reports_a_truncated_response_and_its_salvage(write: Any) -> None:
    result = run("check", write("c.json", example("C")))
    assert result.exit_code == 0, result.output
    assert "truncated=yes, 1 segment(s) salvaged" in result.output


def test_check_prints_each_error_with_path_value_and_rule_and_exits_1(write: Any) -> None:
    task = example("A")
    data = json.loads(task["result"]["data"])
    data["scene"][1]["metadata"]["people_count"] = "two"
    task["result"]["data"] = json.dumps(data)
    result = run("check", write("bad.json", task))
    assert result.exit_code == 1
    assert "error    scene[1].metadata.people_count  [type:integer]  value='two'" in result.output
    assert result.output.strip().splitlines()[-1].startswith("invalid: segments, 1 error(s)")


@pytest.mark.parametrize(
    "schema",
    [
        [definition()],
        {"type": "segment_definitions", "segment_definitions": [definition()]},
        {
            "task_id": "t",
            "status": "ready",
            "request_params": {
                "response_format": {
                    "type": "segment_definitions",
                    "segment_definitions": [definition()],
                }
            },
        },
    ],
    ids=["definitions", "response_format", "task response"],
)
@pytest.mark.parametrize("shape", ["result object", "data string", "data"])
def test_check_with_a_schema_takes_a_bare_result(write: Any, schema: Any, shape: str) -> None:
    data = {"scene": [segment(0, 1), segment(3, 2)]}
    bare = {
        "result object": {"data": json.dumps(data), "finish_reason": "stop"},
        "data string": json.dumps(data),
        "data": data,
    }[shape]
    result = run("check", write("r.json", bare), "--schema", write("s.json", schema))
    assert result.exit_code == 1, result.output
    assert "scene[1].end_time  [order]  value=2" in result.output


def test_check_with_a_json_schema_validates_a_document(write: Any) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    assert (
        run("check", write("r.json", {"n": 1}), "--schema", write("s.json", schema)).exit_code == 0
    )
    failed = run("check", write("r.json", {"n": "1"}), "--schema", write("s.json", schema))
    assert (failed.exit_code, "n  [type:integer]" in failed.output) == (1, True)


def test_check_reports_text_that_is_not_json_as_a_json_error(write: Any) -> None:
    result = run(
        "check", write("r.txt", '{"scene": [{'), "--schema", write("s.json", [definition()])
    )
    assert result.exit_code == 1
    assert "[json]" in result.output


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (lambda w: [w("x.json", "{nope")], "is not valid JSON"),
        (lambda w: [w("x.json", {"hello": 1})], "is not a task response"),
        (lambda w: ["/nonexistent/task.json"], "Cannot read"),
        (lambda w: [w("r.json", "{}"), "--schema", w("s.json", 5)], "must be a JSON list"),
        (
            lambda w: [
                w("r.json", "{}"),
                "--schema",
                w("s.json", [definition("s", [{"name": "x", "type": "timestamp"}])]),
            ],
            "cannot be compiled",
        ),
    ],
    ids=["bad json", "not a task", "missing file", "bad schema shape", "uncompilable"],
)
def test_check_exits_2_with_a_clear_message_on_unusable_input(
    write: Any, files: Any, message: str
) -> None:
    result = run("check", *files(write))
    assert result.exit_code == 2
    assert message in result.output


def exec_models(source: str) -> dict[str, type[BaseModel]]:
    namespace: dict[str, Any] = {"__name__": "generated_models"}
    exec(compile(source, "<generated>", "exec", dont_inherit=True), namespace)
    models: dict[str, type[BaseModel]] = namespace["SEGMENT_MODELS"]
    return models


@pytest.mark.parametrize(
    "content",
    [
        [definition()],
        {"type": "segment_definitions", "segment_definitions": [definition()]},
        {
            "task_id": "t",
            "status": "ready",
            "request_params": {
                "response_format": {
                    "type": "segment_definitions",
                    "segment_definitions": [definition()],
                }
            },
        },
    ],
    ids=["definitions", "response_format", "task response"],
)
def test_models_prints_importable_pydantic_models(write: Any, content: Any) -> None:
    result = run("models", write("d.json", content))
    assert result.exit_code == 0, result.output
    models = exec_models(result.output)
    scene = models["scene"]
    assert scene.__name__ == "SceneMetadata"
    assert scene.model_validate(GOOD_METADATA).model_dump() == GOOD_METADATA
    assert 'Literal["calm", "busy"]' in result.output
    assert "tags: list[str]" in result.output
    assert scene.model_fields["title"].description == "Headline"
    assert set(scene.model_fields) == {f["name"] for f in ALL_TYPES}


def test_generated_models_validate_like_the_task_schema(write: Any) -> None:
    odd = [
        {"name": "people count", "type": "integer", "description": 'with "quotes"'},
        {
            "name": "class",
            "type": "array",
            "items": {"type": "integer"},
            "enum": ["1", "2"],
            "description": "d",
        },
    ]
    defs = [definition("scene"), definition("sponsor-logo", odd)]
    models = exec_models(run("models", write("d.json", defs)).output)
    data = {
        "scene": [segment(0, 1)],
        "sponsor-logo": [segment(0, 1, **{"people count": 1, "class": [2]})],
    }
    outcome = validate_task(make_task(data, defs), models)
    assert outcome.valid, outcome.errors
    assert [w.rule for w in outcome.warnings] == []
    bad = validate_task(
        make_task(
            {**data, "sponsor-logo": [segment(0, 1, **{"people count": 1, "class": [3]})]}, defs
        ),
        models,
    )
    assert [(e.path, e.rule) for e in bad.errors] == [("sponsor-logo[0].metadata.class[0]", "enum")]


def test_models_exits_2_without_definitions(write: Any) -> None:
    result = run("models", write("d.json", {"type": "json_schema", "json_schema": {}}))
    assert result.exit_code == 2
    assert "no usable segment definitions" in result.output


def test_a_declared_model_that_is_not_fully_defined_cannot_be_compiled() -> None:
    class Later(BaseModel):
        note: Missing  # type: ignore[name-defined]  # noqa: F821

    with pytest.raises(ResultSchemaInvalid, match="not fully defined"):
        validate_task(make_task({"scene": []}), {"scene": Later})
