"""Identifiers typed in look-alike digits: one NRP is one officer, whatever script it was typed in.

Defect 2 of issue 19: ``٨٧٠٥٠٠٠١`` (Arabic-Indic) and ``８７０５０００１`` (full-width) passed
``^\\d{8}$`` and registered a second officer with "the same" NRP as 87050001.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.people import Status
from domain.schedule import ScheduleInputError, parse_minutes
from domain.text import ascii_number, identifier
from emulator import Emulator
from emulator.harness import BotHarness
from ops.check import check
from tests.conftest import ADMIN_TELEGRAM_ID
from tests.support.registration import register

EXISTING = "87050001"
ARABIC_INDIC = "٨٧٠٥٠٠٠١"
FULL_WIDTH_NEW = "８７０５０００２"


async def existing_officer(harness: BotHarness, emu: Emulator):
    kanit = emu.user(2001, "Kanit")
    await harness.seed_officer(kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa",
                               role="kanit")
    holder = emu.user(1001, "Budi")
    await harness.seed_officer(holder, name="Budi Santosa", nrp=EXISTING, unit="binkamsa")
    return kanit, holder


async def test_an_nrp_in_arabic_indic_digits_is_refused_as_the_existing_one(
    harness: BotHarness, emu: Emulator
):
    await existing_officer(harness, emu)
    impostor = emu.user(1002, "Palsu")
    await impostor.send("/daftar")
    await impostor.send("Budi Santosa")
    await impostor.send(ARABIC_INDIC)

    assert "NRP ini sudah terdaftar atas nama anggota lain" in impostor.last.text
    async with harness.db.reading() as repos:
        registration = await repos.registrations.get(impostor.id)
    assert registration is not None
    assert registration.step.value == "nrp"
    assert "nrp" not in registration.answers
    assert await harness.officer(impostor) is None


async def test_a_new_nrp_in_full_width_digits_is_stored_in_ascii(
    harness: BotHarness, emu: Emulator
):
    kanit, _ = await existing_officer(harness, emu)
    newcomer = emu.user(1003, "Citra")
    await register(newcomer, name="Citra Lestari", nrp=FULL_WIDTH_NEW)

    assert "Pendaftaran terkirim" in newcomer.last.text
    assert (await harness.officer(newcomer)).nrp == "87050002"
    assert "87050002" in kanit.last.text  # the leader's request shows it as stored

    # And that NRP, typed in ASCII by someone else, is now taken.
    other = emu.user(1004, "Dedi")
    await other.send("/daftar")
    await other.send("Dedi Kurniawan")
    await other.send("8705 0002")
    assert "NRP ini sudah terdaftar" in other.last.text


@pytest.mark.usefixtures("sqlite_file")  # reads the SQLite file
async def test_stored_look_alikes_are_reported_to_the_admin_never_merged(
    harness: BotHarness, emu: Emulator
):
    """Look-alike NRPs stored before the fix: a clash is told to the admin at every start and
    makes ``python -m bot check`` exit 1; a look-alike nobody else holds is stored in ASCII."""
    kanit, holder = await existing_officer(harness, emu)
    impostor, alone = emu.user(1002, "Palsu"), emu.user(1003, "Citra")
    await harness.seed_officer(impostor, name="Budi Santosa", nrp=ARABIC_INDIC, unit="binkamsa")
    await harness.seed_officer(alone, name="Citra Lestari", nrp=FULL_WIDTH_NEW, unit="binkamsa")
    admin = emu.user(ADMIN_TELEGRAM_ID, "Admin")
    admin.started = True

    lines: list[str] = []
    assert check(harness.settings, out=lines.append) == 1
    assert any("NRPs in look-alike digits that read as 87050001" in line for line in lines)
    assert any("read as 87050002" in line for line in lines)

    await harness.restart()

    notice = admin.last.text
    assert "NRP kembar dengan angka mirip" in notice
    assert "87050001" in notice
    assert ARABIC_INDIC in notice
    assert notice.count("Budi Santosa") == 2
    assert (await harness.officer(holder)).nrp == EXISTING
    assert (await harness.officer(impostor)).nrp == ARABIC_INDIC  # never merged or renamed
    assert (await harness.officer(alone)).nrp == "87050002"
    async with harness.db.reading() as repos:
        actions = [entry["action"] for entry in await repos.audit.recent()]
    assert "officer.nrp_normalise" in actions

    # The admin suspends the impostor: the clash is decided, the notices and the exit 1 stop.
    async with harness.db.transaction() as tx:
        stored = await tx.officers.by_telegram_id(impostor.id)
        await tx.officers.decide(stored.id, expected=Status.ACTIVE, new=Status.SUSPENDED,
                                 by=None, now=harness.clock.now())
    notices = len(admin.messages)
    await harness.restart()
    assert len(admin.messages) == notices
    assert check(harness.settings, out=lambda line: None) == 0


@given(st.text(max_size=30))
def test_a_number_part_is_ascii_digits_or_nothing(raw: str):
    value = ascii_number(raw)
    if value is None:
        assert not (raw.isascii() and raw.isdigit() and len(raw) <= 18)
    else:
        assert raw.isascii()
        assert raw.isdigit()
        assert value == int(raw) < 10**18


@given(st.text(alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=8))
def test_durations_typed_in_any_script_read_as_ascii_or_are_refused(raw: str):
    try:
        minutes = parse_minutes(raw)  # "²" passed isdigit() and then crashed int()
    except ScheduleInputError:
        return
    assert minutes == int(identifier(raw))


def test_superscripts_and_signs_are_not_numbers():
    for odd in ("²", "½", "+5", " 5", "1_0", "-1", "", "1" * 19):
        assert ascii_number(odd) is None, odd
    assert parse_minutes("٣٠") == parse_minutes("３０ menit") == 30
