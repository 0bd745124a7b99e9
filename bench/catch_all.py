"""The benchmark's handler module (``TLHOOKS_HANDLERS=bench.catch_all``).

One catch-all handler, so every benchmark event is matched and queued rather than stored as
``unmatched``. No worker runs during the benchmark, so the function is never called.
"""

from __future__ import annotations

from handlers import HandlerContext, handler


@handler(custom_id="*", on="both", name="bench_catch_all")
def catch_all(ctx: HandlerContext) -> None:
    """Accept every analyze event; the benchmark measures intake, not handling."""
