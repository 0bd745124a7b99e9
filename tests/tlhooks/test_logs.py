from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from tlhooks import logs
from tlhooks.logs import (
    ContextFilter,
    adopt_loggers,
    bind_log_context,
    log_context,
    make_formatter,
)

Capture = tuple[logging.Logger, io.StringIO, logging.Handler]


@pytest.fixture
def capture() -> Iterator[Capture]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter(["whsec_topsecret", "tlk_apikey123"]))
    logger = logging.getLogger("tlhooks.test_logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream, handler
    logger.removeHandler(handler)


def test_a_json_line_carries_the_identifiers_bound_for_the_run(capture: Capture) -> None:
    logger, stream, handler = capture
    handler.setFormatter(make_formatter("json"))
    with log_context(event_id="whe_1"):
        bind_log_context(task_id="t1", custom_id="cam-1", handler="index", attempt=2)
        logger.warning("handler %s failed", "index")
    line = json.loads(stream.getvalue())
    assert line["message"] == "handler index failed"
    assert line["level"] == "WARNING"
    assert line["logger"] == "tlhooks.test_logs"
    assert (line["event_id"], line["task_id"], line["custom_id"]) == ("whe_1", "t1", "cam-1")
    assert (line["handler"], line["attempt"]) == ("index", 2)


def test_identifiers_end_with_their_run(capture: Capture) -> None:
    logger, stream, handler = capture
    handler.setFormatter(make_formatter("json"))
    with log_context(event_id="whe_1"):
        bind_log_context(handler="index")
    logger.info("between runs")
    line = json.loads(stream.getvalue())
    assert "event_id" not in line
    assert "handler" not in line


def test_a_text_line_appends_the_identifiers_that_apply(capture: Capture) -> None:
    logger, stream, handler = capture
    handler.setFormatter(make_formatter("text"))
    with log_context(event_id="whe_2", custom_id=None):
        logger.info("fetched")
    text = stream.getvalue().strip()
    assert text.endswith("tlhooks.test_logs: fetched [event_id=whe_2]")


def test_a_configured_secret_is_masked_in_the_message_and_the_traceback(capture: Capture) -> None:
    logger, stream, handler = capture
    handler.setFormatter(make_formatter("json"))
    try:
        raise ValueError("bad key tlk_apikey123")
    except ValueError:
        logger.exception("verifying with %s failed", "whsec_topsecret")
    out = stream.getvalue()
    assert "whsec_topsecret" not in out
    assert "tlk_apikey123" not in out
    assert json.loads(out)["message"] == "verifying with *** failed"
    assert "bad key ***" in out


def test_identifiers_bound_outside_a_run_are_ignored(capture: Capture) -> None:
    logger, stream, handler = capture
    handler.setFormatter(make_formatter("json"))
    bind_log_context(event_id="whe_stray")
    logger.info("no run")
    assert "event_id" not in json.loads(stream.getvalue())


def test_a_server_logger_that_was_silenced_stays_silent_when_adopted() -> None:
    ours = logging.NullHandler()
    ours.set_name(logs._HANDLER_NAME)  # the handler configure_logging installs on "tlhooks"
    logging.getLogger("tlhooks").addHandler(ours)
    silenced = logging.getLogger("tests.adopt.silenced")  # as --no-access-log leaves it
    silenced.handlers, silenced.propagate = [], False
    speaking = logging.getLogger("tests.adopt.speaking")
    speaking.handlers = [logging.StreamHandler(io.StringIO())]
    try:
        adopt_loggers("tests.adopt.silenced", "tests.adopt.speaking")

        assert silenced.handlers == []
        assert speaking.handlers == [ours]
        assert speaking.propagate is False
    finally:
        logging.getLogger("tlhooks").removeHandler(ours)
        for logger in (silenced, speaking):
            logger.handlers, logger.propagate = [], True
