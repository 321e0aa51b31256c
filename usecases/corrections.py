"""An officer saves the correction of their own report: the changed answers, one revision per
changed field and the audit row in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain import reports as flow
from domain.catalogue import Activity
from domain.organisation import Organisation
from domain.people import Officer
from domain.reports import Draft, Report, StoredComplaint
from storage import AnyDatabase
from usecases.people import leaders_above


class DraftChanged(Exception):
    """The correction draft is gone or changed since its save button was shown: nothing is
    written (the transaction, the update's mark too, is rolled back)."""


@dataclass(frozen=True, slots=True)
class Corrected:
    """The report is corrected: its ``changed`` field keys; the leaders to tell; who sent it
    back (``returner``, told by name that it is fixed), if anyone."""

    report: Report
    changed: list[str]
    leaders: list[Officer]
    photo_count: int
    complaints: list[StoredComplaint]
    returner: Officer | None
    draft: Draft  # the correction draft as saved (deleted now; its photos to release)


@dataclass(frozen=True, slots=True)
class NotCorrected:
    """Nothing written to the report, for ``reason`` (a catalogue key): the window closed,
    or nothing changed. The correction draft is dropped all the same."""

    reason: str
    draft: Draft


async def save_correction(
    db: AnyDatabase, organisation: Organisation, activity: Activity, officer: Officer,
    draft: Draft, *, window_hours: int, now: datetime, update_id: int,
) -> Corrected | NotCorrected:
    """Save the officer's correction ``draft`` (as its button was shown) onto its report.

    Raises:
        DraftChanged: the draft is not the one (or the version) the button was made for.
    """
    async with db.transaction(update_id=update_id, now=now) as tx:
        current = await tx.drafts.of_officer(officer.id)
        if current is None or current.id != draft.id or current.version != draft.version:
            raise DraftChanged
        assert current.report_id is not None
        report = await tx.reports.by_id(current.report_id)
        await tx.drafts.delete(current.id)
        if report is None or not flow.may_correct(
            report, officer.id, now, window_hours,
            returned=await tx.report_reviews.is_returned(report.id),
        ):
            return NotCorrected("reports.correct.closed", current)
        changed = flow.changed_fields(activity, report.answers, current.answers)
        if not changed:
            return NotCorrected("reports.correct.unchanged", current)
        answers = dict(report.answers)
        for form_field in changed:
            answers[form_field.key] = current.answers.get(form_field.key)
            await tx.revisions.record(
                report.id, officer.id, form_field.key,
                report.answers.get(form_field.key), answers[form_field.key], now,
            )
        await tx.reports.update_answer(report.id, answers=answers,
                                       columns=flow.columns(activity, answers), now=now)
        keys = [f.key for f in changed]
        await tx.audit.record(
            actor_id=officer.id, action="report.correct", target_type="report",
            target_id=report.id, now=now, number=report.number, fields=keys,
        )
        updated = await tx.reports.by_id(report.id)
        assert updated is not None
        # A report a leader sent back is now fixed: that leader is told by name.
        returned_by = await tx.report_reviews.mark_fixed(report.id, now)
        returner = await tx.officers.by_id(returned_by) if returned_by else None
        return Corrected(
            report=updated,
            changed=keys,
            leaders=await leaders_above(tx.officers, organisation, officer),
            photo_count=len(await tx.report_photos.of_report(report.id)),
            complaints=await tx.complaints.of_report(report.id),
            returner=returner,
            draft=current,
        )
