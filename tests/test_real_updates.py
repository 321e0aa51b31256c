"""Updates real Telegram sends in groups: anonymous admins, channel identities, auto-forwards."""

from __future__ import annotations

from emulator import Emulator
from emulator.harness import BotHarness
from tests.support.groups import GROUP_ID, cast, link_of
from tests.support.reports import draft_of, seed, walk_rest
from ui.i18n import Translator

TEXTS = Translator.load()
ANONYMOUS_BOT = {"id": 1087968824, "is_bot": True, "first_name": "Group",
                 "username": "GroupAnonymousBot"}
CHANNEL = {"id": -1009990001, "type": "channel", "title": "Humas Polres"}
COMMAND = {"text": "/hubungkan", "entities": [{"type": "bot_command", "offset": 0,
                                                 "length": 10}]}


async def test_an_anonymous_admin_is_asked_to_post_as_themselves(
    harness: BotHarness, emu: Emulator
):
    kanit, _, _, group, _ = await cast(harness, emu)
    message = kanit._message(group, dict(COMMAND))
    message["from"] = ANONYMOUS_BOT
    message["sender_chat"] = group.chat_dict()
    await emu.deliver(emu.new_update("message", message))
    assert group.last.text == TEXTS("id", "access.anonymous")
    assert await link_of(harness) is None


async def test_a_channel_identity_is_asked_and_automatic_forwards_are_ignored(
    harness: BotHarness, emu: Emulator
):
    kanit, _, _, group, _ = await cast(harness, emu)
    message = kanit._message(group, dict(COMMAND))
    message["from"] = {"id": 136817688, "is_bot": True, "first_name": "Channel",
                       "username": "Channel_Bot"}
    message["sender_chat"] = CHANNEL
    await emu.deliver(emu.new_update("message", message))
    assert group.last.text == TEXTS("id", "access.as_channel")
    sent = len(group.messages)

    forward = kanit._message(group, {"text": "/rekap", "entities": [
        {"type": "bot_command", "offset": 0, "length": 6}]})
    forward["from"] = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
    forward["sender_chat"] = CHANNEL
    forward["is_automatic_forward"] = True
    await emu.deliver(emu.new_update("message", forward))
    assert len(group.messages) == sent
    assert await link_of(harness, GROUP_ID) is None


async def test_blocking_the_bot_marks_the_officer_at_once(harness: BotHarness, emu: Emulator):
    _, banit, _, _, _ = await cast(harness, emu)
    await banit.block_bot()
    assert (await harness.officer(banit)).blocked_at == harness.clock.now()
    await banit.unblock_bot()
    assert (await harness.officer(banit)).blocked_at is None


def test_both_run_modes_send_the_handled_update_types(tmp_path, monkeypatch):
    from bot import maintenance
    from config.settings import load_settings
    from tests.conftest import TOKEN

    sent: list[list[str]] = []

    class Recorder:
        def run_polling(self, **kwargs) -> None:
            sent.append(kwargs["allowed_updates"])

    async def serve(application, settings, allowed) -> None:  # the webhook server's entry
        sent.append(allowed)

    monkeypatch.setattr(maintenance, "serve", serve)
    app = Recorder()
    maintenance.run(app, load_settings(telegram_bot_token=TOKEN, data_dir=tmp_path))  # type: ignore[arg-type]
    maintenance.run(app, load_settings(  # type: ignore[arg-type]
        telegram_bot_token=TOKEN, data_dir=tmp_path, run_mode="webhook",
        webhook_url="https://x.example/hook", webhook_secret="webhook-Secret_0123456789abcdef"))
    assert sent == [["message", "edited_message", "callback_query", "my_chat_member"]] * 2


async def test_a_shared_venue_names_the_place_and_completes_the_step(harness: BotHarness,
                                                                      emu: Emulator):
    officer = await start_sapta(harness, emu)
    venue = {"location": {"latitude": 0.5412, "longitude": 123.0595},
             "title": "Masjid Agung Baiturrahim", "address": "Jl. Raja Eyato, Limba U Dua"}
    await emu.deliver(emu.new_update("message", officer._message(officer, {
        "venue": venue, "location": venue["location"]})))
    draft = await draft_of(harness, officer)
    place = draft.answers["location"]
    assert place["place"] == "Masjid Agung Baiturrahim, Jl. Raja Eyato, Limba U Dua"
    assert place["pin"] == {"lat": 0.5412, "lon": 123.0595}
    assert draft.step != "location"  # answered: no typing, no extra "Lanjut"
    await walk_rest(officer, photos=1)
    assert "Masjid Agung Baiturrahim, Jl. Raja Eyato" in officer.last.text


async def test_a_contact_card_fills_the_residents_name_and_phone(harness: BotHarness,
                                                                 emu: Emulator):
    officer = await start_sapta(harness, emu)
    await walk_rest(officer, photos=1, until=lambda text: "Apakah ada keluhan" in text)
    await officer.press("Pencurian")
    await officer.send("Sering terjadi pencurian motor di malam hari")
    await officer.send_contact("6281234567890", "Hasan", "Pakaya")  # on the complaint card
    assert "Hasan Pakaya" in officer.last.text
    assert "+6281234567890" in officer.last.text
    await officer.press("✅ Simpan keluhan")
    draft = await draft_of(harness, officer)
    items = draft.answers["complaints"]
    assert [(item["resident_name"], item["resident_contact"]) for item in items] == [
        ("Hasan Pakaya", "+6281234567890")]


async def start_sapta(harness: BotHarness, emu: Emulator):
    """An officer who has begun a SAPTA report and answered its Sprin."""
    officer, _ = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await officer.press("✏️ Nomor Sprin")
    await officer.send("Sprin/12/XI/2026/Satbinmas")
    return officer
