"""Forged buttons: ids outside the presser's scope and private buttons pressed in a group.

The gate in ``bot/access.py`` checks, before any handler runs, that every id a button's data
names (as its row in ``bot/buttons.py`` declares) is within the presser's scope, and that a
private-only button was pressed in a private chat.
"""

from __future__ import annotations

from bot import callbacks
from bot.buttons import all_namespaces
from bot.i18n import Translator
from domain.access import Refusal
from emulator import Emulator
from tests.harness import BotHarness
from tests.test_access_matrix import (
    NUMBER,
    OTHER_KANIT_ID,
    RESIDENT,
    file_report,
    offered,
)

TEXTS = Translator.load()
STALE = TEXTS("id", "button.stale")
PRIVATE_ONLY = TEXTS("id", "button.private_only")
REFUSED = {PRIVATE_ONLY} | {TEXTS("id", f"access.{reason.value}")[:200] for reason in Refusal}


async def test_a_forged_officer_filter_of_another_unit_shows_nothing(
    harness: BotHarness, emu: Emulator
):
    officer, _ = await file_report(harness, emu)
    budi = await harness.officer(officer)
    assert budi is not None
    other = emu.user(OTHER_KANIT_ID, "Lain")
    await harness.seed_officer(other, name="Kanit Lain", nrp="22223333", unit="binpolmas",
                               role="kanit", rank="IPTU")
    lain = await harness.officer(other)
    assert lain is not None
    await other.send("/cari")
    async with harness.db.reading() as repos:
        view_before = await repos.desk_views.get(lain.id)
    shown = len(other.messages)

    await other.press_forged(callbacks.pack("kb", "so", budi.id), other.last)

    assert other.callback_answers[-1]["text"] == STALE  # as an old button, nothing more
    assert other.callback_answers[-1]["show_alert"]
    assert all("Budi Santoso" not in m.content for m in other.messages)
    assert len(other.messages) == shown
    async with harness.db.reading() as repos:
        assert await repos.desk_views.get(lain.id) == view_before
    # Their own unit's filter still works (none: the gate lets placeholders through).
    await other.press_forged(callbacks.pack("kb", "so", 0), other.last)
    assert other.callback_answers[-1]["text"] != STALE


async def test_every_button_kind_pressed_in_a_group_is_refused_there(
    harness: BotHarness, emu: Emulator
):
    officer, kanit = await file_report(harness, emu)
    stranger = emu.user(5555, "Orang Asing")
    group = emu.group(-100600, "Unit Binkamsa", members=[kanit, officer, stranger])
    await kanit.send("/hubungkan", chat=group)
    assert group.messages, "the bot's group message to press forged buttons on"
    # Every button the entitled people were shown in private, and one of every family.
    start, officer_start = len(kanit.messages), len(officer.messages)
    await kanit.send("/cari")
    await kanit.press(NUMBER)
    data = offered(kanit, start)
    await kanit.send("/keluhan")
    data += offered(kanit, start)
    await kanit.send("/ekspor")
    await kanit.send("/anggota")
    await kanit.send("/undang")
    await kanit.send("/rekap")
    data += offered(kanit, start)
    await officer.send("/laporan")
    await officer.send("/bahasa")
    await officer.send("/jadwal")
    data += offered(officer, officer_start)
    families = {d.split(":")[1] for d in data}
    data += [callbacks.pack(row.namespace, "x", 1) for row in all_namespaces()
             if row.namespace not in families]
    data = list(dict.fromkeys(data))
    assert {row.namespace for row in all_namespaces()} <= {d.split(":")[1] for d in data}
    assert any(RESIDENT in m.content for m in kanit.messages)  # the control: it was shown

    posted = len(group.messages)
    target = group.messages[-1]
    for presser in (kanit, officer, stranger):
        for callback_data in data:
            answered = len(presser.callback_answers)
            await presser.press_forged(callback_data, target)
            assert len(presser.callback_answers) == answered + 1, callback_data
            answer = presser.callback_answers[-1]
            # Refused in the presser's own alert: the policy's reason, or "use the private chat".
            assert answer["text"] in REFUSED, (callback_data, answer)
            assert answer["show_alert"]
    assert len(group.messages) == posted, [m.content for m in group.messages[posted:]]
    assert group.messages[-1].content == target.content  # not edited either
    assert not any(m.kind in ("document", "photo") for m in group.messages)
    assert sum(a["text"] == PRIVATE_ONLY for a in kanit.callback_answers) >= len(data) - 1
