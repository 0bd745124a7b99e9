"""The handler of the Sentinel failover tests, loaded via TLHOOKS_HANDLERS.

It writes nothing of its own: the plugin handlers record their calls on ``TLHOOKS_REDIS_URL``'s
host, which is the primary the failover test kills. Its succeeded outcome in the ledger is the
proof that a worker ran it.
"""

from __future__ import annotations

from handlers import HandlerContext, handler


@handler(custom_id="load-*", on="ready", name="settle")
def settle(ctx: HandlerContext) -> None:
    ctx.logger.debug("settled %s", ctx.event_id)
