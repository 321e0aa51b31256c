"""A local Telegram Bot API emulator for testing the bot with a real PTB ``Application``.

Two ways to connect a bot:

* in-process: ``ApplicationBuilder().token(emu.token).request(emu.request())
  .get_updates_request(emu.request())`` — optionally with ``emu.deliver`` set (direct mode,
  updates go straight to ``app.process_update``);
* over HTTP: ``base_url, base_file_url = await emu.start_http()`` then
  ``ApplicationBuilder().base_url(base_url).base_file_url(base_file_url)`` and normal polling.

Simulated users (:class:`SimUser`) and groups (:class:`SimGroup`) produce the updates; what the
bot sends back is kept as :class:`BotMessage` objects and every call in :attr:`Emulator.calls`.

With the official spec attached (``Emulator(spec=load_spec())``, see :mod:`emulator.spec`) every
call is refused where Telegram refuses it and every result and update is checked against the
spec. Group privacy mode, ``allowed_updates``, ``my_chat_member`` after ``leaveChat``/removal/
blocking, callback queries that expire and ``InaccessibleMessage`` presses, and
``forward_origin`` behave as on Telegram.

Where the emulator differs from Telegram on purpose:

* stricter: a parameter Telegram silently ignores (a typo) is noted in
  :attr:`Emulator.spec_notes` and the test suite fails on it; a result or update not shaped as
  the spec says is noted too; a button press can be answered for
  :data:`~emulator.rules.CALLBACK_ANSWER_SECONDS` (15 s, Telegram publishes no figure; bots see
  "query is too old" after roughly 10-15 s); photos by URL and inline-message edits are refused
  (it never fetches URLs and has no inline mode);
* as lenient as Telegram, so a test does not fail where production would pass: HTML with a bare
  ``&`` or ``>`` is accepted, as TDLib's ``parse_html`` accepts it (``<`` must be escaped);
  refusing these would make the emulator stricter than Telegram — if it ever does, say so here;
* more lenient: in privacy mode a plain ``/command`` (no ``@username``) reaches the bot, as it
  does on Telegram when the bot is the last (or only) bot to have spoken in the group.
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
