"""An answer to the report form: read the draft, apply the answer, store it in one trip.

The draft is read on the event loop (``point_reads``), changed by plain domain code, and
written with the update's applied mark in one batch that succeeds only onto the revision it was
read at. SQLite commits the batches of officers answering at the same moment together: one trip
to its thread and one fsync for all of them (``Database.commit``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from domain.reports import Draft
from storage import AnyDatabase
from storage.base import Conflict
from storage.reports import DraftRepository

ATTEMPTS = 3
"""Reads and re-applies after a write in between (a scrub, a post binding the draft): one such
write at a time is all there is, so a third conflict means something is wrong; say stale."""

Change = Callable[[Draft], Draft]


async def change_draft(
    db: AnyDatabase,
    officer_id: int,
    change: Change,
    *,
    update_id: int,
    now: datetime,
    draft_id: int | None = None,
    version: int | None = None,
    bump: bool = True,
) -> Draft | None:
    """Apply ``change`` to the officer's open draft and store it; the stored draft, or None
    when there is no draft, or not the draft (``draft_id``) or ``version`` a button was made
    for. ``change`` may raise (``InvalidAnswer``): then nothing is stored. A redelivered
    update raises ``DuplicateUpdate``."""
    for _ in range(ATTEMPTS):
        async with db.point_reads() as repos:
            draft = await repos.drafts.of_officer(officer_id)
            if draft is None or (draft_id is not None and draft.id != draft_id):
                return None
            if version is not None and draft.version != version:
                return None
            saving = repos.drafts.saving(change(draft), now, bump=bump)
        try:
            rows = await db.commit([saving], update_id=update_id, now=now)
        except Conflict:
            continue  # written in between: read it again and apply the answer to that
        return DraftRepository.stored(rows[0])
    return None
