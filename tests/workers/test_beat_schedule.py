"""Beat keeps its schedule in the deployment's state dir and names itself when it stops."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tlhooks.queue.celery_config import celery_config
from tlhooks.settings import load_settings
from workers.app import role


def test_beats_schedule_lives_in_the_projects_state_dir_by_default() -> None:
    filename = Path(celery_config(load_settings())["beat_schedule_filename"])
    assert filename == Path(".tlhooks") / "beat-schedule"
    assert not filename.is_absolute()
    assert Path(tempfile.gettempdir()) not in filename.parents


def test_two_deployments_with_their_own_state_dirs_keep_separate_schedules() -> None:
    one = celery_config(load_settings(state_dir="/srv/one/.tlhooks"))
    two = celery_config(load_settings(state_dir="/srv/two/.tlhooks"))
    assert one["beat_schedule_filename"] == "/srv/one/.tlhooks/beat-schedule"
    assert two["beat_schedule_filename"] == "/srv/two/.tlhooks/beat-schedule"


def test_the_process_is_beat_only_when_celery_runs_beat_alone() -> None:
    assert role(["celery", "-A", "workers.app", "beat", "--loglevel", "INFO"]) == "beat"
    assert role(["celery", "-A", "workers.app", "worker", "--loglevel", "INFO"]) == "worker"
    assert role(["celery", "-A", "workers.app", "worker", "-B", "-n", "beat@h"]) == "worker"
    assert role(["python", "-m", "pytest"]) == "worker"
