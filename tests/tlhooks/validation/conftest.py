from __future__ import annotations

import pytest

from tests.tlhooks.validation.examples import example
from tlhooks.analysis import AnalyzeTask


@pytest.fixture
def example_a_task() -> AnalyzeTask:
    return AnalyzeTask.model_validate(example("A"))


@pytest.fixture
def example_c_task() -> AnalyzeTask:
    return AnalyzeTask.model_validate(example("C"))
