"""What a leader exported, for the audit log (the documents themselves are not kept)."""

from __future__ import annotations

from datetime import datetime

from domain.people import Officer
from storage import AnyDatabase


async def record_export(
    db: AnyDatabase, leader: Officer, kind: str, *, now: datetime, **details: object
) -> None:
    """Audit an export of ``kind`` (``xlsx``, ``pdf``, ``recap_pdf``) once it was sent.

    Its own transaction, without the update's mark: written after the documents were sent."""
    async with db.transaction(now=now) as tx:
        await tx.audit.record(actor_id=leader.id, action="report.export", target_type="export",
                              target_id=kind, now=now, **details)
