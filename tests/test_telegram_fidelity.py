"""What real Telegram does that a friendlier emulator hid: privacy mode in groups,
allowed_updates, membership updates after leaving or being removed, callback queries that expire,
buttons on messages the bot can no longer see, forwarded messages (#11)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from emulator import Emulator
from emulator.harness import BotHarness
from emulator.media import make_jpeg
from emulator.rules import CALLBACK_ANSWER_SECONDS
from tests.support.groups import GROUP_ID, link_of, linked
from tests.support.reports import draft_of, fill_sapta, seed, walk_rest
from ui.i18n import Translator

TEXTS = Translator.load()


def seen(emu: Emulator, update: dict) -> bool:
    return any(u["update_id"] == update["update_id"] for u in emu.delivered)


# ---- privacy mode ------------------------------------------------------------------------


async def test_privacy_mode_hides_group_chatter_but_not_commands_or_replies(
    harness: BotHarness, emu: Emulator
):
    kanit, banit, group, _ = await linked(harness, emu)
    chatter = await banit.send("Siap, laksanakan", chat=group)
    other_bot = await banit.send("/rekap@other_bot", chat=group)
    assert not seen(emu, chatter)
    assert not seen(emu, other_bot)

    answered = len(group.messages)
    addressed = await kanit.send("/rekap@polmas_test_bot", chat=group)
    assert seen(emu, addressed)
    assert len(group.messages) > answered  # the recap came
    reply = await banit.send("Terima kasih", chat=group, reply_to=group.last)
    assert seen(emu, reply)

    group.bot_is_admin = True  # an admin bot sees everything
    assert seen(emu, await banit.send("Siap, laksanakan", chat=group))


async def test_service_messages_reach_a_bot_in_privacy_mode(emu: Emulator):
    member = emu.user(1001)
    group = emu.group(GROUP_ID, "Unit", members=[member])
    joined = member._message(group, {"new_chat_members": [member.user_dict()]})
    update = emu.new_update("message", joined)
    await emu.dispatch(update, group)
    assert seen(emu, update)


# ---- allowed_updates ---------------------------------------------------------------------


async def test_allowed_updates_is_kept_for_the_token_until_changed(emu: Emulator):
    from emulator.params import Params

    user = emu.user(1001)
    status, _ = await emu.handle("getUpdates", Params({"allowed_updates": '["callback_query"]'}))
    assert status == 200
    dropped = await user.send("/start")
    await emu.handle("getUpdates", Params({}))  # no list: the previous one stays
    dropped_too = await user.send("/start")
    assert not seen(emu, dropped)
    assert not seen(emu, dropped_too)
    await emu.handle("setWebhook", Params({"url": "https://x.example/h",
                                           "allowed_updates": '["message"]'}))
    assert seen(emu, await user.send("/start"))
    status, body = await emu.handle("getWebhookInfo", Params({}))
    assert body["result"]["allowed_updates"] == ["message"]
    await emu.handle("setWebhook", Params({"url": "https://x.example/h",
                                           "allowed_updates": "[]"}))
    # The default leaves out chat_member: it must be asked for by name.
    change = {"chat": {"id": GROUP_ID, "type": "supergroup", "title": "Unit"},
              "from": user.user_dict(), "date": emu.timestamp(),
              "old_chat_member": {"status": "left", "user": user.user_dict()},
              "new_chat_member": {"status": "member", "user": user.user_dict()}}
    member = emu.new_update("chat_member", change)
    await emu.dispatch(member)
    assert not seen(emu, member)


# ---- membership ----------------------------------------------------------------------------


async def test_leaving_a_group_brings_my_chat_member_and_deactivates_the_link(
    harness: BotHarness, emu: Emulator
):
    await linked(harness, emu)
    assert await harness.application.bot.leave_chat(GROUP_ID)
    await emu.settle()
    update = emu.delivered[-1]
    assert update["my_chat_member"]["new_chat_member"]["status"] == "left"
    assert update["my_chat_member"]["from"]["id"] == emu.bot_id
    stored = await link_of(harness)
    assert not stored.active
    assert stored.deactivated_reason == "removed"


async def test_being_banned_from_a_group_deactivates_the_link(
    harness: BotHarness, emu: Emulator
):
    kanit, _, group, _ = await linked(harness, emu)
    await group.remove_bot(kanit, ban=True)
    assert emu.delivered[-1]["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    assert not (await link_of(harness)).active
    sent = len(group.messages)
    await kanit.send("/rekap", chat=group)
    assert len(group.messages) == sent  # gone: nothing reaches it any more


# ---- callback queries ----------------------------------------------------------------------


async def test_a_press_answered_too_late_is_refused_like_telegram(
    harness: BotHarness, emu: Emulator
):
    officer, _ = await seed(harness, emu)
    await officer.send("/lapor")
    await harness.stop()  # the bot is down while the officer taps
    update = await officer.press("POS SAPTA")
    harness.clock.advance(timedelta(seconds=CALLBACK_ANSWER_SECONDS + 1))
    await harness.start()
    await emu.deliver(update)  # handled from the backlog, a minute late
    answers = [c for c in emu.calls_to("answerCallbackQuery")
               if c.params["callback_query_id"] == update["callback_query"]["id"]]
    assert answers
    assert not any(c.ok for c in answers)
    assert "query is too old" in (answers[0].error or "")
    # The press still did its work, and nobody saw an error.
    assert (await draft_of(harness, officer)).activity_code == "sapta"
    assert TEXTS("id", "error.generic") not in officer.texts


async def test_answer_in_time_is_accepted_once(emu: Emulator):
    user = emu.user(1001)
    query_id = emu.new_callback_query(user.id, user.id, 1, "x")
    from emulator.params import Params

    status, _ = await emu.handle("answerCallbackQuery", Params({"callback_query_id": query_id}))
    assert status == 200
    status, body = await emu.handle("answerCallbackQuery",
                                    Params({"callback_query_id": query_id}))
    assert status == 400
    assert "query is too old" in body["description"]


async def test_buttons_on_messages_the_bot_cannot_see_are_answered_as_stale(
    harness: BotHarness, emu: Emulator
):
    officer, _ = await seed(harness, emu)
    await fill_sapta(officer, photos=1)
    await officer.press("📤 Kirim laporan")
    await officer.send("/laporan")
    listing = officer.last
    data = listing.inline_buttons[0]["callback_data"]
    errors_before = officer.texts.count(TEXTS("id", "error.generic"))

    update = await officer.press_data(data, listing, inaccessible=True)
    assert update["callback_query"]["message"]["date"] == 0
    assert officer.callback_answers[-1]["text"] == TEXTS("id", "button.stale")

    await harness.application.bot.delete_message(officer.id, listing.message_id)
    await officer.press_data(data, listing)  # a client still showing the deleted message
    assert officer.callback_answers[-1]["text"] == TEXTS("id", "button.stale")
    assert officer.texts.count(TEXTS("id", "error.generic")) == errors_before


async def test_a_report_step_button_on_an_inaccessible_message(
    harness: BotHarness, emu: Emulator
):
    officer, _ = await seed(harness, emu)
    await officer.send("/lapor")
    menu = officer.last
    await officer.press_data(menu.button_data("POS SAPTA"), menu, inaccessible=True)
    assert officer.callback_answers[-1]["text"]
    assert TEXTS("id", "error.generic") not in officer.texts


# ---- forwarded messages --------------------------------------------------------------------


async def test_a_forwarded_message_answers_the_step(
    harness: BotHarness, emu: Emulator
):
    officer, _ = await seed(harness, emu)
    resident = emu.user(5005, "Hasan", "Mointi")
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    update = await officer.forward(resident, text="RW 03 Kel. Heledulaa", hidden=True)
    origin = update["message"]["forward_origin"]
    assert origin == {"type": "hidden_user", "date": origin["date"],
                      "sender_user_name": "Hasan Mointi"}
    draft = await draft_of(harness, officer)
    assert draft.work["place"] == "RW 03 Kel. Heledulaa"  # the place step took it


@pytest.mark.parametrize("kind", ["user", "channel"])
async def test_forwarded_messages_carry_their_origin(emu: Emulator, kind: str):
    user = emu.user(1001)
    source = emu.user(1002, "Rina") if kind == "user" else {
        "id": -1009990001, "type": "channel", "title": "Humas Polres"}
    update = await user.forward(source, text="Info kamtibmas")
    assert update["message"]["forward_origin"]["type"] == kind
    assert emu.spec_notes == []


async def test_a_forwarded_photo_is_a_report_photo(harness: BotHarness, emu: Emulator):
    officer, _ = await seed(harness, emu)
    resident = emu.user(5005, "Hasan")
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await walk_rest(officer, photos=0, until=lambda text: "Foto dokumentasi" in text)
    await officer.forward(resident, photo=make_jpeg(800, 600))
    assert "Foto dokumentasi: 1 foto" in officer.last.content  # the review card
    assert len((await draft_of(harness, officer)).answers.get("photos") or []) == 1
