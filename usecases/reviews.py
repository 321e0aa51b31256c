"""A leader's review of a report: accept it, or send it back with a comment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.people import Officer
from domain.reports import Report
from storage import AnyDatabase


async def accept_report(
    db: AnyDatabase, leader: Officer, report: Report, *, now: datetime, update_id: int
) -> bool:
    """Mark the report reviewed; False when it was already (a second press changes nothing)."""
    async with db.transaction(update_id=update_id, now=now) as tx:
        accepted = await tx.report_reviews.accept(report.id, leader.id, now)
        if accepted:
            await tx.audit.record(actor_id=leader.id, action="report.review",
                                  target_type="report", target_id=report.id, now=now,
                                  number=report.number)
    return accepted


@dataclass(frozen=True, slots=True)
class SentBack:
    """The report went back to ``author`` with the comment."""

    author: Officer


@dataclass(frozen=True, slots=True)
class NotSentBack:
    """The report is no longer the leader's to send back (gone, or out of reach)."""


async def send_back_report(
    db: AnyDatabase, leader: Officer, report: Report | None, comment: str, *,
    asked_at: datetime, now: datetime, update_id: int,
) -> SentBack | NotSentBack | None:
    """Send the report back for correction with the leader's comment, answering the comment
    question asked at ``asked_at``. None: that question was answered already."""
    async with db.transaction(update_id=update_id, now=now) as tx:
        if not await tx.desk_inputs.take(leader.id, asked_at):
            return None
        author = await tx.officers.by_id(report.officer_id) if report else None
        if report is not None:
            await tx.report_reviews.send_back(report.id, leader.id, comment, now)
            await tx.audit.record(actor_id=leader.id, action="report.return",
                                  target_type="report", target_id=report.id, now=now,
                                  number=report.number, comment=comment)
    if report is None or author is None:
        return NotSentBack()
    return SentBack(author)
