"""Item 6: a second officer's latency while another floods the bot (issue 19, item 5).

Updates go through PTB's ``update_queue`` into the real update processor (bot/fairness.py), as
polling and the webhook deliver them. A probe officer sends ``/bantuan`` one at a time and
waits for the answer; the latency is from queueing it to the bot's ``sendMessage`` to that
chat. Measured twice in the same run: alone (the baseline), and while a flooder has just put
``flood`` updates into the queue at once.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Update

from bench.common import RunningBot, new_emulator
from emulator import Emulator
from emulator.params import Params

Json = dict[str, Any]


class AnswerClock(Emulator):
    """The emulator, noting when the bot last sent a message to each chat."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answered: dict[int, asyncio.Event] = {}
        self.sent_to: dict[int, int] = {}

    async def handle(self, method_name: str, params: Params) -> tuple[int, Json]:
        """Answer the call; a sendMessage sets its chat's event."""
        result = await super().handle(method_name, params)
        if method_name == "sendMessage":
            chat = params.get_int("chat_id") or 0
            self.sent_to[chat] = self.sent_to.get(chat, 0) + 1
            if chat in self.answered:
                self.answered[chat].set()
        return result


@dataclass
class FloodResult:
    """Probe latencies alone and during the flood, and what happened to the flood."""

    alone: list[float] = field(default_factory=list)
    flooded: list[float] = field(default_factory=list)
    flood: int = 0
    flood_answered_during_probes: int = 0


async def run_flood(flood: int, probes: int) -> FloodResult:
    """Probe ``probes`` times alone, then ``probes`` times right after ``flood`` updates."""
    with tempfile.TemporaryDirectory(prefix="bench-flood-") as tmp:
        emu = AnswerClock(token=new_emulator().token, bot_id=123456)
        bot = RunningBot(emu, Path(tmp) / "data")
        await bot.start()
        try:
            flooder_id, probe_id = await bot.seed_officers(2)
            flooder, probe = emu.user(flooder_id, "Banjir"), emu.user(probe_id, "Sabar")
            flooder.started = probe.started = True  # they have opened the bot's chat
            app = bot.application

            async def deliver(update: Json) -> None:
                await app.update_queue.put(Update.de_json(update, app.bot))

            emu.deliver = deliver
            result = FloodResult(flood=flood)

            async def probe_once() -> float:
                event = emu.answered.setdefault(probe.id, asyncio.Event())
                event.clear()
                began = time.perf_counter()
                await probe.send("/bantuan")
                await asyncio.wait_for(event.wait(), 60)
                return time.perf_counter() - began

            for _ in range(probes):
                result.alone.append(await probe_once())
            for _ in range(flood):
                await flooder.send("/bantuan")
            for _ in range(probes):
                result.flooded.append(await probe_once())
            result.flood_answered_during_probes = emu.sent_to.get(flooder.id, 0)
            return result
        finally:
            await bot.stop()
