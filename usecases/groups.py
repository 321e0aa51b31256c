"""A leader links a group chat to a unit for its summaries, or unlinks it."""

from __future__ import annotations

from datetime import datetime

from domain.people import Officer
from storage import AnyDatabase
from storage.groups import GroupLink


async def link_group(
    db: AnyDatabase, leader: Officer, chat_id: int, *, unit: str, title: str, language: str,
    thread: int | None, previous: GroupLink | None, now: datetime, update_id: int,
) -> None:
    """Link (or re-link) the chat to ``unit``, its summaries going to topic ``thread``;
    ``previous`` is the link the leader's command found (its unit is audited)."""
    async with db.transaction(update_id=update_id, now=now) as tx:
        await tx.group_links.link(
            chat_id,
            unit_code=unit,
            title=title,
            language=language,
            linked_by=leader.id,
            now=now,
            thread_id=thread,
        )
        await tx.audit.record(actor_id=leader.id, action="group.link", target_type="group",
                              target_id=chat_id, now=now, unit=unit, title=title,
                              previous=previous.unit_code if previous else None,
                              topic=thread)


async def unlink_group(
    db: AnyDatabase, leader: Officer, existing: GroupLink, *, now: datetime, update_id: int
) -> None:
    """Stop the group's summaries: the link is deactivated, what is still open for it fails."""
    async with db.transaction(update_id=update_id, now=now) as tx:
        await tx.group_links.deactivate(existing.chat_id, reason="unlinked", now=now)
        await tx.group_summaries.fail_open(existing.chat_id, "unlinked")
        await tx.audit.record(actor_id=leader.id, action="group.unlink", target_type="group",
                              target_id=existing.chat_id, now=now, unit=existing.unit_code)
