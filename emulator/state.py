"""EmulatorState: the parts of one emulator instance, wired together once per app."""

from __future__ import annotations

from emulator._background import BackgroundWork
from emulator.batch_runner import BatchRunner
from emulator.config import EmulatorConfig
from emulator.delivery import WebhookDispatcher
from emulator.faults import FaultInjector
from emulator.idempotency import IdempotencyLedger
from emulator.ids import IdFactory
from emulator.journal import Journal
from emulator.lifecycle import TaskLifecycle
from emulator.store import TaskStore


class EmulatorState:
    """Tasks, batches, logs, faults, the task clock and the webhook dispatcher of one emulator."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.store = TaskStore()
        self.journal = Journal()
        self.faults = FaultInjector(config.seed)
        self.ids = IdFactory(config.seed)
        self.background = BackgroundWork()
        self.dispatcher = WebhookDispatcher(
            config, self.journal, self.faults, self.ids, self.background
        )
        self.lifecycle = TaskLifecycle(
            config, self.store, self.faults, self.ids, self.dispatcher, self.background
        )
        self.batches = BatchRunner(config, self.store, self.lifecycle, self.ids, self.background)
        self.idempotency = IdempotencyLedger()

    async def reset(self) -> None:
        """Stop running clocks and deliveries, then forget tasks, batches, logs and faults."""
        await self.background.cancel_all()
        self.store.clear()
        self.batches.clear()
        self.idempotency.clear()
        self.journal.clear()
        self.faults.reset()

    async def shutdown(self) -> None:
        await self.background.cancel_all()
        await self.dispatcher.aclose()
