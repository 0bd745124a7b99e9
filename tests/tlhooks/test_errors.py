from __future__ import annotations

import re

from tlhooks.errors import WebhookRejected


def every_rejection() -> list[type[WebhookRejected]]:
    found, pending = [], [WebhookRejected]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_rejection_names_its_own_metric_label_in_snake_case() -> None:
    rejections = every_rejection()
    labels = [cls.__dict__.get("counter_label") for cls in rejections]

    assert len(rejections) >= 10
    assert all(isinstance(label, str) and re.fullmatch(r"[a-z_]+", label) for label in labels), (
        dict(zip([c.__name__ for c in rejections], labels, strict=True))
    )
    assert len(set(labels)) == len(labels)
