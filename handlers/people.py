"""Leaders' people management: members list, suspend/reactivate, invitation links."""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from enum import StrEnum

from telegram import Bot, Update
from telegram.error import TelegramError

from conversations.registration import approval_buttons, officer_card
from domain import registration as flow
from domain.access import may_decide_on, outranks, reach
from domain.people import NrpFindings, Officer, Status
from ui import callbacks
from ui.access import Actor
from ui.messages import Button, chunked, inline, local_time
from ui.services import BotContext, Services
from ui.territory import KECAMATAN_LIST, Pick, area_picker, areas_text, valid_pick
from usecases import people

logger = logging.getLogger(__name__)
MEMBERS_NS = callbacks.Namespace.MEMBERS
INVITE_NS = callbacks.Namespace.INVITE
STATUS_ICON = {Status.ACTIVE: "🟢", Status.SUSPENDED: "⏸", Status.PENDING: "⏳"}
MEMBERS_PER_PAGE = 20


class Member(StrEnum):
    """What an /anggota button does (the part after the namespace)."""

    LIST = "list"
    OPEN = "open"
    SUSPEND = "sus"
    REACTIVATE = "act"
    AREA = "area"  # open the kelurahan picker of the officer's card
    KECAMATAN = Pick.KECAMATAN.value
    KELURAHAN = Pick.KELURAHAN.value
    AREA_DONE = Pick.DONE.value


class Invite(StrEnum):
    """What an /undang button does."""

    UNIT = "unit"
    ROLE = "role"


async def _members_view(
    services: Services, leader: Officer, page: int = 0
) -> tuple[str, list[list[Button]]]:
    """One page of the leader's officers: a unit's worth fits a message and a keyboard."""
    units = reach(leader, services.organisation)
    async with services.db.reading() as repos:
        everyone = await repos.officers.in_units(
            units, statuses=(Status.ACTIVE, Status.SUSPENDED, Status.PENDING)
        )
    order = {unit.code: index for index, unit in enumerate(services.organisation.units)}
    everyone.sort(key=lambda member: (order.get(member.unit_code or "", 0), member.full_name))
    pages = max(1, -(-len(everyone) // MEMBERS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    members = everyone[page * MEMBERS_PER_PAGE : (page + 1) * MEMBERS_PER_PAGE]
    language = leader.language
    texts = services.texts
    lines = [texts(language, "members.heading", count=len(everyone))]
    if pages > 1:
        lines.append(texts(language, "members.page", page=page + 1, pages=pages))
    for unit in services.organisation.units:
        of_unit = [member for member in members if member.unit_code == unit.code]
        if not of_unit:
            continue
        lines.append(f"\n<b>{html.escape(unit.name)}</b>")
        lines.extend(
            f"{STATUS_ICON[member.status]} {html.escape(member.rank or '')} "
            f"{html.escape(member.full_name)} · {member.nrp or '-'}"
            + (" 🚫" if member.blocked_at else "")
            for member in of_unit
        )
    lines.append("\n" + texts(language, "members.legend"))
    buttons = [
        (
            f"{STATUS_ICON[member.status]} {member.full_name}"[:40],
            callbacks.pack(MEMBERS_NS, Member.OPEN, member.id),
        )
        for member in members
        if member.id != leader.id
    ]
    rows = chunked(buttons, 2)
    navigation: list[Button] = []
    if page > 0:
        navigation.append(("◀️", callbacks.pack(MEMBERS_NS, Member.LIST, page - 1)))
    if page < pages - 1:
        navigation.append(("▶️", callbacks.pack(MEMBERS_NS, Member.LIST, page + 1)))
    if navigation:
        rows.append(navigation)
    return "\n".join(lines), rows


async def members(update: Update, context: BotContext, actor: Actor) -> None:
    """/anggota: the officers this leader leads, with their status."""
    message = update.effective_message
    assert message is not None
    text, rows = await _members_view(context.services, actor.active_officer)
    await message.reply_text(text, reply_markup=inline(rows) if rows else None)


async def member_button(update: Update, context: BotContext, actor: Actor) -> None:
    """Open an officer's card, suspend or reactivate them, or go back to the list."""
    services = context.services
    query = update.callback_query
    assert query is not None
    leader = actor.active_officer
    language = actor.language
    parts = callbacks.unpack(query.data, MEMBERS_NS)
    act = callbacks.verb(Member, parts[0]) if parts else None
    if act is None:
        await query.answer(services.texts(language, "button.stale"), show_alert=True)
        return
    await ON_MEMBER[act](update, services, leader, act, parts)


async def _list(update: Update, services: Services, leader: Officer, act: Member,
                parts: list[str]) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    page = (callbacks.as_id(parts[1]) if len(parts) == 2 else None) or 0
    text, rows = await _members_view(services, leader, page)
    await query.edit_message_text(text, reply_markup=inline(rows) if rows else None)


async def _card(update: Update, services: Services, leader: Officer, act: Member,
                parts: list[str]) -> None:
    """Open the officer's card, or suspend or reactivate them and show it again."""
    query = update.callback_query
    assert query is not None
    if len(parts) != 2 or callbacks.as_id(parts[1]) is None:
        await query.answer(services.texts(leader.language, "button.stale"), show_alert=True)
        return
    target = await _led_officer(services, leader, parts[1])
    if target is None:
        await query.answer(services.texts(leader.language, "access.not_your_unit"),
                           show_alert=True)
        return
    if act is not Member.OPEN:
        target = await _change_status(update, services, leader, target,
                                      suspend=act is Member.SUSPEND)
    else:
        await query.answer()
    await _show_member(update, services, leader, target)


async def _led_officer(services: Services, leader: Officer, raw_id: str) -> Officer | None:
    """The officer ``raw_id`` names when this leader may manage them (never themself)."""
    target_id = callbacks.as_id(raw_id)
    if target_id is None:
        return None
    async with services.db.reading() as repos:
        target = await repos.officers.by_id(target_id)
    if (
        target is None
        or target.id == leader.id
        or not may_decide_on(leader, target.unit_code, target.role, services.organisation)
    ):
        return None
    return target


async def _show_member(update: Update, services: Services, leader: Officer, target: Officer
                       ) -> None:
    """The officer's card (with their kelurahan binaan) and what the leader may do."""
    query = update.callback_query
    assert query is not None
    language = leader.language
    async with services.db.reading() as repos:
        areas = await repos.areas.of_officer(target.id)
    await query.edit_message_text(
        officer_card(services.texts, services, target, language)
        + "\n"
        + services.texts(language, "territory.card_line",
                         areas=areas_text(services, areas, language))
        + "\n"
        + services.texts(language, f"members.status_{target.status.value}"),
        reply_markup=inline(_member_actions(services, leader, target)),
    )


AREA_ACTIONS = (Member.AREA, Member.KECAMATAN, Member.KELURAHAN, Member.AREA_DONE)
"""The kelurahan picker of an officer's card: open it, browse, tick (stored at once), done."""


async def _area_button(update: Update, services: Services, leader: Officer, act: Member,
                       parts: list[str]) -> None:
    """A leader changes an officer's kelurahan binaan; every tick is stored and audited."""
    query = update.callback_query
    assert query is not None
    language = leader.language
    arity = 3 if act in (Member.KECAMATAN, Member.KELURAHAN) else 2
    target = None
    if len(parts) == arity and (arity == 2 or valid_pick(services.territory, act, parts[2])):
        target = await _led_officer(services, leader, parts[1])
    if target is None:
        await query.answer(services.texts(language, "access.not_your_unit"), show_alert=True)
        return
    if act is Member.AREA_DONE:
        await query.answer()
        await _show_member(update, services, leader, target)
        return
    kecamatan = parts[2] if act is Member.KECAMATAN and parts[2] != KECAMATAN_LIST else None
    code = parts[2] if act is Member.KELURAHAN else None
    if code is not None:
        kecamatan = services.territory.kecamatan_of(code).code
    picked = await people.officer_areas(
        services.db, leader, target, now=services.clock.now(), update_id=update.update_id,
        toggle=code, territory=services.territory,
    )
    await query.answer(services.texts(language, "territory.changed") if act is Member.KELURAHAN
                       else None)
    picker, rows = area_picker(
        services, language, picked=services.territory.ordered(picked), kecamatan=kecamatan,
        pack=lambda verb, *rest: callbacks.pack(MEMBERS_NS, verb, target.id, *rest),
    )
    heading = services.texts(language, "territory.members_heading",
                             name=html.escape(target.full_name))
    await query.edit_message_text(heading + "\n\n" + picker, reply_markup=inline(rows))


MemberAction = Callable[[Update, Services, Officer, Member, list[str]], Awaitable[None]]
ON_MEMBER: dict[Member, MemberAction] = {
    Member.LIST: _list,
    Member.OPEN: _card,
    Member.SUSPEND: _card,
    Member.REACTIVATE: _card,
    **{act: _area_button for act in AREA_ACTIONS},
}
"""What each /anggota button does."""


async def _change_status(
    update: Update, services: Services, leader: Officer, target: Officer, *, suspend: bool
) -> Officer:
    query = update.callback_query
    assert query is not None
    outcome = await people.change_status(
        services.db, leader, target, suspend=suspend, now=services.clock.now(),
        update_id=update.update_id,
    )
    changed = isinstance(outcome, people.StatusChanged)
    key = "members.changed" if changed else "button.stale"
    await query.answer(services.texts(leader.language, key))
    return outcome.officer


def _member_actions(services: Services, leader: Officer, target: Officer) -> list[list[Button]]:
    texts, language = services.texts, leader.language
    row: list[Button] = []
    if target.status is Status.ACTIVE:
        row.append(
            (texts(language, "button.suspend"),
             callbacks.pack(MEMBERS_NS, Member.SUSPEND, target.id))
        )
    elif target.status is Status.PENDING:
        # A request whose notice never arrived (no approver yet, blocked bot) is decided here.
        row.extend(approval_buttons(services, target, language))
    elif target.status is Status.SUSPENDED:
        row.append(
            (texts(language, "button.reactivate"),
             callbacks.pack(MEMBERS_NS, Member.REACTIVATE, target.id))
        )
    areas = [(texts(language, "territory.button.areas"),
              callbacks.pack(MEMBERS_NS, Member.AREA, target.id))]
    return [row, areas,
            [(texts(language, "button.back"), callbacks.pack(MEMBERS_NS, Member.LIST))]]


async def invite(update: Update, context: BotContext, actor: Actor) -> None:
    """/undang: choose the unit, then the role, of the officer to invite."""
    services = context.services
    message = update.effective_message
    assert message is not None
    leader = actor.active_officer
    units = [
        unit
        for unit in services.organisation.units
        if unit.code in reach(leader, services.organisation)
    ]
    buttons = [(unit.name, callbacks.pack(INVITE_NS, Invite.UNIT, unit.code)) for unit in units]
    await message.reply_text(
        services.texts(actor.language, "invitation.choose_unit"),
        reply_markup=inline(chunked(buttons, 2)),
    )


async def invite_button(update: Update, context: BotContext, actor: Actor) -> None:
    """The unit or role of an invitation was chosen; with both, create the link."""
    services = context.services
    organisation = services.organisation
    query = update.callback_query
    assert query is not None
    leader = actor.active_officer
    parts = callbacks.unpack(query.data, INVITE_NS)
    valid_unit = (
        len(parts) >= 2
        and organisation.has_unit(parts[1])
        and parts[1] in reach(leader, organisation)
    )
    act = callbacks.verb(Invite, parts[0]) if parts else None
    if act is None or not valid_unit or not await ON_INVITE[act](update, context, leader, parts):
        await query.answer(services.texts(actor.language, "button.stale"), show_alert=True)


async def _invite_unit(update: Update, context: BotContext, leader: Officer, parts: list[str]
                       ) -> bool:
    """The unit is chosen: ask the role."""
    services = context.services
    organisation = services.organisation
    query = update.callback_query
    assert query is not None
    if len(parts) != 2:
        return False
    language = leader.language
    await query.answer()
    roles = [
        role
        for role in organisation.self_registration_roles()
        if outranks(leader, role.code, organisation)
    ]
    buttons = [
        (role.name.get(language), callbacks.pack(INVITE_NS, Invite.ROLE, parts[1], role.code))
        for role in roles
    ]
    await query.edit_message_text(
        services.texts(
            language, "invitation.choose_role",
            unit=html.escape(organisation.unit(parts[1]).name),
        ),
        reply_markup=inline(chunked(buttons, 1)),
    )
    return True


async def _invite_role(update: Update, context: BotContext, leader: Officer, parts: list[str]
                       ) -> bool:
    """The role is chosen too: create the link."""
    organisation = context.services.organisation
    query = update.callback_query
    assert query is not None
    if not (
        len(parts) == 3
        and organisation.has_role(parts[2])
        and organisation.role(parts[2]).self_register
        and may_decide_on(leader, parts[1], parts[2], organisation)
    ):
        return False
    await query.answer()
    await _create_invitation(update, context, leader, parts[1], parts[2])
    return True


InviteAction = Callable[[Update, BotContext, Officer, list[str]], Awaitable[bool]]
ON_INVITE: dict[Invite, InviteAction] = {Invite.UNIT: _invite_unit, Invite.ROLE: _invite_role}
"""What each /undang button does; False when its data does not fit (answered as stale)."""


async def _create_invitation(
    update: Update, context: BotContext, leader: Officer, unit: str, role: str
) -> None:
    services = context.services
    query = update.callback_query
    assert query is not None
    now = services.clock.now()
    token, token_hash = flow.new_invitation_token()
    expires = now + timedelta(hours=services.settings.invitation_ttl_hours)
    await people.create_invitation(
        services.db, leader, unit=unit, role=role, token_hash=token_hash, expires_at=expires,
        now=now, update_id=update.update_id,
    )
    link = f"https://t.me/{context.bot.username}?start={flow.INVITATION_PREFIX}{token}"
    language = leader.language
    await query.edit_message_text(
        services.texts(
            language,
            "invitation.created",
            unit=html.escape(services.organisation.unit(unit).name),
            role=html.escape(services.organisation.role(role).name.get(language)),
            expires=local_time(expires, services.settings.tz, services.texts, language),
            link=link,
        )
    )


async def check_look_alike_nrps(bot: Bot, services: Services) -> NrpFindings:
    """At start-up: NRPs stored in look-alike digits (before identifiers were normalised).

    One that reads as an NRP nobody else holds is stored in ASCII (audited). Officers whose
    NRPs read the same are never merged: each start logs them and tells every ADMIN_IDS
    admin, until an admin has suspended all but one (see :func:`~domain.people.look_alike_nrps`).
    """
    found = await people.normalise_look_alike_nrps(
        services.db, services.settings.admin_ids, now=services.clock.now()
    )
    for officer_id in found.rewritten:
        logger.warning("officer %s: NRP was stored in look-alike digits; now ASCII", officer_id)
    findings, clashes, admins = found.findings, found.clashes, found.admins
    for officers in clashes.values():
        logger.warning("officers %s hold NRPs that read the same: an admin must decide",
                       ", ".join(str(officer.id) for officer in officers))
    if not clashes:
        return findings
    texts = services.texts
    for admin_id, admin in admins.items():
        language = admin.language if admin is not None else "id"
        notices = [
            texts(language, "lookalike.notice", nrp=nrp, officers="\n".join(
                texts(language, "lookalike.line", name=html.escape(officer.full_name),
                      unit=officer.unit_code or "-", stored=html.escape(officer.nrp or "-"),
                      status=texts(language, f"members.status_{officer.status.value}"))
                for officer in officers))
            for nrp, officers in clashes.items()
        ]
        try:
            for notice in notices:
                await bot.send_message(admin_id, notice)
        except TelegramError:
            logger.warning("could not tell admin %s about look-alike NRPs", admin_id)
    return findings
