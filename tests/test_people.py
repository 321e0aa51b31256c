"""Invitations, the members list, suspension and language, as leaders and officers meet them."""

from __future__ import annotations

import re
from datetime import timedelta

from domain.people import Status
from emulator import Emulator
from emulator.harness import BotHarness
from tests.support.registration import pick_area


async def seed_kanit(harness: BotHarness, emu: Emulator):
    kanit = emu.user(2001, "Kanit")
    await harness.seed_officer(
        kanit, name="Andi Kanit", nrp="11112222", unit="binkamsa", role="kanit"
    )
    return kanit


async def make_invitation(kanit) -> str:
    await kanit.send("/undang")
    assert [row[0] for row in kanit.last.buttons] == ["Unit Binkamsa"]
    await kanit.press("Unit Binkamsa")
    assert kanit.last.buttons == [["Banit (anggota unit)"]]  # a kanit invites below their rank
    await kanit.press("Banit (anggota unit)")
    match = re.search(r"start=(inv_[A-Za-z0-9_-]+)", kanit.last.text)
    assert match, kanit.last.text
    return match.group(1)


async def fill_invited_registration(user, *, nrp: str = "87654321") -> None:
    await user.send("Budi Santoso")
    await user.send(nrp)
    await user.press("BRIPKA")
    await pick_area(user)
    await user.press("✅ Kirim")


async def test_invitation_registers_once(harness: BotHarness, emu: Emulator):
    kanit = await seed_kanit(harness, emu)
    payload = await make_invitation(kanit)
    officer = emu.user(1001, "Budi")

    await officer.send(f"/start {payload}")
    assert "Undangan diterima" in officer.texts[-3]
    await fill_invited_registration(officer)

    stored = await harness.officer(officer)
    assert stored is not None
    assert (stored.status, stored.unit_code, stored.role) == (Status.ACTIVE, "binkamsa", "banit")
    assert "Pendaftaran berhasil" in officer.texts[-2]
    assert "telah mendaftar melalui tautan undangan" in kanit.last.text

    second = emu.user(1002, "Citra")
    await second.send(f"/start {payload}")
    assert "sudah digunakan" in second.last.text
    assert await harness.officer(second) is None
    async with harness.db.reading() as repos:
        actions = [entry["action"] for entry in await repos.audit.recent()]
    assert actions[:2] == ["officer.register_by_invitation", "invitation.create"]


async def test_invitation_claimed_by_first_opener(harness: BotHarness, emu: Emulator):
    kanit = await seed_kanit(harness, emu)
    payload = await make_invitation(kanit)
    first, second = emu.user(1001, "Budi"), emu.user(1002, "Citra")
    await first.send(f"/start {payload}")
    await second.send(f"/start {payload}")
    assert "sudah digunakan" in second.last.text


async def test_expired_and_forged_invitations_are_refused(harness: BotHarness, emu: Emulator):
    kanit = await seed_kanit(harness, emu)
    payload = await make_invitation(kanit)
    officer = emu.user(1001, "Budi")

    await officer.send("/start inv_forgedTokenThatNeverExisted12")
    assert "tidak valid" in officer.last.text
    harness.clock.advance(timedelta(hours=73))
    await officer.send(f"/start {payload}")
    assert "kedaluwarsa" in officer.last.text
    assert await harness.officer(officer) is None


async def test_invitation_expiring_mid_registration_is_refused(harness: BotHarness, emu: Emulator):
    kanit = await seed_kanit(harness, emu)
    payload = await make_invitation(kanit)
    officer = emu.user(1001, "Budi")
    await officer.send(f"/start {payload}")
    harness.clock.advance(timedelta(hours=80))
    await fill_invited_registration(officer)
    assert "kedaluwarsa" in officer.last.text
    assert await harness.officer(officer) is None


async def test_leader_suspends_and_reactivates(harness: BotHarness, emu: Emulator):
    kanit = await seed_kanit(harness, emu)
    banit = emu.user(1001, "Budi")
    await harness.seed_officer(banit, name="Budi Santoso", nrp="87654321", unit="binkamsa")
    other_unit = emu.user(1002, "Siti")
    await harness.seed_officer(other_unit, name="Siti Aminah", nrp="87654322", unit="binpolmas")

    await kanit.send("/anggota")
    listing = kanit.last
    assert "Budi Santoso" in listing.text
    assert "Siti Aminah" not in listing.text
    await kanit.press("🟢 Budi Santoso")
    await kanit.press("⏸ Tangguhkan")
    assert (await harness.officer(banit)).status is Status.SUSPENDED
    assert "ditangguhkan" in kanit.last.text

    await banit.send("/bantuan")
    assert "/lapor" not in banit.last.text
    await banit.send("halo")
    assert "ditangguhkan" in banit.last.text

    await kanit.press("▶️ Aktifkan kembali")
    assert (await harness.officer(banit)).status is Status.ACTIVE
    async with harness.db.reading() as repos:
        actions = [entry["action"] for entry in await repos.audit.recent()]
    assert actions[:2] == ["officer.reactivate", "officer.suspend"]


async def test_banit_cannot_list_or_suspend(harness: BotHarness, emu: Emulator):
    kanit = await seed_kanit(harness, emu)
    banit = emu.user(1001, "Budi")
    target = await harness.seed_officer(
        banit, name="Budi Santoso", nrp="87654321", unit="binkamsa"
    )
    await kanit.send("/anggota")
    await banit.send("/anggota")
    assert "khusus untuk pimpinan" in banit.last.text
    await banit.press_forged(f"a:mb:sus:{target.id}", banit.last)
    assert "khusus untuk pimpinan" in banit.callback_answers[-1]["text"]
    assert (await harness.officer(banit)).status is Status.ACTIVE


async def test_language_switch_is_remembered(harness: BotHarness, emu: Emulator):
    banit = emu.user(1001, "Budi")
    await harness.seed_officer(banit, name="Budi Santoso", nrp="87654321", unit="binkamsa")
    await banit.send("/language")
    await banit.press("🇬🇧 English")
    assert "Commands you can use" in banit.last.text
    await harness.restart()
    await banit.send("/help")
    assert "Commands you can use" in banit.last.text
    assert "/help (/bantuan)" in banit.last.text


async def test_configured_admin_is_enrolled_and_can_approve(harness: BotHarness, emu: Emulator):
    admin = emu.user(9000, "Admin")
    await admin.send("/start")
    stored = await harness.officer(admin)
    assert stored is not None
    assert (stored.role, stored.status) == ("admin", Status.ACTIVE)

    officer = emu.user(1001, "Budi")
    await officer.send("/daftar")
    await officer.send("Budi Santoso")
    await officer.send("87654321")
    await officer.press("BRIPKA")
    await officer.press("Unit Bintibmas")
    await officer.press("Kanit (kepala unit)")
    await officer.press("✅ Selesai (0)")  # a leader may serve no kelurahan
    await officer.press("✅ Kirim")
    await admin.press("✅ Setujui")
    assert (await harness.officer(officer)).status is Status.ACTIVE


async def test_command_menus_are_set_per_scope(harness: BotHarness, emu: Emulator):
    calls = [call for call in emu.calls if call.method == "setMyCommands"]
    scopes = {(str(call.params.get("scope")), call.params.get("language_code")) for call in calls}
    assert len(scopes) == 4  # private chats and groups, each in Indonesian and English
    private = next(
        call
        for call in calls
        if "language_code" not in call.params or call.params.get("language_code") is None
    )
    assert "anggota" in str(private.params["commands"])


async def test_stale_button_from_old_version(harness: BotHarness, emu: Emulator):
    banit = emu.user(1001, "Budi")
    await harness.seed_officer(banit, name="Budi Santoso", nrp="87654321", unit="binkamsa")
    await banit.send("/bantuan")
    await banit.press_forged("old-format-button", banit.last)
    assert "tidak berlaku" in banit.callback_answers[-1]["text"]


async def test_suspended_officer_cannot_lift_suspension_with_a_link(
    harness: BotHarness, emu: Emulator
):
    kanit = await seed_kanit(harness, emu)
    payload = await make_invitation(kanit)
    suspended = emu.user(1001, "Budi")
    await harness.seed_officer(
        suspended, name="Budi Santoso", nrp="87654321", unit="binkamsa", status=Status.SUSPENDED
    )
    await suspended.send(f"/start {payload}")
    assert "ditangguhkan" in suspended.last.text
    await suspended.send("/daftar")
    assert "ditangguhkan" in suspended.last.text
    assert (await harness.officer(suspended)).status is Status.SUSPENDED
    newcomer = emu.user(1002, "Citra")
    await newcomer.send(f"/start {payload}")
    assert "Undangan diterima" in newcomer.texts[-3]  # the link was not burnt


async def test_link_of_a_suspended_leader_no_longer_registers(harness: BotHarness, emu: Emulator):
    kanit = await seed_kanit(harness, emu)
    payload = await make_invitation(kanit)
    kbo = emu.user(2002, "KBO")
    await harness.seed_officer(
        kbo, name="Rudi Kbo", nrp="11113333", unit="satbinmas", role="kbo", rank="AKP"
    )
    await kbo.send("/anggota")
    await kbo.press("🟢 Andi Kanit")
    await kbo.press("⏸ Tangguhkan")

    officer = emu.user(1001, "Budi")
    await officer.send(f"/start {payload}")
    await fill_invited_registration(officer)

    assert "tidak valid" in officer.last.text
    assert await harness.officer(officer) is None


async def test_members_list_is_paged(harness: BotHarness, emu: Emulator):
    kanit = await seed_kanit(harness, emu)
    for index in range(45):
        user = emu.user(5000 + index, f"Anggota{index}")
        await harness.seed_officer(
            user, name=f"Anggota Nomor {index:02d}", nrp=f"5{index:07d}", unit="binkamsa"
        )
    await kanit.send("/anggota")
    assert "Halaman 1 dari 3" in kanit.last.text
    assert len(kanit.last.text) < 4096
    assert kanit.last.buttons[-1] == ["▶️"]
    await kanit.press("▶️")
    assert "Halaman 2 dari 3" in kanit.last.text
    assert kanit.last.buttons[-1] == ["◀️", "▶️"]
    await kanit.press("🟢 Anggota Nomor 20")
    assert "Anggota Nomor 20" in kanit.last.text


async def test_request_without_approver_is_decided_from_the_members_card(
    harness: BotHarness, emu: Emulator
):
    officer = emu.user(1001, "Budi")
    await officer.send("/daftar")
    await officer.send("Budi Santoso")
    await officer.send("87654321")
    await officer.press("BRIPKA")
    await officer.press("Unit Binkamsa")
    await officer.press("Banit (anggota unit)")
    await pick_area(officer)
    await officer.press("✅ Kirim")
    assert "belum ada pimpinan" in officer.last.text

    kanit = await seed_kanit(harness, emu)
    await kanit.send("/anggota")
    await kanit.press("⏳ Budi Santoso")
    await kanit.press("✅ Setujui")

    assert (await harness.officer(officer)).status is Status.ACTIVE
    assert any("telah disetujui" in text for text in officer.texts)


async def test_admin_removed_from_admin_ids_is_suspended_at_start(
    harness: BotHarness, emu: Emulator
):
    admin = emu.user(9000, "Admin")
    await admin.send("/start")
    harness.settings = harness.settings.model_copy(update={"admin_ids": frozenset()})
    await harness.restart()

    await admin.send("/anggota")
    assert "ditangguhkan" in admin.last.text
    async with harness.db.reading() as repos:
        assert (await repos.audit.recent())[0]["action"] == "admin.revoke"


async def test_leader_changes_an_officers_kelurahan_in_members(harness: BotHarness,
                                                               emu: Emulator):
    kanit = await seed_kanit(harness, emu)
    banit = emu.user(1001, "Budi")
    stored = await harness.seed_officer(banit, name="Budi Santoso", nrp="87654321",
                                        unit="binkamsa")
    other = emu.user(1002, "Siti")
    outsider = await harness.seed_officer(other, name="Siti Aminah", nrp="87654322",
                                          unit="binpolmas")

    await kanit.send("/anggota")
    await kanit.press("🟢 Budi Santoso")
    assert "Wilayah binaan: belum ada" in kanit.last.text
    await kanit.press("🏘 Wilayah binaan")
    await kanit.press("Kec. Dumbo Raya")
    await kanit.press("⬜ Leato Utara")
    await kanit.press("⬜ Botu")
    await kanit.press("✅ Leato Utara")  # ticked again: removed
    assert "Wilayah binaan: Kel. Botu" in kanit.last.text
    await kanit.press("✅ Selesai (1)")
    assert "Wilayah binaan: Kel. Botu" in kanit.last.text
    async with harness.db.reading() as repos:
        assert await repos.areas.of_officer(stored.id) == ["75.71.08.1004"]
        changes = [entry for entry in await repos.audit.recent()
                   if entry["action"] == "officer.areas"]
    assert len(changes) == 3
    assert all(entry["target_id"] == str(stored.id) for entry in changes)

    # A forged tick for an officer of another unit changes nothing.
    await kanit.press_forged(f"a:mb:akel:{outsider.id}:75.71.08.1004", kanit.last)
    assert kanit.callback_answers[-1]["show_alert"]
    async with harness.db.reading() as repos:
        assert await repos.areas.of_officer(outsider.id) == []
