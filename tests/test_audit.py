"""/audit for admins: names, WITA times, pages and filters; refused to everyone else."""

from __future__ import annotations

from emulator import Emulator
from emulator.harness import BotHarness
from tests.conftest import ADMIN_TELEGRAM_ID
from tests.support.complaints import complaint_row, file_report_with_complaint


async def test_admin_reads_the_audit_log_by_family(harness: BotHarness, emu: Emulator):
    officer, kanit, _, _ = await file_report_with_complaint(harness, emu)
    item, _ = await complaint_row(harness)
    await kanit.send("/keluhan")
    await kanit.press(f"#{item.id} Pencurian")
    await kanit.press("▶️ Tangani")
    await kanit.send("Ditangani segera")

    admin = emu.user(ADMIN_TELEGRAM_ID, "Admin")
    await admin.send("/start")
    await admin.send("/audit")
    page = admin.last
    assert "Log audit" in page.text
    assert "status keluhan diubah" in page.text
    assert "Andi Kanit" in page.text
    assert "WITA" in page.text
    assert "admin didaftarkan" in page.text

    await admin.press("Keluhan")
    assert admin.last.message_id == page.message_id  # edited in place
    assert "status keluhan diubah" in admin.last.text
    assert "admin didaftarkan" not in admin.last.text

    await kanit.send("/audit")
    assert "admin" in kanit.last.text.lower()
    await kanit.press_forged("a:au:all:0", kanit.last)
    assert "admin" in kanit.callback_answers[-1]["text"].lower()
    assert not any("Log audit" in text for text in kanit.texts)
