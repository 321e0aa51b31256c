"""Use cases called directly, without Telegram: the rule, the change and its audit row together."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.complaints import ComplaintStatus
from emulator import Emulator
from emulator.harness import BotHarness
from tests.support.complaints import complaint_row, file_report_with_complaint
from usecases.complaints import Assigned, Moved, NotMoved, assign_complaint, move_complaint
from usecases.reviews import accept_report


async def ask_note(harness: BotHarness, officer_id: int) -> datetime:
    """A pending note question, as the status button stores it."""
    now = harness.clock.now()
    async with harness.db.transaction() as tx:
        await tx.desk_inputs.put(officer_id, "cnote", {"complaint": 0}, now, asked_by="kl",
                                 update_id=None)
    return now


async def audit_actions(harness: BotHarness) -> list[str]:
    async with harness.db.reading() as repos:
        return [entry["action"] for entry in await repos.audit.recent()]


async def test_a_move_writes_its_audit_row_and_a_stale_or_repeated_one_writes_nothing(
    harness: BotHarness, emu: Emulator
):
    await file_report_with_complaint(harness, emu)
    item, _ = await complaint_row(harness)
    services = harness.application.bot_data.services
    assert services is not None
    async with harness.db.reading() as repos:
        kanit = await repos.officers.by_telegram_id(2001)
    assert kanit is not None
    before = await audit_actions(harness)

    asked = await ask_note(harness, kanit.id)
    outcome = await move_complaint(
        harness.db, services.organisation, kanit, item.id, expected=ComplaintStatus.NEW,
        target=ComplaintStatus.IN_PROGRESS, note="Dicek", asked_at=asked,
        now=harness.clock.now(), update_id=900_001,
    )
    assert isinstance(outcome, Moved)
    assert outcome.item.status is ComplaintStatus.IN_PROGRESS
    assert await audit_actions(harness) == ["complaint.status", *before]

    # The same note again (its question is answered): nothing happens, nothing is written.
    again = await move_complaint(
        harness.db, services.organisation, kanit, item.id, expected=ComplaintStatus.NEW,
        target=ComplaintStatus.IN_PROGRESS, note="Dicek", asked_at=asked,
        now=harness.clock.now(), update_id=900_002,
    )
    assert again is None

    # A move made for the status before: refused, shown as it is now, no audit row.
    harness.clock.advance(timedelta(seconds=1))
    asked = await ask_note(harness, kanit.id)
    stale = await move_complaint(
        harness.db, services.organisation, kanit, item.id, expected=ComplaintStatus.NEW,
        target=ComplaintStatus.RESOLVED, note="Selesai", asked_at=asked,
        now=harness.clock.now(), update_id=900_003,
    )
    assert isinstance(stale, NotMoved)
    assert stale.item is not None
    assert stale.item.status is ComplaintStatus.IN_PROGRESS
    assert await audit_actions(harness) == ["complaint.status", *before]


async def test_assigning_needs_an_active_officer_of_the_unit(harness: BotHarness, emu: Emulator):
    _, _, partner, other = await file_report_with_complaint(harness, emu)
    item, _ = await complaint_row(harness)
    services = harness.application.bot_data.services
    assert services is not None
    async with harness.db.reading() as repos:
        kanit = await repos.officers.by_telegram_id(2001)
        rudi = await repos.officers.by_telegram_id(partner.id)
        outsider = await repos.officers.by_telegram_id(other.id)
    assert kanit is not None
    assert rudi is not None
    assert outsider is not None

    refused = await assign_complaint(
        harness.db, services.organisation, kanit, item, expected=item.status,
        person_id=outsider.id, now=harness.clock.now(), update_id=900_010,
    )
    assert isinstance(refused, NotMoved)
    done = await assign_complaint(
        harness.db, services.organisation, kanit, item, expected=item.status,
        person_id=rudi.id, now=harness.clock.now(), update_id=900_011,
    )
    assert isinstance(done, Assigned)
    assert done.item.assigned_to == rudi.id
    assert (await audit_actions(harness))[0] == "complaint.assign"


async def test_accepting_a_report_twice_writes_one_audit_row(harness: BotHarness, emu: Emulator):
    await file_report_with_complaint(harness, emu)
    async with harness.db.reading() as repos:
        (report,) = await repos.reports.all()
        kanit = await repos.officers.by_telegram_id(2001)
    assert kanit is not None
    first = await accept_report(harness.db, kanit, report, now=harness.clock.now(),
                                update_id=900_020)
    second = await accept_report(harness.db, kanit, report, now=harness.clock.now(),
                                 update_id=900_021)
    assert (first, second) == (True, False)
    assert (await audit_actions(harness)).count("report.review") == 1
