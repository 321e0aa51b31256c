"""A local Telegram Bot API emulator for testing the bot with a real PTB ``Application``.

Two ways to connect a bot:

* in-process: ``ApplicationBuilder().token(emu.token).request(emu.request())
  .get_updates_request(emu.request())`` — optionally with ``emu.deliver`` set (direct mode,
  updates go straight to ``app.process_update``);
* over HTTP: ``base_url, base_file_url = await emu.start_http()`` then
  ``ApplicationBuilder().base_url(base_url).base_file_url(base_file_url)`` and normal polling.

Simulated users (:class:`SimUser`) and groups (:class:`SimGroup`) produce the updates; what the
bot sends back is kept as :class:`BotMessage` objects and every call in :attr:`Emulator.calls`.
"""

from emulator.core import EmulatedTimeout, Emulator
from emulator.models import Call, StoredFile
from emulator.request import EmulatorRequest
from emulator.rules import BotAPIError
from emulator.users import BotMessage, SimChat, SimGroup, SimUser

__all__ = [
    "BotAPIError",
    "BotMessage",
    "Call",
    "EmulatedTimeout",
    "Emulator",
    "EmulatorRequest",
    "SimChat",
    "SimGroup",
    "SimUser",
    "StoredFile",
]
