"""Complaint follow-up through /keluhan: scope, residents' privacy, status moves, history."""

from __future__ import annotations

from datetime import timedelta

from domain.reports import ReportColumns
from emulator import Emulator, pg
from emulator.harness import BotHarness
from tests.support.complaints import complaint_row, file_report_with_complaint
from tests.support.reports import seed


async def test_leader_follows_a_complaint_to_resolved_with_history(
    harness: BotHarness, emu: Emulator
):
    officer, kanit, partner, _ = await file_report_with_complaint(harness, emu)
    item, _ = await complaint_row(harness)

    await kanit.send("/keluhan")
    listing = kanit.last
    assert "Keluhan terbuka" in listing.text
    await kanit.press(f"#{item.id} Pencurian")
    card = kanit.last
    assert card.message_id == listing.message_id  # edited in place
    assert "Sering terjadi pencurian motor" in card.text
    assert "Pak Hasan" in card.text  # the unit's leader sees the resident
    assert "LAP/SAPTA/2026/11/0001" in card.text

    await kanit.press("👤 Tugaskan")
    await kanit.press("BRIPKA Rudi Hartono")
    assert "Anda ditugaskan" in partner.last.text
    assert "Pak Hasan" not in partner.last.text

    await kanit.press("▶️ Tangani")
    assert "Ketik catatan" in kanit.last.text
    await harness.restart()  # the pending note survives a restart
    await kanit.send("Sudah koordinasi dengan Bhabinkamtibmas")
    assert "Baru → Ditangani" in kanit.texts[-1] or "Baru → Ditangani" in kanit.texts[-2]
    assert "Keluhan #" in partner.last.text
    assert "Ditangani" in partner.last.text

    # The assigned officer moves it on; the resident stays hidden from them.
    await partner.press("📣 Buka keluhan")
    assert "Pak Hasan" not in partner.last.text
    await partner.press("✅ Selesai")
    await partner.send("Pelaku sudah diamankan")

    item, history = await complaint_row(harness)
    assert item.status == "resolved"
    assert [(h.from_status, h.to_status) for h in history] == [
        ("new", "new"), ("new", "in_progress"), ("in_progress", "resolved"),
    ]
    assert history[1].note == "Sudah koordinasi dengan Bhabinkamtibmas"
    assert history[2].actor_name == "Rudi Hartono"
    await kanit.send("/keluhan")
    assert "Tidak ada keluhan terbuka" in kanit.last.text


async def test_stale_status_button_changes_nothing(harness: BotHarness, emu: Emulator):
    _, kanit, _, _ = await file_report_with_complaint(harness, emu)
    item, _ = await complaint_row(harness)
    await kanit.send("/keluhan")
    await kanit.press(f"#{item.id} Pencurian")
    old_card = kanit.last.snapshot()
    await kanit.press("▶️ Tangani")
    await kanit.send("Ditangani")
    item, history = await complaint_row(harness)
    assert item.status == "in_progress"

    # The old card's "refer" button (new → referred) is stale now.
    await kanit.press_data(old_card.button_data("↪️ Rujuk"), old_card)
    assert "sudah berubah" in kanit.callback_answers[-1]["text"]
    item, again = await complaint_row(harness)
    assert item.status == "in_progress"
    assert len(again) == len(history)


async def test_other_units_leader_sees_nothing(harness: BotHarness, emu: Emulator):
    officer, kanit, _, other = await file_report_with_complaint(harness, emu)
    item, _ = await complaint_row(harness)
    await other.send("/keluhan")
    assert "Tidak ada keluhan terbuka" in other.last.text
    for data in (f"a:kl:o:{item.id}:0", f"a:kl:h:{item.id}:0", f"a:kl:s:{item.id}:n:i",
                 f"a:kl:A:{item.id}:n:1"):
        await other.press_forged(data, other.last)
        assert "tidak berlaku" in other.callback_answers[-1]["text"]
    assert all("Pak Hasan" not in text for text in other.texts)
    item_after, history = await complaint_row(harness)
    assert item_after.status == "new"
    assert history == []

    # The reporting officer sees their own complaint with the resident, but cannot move it.
    await officer.send("/keluhan")
    await officer.press(f"#{item.id} Pencurian")
    assert "Pak Hasan" in officer.last.text
    assert "▶️ Tangani" not in [label for row in officer.last.buttons for label in row]


async def test_old_open_complaints_are_flagged(harness: BotHarness, emu: Emulator):
    _, kanit, _, _ = await file_report_with_complaint(harness, emu)
    harness.clock.advance(timedelta(days=8))
    await kanit.send("/keluhan")
    assert any("⚠️" in label for row in kanit.last.buttons for label in row)
    async with harness.db.reading() as repos:
        overdue = await repos.complaint_desk.open_longer_than(
            ["binkamsa"], harness.clock.now() - timedelta(days=7), urgent=["darurat"], limit=5
        )
    assert len(overdue) == 1


async def test_a_report_started_after_the_question_keeps_its_answers(
    harness: BotHarness, emu: Emulator
):
    _, kanit, _, _ = await file_report_with_complaint(harness, emu)
    item, _ = await complaint_row(harness)
    await kanit.send("/keluhan")
    await kanit.press(f"#{item.id} Pencurian")
    await kanit.press("▶️ Tangani")
    harness.clock.advance(timedelta(minutes=1))
    await kanit.send("/lapor")
    await kanit.press("POS SAPTA")
    await kanit.press("✏️ Nomor Sprin")
    harness.clock.advance(timedelta(minutes=1))
    await kanit.send("Sprin/55/XI/2026")  # the draft's answer, not a complaint note
    async with harness.db.reading() as repos:
        stored = await repos.officers.by_telegram_id(kanit.id)
        draft = await repos.drafts.of_officer(stored.id)
    assert draft.answers["sprin"] == "Sprin/55/XI/2026"
    item, history = await complaint_row(harness)
    assert item.status == "new"
    assert history == []


async def test_a_note_for_a_status_that_changed_meanwhile_changes_nothing(
    harness: BotHarness, emu: Emulator
):
    _, kanit, _, _ = await file_report_with_complaint(harness, emu)
    kasat = emu.user(2100, "Kasat")
    await harness.seed_officer(kasat, name="Kasat Binmas", nrp="44445555", unit="satbinmas",
                               role="kasat", rank="AKP")
    item, _ = await complaint_row(harness)
    await kanit.send("/keluhan")
    await kanit.press(f"#{item.id} Pencurian")
    await kanit.press("↪️ Rujuk")  # kanit starts a referral and types slowly
    await kasat.send("/keluhan")
    await kasat.press(f"#{item.id} Pencurian")
    await kasat.press("▶️ Tangani")
    await kasat.send("Kasat menangani langsung")
    await kanit.send("Dinas Perhubungan")
    assert "sudah berubah" in kanit.texts[-2] or "sudah berubah" in kanit.texts[-1]
    item, history = await complaint_row(harness)
    assert item.status == "in_progress"
    assert item.referred_to is None
    assert [(h.actor_name, h.to_status) for h in history] == [("Kasat Binmas", "in_progress")]


async def test_list_is_urgent_first_then_oldest_and_paged_in_place(
    harness: BotHarness, emu: Emulator
):
    from domain.answers import Complaint

    officer, kanit = await seed(harness, emu)
    stored = await harness.officer(officer)
    start = harness.clock.now()
    async with harness.db.transaction() as tx:
        report_id = await tx.reports.create(
            number="LAP/SATRIA/2026/11/0001", activity_code="satria", officer_id=stored.id,
            unit_code="binkamsa", columns=ReportColumns(place="Pos"), answers={},
            assignment_id=None, now=start,
        )
        for index in range(10):
            urgency = "darurat" if index in (4, 7) else "biasa"
            await tx.complaints.add(report_id, [Complaint(
                category="pencurian", description=f"Keluhan {index}", place="Jl. A",
                urgency=urgency)], start + timedelta(minutes=index))
    async with harness.db.reading() as repos:
        ids = [c.id for c in await repos.complaints.of_report(report_id)]
    await kanit.send("/keluhan")
    first = kanit.last
    shown = [int(label.split("#")[1].split()[0]) for row in first.buttons for label in row
             if "#" in label]
    assert shown == [ids[4], ids[7], ids[0], ids[1], ids[2], ids[3], ids[5], ids[6]]
    assert "🔴" in first.buttons[0][0]
    await kanit.press("Berikutnya ➡️")
    assert kanit.last.message_id == first.message_id
    shown = [int(label.split("#")[1].split()[0]) for row in kanit.last.buttons for label in row
             if "#" in label]
    assert shown == [ids[8], ids[9]]


async def test_a_backlog_pages_urgent_then_oldest_and_is_counted_up_to_a_cap(
    harness: BotHarness, emu: Emulator
):
    """Pages read the open complaints in time order and stop: every page equals the same slice
    of the whole list sorted here, and /keluhan says "200+" over a longer backlog."""
    from handlers.complaints import LISTED, PAGE_SIZE
    from tests.support.digest import seed_report
    from tests.support.schedule import wita

    officer, kanit = await seed(harness, emu)
    budi = await harness.officer(officer)
    leader = await harness.officer(kanit)
    assert budi is not None
    assert leader is not None
    kanit_id = leader.id
    urgencies = ["biasa", "darurat", "segera"]
    for index in range(LISTED + 5):
        day = wita(1, 0) + timedelta(hours=index)
        await seed_report(harness, budi.id, day, day + timedelta(minutes=30),
                          day + timedelta(minutes=40), number=f"LAP/{index:04d}", post_id=None,
                          complaints=(("kamtibmas", urgencies[index * 7 % 3]),))
    async with harness.db.reading() as repos:
        desk = repos.complaint_desk
        everything = sorted(
            await desk.open_longer_than(["binkamsa"], wita(30, 0), urgent=["darurat"],
                                        limit=10_000),
            key=lambda c: (c.urgency != "darurat", c.created_at, c.id),
        )
        assert len(everything) == LISTED + 5
        for offset in (0, 8, 64, 66, 67, 70, 200):
            page = await desk.open_in_scope(["binkamsa"], 0, urgent=["darurat"], limit=8,
                                            offset=offset)
            assert [c.id for c in page] == [c.id for c in everything[offset:offset + 8]], offset
        assert await desk.count_open_in_scope(["binkamsa"], 0, cap=50) == 50
        assert await desk.count_open_in_scope(["binpolmas"], 0, cap=50) == 0
        # The officer who recorded them sees the same order through their own scope.
        for offset in (0, 64, 67, 200):
            page = await desk.open_in_scope([], budi.id, urgent=["darurat"], limit=8,
                                            offset=offset)
            assert [c.id for c in page] == [c.id for c in everything[offset:offset + 8]], offset
        assert await desk.count_open_in_scope([], budi.id, cap=1000) == LISTED + 5
        assert await desk.count_open_in_scope([], kanit_id, cap=1000) == 0
        plan = await desk.open_plan(["binkamsa"], 0)
        own_plan = await desk.open_plan([], budi.id)
    assert "complaints_open" in plan, plan
    if not pg.POSTGRES:  # SQLite's planner, as its plans spell it
        assert "TEMP B-TREE" not in plan, plan
        # An officer's few among many: found by officer and assignee, not by walking all
        # open ones.
        assert "complaints_open" not in own_plan, own_plan
        assert "reports_officer" in own_plan, own_plan
        assert "complaints_assigned" in own_plan, own_plan

    await kanit.send("/keluhan")
    assert f"Keluhan terbuka ({LISTED}+) · halaman 1/{LISTED // PAGE_SIZE}" in kanit.last.text
