"""The wire format of a ``tlhooks.process_event`` message on kombu's Redis transport.

The receiver stores an event and pushes its Celery message in one Lua script, so an event is
never stored without being queued nor queued without being stored, in one round trip. That
needs the message as kombu would have written it: Celery builds the task message (protocol 2)
and this module wraps it the way kombu's virtual channel does (``prepare_message`` and
``basic_publish``: base64 body, a delivery tag, delivery info). A test compares the result
with a message kombu itself published, so a change in either library fails loudly.
"""

from __future__ import annotations

import base64
import json
import uuid

from celery import Celery
from kombu.serialization import dumps

from tlhooks.queue.celery_config import PROCESS_TASK


def process_event_message(app: Celery, queue: str, event_id: str) -> str:
    """The JSON that kombu's Redis transport would LPUSH onto ``queue`` for this event."""
    task_id = str(uuid.uuid4())
    task = app.amqp.as_task_v2(task_id, PROCESS_TASK, args=[event_id], kwargs={})
    content_type, content_encoding, payload = dumps(task.body, serializer="json")  # type: ignore[no-untyped-call]
    raw = payload if isinstance(payload, bytes) else payload.encode(content_encoding)
    properties = {
        **task.properties,
        "delivery_mode": 2,
        "priority": 0,
        "body_encoding": "base64",
        "delivery_tag": str(uuid.uuid4()),
        "delivery_info": {"exchange": "", "routing_key": queue},
    }
    message = {
        "body": base64.b64encode(raw).decode(),
        "content-encoding": content_encoding,
        "content-type": content_type,
        "headers": task.headers,
        "properties": properties,
    }
    return json.dumps(message)
