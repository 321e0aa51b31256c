"""Catalogue labels, unit and role names and people's names with ``<``, ``&``, ``>`` in them.

The bot speaks Telegram HTML: a label like "Bencana & lingkungan" or an officer's name with a
``<`` must reach the reader as typed, and a ``<`` left unescaped makes Telegram refuse the whole
message ("can't parse entities"). The emulator parses every HTML message as Telegram does, so
any unescaped spot in these flows fails a call here.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from emulator import Emulator
from emulator.harness import BotHarness
from jobs.summaries import run_due_summaries
from tests.conftest import ADMIN_TELEGRAM_ID
from tests.support.registration import pick_area, register
from tests.support.reports import walk_rest
from tests.support.schedule import scan

CONFIG = Path(__file__).resolve().parent.parent / "config"
MARK = " <&>"
GROUP_ID = -1001234567899
HTML_METHODS = {"sendMessage", "editMessageText", "sendPhoto", "sendDocument",
                "editMessageCaption", "sendMediaGroup"}


def marked_config(tmp_path: Path) -> dict[str, Path]:
    """The shipped catalogue and organisation with ``<&>`` after every shown label and name."""
    activities = (CONFIG / "activities.toml").read_text(encoding="utf-8")
    activities = re.sub(r'\b(id|en) = "([^"]*)"', lambda m: f'{m[1]} = "{m[2]}{MARK}"',
                        activities)
    organisation = (CONFIG / "organisation.toml").read_text(encoding="utf-8")
    organisation = re.sub(r'\b(id|en) = "([^"]*)"', lambda m: f'{m[1]} = "{m[2]}{MARK}"',
                          organisation)
    organisation = re.sub(r'^name = "([^"]*)"', lambda m: f'name = "{m[1]}{MARK}"',
                          organisation, flags=re.MULTILINE)
    paths = {"activities_file": tmp_path / "activities.toml",
             "organisation_file": tmp_path / "organisation.toml"}
    paths["activities_file"].write_text(activities, encoding="utf-8")
    paths["organisation_file"].write_text(organisation, encoding="utf-8")
    return paths


@pytest.fixture
async def marked(emu: Emulator, tmp_path: Path) -> AsyncIterator[BotHarness]:
    bot = BotHarness(emu, tmp_path / "data", start=datetime(2026, 11, 28, 2, 0, tzinfo=UTC),
                     admin_ids=frozenset({ADMIN_TELEGRAM_ID}), **marked_config(tmp_path))
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


async def seed_kanit(bot: BotHarness, emu: Emulator):
    kanit = emu.user(2001, "Kanit")
    await bot.seed_officer(kanit, name="Andi <Kanit> & Co", nrp="11112222",
                           unit="binkamsa", role="kanit", rank="IPTU")
    return kanit


async def seed_pair(bot: BotHarness, emu: Emulator):
    officer = emu.user(1001, "Budi")
    await bot.seed_officer(officer, name="Budi <Santoso> & Co", nrp="87654321",
                           unit="binkamsa")
    return officer, await seed_kanit(bot, emu)


def refused(emu: Emulator) -> list[str]:
    return [f"{call.method}: {call.error}" for call in emu.calls
            if call.method in HTML_METHODS and not call.ok]


async def test_labels_and_names_with_html_characters_arrive_as_typed(
    marked: BotHarness, emu: Emulator
):
    officer, kanit = await seed_pair(marked, emu)
    group = emu.group(GROUP_ID, "Unit Binkamsa", members=[kanit, officer])

    await officer.send("/lapor")
    await officer.press("POS SAPTA <&>")
    assert "POS SAPTA <&>" in officer.last.text
    await officer.press("✏️ Nomor Sprin <&>")
    await officer.send("Sprin/12/XI/2026/Satbinmas")
    await officer.send("RW 03 Kel. Heledulaa")
    await officer.send_location(0.5412, 123.0595)
    await walk_rest(officer, photos=1, urgency="Segera <&>")
    review = officer.last.text
    assert "Kamtibmas lingkungan <&>" in review  # an option label
    assert "Keluhan masyarakat <&>" in review  # a field label
    await officer.press("📤 Kirim laporan")
    card = next(m.content for m in officer.messages if "LAPORAN HASIL" in m.content)
    assert "Budi <Santoso> & Co" in card
    assert "Pencurian <&>" in card  # a complaint category
    assert "Segera <&>" in card  # an urgency level
    notice = next(text for text in kanit.texts if "LAP/SAPTA/2026/11/0001" in text)
    assert "Budi <Santoso> & Co" in notice

    await kanit.send("/keluhan")
    assert "Pencurian <&>" in str(kanit.last.buttons)
    await kanit.press("Pencurian <&>")
    card = kanit.last.text
    assert "Pencurian <&>" in card
    assert "Segera <&>" in card
    assert "Budi <Santoso> & Co" in card

    await kanit.send("/rekap")
    assert "POS SAPTA <&>" in kanit.last.text or "Pencurian <&>" in kanit.last.text

    await kanit.send("/hubungkan", chat=group)
    assert "Unit Binkamsa <&>" in group.last.text
    marked.clock.set(datetime(2026, 11, 28, 11, 0, tzinfo=UTC))  # 19:00 WITA: daily summary
    services = marked.application.bot_data.services
    assert services is not None
    assert await run_due_summaries(services, marked.application.bot) >= 1
    assert "Unit Binkamsa <&>" in group.last.content

    marked.clock.set(datetime(2026, 11, 28, 10, 0, tzinfo=UTC))  # 18:00 WITA: digest
    await scan(marked)
    digest = kanit.last.text
    assert "Pencurian <&>" in digest

    await officer.send("/laporan")
    await officer.press("LAP/SAPTA/2026/11/0001", officer.last)
    await officer.press("✏️ Koreksi")
    await officer.press("✏️ Nomor Sprin <&>")
    await officer.send("Sprin/99/XI/2026")
    await officer.press("💾 Simpan koreksi")
    assert "Nomor Sprin <&>" in kanit.last.text  # the leader told which fields changed

    assert refused(emu) == []


async def test_unit_and_role_names_with_html_characters_in_invitations_and_registration(
    marked: BotHarness, emu: Emulator
):
    kanit = await seed_kanit(marked, emu)
    await kanit.send("/undang")
    await kanit.press("Unit Binkamsa <&>")
    assert "Unit Binkamsa <&>" in kanit.last.text
    await kanit.press("Banit (anggota unit) <&>")
    assert "Banit (anggota unit) <&>" in kanit.last.text
    match = re.search(r"start=(inv_[A-Za-z0-9_-]+)", kanit.last.text)
    assert match, kanit.last.text

    officer = emu.user(1001, "Budi")
    await officer.send(f"/start {match.group(1)}")
    assert any("Banit (anggota unit) <&>" in text for text in officer.texts)
    await officer.send("Budi Santoso")  # typed names are letters only
    await officer.send("87654321")
    await officer.press("BRIPKA")
    await pick_area(officer)  # the kelurahan binaan (#13)
    await officer.press("✅ Kirim")
    stored = await marked.officer(officer)
    assert stored is not None
    assert stored.unit_code == "binkamsa"
    assert refused(emu) == []


async def test_the_urgent_label_and_activity_filter_with_html_characters(
    marked: BotHarness, emu: Emulator
):
    officer, kanit = await seed_pair(marked, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA <&>")
    await walk_rest(officer, photos=1, urgency="Darurat <&>")
    await officer.press("📤 Kirim laporan")
    await kanit.send("/rekap")
    assert "darurat <&>" in kanit.last.text
    await kanit.send("/cari")
    await kanit.press("🏷 Kegiatan")
    await kanit.press("POS SAPTA <&>")
    assert "POS SAPTA <&>" in kanit.last.text
    assert refused(emu) == []


async def test_a_self_registration_card_names_unit_and_role_with_html_characters(
    marked: BotHarness, emu: Emulator
):


    kanit = await seed_kanit(marked, emu)
    await register(emu.user(1001, "Budi"), unit="Unit Binkamsa <&>",
                   role="Banit (anggota unit) <&>")
    request = kanit.last.text
    assert "Unit Binkamsa <&>" in request
    assert "Banit (anggota unit) <&>" in request
    assert refused(emu) == []
