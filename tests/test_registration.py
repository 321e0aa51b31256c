"""Registration and approval, as an unknown officer and their leader meet them."""

from __future__ import annotations

from datetime import timedelta

from domain.people import Status
from emulator import Emulator
from emulator.harness import BotHarness
from emulator.media import make_jpeg
from tests.support.registration import pick_area, register


async def test_unknown_user_registers_and_leader_approves(harness: BotHarness, emu: Emulator):
    kanit = emu.user(2001, "Kanit")
    await harness.seed_officer(
        kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa", role="kanit"
    )
    officer = emu.user(1001, "Budi")

    await register(officer)

    assert "Pendaftaran terkirim" in officer.last.text
    stored = await harness.officer(officer)
    assert stored is not None
    assert (stored.full_name, stored.nrp, stored.rank, stored.unit_code, stored.role) == (
        "Budi Santoso",
        "87654321",
        "BRIPKA",
        "binkamsa",
        "banit",
    )
    assert stored.status is Status.PENDING
    request = kanit.last
    assert "Budi Santoso" in request.text
    assert "87654321" in request.text

    await kanit.press("✅ Setujui", request)

    assert (await harness.officer(officer)).status is Status.ACTIVE
    assert "Disetujui oleh BRIPKA Andi Kanit" in kanit.last.text
    assert kanit.last.buttons == []
    assert any("telah disetujui" in text for text in officer.texts)
    assert "Perintah yang dapat Anda gunakan" in officer.last.text
    assert "/daftar" not in officer.last.text
    async with harness.db.reading() as repos:
        actions = [entry["action"] for entry in await repos.audit.recent()]
    assert actions[:2] == ["officer.approve", "officer.register"]


async def test_leader_rejects(harness: BotHarness, emu: Emulator):
    kanit = emu.user(2001, "Kanit")
    await harness.seed_officer(
        kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa", role="kanit"
    )
    officer = emu.user(1001, "Budi")
    await register(officer)

    await kanit.press("❌ Tolak")

    assert (await harness.officer(officer)).status is Status.REJECTED
    assert "ditolak" in officer.last.text
    await officer.send("/anggota")
    assert "belum terdaftar" in officer.last.text


async def test_repeated_and_stale_approval_approves_once(harness: BotHarness, emu: Emulator):
    kanit = emu.user(2001, "Kanit")
    kbo = emu.user(2002, "KBO")
    await harness.seed_officer(
        kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa", role="kanit"
    )
    await harness.seed_officer(
        kbo, name="Rudi Kbo", nrp="11113333", unit="satbinmas", role="kbo", rank="AKP"
    )
    officer = emu.user(1001, "Budi")
    await register(officer)
    request_for_kanit, request_for_kbo = kanit.last, kbo.last

    update = await kanit.press("✅ Setujui", request_for_kanit)
    await emu.redeliver(update)
    await kbo.press("❌ Tolak", request_for_kbo)

    assert (await harness.officer(officer)).status is Status.ACTIVE
    assert "sudah diputuskan" in kbo.callback_answers[-1]["text"]
    assert "Disetujui oleh" in kbo.last.text
    assert sum("telah disetujui" in text for text in officer.texts) == 1
    async with harness.db.reading() as repos:
        actions = [entry["action"] for entry in await repos.audit.recent()]
    assert actions.count("officer.approve") == 1
    assert "officer.reject" not in actions


async def test_banit_cannot_approve(harness: BotHarness, emu: Emulator):
    kanit = emu.user(2001, "Kanit")
    banit = emu.user(2003, "Banit")
    await harness.seed_officer(
        kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa", role="kanit"
    )
    await harness.seed_officer(banit, name="Dewi Banit", nrp="11114444", unit="binkamsa")
    officer = emu.user(1001, "Budi")
    await register(officer)

    await banit.send("/bantuan")
    await banit.press_forged(kanit.last.button_data("✅ Setujui"), banit.last)

    assert "khusus untuk pimpinan" in banit.callback_answers[-1]["text"]
    assert (await harness.officer(officer)).status is Status.PENDING


async def test_leader_of_other_unit_cannot_approve(harness: BotHarness, emu: Emulator):
    kanit = emu.user(2001, "Kanit")
    other = emu.user(2004, "Other")
    await harness.seed_officer(
        kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa", role="kanit"
    )
    await harness.seed_officer(
        other, name="Siti Kanit", nrp="11115555", unit="binpolmas", role="kanit"
    )
    officer = emu.user(1001, "Budi")
    await register(officer)

    assert other.messages == []  # the request went only to leaders of that unit
    await other.send("/bantuan")
    await other.press_forged(kanit.last.button_data("✅ Setujui"), other.last)

    # The same answer as an old button: a forged id tells nothing about what it names.
    assert "tidak berlaku" in other.callback_answers[-1]["text"]
    assert (await harness.officer(officer)).status is Status.PENDING


async def test_bad_input_keeps_the_step(harness: BotHarness, emu: Emulator):
    officer = emu.user(1001, "Budi")
    await officer.send("/daftar")
    await officer.send_sticker()
    assert "nama lengkap" in officer.last.text
    await officer.send("x" * 200)
    assert "terlalu panjang" in officer.last.text
    await officer.send("Budi Santoso")
    await officer.send("1234")
    assert "8 angka" in officer.last.text
    await officer.send_photo(make_jpeg(200, 150))
    assert "NRP" in officer.last.text
    await officer.send("12345678")
    await officer.send("bripka")  # a typed rank is accepted too
    await officer.send("Unit Binkamsa")
    assert "tombol" in officer.last.text

    async with harness.db.reading() as repos:
        registration = await repos.registrations.get(officer.id)
    assert registration is not None
    assert registration.step.value == "unit"
    assert registration.answers == {"name": "Budi Santoso", "nrp": "12345678", "rank": "BRIPKA"}


async def test_unregistered_pending_and_suspended_reach_nothing(
    harness: BotHarness, emu: Emulator
):
    stranger = emu.user(1001, "Stranger")
    pending = emu.user(1002, "Pending")
    suspended = emu.user(1003, "Suspended")
    await harness.seed_officer(
        pending, name="Pen Ding", nrp="22220001", unit="binkamsa", status=Status.PENDING
    )
    await harness.seed_officer(
        suspended,
        name="Sus Pended",
        nrp="22220002",
        unit="binkamsa",
        role="kanit",
        status=Status.SUSPENDED,
    )
    for user, expected in (
        (stranger, "belum terdaftar"),
        (pending, "menunggu persetujuan"),
        (suspended, "ditangguhkan"),
    ):
        for command in ("/anggota", "/undang"):
            await user.send(command)
            assert expected in user.last.text, (user, command, user.last.text)
        await user.send("halo")
        assert expected in user.last.text
    assert stranger.last.buttons == [["📝 Daftar"]]


async def test_restart_mid_registration_continues(harness: BotHarness, emu: Emulator):
    officer = emu.user(1001, "Budi")
    await officer.send("/daftar")
    await officer.send("Budi Santoso")
    await harness.restart()
    await officer.send("87654321")
    assert "pangkat" in officer.last.text
    await harness.restart()
    await officer.press("BRIPKA")
    async with harness.db.reading() as repos:
        registration = await repos.registrations.get(officer.id)
    assert registration is not None
    assert registration.answers == {"name": "Budi Santoso", "nrp": "87654321", "rank": "BRIPKA"}


async def test_duplicate_update_changes_nothing_but_repeats_the_question(
    harness: BotHarness, emu: Emulator
):
    officer = emu.user(1001, "Budi")
    await officer.send("/daftar")
    update = await officer.send("Budi Santoso")
    count = len(officer.messages)
    question = officer.last.text
    await emu.redeliver(update)
    # The reply may have been lost with the crash: the question is asked again, nothing applied.
    assert len(officer.messages) == count + 1
    assert officer.last.text == question
    async with harness.db.reading() as repos:
        registration = await repos.registrations.get(officer.id)
    assert registration is not None
    assert registration.step.value == "nrp"


async def test_edited_answer_is_not_a_new_answer(harness: BotHarness, emu: Emulator):
    officer = emu.user(1001, "Budi")
    await officer.send("/daftar")
    update = await officer.send("Budi Santoso")
    count = len(officer.messages)
    await officer.edit(update, "Budi Santoso Edited")
    assert len(officer.messages) == count
    async with harness.db.reading() as repos:
        registration = await repos.registrations.get(officer.id)
    assert registration is not None
    assert registration.step.value == "nrp"
    assert registration.answers == {"name": "Budi Santoso"}


async def test_old_approve_button_does_not_approve_a_new_application(
    harness: BotHarness, emu: Emulator
):
    kanit = emu.user(2001, "Kanit")
    await harness.seed_officer(
        kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa", role="kanit"
    )
    officer = emu.user(1001, "Budi")
    await register(officer)
    first_request = kanit.last
    stale_approve = first_request.button_data("✅ Setujui")
    await kanit.press("❌ Tolak", first_request)
    harness.clock.advance(timedelta(minutes=5))
    await register(officer)

    await kanit.press_forged(stale_approve, kanit.last)

    assert "tidak berlaku" in kanit.callback_answers[-1]["text"]
    assert (await harness.officer(officer)).status is Status.PENDING


async def test_rejected_application_does_not_hold_the_nrp(harness: BotHarness, emu: Emulator):
    kanit = emu.user(2001, "Kanit")
    await harness.seed_officer(
        kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa", role="kanit"
    )
    impostor = emu.user(1001, "Impostor")
    await register(impostor, name="Palsu Sekali", nrp="87654321")
    await kanit.press("❌ Tolak")
    assert "87654321" in kanit.last.text  # the decided card still shows what was claimed

    owner = emu.user(1002, "Budi")
    await register(owner, nrp="87654321")

    assert "Pendaftaran terkirim" in owner.last.text
    assert (await harness.officer(owner)).nrp == "87654321"


async def test_nrp_taken_meanwhile_asks_again_and_keeps_answers(
    harness: BotHarness, emu: Emulator
):
    kanit = emu.user(2001, "Kanit")
    await harness.seed_officer(
        kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa", role="kanit"
    )
    first, second = emu.user(1001, "Budi"), emu.user(1002, "Citra")
    for user in (first, second):
        await user.send("/daftar")
        await user.send("Budi Santoso")
        await user.send("87654321")
        await user.press("BRIPKA")
        await user.press("Unit Binkamsa")
        await user.press("Banit (anggota unit)")
        await pick_area(user)
    await first.press("✅ Kirim")
    await second.press("✅ Kirim")

    assert "sudah terdaftar" in second.texts[-2]
    assert "NRP" in second.last.text
    await second.send("87654329")
    await second.press("✅ Kirim")
    assert (await harness.officer(second)).nrp == "87654329"


async def test_registration_binds_two_kelurahan(harness: BotHarness, emu: Emulator):
    kanit = emu.user(2001, "Kanit")
    await harness.seed_officer(
        kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa", role="kanit"
    )
    officer = emu.user(1001, "Budi")
    await register(officer, until_area=True)
    assert "wilayah binaan" in officer.last.text
    assert officer.last.buttons[0] == ["Kec. Kota Barat", "Kec. Kota Selatan"]

    await officer.press("✅ Selesai (0)")  # a Banit serves at least one kelurahan
    assert "minimal satu kelurahan" in officer.callback_answers[-1]["text"]
    await officer.press("Kec. Kota Selatan")
    assert officer.last.buttons[0] == ["⬜ Biawao", "⬜ Biawu"]
    await officer.press("⬜ Limba U I")
    await officer.press("⬜ Limba U II")
    assert "✅ Limba U II" in sum(officer.last.buttons, [])
    await officer.press("◀️ Kecamatan")
    assert "Kec. Kota Selatan (2)" in sum(officer.last.buttons, [])
    await harness.restart()  # the ticks are stored: a restart keeps them
    await officer.press("✅ Selesai (2)")

    assert "Wilayah binaan: Kel. Limba U I, Kel. Limba U II" in officer.last.text
    await officer.press("✅ Kirim")
    stored = await harness.officer(officer)
    assert stored is not None
    async with harness.db.reading() as repos:
        areas = await repos.areas.of_officer(stored.id)
        entry = (await repos.audit.recent())[0]
    assert areas == ["75.71.02.1019", "75.71.02.1020"]
    assert entry["action"] == "officer.register"
    assert "75.71.02.1020" in str(entry["details"])
