"""Leaders' notices of a submitted report: emergencies reach every leader at once, marked,
with the report one tap away; roles set to "urgent" (KBO, Kasat, admin) hear of nothing else
until their digest (issue 14, item 10)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conversations import report_submit
from emulator import Emulator
from emulator.harness import BotHarness
from jobs.notifications import REPORT_GRACE
from tests.support.reports import fill_sapta, seed
from tests.support.schedule import scan

KBO_ID = 5150


EMERGENCY = "Ada transaksi narkoba di <gudang> & pos ronda malam ini"


async def test_routine_report_goes_to_the_kanit_only(harness: BotHarness, emu: Emulator):
    officer, kanit = await seed(harness, emu)
    kbo = emu.user(KBO_ID, "Kbo")
    await harness.seed_officer(kbo, name="Rahmat KBO", nrp="22223333", unit="satbinmas",
                               role="kbo", rank="AKP")
    await fill_sapta(officer)
    await officer.press("📤 Kirim laporan")
    notice = kanit.last
    assert "Laporan baru LAP/SAPTA/2026/11/0001" in notice.text
    assert "🆘" not in notice.text
    assert notice.buttons == [["📄 Buka laporan"]]
    assert kbo.texts == []  # digest only for the KBO

    await kanit.press("📄 Buka laporan", notice)
    assert any("LAPORAN HASIL KEGIATAN" in text and "LAP/SAPTA/2026/11/0001" in text
               for text in kanit.texts)


async def test_emergency_reaches_every_leader_at_once_with_the_report_one_tap_away(
    harness: BotHarness, emu: Emulator
):
    officer, kanit = await seed(harness, emu)
    kbo = emu.user(KBO_ID, "Kbo")
    await harness.seed_officer(kbo, name="Rahmat KBO", nrp="22223333", unit="satbinmas",
                               role="kbo", rank="AKP")
    await fill_sapta(officer, urgency="Darurat", complaint=EMERGENCY)
    await officer.press("📤 Kirim laporan")
    async with harness.db.reading() as repos:
        report = (await repos.reports.all())[0]
        complaints = await repos.complaints.of_report(report.id)
    assert [c.urgency for c in complaints] == ["darurat"]
    for leader in (kanit, kbo):
        notice = leader.last
        assert report.number in notice.text
        assert "🆘" in notice.text
        assert "DARURAT" in notice.text
        assert "transaksi narkoba di <gudang> & pos ronda" in notice.text  # escaped, parsed
        assert notice.buttons == [["📄 Buka laporan"]]
    await kbo.press("📄 Buka laporan", kbo.last)
    assert any("LAPORAN HASIL KEGIATAN" in text and report.number in text for text in kbo.texts)


async def test_english_leader_gets_the_emergency_in_english(harness: BotHarness,
                                                             emu: Emulator):
    officer, _ = await seed(harness, emu)
    kasat = emu.user(KBO_ID, "Kasat")
    await harness.seed_officer(kasat, name="Yusuf Kasat", nrp="33334444", unit="satbinmas",
                               role="kasat", rank="AKBP", language="en")
    await fill_sapta(officer, urgency="Darurat", complaint=EMERGENCY)
    await officer.press("📤 Kirim laporan")
    assert "EMERGENCY complaint" in kasat.last.text
    assert kasat.last.buttons == [["📄 Open report"]]


async def test_a_notice_lost_to_a_crash_after_the_commit_is_sent_by_the_outbox_once(
    harness: BotHarness, emu: Emulator, monkeypatch: pytest.MonkeyPatch
):
    """The notices are stored with the report: when the process dies right after the commit
    (here: the submit's own send never happens), the outbox scan tells the leader, once."""
    officer, kanit = await seed(harness, emu)
    await fill_sapta(officer)
    monkeypatch.setattr(report_submit, "deliver_now", _died_before_sending)
    await officer.press("📤 Kirim laporan")
    assert not any("Laporan baru" in text for text in kanit.texts)
    await scan(harness)  # not yet due: the submit is still expected to send it
    assert not any("Laporan baru" in text for text in kanit.texts)

    harness.clock.advance(REPORT_GRACE + timedelta(seconds=1))
    await scan(harness)
    await scan(harness)
    told = [text for text in kanit.texts if "Laporan baru LAP/SAPTA/2026/11/0001" in text]
    assert len(told) == 1
    assert kanit.last.buttons == [["📄 Buka laporan"]]


async def test_a_notice_sent_by_the_submit_is_not_sent_again_by_the_outbox(
    harness: BotHarness, emu: Emulator
):
    officer, kanit = await seed(harness, emu)
    await fill_sapta(officer)
    await officer.press("📤 Kirim laporan")
    harness.clock.advance(REPORT_GRACE + timedelta(minutes=5))
    await scan(harness)
    told = [text for text in kanit.texts if "Laporan baru LAP/SAPTA/2026/11/0001" in text]
    assert len(told) == 1


async def _died_before_sending(*_: object) -> None:
    """The process died between the commit and the notices' send."""
