"""Worker node names: one of its own per process unless the operator chose one."""

from __future__ import annotations

from celery.utils.nodenames import default_nodename, gethostname

from workers.nodename import unique_nodename


def test_a_worker_started_without_a_name_is_named_after_its_process() -> None:
    assert unique_nodename(default_nodename(None), pid=4242) == f"tlhooks-4242@{gethostname()}"


def test_two_processes_on_one_host_get_different_names() -> None:
    default = default_nodename(None)
    assert unique_nodename(default, pid=1) != unique_nodename(default, pid=2)


def test_a_name_given_with_dash_n_is_kept() -> None:
    assert unique_nodename("w1@example.org", pid=4242) == "w1@example.org"
