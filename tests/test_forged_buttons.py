"""Forged buttons: ids outside the presser's scope and private buttons pressed in a group.

The gate in ``ui/access.py`` checks, before any handler runs, that every id a button's data
names (as its row in ``bot/buttons.py`` declares) is within the presser's scope, and that a
private-only button was pressed in a private chat.
"""

from __future__ import annotations

import logging
import os
import random

import pytest

from bot.buttons import all_namespaces
from domain.access import Refusal
from domain.people import Status
from emulator import Emulator
from emulator.harness import BotHarness
from emulator.users import BotMessage, SimUser
from tests.conftest import ADMIN_TELEGRAM_ID
from tests.support.access import (
    NUMBER,
    OTHER_KANIT_ID,
    RESIDENT,
    SECRETS,
    everything_said,
    file_report,
    offered,
    table_dump,
)
from tests.support.registration import register
from ui import callbacks
from ui.i18n import Translator

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
    print(f"\nbuttons pressed in a group: {3 * len(data)} ({len(data)} kinds and ids x 3)")
    assert len(group.messages) == posted, [m.content for m in group.messages[posted:]]
    assert group.messages[-1].content == target.content  # not edited either
    assert not any(m.kind in ("document", "photo") for m in group.messages)
    assert sum(a["text"] == PRIVATE_ONLY for a in kanit.callback_answers) >= len(data) - 1


# ------------------------------------------------------------- generated: replay and mutate

FULL = os.environ.get("POLMAS_HOSTILE_FULL") == "1"
CI_SAMPLE = 2_400


def mutations(data: str, pool: list[int]) -> list[str]:
    """The data itself, a 64-byte payload, one part fewer or more, then every numeric part
    replaced by a neighbour, 0, huge numbers, non-ASCII digits, letters, other spellings of
    the same number, or another stored id (of another unit, another kind)."""
    version, namespace, *parts = data.split(":")
    found = [data, f"{version}:{namespace}:" + "9" * (64 - len(version) - len(namespace) - 2),
             ":".join([version, namespace, *parts[:-1]]), f"{data}:1"[:callbacks.MAX_BYTES]]
    for index, part in enumerate(parts):
        if not part.isdigit():
            continue
        number = int(part)
        for other in [number + 1, number - 1, 0, 10**30, 2**63, 2**31, "١", "x", "-1",
                      f"0{number}", f" {number}", "1e3", "0x1", *pool]:
            changed = [*parts[:index], str(other), *parts[index + 1:]]
            candidate = ":".join([version, namespace, *changed])
            if len(candidate.encode()) <= callbacks.MAX_BYTES:
                found.append(candidate)
    return list(dict.fromkeys(found))


async def show_the_units_buttons(kanit: SimUser, officer: SimUser) -> tuple[list[str], list[str]]:
    """Walk the flows that show the report's unit the bot's buttons; what each was offered."""
    start, officer_start = len(kanit.messages), len(officer.messages)
    await kanit.send("/cari")
    await kanit.press(NUMBER)
    await kanit.send("/keluhan")
    await kanit.send("/ekspor")
    await kanit.send("/anggota")
    await kanit.send("/undang")
    await kanit.send("/rekap")
    await officer.send("/laporan")
    await officer.press(NUMBER, officer.last)
    await officer.send("/jadwal")
    await officer.send("/bahasa")
    return offered(kanit, start), offered(officer, officer_start)


async def test_replayed_and_mutated_buttons_leak_and_change_nothing(
    harness: BotHarness, emu: Emulator, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO)
    officer, kanit = await file_report(harness, emu)
    made = await people_made_through_the_bot(harness, emu, kanit)
    await show_the_units_buttons(kanit, officer)
    recorded = list(dict.fromkeys(data for _, data in emu.sent_buttons()))
    assert {"kb", "kl", "kx", "rl", "mb", "iv", "rk", "lg", "ap"} <= {d.split(":")[1]
                                                                    for d in recorded}
    async with harness.db.reading() as repos:
        pool = sorted({o.id for o in await repos.officers.with_roles(["banit", "kanit"])}
                      | {r.id for r in await repos.reports.all()})
    cases = [m for data in recorded for m in mutations(data, pool)]

    personas = [*await seeded(harness, emu, LOWER), *made, emu.user(7999, "Asing")]
    # The unit's group, with a stranger and another unit's kanit among its members: they
    # press on the bot's group message there.
    in_group = [emu.user(7998, "Tamu"), personas[0]]
    group = emu.group(-100700, "Unit Binkamsa", members=[kanit, officer, *in_group])
    await kanit.send("/hubungkan", chat=group)
    target = group.messages[-1]
    posted = len(group.messages)

    rng = random.Random(19)
    planned = [(user, data, False) for user in personas for data in cases]
    planned += [(user, data, True) for user in in_group for data in cases]
    if not FULL and len(planned) > CI_SAMPLE:
        planned = rng.sample(planned, CI_SAMPLE)
    async with harness.db.reading() as repos:
        (report,) = await repos.reports.all()
        (complaint,) = await repos.complaints.of_report(report.id)
        desk_before = await repos.complaint_desk.get(complaint.id)
        everyone = ["banit", "kanit", "kbo", "kasat", "admin"]
        officers_before = await repos.officers.with_roles(everyone)
        registrations_before = await repos.registrations.get(made[0].id)
        audit_before = len(await repos.audit.recent())
    for user in personas:
        await user.send("/bantuan")
    tables_before = await table_dump(harness.db)
    await press_all(planned, target)
    tables_after = await table_dump(harness.db)
    # All a press may store: the updates' marks, the audit rows of exports of the presser's
    # own (empty) periods (checked below), and an active officer's own new report draft (a
    # replayed activity button starts one, as the menu does). Every other row of every table
    # is as it was, and nothing stored before is changed or gone.
    marks = {"processed_updates", "update_claims"}
    changed = {name for name in tables_before if tables_before[name] != tables_after[name]}
    assert changed <= marks | {"audit_log", "report_drafts"}, changed
    for name in ("audit_log", "report_drafts"):
        assert set(tables_before[name]) <= set(tables_after[name]), name
    print(f"\nforged callbacks: {len(planned)} tried of {(len(personas) + 2) * len(cases)}"
          f" ({len(recorded)} recorded buttons, {len(personas)} personas in private, 2 in the"
          " unit's group)")

    generic = TEXTS("id", "error.generic")
    for user in [*personas, *in_group]:
        said = everything_said(user)
        leaked = [secret for secret in SECRETS if secret in said]
        assert not leaked, (user.first_name, leaked)
        assert generic not in said, user.first_name
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(group.messages) == posted, [m.content for m in group.messages[posted:]]
    async with harness.db.reading() as repos:
        assert await repos.complaint_desk.get(complaint.id) == desk_before
        assert await repos.report_reviews.get(report.id) is None
        after = await repos.officers.with_roles(everyone)
        assert [(o.id, o.status, o.role, o.unit_code) for o in after] == [
            (o.id, o.status, o.role, o.unit_code) for o in officers_before]
        assert await repos.registrations.get(made[0].id) == registrations_before
        for stored in officers_before:
            if await repos.drafts.of_officer(stored.id) is not None:
                assert stored.status is Status.ACTIVE, stored
        audit = await repos.audit.recent()
    done = audit[: len(audit) - audit_before]
    # All they could do: export their own unit's (empty) periods.
    assert all(entry["action"] == "report.export" and entry["details"]["reports"] == 0
               and "binkamsa" not in entry["details"]["units"] for entry in done), done

    # The leaders above the unit may act on all of it: their presses may change things, but
    # every one is answered, nothing raises and nothing is posted in the group.
    higher = await seeded(harness, emu, HIGHER)
    for user in higher:
        await user.send("/bantuan")
    planned = [(user, data, False) for user in higher for data in cases]
    if not FULL and len(planned) > CI_SAMPLE // 4:
        planned = rng.sample(planned, CI_SAMPLE // 4)
    await press_all(planned, target)
    print(f"forged callbacks by kbo, kasat and admin: {len(planned)}")
    for user in higher:
        assert generic not in everything_said(user), user.first_name
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(group.messages) == posted


LOWER = (
    ("Kanit Lain", "binpolmas", "kanit", Status.ACTIVE, 7000),
    ("Banit Lain", "binpolmas", "banit", Status.ACTIVE, 7001),
    ("Rudi Rekan", "binkamsa", "banit", Status.ACTIVE, 7002),
    ("Susi Tangguh", "binkamsa", "kanit", Status.SUSPENDED, 7003),
    ("Pendi Tunggu", "binkamsa", "banit", Status.PENDING, 7004),
)
HIGHER = (
    ("Bambang Kabo", "satbinmas", "kbo", Status.ACTIVE, 7010),
    ("Surya Kasat", "satbinmas", "kasat", Status.ACTIVE, 7011),
    ("Admin Polres", "binkamsa", "admin", Status.ACTIVE, ADMIN_TELEGRAM_ID),
)


async def seeded(harness: BotHarness, emu: Emulator,
                 specs: tuple[tuple[str, str, str, Status, int], ...]) -> list[SimUser]:
    """People put straight into the database, one per spec."""
    users = []
    for name, unit, role, status, telegram_id in specs:
        user = emu.user(telegram_id, name.split()[0])
        await harness.seed_officer(user, name=name, nrp=f"77{telegram_id:06d}", unit=unit,
                                   role=role, status=status)
        users.append(user)
    return users


async def people_made_through_the_bot(
    harness: BotHarness, emu: Emulator, kanit: SimUser
) -> list[SimUser]:
    """A newcomer who registered through the bot and waits (the kanit got the approval card),
    and a banit the kanit suspended with the member card's button."""
    waiting = emu.user(7100, "Wati")
    await register(waiting, name="Wati Menunggu", nrp="77000100")
    assert kanit.last.inline_buttons, "the approval card"
    suspended = emu.user(7101, "Dodi")
    dodi = await harness.seed_officer(suspended, name="Dodi Diskors", nrp="77000101",
                                      unit="binkamsa")
    await kanit.send("/anggota")
    await kanit.press_forged(callbacks.pack("mb", "open", dodi.id), kanit.last)
    await kanit.press(TEXTS("id", "button.suspend"))
    dodi_now = await harness.officer(suspended)
    assert dodi_now is not None
    assert dodi_now.status is Status.SUSPENDED
    return [waiting, suspended]


async def press_all(planned: list[tuple[SimUser, str, bool]], group_message: BotMessage
                    ) -> None:
    """Press each forged callback on the presser's last private message, or (True) on the
    bot's message in the group."""
    for user, data, in_group in planned:
        answered = len(user.callback_answers)
        await user.press_forged(data, group_message if in_group else user.last)
        assert len(user.callback_answers) == answered + 1, (user.first_name, data)


# ------------------------------------------- number parts in other spellings, by the entitled

ODD_NUMBERS = ("²", "³¹", "½", "٥", "５", "𝟓", "Ⅻ", "+5", " 5", "5 ", "1_0", "-0", "٠x", "")


def respelled(data: str) -> list[str]:
    """``data`` with each ASCII-number part spelled as something ``str.isdigit`` or ``int``
    accepts but the bot never packs (superscripts, other scripts, signs, spaces, ``_``)."""
    version, namespace, *parts = data.split(":")
    found = []
    for index, part in enumerate(parts):
        if callbacks.as_id(part) is None:
            continue
        for odd in ODD_NUMBERS:
            candidate = ":".join([version, namespace, *parts[:index], odd, *parts[index + 1:]])
            if len(candidate.encode()) <= callbacks.MAX_BYTES:
                found.append(candidate)
    return found


async def test_number_parts_in_other_spellings_never_crash_a_handler(
    harness: BotHarness, emu: Emulator, caplog: pytest.LogCaptureFixture
):
    """Pressed by the people entitled to the buttons, so that the gate lets them through to
    the handlers: "²".isdigit() is true and int("²") raised (#19 helpers' note)."""
    caplog.set_level(logging.INFO)
    officer, kanit = await file_report(harness, emu)
    kanit_data, officer_data = await show_the_units_buttons(kanit, officer)
    # Number parts the gate does not check (pages, periods, "no officer", pause days): they
    # reach the handlers as they are.
    kanit_data += [callbacks.pack("kb", "p", 1), callbacks.pack("kb", "sd", 7),
                   callbacks.pack("kb", "so", 0), callbacks.pack("mb", "list", 1),
                   callbacks.pack("kl", "p", 0)]
    officer_data += [callbacks.pack("sc", "pd", 1), callbacks.pack("sc", "rep", 1)]
    planned = [(kanit, odd) for data in dict.fromkeys(kanit_data) for odd in respelled(data)]
    planned += [(officer, odd) for data in dict.fromkeys(officer_data)
                for odd in respelled(data)]
    assert len(planned) > 100
    for user, data in planned:
        answered = len(user.callback_answers)
        await user.press_forged(data, user.last)
        assert len(user.callback_answers) == answered + 1, data
    print(f"\nnumber parts respelled: {len(planned)} presses")
    generic = TEXTS("id", "error.generic")
    assert generic not in everything_said(kanit) + everything_said(officer)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [
        r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR][:3]
