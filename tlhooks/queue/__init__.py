"""The producer side of the work queue: Celery's configuration, the message wire format and the
publisher the receiver, the sweeper and replays use to queue events for the workers."""
