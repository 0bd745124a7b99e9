"""A guard on the at-least-once settings: changing one of them must be a decision."""

from __future__ import annotations

from tlhooks.queue.celery_config import celery_config
from tlhooks.settings import load_settings


def test_the_worker_acknowledges_late_and_requeues_on_a_lost_worker() -> None:
    config = celery_config(load_settings())
    assert config["task_acks_late"] is True
    assert config["task_reject_on_worker_lost"] is True
    assert config["worker_prefetch_multiplier"] == 1


def test_only_json_is_accepted_and_no_result_backend_is_used() -> None:
    config = celery_config(load_settings())
    assert config["accept_content"] == ["json"]
    assert config["task_serializer"] == "json"
    assert config["task_ignore_result"] is True
    assert config["result_backend"] is None


def test_the_visibility_timeout_is_the_same_in_every_place() -> None:
    config = celery_config(load_settings(visibility_timeout=77))
    assert config["visibility_timeout"] == 77
    assert config["broker_transport_options"]["visibility_timeout"] == 77
    assert config["result_backend_transport_options"]["visibility_timeout"] == 77


def test_broker_sockets_time_out_and_unacked_messages_are_restored_in_seconds() -> None:
    options = celery_config(load_settings())["broker_transport_options"]
    assert options["socket_timeout"] <= 5
    assert options["socket_connect_timeout"] <= 5
    assert options["unacked_restore_interval"] <= 10
    assert options["unacked_restore_throttle"] == 1


def test_the_visibility_timeout_outlasts_a_lease_so_a_live_run_is_rarely_redelivered() -> None:
    settings = load_settings()
    assert settings.visibility_timeout > settings.lease_seconds


def test_the_pool_and_concurrency_come_from_the_settings() -> None:
    config = celery_config(load_settings(worker_pool="prefork", worker_concurrency=5))
    assert (config["worker_pool"], config["worker_concurrency"]) == ("prefork", 5)


def test_events_and_sweeps_travel_on_separately_bound_queues() -> None:
    queues = celery_config(load_settings())["task_queues"]
    bindings = {(q.exchange.name, q.routing_key) for q in queues}
    assert [q.name for q in queues] == ["tlhooks", "tlhooks.sweep"]
    assert len(bindings) == 2


RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"


def test_on_rabbitmq_every_publish_waits_for_the_brokers_confirm() -> None:
    options = celery_config(load_settings(broker_url=RABBITMQ))["broker_transport_options"]
    assert options == {"confirm_publish": True}


def test_on_rabbitmq_the_queues_are_durable_quorum_queues_unless_classic_is_chosen() -> None:
    queues = celery_config(load_settings(broker_url=RABBITMQ))["task_queues"]
    assert all(queue.durable for queue in queues)
    assert {queue.queue_arguments["x-queue-type"] for queue in queues} == {"quorum"}
    classic = load_settings(broker_url=RABBITMQ, rabbitmq_queue_type="classic")
    assert {q.queue_arguments["x-queue-type"] for q in celery_config(classic)["task_queues"]} == {
        "classic"
    }


def test_on_redis_the_queues_carry_no_rabbitmq_arguments() -> None:
    queues = celery_config(load_settings())["task_queues"]
    assert all(not queue.queue_arguments for queue in queues)
