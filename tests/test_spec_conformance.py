"""The emulator and the bot against the official Bot API spec (tests/data, Bot API 10.1).

Every method the emulator implements must exist in the spec, and the emulator must refuse a call
missing a required parameter or carrying a value of the wrong type, as Telegram does. A story run
(report with photos, review, submit, a group linked and asked for its recap) must make only
calls the spec describes, with no parameter Telegram would silently ignore, and get back results
and updates shaped as the spec says.
"""

from __future__ import annotations

import json

import pytest

from emulator import Emulator
from emulator.harness import BotHarness
from emulator.methods import METHODS
from emulator.params import Params
from emulator.spec import load_spec
from tests.conftest import PTB_EXTRAS, spec_problems
from tests.support.groups import cast
from tests.support.reports import fill_sapta

SPEC = load_spec()
DUMMY = {"Integer": "1", "Float": "1.5", "Boolean": "true", "String": "x", "True": "true"}


def test_the_copy_is_bot_api_10_1() -> None:
    assert SPEC.version == "Bot API 10.1"
    assert len(SPEC.methods) > 150


def test_every_emulated_method_is_a_bot_api_method() -> None:
    assert sorted(set(METHODS) - set(SPEC.methods)) == []


def dummy(types: tuple[str, ...]) -> str:
    for type_name in types:
        if type_name in DUMMY:
            return DUMMY[type_name]
    return "[]" if types[0].startswith("Array of ") else "{}"


@pytest.mark.parametrize("method", sorted(METHODS))
async def test_a_call_missing_a_required_parameter_is_refused(emu: Emulator, method: str):
    required = [p for p in SPEC.methods[method].values() if p.required]
    for missing in required:
        values = {p.name: dummy(p.types) for p in required if p is not missing}
        status, body = await emu.handle(method, Params(values))
        assert status == 400, (method, missing.name, body)
        assert missing.name.split("_")[0] in body["description"], body


@pytest.mark.parametrize(
    ("method", "values", "description"),
    [
        ("sendMessage", {"chat_id": "1001", "text": "hi", "parse_mode": "HTLM"},
         "Bad Request: unsupported parse_mode 'HTLM'"),
        ("sendMessage", {"chat_id": "1001", "text": "hi", "message_thread_id": "two"},
         "Bad Request: invalid message_thread_id specified"),
        ("sendChatAction", {"chat_id": "1001", "action": "dancing"},
         "Bad Request: wrong parameter action in request"),
        ("getUpdates", {"limit": "ten"}, "Bad Request: invalid limit specified"),
        ("getUpdates", {"allowed_updates": '["mesage"]'},
         "Bad Request: can't parse allowed_updates JSON object"),
        ("setWebhook", {"url": "https://x.example/hook", "allowed_updates": "message"},
         "Bad Request: can't parse allowed_updates JSON object"),
    ],
)
async def test_wrong_types_and_values_are_refused(
    emu: Emulator, method: str, values: dict[str, str], description: str
):
    emu.user(1001).started = True
    status, body = await emu.handle(method, Params(values))
    assert (status, body["description"]) == (400, description)


async def test_what_telegram_ignores_or_never_sends_is_noted(emu: Emulator):
    user = emu.user(1001)
    user.started = True
    status, _ = await emu.handle(
        "sendMessage", Params({"chat_id": "1001", "text": "hi", "disable_web_preview": "true"}))
    assert status == 200  # Telegram ignores an unknown parameter...
    assert emu.spec_notes == [
        "sendMessage: unknown parameter 'disable_web_preview' (Telegram ignores it)"]
    emu.spec_notes.clear()
    message = user._message(user, {"text": "hi"})
    message["chat"]["type"] = "privat"
    emu.new_update("message", message)
    assert emu.spec_notes == [
        "update.message.chat.type: 'privat' is none of "
        "['channel', 'group', 'private', 'supergroup']"]
    emu.spec_notes.clear()
    assert SPEC.check_result("getMe", {"id": 1, "is_bot": True}) == [
        "getMe(): User lacks required field 'first_name'"]


async def test_a_story_run_makes_only_calls_the_spec_describes(
    harness: BotHarness, emu: Emulator
):
    kanit, banit, _, group, _ = await cast(harness, emu)
    await fill_sapta(banit, photos=3)
    await banit.press("📤 Kirim laporan")
    await kanit.send("/hubungkan", chat=group)
    await kanit.send("/rekap", chat=group)
    await banit.send("/laporan")
    await banit.press("LAP/SAPTA/2026/11/0001", banit.last)

    methods = {call.method for call in emu.calls}
    assert {"setMyCommands", "sendMessage", "editMessageText", "answerCallbackQuery",
            "getFile", "sendMediaGroup", "getChatMember"} <= methods, methods
    for call in emu.calls:
        assert call.method in SPEC.methods
        values = {k: v if isinstance(v, str) else json.dumps(v) for k, v in call.params.items()}
        notes = SPEC.check_call(call.method, values, call.files)  # raises for a refusal
        ignored = {f"{call.method}: unknown parameter {name!r} (Telegram ignores it)"
                   for method, name in PTB_EXTRAS if method == call.method}
        assert set(notes) <= ignored, (call.method, notes)
        assert call.ok, (call.method, call.error)
    assert emu.updates
    assert spec_problems(emu) == []
