"""/audit: admins read who registered, approved, suspended, corrected, exported what and when.

One message edited in place: newest entries first, paged, filtered by a family of actions
(the part before the dot), with names instead of ids and times in the precinct's zone.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup, Update

from domain.text import ascii_number
from storage.desk import AuditEntry
from ui import callbacks
from ui.access import Actor
from ui.messages import Button, chunked, inline, local_time
from ui.services import BotContext, Services

NS = callbacks.Namespace.AUDIT
PAGE_SIZE = 10
FAMILIES = ("all", "officer", "invitation", "admin", "report", "complaint", "assignment",
            "group")


def _action_text(services: Services, action: str, language: str) -> str:
    key = f"audit.action.{action.replace('.', '_')}"
    return services.texts(language, key) if services.texts.has(key) else action


async def _target_text(services: Services, entry: AuditEntry, language: str) -> str:
    officer_id = ascii_number(entry.target_id)
    if entry.target_type == "officer" and officer_id is not None:
        async with services.db.reading() as repos:
            officer = await repos.officers.by_id(officer_id)
        if officer is not None:
            return html.escape(officer.full_name)
    number = entry.details.get("number")
    if isinstance(number, str):
        return html.escape(number)
    return html.escape(f"{entry.target_type} {entry.target_id}")


async def page_view(
    services: Services, language: str, family: str, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the audit log for one family of actions."""
    texts = services.texts
    prefix = None if family == "all" else f"{family}."
    async with services.db.reading() as repos:
        total = await repos.audit_browser.count(prefix)
        entries = await repos.audit_browser.page(prefix, limit=PAGE_SIZE,
                                                 offset=page * PAGE_SIZE)
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    lines = [texts(language, "audit.heading", total=total, page=page + 1, pages=pages,
                   family=texts(language, f"audit.family.{family}"))]
    tz = services.settings.tz
    for entry in entries:
        lines.append(texts(
            language, "audit.line",
            time=local_time(entry.at, tz, texts, language),
            actor=html.escape(entry.actor_name) if entry.actor_name
            else texts(language, "audit.system"),
            action=_action_text(services, entry.action, language),
            target=await _target_text(services, entry, language),
        ))
    if not entries:
        lines.append(texts(language, "audit.empty"))
    rows: list[list[Button]] = []
    paging: list[Button] = []
    if page > 0:
        paging.append((texts(language, "desk.newer"), callbacks.pack(NS, family, page - 1)))
    if page + 1 < pages:
        paging.append((texts(language, "desk.older"), callbacks.pack(NS, family, page + 1)))
    if paging:
        rows.append(paging)
    rows.extend(chunked(
        [(("• " if name == family else "") + texts(language, f"audit.family.{name}"),
          callbacks.pack(NS, name, 0)) for name in FAMILIES],
        4,
    ))
    return "\n".join(lines), inline(rows)


async def audit_command(update: Update, context: BotContext, actor: Actor) -> None:
    """/audit: the newest audit entries."""
    message = update.effective_message
    assert message is not None
    text, markup = await page_view(context.services, actor.language, "all", 0)
    await message.reply_text(text, reply_markup=markup)


async def on_button(update: Update, context: BotContext, actor: Actor) -> None:
    """An /audit button: another page or another family of actions."""
    services = context.services
    query = update.callback_query
    assert query is not None
    try:
        family, raw = callbacks.unpack(query.data, NS)
        page = callbacks.number(raw)
    except callbacks.CallbackDataError:
        page, family = -1, ""
    if family not in FAMILIES or page < 0:
        await query.answer(services.texts(actor.language, "button.stale"), show_alert=True)
        return
    await query.answer()
    text, markup = await page_view(services, actor.language, family, page)
    await query.edit_message_text(text, reply_markup=markup)
