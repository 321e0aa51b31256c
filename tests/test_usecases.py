"""Use cases called directly, without Telegram: the rule, the change and its audit row together."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.complaints import ComplaintStatus
from domain.people import Officer, Registration, RegistrationStep, Status
from domain.reports import REVIEW, Draft
from domain.schedule import AssignDraft, Kind, PostStatus
from emulator import Emulator
from emulator.harness import BotHarness
from jobs.planning import schedule_config
from tests.support.complaints import complaint_row, file_report_with_complaint
from usecases import groups, people, schedule
from usecases.complaints import Assigned, Moved, NotMoved, assign_complaint, move_complaint
from usecases.corrections import Corrected, DraftChanged, NotCorrected, save_correction
from usecases.exports import record_export
from usecases.registration import Refused, Registered, submit_registration
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


async def audit_rows(harness: BotHarness) -> list[dict]:
    """The audit rows, newest first, as (action, actor, target, details) to compare whole."""
    async with harness.db.reading() as repos:
        return [
            {key: entry[key] for key in ("action", "actor_id", "target_type", "details")}
            | {"target_id": int(entry["target_id"])}
            for entry in await repos.audit.recent()
        ]


async def kanit_and(harness: BotHarness, emu: Emulator, status: Status = Status.ACTIVE,
                    ) -> tuple[Officer, Officer]:
    """A kanit of binkamsa and an officer of the unit in ``status``."""
    kanit = await harness.seed_officer(emu.user(2001, "Kanit"), name="Andi Kanit",
                                       nrp="11112222", unit="binkamsa", role="kanit")
    officer = await harness.seed_officer(emu.user(1001, "Budi"), name="Budi Santoso",
                                         nrp="87654321", unit="binkamsa", status=status)
    return kanit, officer


async def stored(harness: BotHarness, officer_id: int) -> Officer:
    async with harness.db.reading() as repos:
        found = await repos.officers.by_id(officer_id)
    assert found is not None
    return found


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


async def test_approving_writes_the_status_and_its_audit_row_once(
    harness: BotHarness, emu: Emulator
):
    kanit, candidate = await kanit_and(harness, emu, Status.PENDING)
    now = harness.clock.now()
    decided = await people.decide_application(harness.db, kanit, candidate, approve=True,
                                              now=now, update_id=900_100)
    assert decided.changed
    assert decided.officer.status is Status.ACTIVE
    assert decided.decider is not None
    assert decided.decider.id == kanit.id
    assert await audit_rows(harness) == [
        {"action": "officer.approve", "actor_id": kanit.id, "target_type": "officer",
         "target_id": candidate.id, "details": {"nrp": "87654321"}},
    ]
    # A reject pressed after (another leader's notice): refused, shows the approval.
    late = await people.decide_application(harness.db, kanit, candidate, approve=False,
                                           now=now, update_id=900_101)
    assert not late.changed
    assert late.officer.status is Status.ACTIVE
    assert late.officer.nrp == "87654321"
    assert len(await audit_rows(harness)) == 1


async def test_rejecting_releases_the_nrp_and_audits_what_was_claimed(
    harness: BotHarness, emu: Emulator
):
    kanit, candidate = await kanit_and(harness, emu, Status.PENDING)
    decided = await people.decide_application(harness.db, kanit, candidate, approve=False,
                                              now=harness.clock.now(), update_id=900_110)
    assert decided.changed
    assert (decided.officer.status, decided.officer.nrp) == (Status.REJECTED, None)
    assert (await stored(harness, candidate.id)).nrp is None
    assert await audit_rows(harness) == [
        {"action": "officer.reject", "actor_id": kanit.id, "target_type": "officer",
         "target_id": candidate.id, "details": {"nrp": "87654321"}},
    ]


async def test_suspending_then_a_stale_suspend_then_reactivating(
    harness: BotHarness, emu: Emulator
):
    kanit, officer = await kanit_and(harness, emu)
    now = harness.clock.now()
    done = await people.change_status(harness.db, kanit, officer, suspend=True, now=now,
                                      update_id=900_120)
    assert isinstance(done, people.StatusChanged)
    assert done.officer.status is Status.SUSPENDED
    again = await people.change_status(harness.db, kanit, officer, suspend=True, now=now,
                                       update_id=900_121)
    assert isinstance(again, people.StatusStale)
    assert again.officer.status is Status.SUSPENDED
    back = await people.change_status(harness.db, kanit, officer, suspend=False, now=now,
                                      update_id=900_122)
    assert isinstance(back, people.StatusChanged)
    assert (await stored(harness, officer.id)).status is Status.ACTIVE
    assert await audit_rows(harness) == [
        {"action": f"officer.{action}", "actor_id": kanit.id, "target_type": "officer",
         "target_id": officer.id, "details": {}}
        for action in ("reactivate", "suspend")
    ]


async def test_ticking_a_kelurahan_stores_and_audits_it_browsing_writes_nothing(
    harness: BotHarness, emu: Emulator
):
    kanit, officer = await kanit_and(harness, emu)
    services = harness.application.bot_data.services
    assert services is not None
    territory = services.territory
    first, second = (k.code for k in territory.all_kelurahan()[:2])
    now = harness.clock.now()
    assert await people.officer_areas(harness.db, kanit, officer, now=now,
                                      update_id=900_130) == []
    assert await audit_rows(harness) == []
    for update_id, code in ((900_131, second), (900_132, first)):
        await people.officer_areas(harness.db, kanit, officer, now=now, update_id=update_id,
                                   toggle=code, territory=territory)
    assert await people.officer_areas(harness.db, kanit, officer, now=now, update_id=900_133,
                                      toggle=second, territory=territory) == [first]
    async with harness.db.reading() as repos:
        assert await repos.areas.of_officer(officer.id) == [first]
    assert await audit_rows(harness) == [
        {"action": "officer.areas", "actor_id": kanit.id, "target_type": "officer",
         "target_id": officer.id, "details": details}
        for details in ({"added": [], "removed": [second]}, {"added": [first], "removed": []},
                        {"added": [second], "removed": []})
    ]


async def test_an_invitation_row_and_its_audit_row(harness: BotHarness, emu: Emulator):
    kanit, _ = await kanit_and(harness, emu)
    now = harness.clock.now()
    invitation = await people.create_invitation(
        harness.db, kanit, unit="binkamsa", role="banit", token_hash="hash",
        expires_at=now + timedelta(hours=1), now=now, update_id=900_140,
    )
    async with harness.db.reading() as repos:
        stored_invitation = await repos.invitations.by_id(invitation.id)
    assert stored_invitation is not None
    assert (stored_invitation.unit_code, stored_invitation.role,
            stored_invitation.created_by) == ("binkamsa", "banit", kanit.id)
    assert await audit_rows(harness) == [
        {"action": "invitation.create", "actor_id": kanit.id, "target_type": "invitation",
         "target_id": invitation.id, "details": {"unit": "binkamsa", "role": "banit"}},
    ]


async def test_a_pause_is_stored_and_audited_and_resuming_ends_it(
    harness: BotHarness, emu: Emulator
):
    _, officer = await kanit_and(harness, emu)
    now = harness.clock.now()
    ends = await schedule.pause_reminders(harness.db, officer.id, days=3, reason="cuti",
                                          now=now, update_id=900_200)
    assert ends == now + timedelta(days=3)
    async with harness.db.reading() as repos:
        (pause,) = await repos.pauses.current([officer.id], now)
    assert (pause.ends_at, pause.reason) == (ends, "cuti")
    assert await audit_rows(harness) == [
        {"action": "reminders.pause", "actor_id": officer.id, "target_type": "officer",
         "target_id": officer.id, "details": {"until": ends.isoformat(), "reason": "cuti"}},
    ]
    harness.clock.advance(timedelta(hours=1))
    later = harness.clock.now()
    assert await schedule.resume_reminders(harness.db, officer.id, now=later,
                                           update_id=900_201)
    assert not await schedule.resume_reminders(harness.db, officer.id, now=later,
                                               update_id=900_202)
    async with harness.db.reading() as repos:
        assert await repos.pauses.current([officer.id], later) == []
    assert len(await audit_rows(harness)) == 1  # resuming is not audited


async def test_cancelling_a_post_tells_its_officers_and_a_stale_cancel_writes_nothing(
    harness: BotHarness, emu: Emulator
):
    kanit, officer = await kanit_and(harness, emu)
    now = harness.clock.now()
    async with harness.db.transaction() as tx:
        post_id = await tx.assignments.create(
            activity_code="sapta", unit_code="binkamsa", place="Pos", sprin=None,
            starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=2),
            created_by=kanit.id, now=now,
        )
        assert post_id is not None
        await tx.assignments.add_officers(post_id, [officer.id])
        post = await tx.assignments.by_id(post_id)
    assert post is not None
    assert await schedule.cancel_post(harness.db, kanit.id, post, now=now, update_id=900_210)
    # The same card pressed again (its revision is gone): refused, nothing more written.
    assert not await schedule.cancel_post(harness.db, kanit.id, post, now=now,
                                          update_id=900_211)
    async with harness.db.reading() as repos:
        cancelled = await repos.assignments.by_id(post_id)
        told = [n for n in await repos.notifications.all() if n.kind is Kind.CANCELLED]
    assert cancelled is not None
    assert (cancelled.status, cancelled.revision) == (PostStatus.CANCELLED, post.revision + 1)
    assert [(n.recipient_id, n.assignment_id) for n in told] == [(officer.id, post_id)]
    assert await audit_rows(harness) == [
        {"action": "assignment.cancel", "actor_id": kanit.id, "target_type": "assignment",
         "target_id": post_id, "details": {}},
    ]


async def test_linking_relinking_and_unlinking_a_group_each_write_their_audit_row(
    harness: BotHarness, emu: Emulator
):
    kanit, _ = await kanit_and(harness, emu)
    chat_id = -100_555
    now = harness.clock.now()
    await groups.link_group(harness.db, kanit, chat_id, unit="binkamsa", title="Grup",
                            language="id", thread=None, previous=None, now=now,
                            update_id=900_300)
    async with harness.db.reading() as repos:
        first = await repos.group_links.get(chat_id)
    assert first is not None
    await groups.link_group(harness.db, kanit, chat_id, unit="binkamsa", title="Grup",
                            language="id", thread=7, previous=first, now=now,
                            update_id=900_301)
    async with harness.db.reading() as repos:
        relinked = await repos.group_links.get(chat_id)
    assert relinked is not None
    assert (relinked.active, relinked.unit_code, relinked.thread_id,
            relinked.linked_by) == (True, "binkamsa", 7, kanit.id)
    await groups.unlink_group(harness.db, kanit, relinked, now=now, update_id=900_302)
    async with harness.db.reading() as repos:
        gone = await repos.group_links.get(chat_id)
    assert gone is not None
    assert (gone.active, gone.deactivated_reason) == (False, "unlinked")
    link_row = {"action": "group.link", "actor_id": kanit.id, "target_type": "group",
                "target_id": chat_id}
    assert await audit_rows(harness) == [
        {"action": "group.unlink", "actor_id": kanit.id, "target_type": "group",
         "target_id": chat_id, "details": {"unit": "binkamsa"}},
        link_row | {"details": {"unit": "binkamsa", "title": "Grup", "previous": "binkamsa",
                                "topic": 7}},
        link_row | {"details": {"unit": "binkamsa", "title": "Grup", "previous": None,
                                "topic": None}},
    ]


def finished_registration(telegram_id: int, nrp: str, area: str,
                          invitation_id: int | None = None) -> Registration:
    answers = {"name": "Budi Santoso", "nrp": nrp, "rank": "BRIPKA", "area": area}
    if invitation_id is None:
        answers |= {"unit": "binkamsa", "role": "banit"}
    return Registration(telegram_id, RegistrationStep.CONFIRM, answers, invitation_id)


async def test_a_registration_is_saved_pending_and_audited_a_taken_nrp_is_asked_again(
    harness: BotHarness, emu: Emulator
):
    kanit, _ = await kanit_and(harness, emu)  # the officer of the unit holds 87654321
    services = harness.application.bot_data.services
    assert services is not None
    area = services.territory.all_kelurahan()[0].code
    now = harness.clock.now()
    taken = finished_registration(3001, "87654321", area)
    async with harness.db.transaction() as tx:
        await tx.registrations.save(taken, now)
    refused = await submit_registration(
        harness.db, services.organisation, services.territory, 3001, taken, now=now,
        update_id=900_400,
    )
    assert isinstance(refused, Refused)
    assert refused.reason == "registration.nrp_taken"
    assert refused.retry is not None
    assert refused.retry.step is RegistrationStep.NRP
    async with harness.db.reading() as repos:
        kept = await repos.registrations.get(3001)
    assert kept is not None
    assert kept.step is RegistrationStep.NRP
    assert await audit_rows(harness) == []

    fresh = finished_registration(3001, "99990000", area)
    done = await submit_registration(
        harness.db, services.organisation, services.territory, 3001, fresh, now=now,
        update_id=900_401,
    )
    assert isinstance(done, Registered)
    assert (done.officer.status, done.officer.nrp) == (Status.PENDING, "99990000")
    assert (done.invitation, done.inviter) == (None, None)
    assert [approver.id for approver in done.approvers] == [kanit.id]
    async with harness.db.reading() as repos:
        assert await repos.registrations.get(3001) is None
        assert await repos.areas.of_officer(done.officer.id) == [area]
    assert await audit_rows(harness) == [
        {"action": "officer.register", "actor_id": done.officer.id, "target_type": "officer",
         "target_id": done.officer.id,
         "details": {"unit": "binkamsa", "role": "banit", "invitation": None,
                     "areas": [area]}},
    ]


async def test_an_invited_registration_is_active_at_once_and_the_link_is_used_up(
    harness: BotHarness, emu: Emulator
):
    kanit, _ = await kanit_and(harness, emu)
    services = harness.application.bot_data.services
    assert services is not None
    area = services.territory.all_kelurahan()[0].code
    now = harness.clock.now()
    invitation = await people.create_invitation(
        harness.db, kanit, unit="binkamsa", role="banit", token_hash="h",
        expires_at=now + timedelta(hours=1), now=now, update_id=900_410,
    )
    done = await submit_registration(
        harness.db, services.organisation, services.territory, 3002,
        finished_registration(3002, "99991111", area, invitation.id), now=now,
        update_id=900_411,
    )
    assert isinstance(done, Registered)
    assert done.officer.status is Status.ACTIVE
    assert done.inviter is not None
    assert done.inviter.id == kanit.id
    assert done.approvers == []
    assert (await audit_rows(harness))[0] == {
        "action": "officer.register_by_invitation", "actor_id": done.officer.id,
        "target_type": "officer", "target_id": done.officer.id,
        "details": {"unit": "binkamsa", "role": "banit", "invitation": invitation.id,
                    "areas": [area]},
    }
    # The same link again, by someone else: refused and dropped, nothing audited.
    before = await audit_rows(harness)
    again = await submit_registration(
        harness.db, services.organisation, services.territory, 3003,
        finished_registration(3003, "99992222", area, invitation.id), now=now,
        update_id=900_412,
    )
    assert again == Refused("invitation.used", None)
    assert await audit_rows(harness) == before


async def test_look_alike_nrps_nobody_else_holds_are_rewritten_clashes_never(
    harness: BotHarness, emu: Emulator
):
    kanit, holder = await kanit_and(harness, emu)  # holds 87654321 in ASCII
    clash = await harness.seed_officer(emu.user(1002, "Palsu"), name="Budi Santosa",
                                       nrp="\u0668\u0667\u0666\u0665\u0664\u0663\u0662\u0661",
                                       unit="binkamsa")
    alone = await harness.seed_officer(emu.user(1003, "Citra"), name="Citra Lestari",
                                       nrp="\uff18\uff17\uff10\uff15\uff10\uff10\uff10\uff12",
                                       unit="binkamsa")
    found = await people.normalise_look_alike_nrps(harness.db, {kanit.telegram_id, 4242},
                                                   now=harness.clock.now())
    assert found.rewritten == [alone.id]
    assert (await stored(harness, alone.id)).nrp == "87050002"
    assert (await stored(harness, clash.id)).nrp == clash.nrp  # never merged or renamed
    assert {officer.id for officer in found.clashes["87654321"]} == {holder.id, clash.id}
    assert found.admins[4242] is None
    assert found.admins[kanit.telegram_id] is not None
    assert await audit_rows(harness) == [
        {"action": "officer.nrp_normalise", "actor_id": None, "target_type": "officer",
         "target_id": alone.id, "details": {"nrp": "87050002"}},
    ]
    again = await people.normalise_look_alike_nrps(harness.db, set(), now=harness.clock.now())
    assert again.rewritten == []
    assert len(await audit_rows(harness)) == 1


async def test_an_export_is_audited_with_its_details(harness: BotHarness, emu: Emulator):
    kanit, _ = await kanit_and(harness, emu)
    await record_export(harness.db, kanit, "pdf", now=harness.clock.now(), report=5,
                        number="LAP/5")
    async with harness.db.reading() as repos:
        (entry,) = await repos.audit.recent()
    assert (entry["action"], entry["actor_id"], entry["target_type"], entry["target_id"],
            entry["details"]) == ("report.export", kanit.id, "export", "pdf",
                                  {"report": 5, "number": "LAP/5"})


async def correction_draft(harness: BotHarness, officer_id: int, report_id: int,
                           answers: dict) -> Draft:
    async with harness.db.transaction() as tx:
        await tx.drafts.create(officer_id, "sapta", REVIEW, harness.clock.now(),
                               report_id=report_id, answers=answers)
        draft = await tx.drafts.of_officer(officer_id)
    assert draft is not None
    return draft


async def test_a_correction_writes_the_answer_its_revision_and_audit_row_once(
    harness: BotHarness, emu: Emulator
):
    user, _, _, _ = await file_report_with_complaint(harness, emu)
    services = harness.application.bot_data.services
    assert services is not None
    async with harness.db.reading() as repos:
        (report,) = await repos.reports.all()
        officer = await repos.officers.by_telegram_id(user.id)
    assert officer is not None
    activity = services.catalogue.activity("sapta")
    hours = services.settings.correction_window_hours

    async def save(draft: Draft, update_id: int) -> Corrected | NotCorrected:
        assert officer is not None
        return await save_correction(harness.db, services.organisation, activity, officer,
                                     draft, window_hours=hours, now=harness.clock.now(),
                                     update_id=update_id)

    unchanged = await correction_draft(harness, officer.id, report.id, dict(report.answers))
    assert await save(unchanged, 900_500) == NotCorrected("reports.correct.unchanged", unchanged)
    before = await audit_rows(harness)

    draft = await correction_draft(harness, officer.id, report.id,
                                   dict(report.answers) | {"sprin": "Sprin/99/XI/2026"})
    done = await save(draft, 900_501)
    assert isinstance(done, Corrected)
    assert done.changed == ["sprin"]
    assert done.report.answers["sprin"] == "Sprin/99/XI/2026"
    assert [leader.telegram_id for leader in done.leaders] == [2001]
    async with harness.db.reading() as repos:
        (revision,) = await repos.revisions.of_report(report.id)
        assert await repos.drafts.of_officer(officer.id) is None
    assert (revision.field_key, revision.old, revision.new) == (
        "sprin", report.answers["sprin"], "Sprin/99/XI/2026")
    assert await audit_rows(harness) == [
        {"action": "report.correct", "actor_id": officer.id, "target_type": "report",
         "target_id": report.id, "details": {"number": report.number, "fields": ["sprin"]}},
        *before,
    ]
    # The same save button again: its draft is gone; nothing is written.
    with pytest.raises(DraftChanged):
        await save(draft, 900_502)
    assert len(await audit_rows(harness)) == len(before) + 1

    # Past the window: the report is not changed, the draft is dropped.
    harness.clock.advance(timedelta(hours=hours + 1))
    late = await correction_draft(harness, officer.id, report.id,
                                  dict(report.answers) | {"sprin": "Sprin/1/XII/2026"})
    assert await save(late, 900_503) == NotCorrected("reports.correct.closed", late)
    async with harness.db.reading() as repos:
        (kept,) = await repos.reports.all()
    assert kept.answers["sprin"] == "Sprin/99/XI/2026"
    assert len(await audit_rows(harness)) == len(before) + 1


async def assign_form(harness: BotHarness, leader_id: int, mode: str = "new",
                      assignment_id: int | None = None) -> AssignDraft:
    async with harness.db.transaction() as tx:
        return await tx.assign_drafts.save(
            AssignDraft(leader_id, mode, "confirm", assignment_id=assignment_id),
            harness.clock.now(),
        )


async def test_a_post_and_its_move_plan_notices_and_audit_a_stale_one_writes_nothing(
    harness: BotHarness, emu: Emulator
):
    kanit, officer = await kanit_and(harness, emu)
    services = harness.application.bot_data.services
    assert services is not None
    config, tz = schedule_config(services), services.settings.tz
    now = harness.clock.now()
    start = now + timedelta(days=1)
    form = await assign_form(harness, kanit.id)
    post = await schedule.create_post(
        harness.db, kanit, form_version=form.version, activity="sapta", unit="binkamsa",
        place="Pos", sprin=None, starts_at=start, ends_at=start + timedelta(hours=2),
        officer_ids=[officer.id], config=config, tz=tz, now=now, update_id=900_600,
    )
    assert (post.officer_ids, post.created_by, post.revision) == ((officer.id,), kanit.id, 0)
    async with harness.db.reading() as repos:
        assert await repos.assign_drafts.get(kanit.id) is None
        keys = {n.key for n in await repos.notifications.all()}
    assert f"assigned:{post.id}r0:{officer.id}" in keys
    # The same save again: the form is gone; no second post, no second audit row.
    with pytest.raises(schedule.PlanChanged):
        await schedule.create_post(
            harness.db, kanit, form_version=form.version, activity="sapta", unit="binkamsa",
            place="Pos", sprin=None, starts_at=start, ends_at=start + timedelta(hours=2),
            officer_ids=[officer.id], config=config, tz=tz, now=now, update_id=900_601,
        )

    later = start + timedelta(hours=3)

    async def move(revision: int, update_id: int):
        form = await assign_form(harness, kanit.id, "move", post.id)
        return await schedule.move_post(
            harness.db, services.organisation, kanit, post.id, form_version=form.version,
            revision=revision, starts_at=later, ends_at=later + timedelta(hours=2),
            config=config, tz=tz, now=now, update_id=update_id,
        )

    moved = await move(post.revision, 900_602)
    assert (moved.starts_at, moved.revision) == (later, 1)
    with pytest.raises(schedule.PlanChanged):  # a move made for the revision before
        await move(post.revision, 900_603)
    async with harness.db.reading() as repos:
        keys = {n.key for n in await repos.notifications.all()}
        assert (await repos.assign_drafts.get(kanit.id)) is not None  # the refused one's
    assert f"moved:{post.id}r1:{officer.id}" in keys
    row = {"actor_id": kanit.id, "target_type": "assignment", "target_id": post.id}
    assert await audit_rows(harness) == [
        row | {"action": "assignment.moved", "details": {"starts_at": later.isoformat()}},
        row | {"action": "assignment.assigned", "details": {"starts_at": start.isoformat()}},
    ]

    # Outside the leader's reach: refused.
    other = await harness.seed_officer(emu.user(2009, "Lain"), name="Kanit Lain",
                                       nrp="22223333", unit="binpolmas", role="kanit")
    form = await assign_form(harness, other.id, "move", post.id)
    with pytest.raises(schedule.PlanChanged):
        await schedule.move_post(
            harness.db, services.organisation, other, post.id, form_version=form.version,
            revision=moved.revision, starts_at=later, ends_at=later + timedelta(hours=2),
            config=config, tz=tz, now=now, update_id=900_604,
        )
    assert len(await audit_rows(harness)) == 2
