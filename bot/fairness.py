"""Fair update processing: one person's updates in order, different people's side by side.

PTB runs updates one at a time by default, so 400 updates pushed by one officer made a second
officer's ``/bantuan`` wait behind all of them (20 s measured). ``PerPersonProcessor`` runs the
updates of different people concurrently and those of one person strictly in arrival order
(conversations, drafts and albums are per person and rely on that order). One person may have at
most ``limit`` updates waiting or running; beyond that the excess is dropped unread and the
person is told once, so they know to send those messages again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

logger = logging.getLogger(__name__)

PER_PERSON_LIMIT = 50
"""Updates of one person waiting or running before the excess is dropped. A person typing,
pressing and sending albums of 10 stays far below; only a script or a stuck client reaches it."""
MAX_CONCURRENT = 4096
"""PTB's overall bound. Waiting updates hold a slot, so it must exceed ``PER_PERSON_LIMIT``
times the people flooding at once, or one flood could fill it and stall everyone again."""

Overflow = Callable[[Update], None]
"""Schedules the slow-down notice (the application's ``create_task``, which ``stop`` awaits)."""


def person_key(update: object) -> Hashable | None:
    """Whose order an update belongs to: the user, else the chat (a group's ``my_chat_member``
    without a sender); ``None`` for anything else, which needs no order."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    return None


@dataclass
class _Lane:
    """One person's updates: a FIFO lock (asyncio locks wake waiters in order) and a count."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0
    """Updates admitted and not finished (the one running included)."""
    warned: bool = False
    """Whether this flood's notice went out (reset when the lane drains)."""


class PerPersonProcessor(BaseUpdateProcessor):
    """Concurrent across people, sequential per person, bounded per person."""

    def __init__(
        self,
        *,
        limit: int = PER_PERSON_LIMIT,
        max_concurrent_updates: int = MAX_CONCURRENT,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.limit = limit
        self.on_overflow: Overflow | None = None
        """Called once per flood with the first dropped update."""
        self.dropped = 0
        """Updates dropped since start (a figure for tests and the bench)."""
        self._lanes: dict[Hashable, _Lane] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for this person's earlier updates, then run; drop beyond the limit."""
        key = person_key(update)
        if key is None:
            await coroutine
            return
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane()
        if lane.waiting >= self.limit:
            self._drop(update, coroutine, lane)
            return
        lane.waiting += 1
        try:
            async with lane.lock:
                await coroutine
        finally:
            lane.waiting -= 1
            if lane.waiting == 0 and self._lanes.get(key) is lane:
                del self._lanes[key]

    def _drop(self, update: object, coroutine: Awaitable[Any], lane: _Lane) -> None:
        if asyncio.iscoroutine(coroutine):
            coroutine.close()  # never started: nothing of it ran, nothing was stored
        self.dropped += 1
        update_id = update.update_id if isinstance(update, Update) else None
        log = logger.debug if lane.warned else logger.warning
        log("update %s dropped: its sender has %s updates waiting", update_id, lane.waiting)
        if lane.warned or self.on_overflow is None or not isinstance(update, Update):
            return
        lane.warned = True
        self.on_overflow(update)

    async def initialize(self) -> None:
        """Nothing to allocate: lanes appear with their first update."""

    async def shutdown(self) -> None:
        """Nothing to free: ``Application.stop`` already waited for every admitted update."""
