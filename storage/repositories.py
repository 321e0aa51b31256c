"""One small repository per aggregate; each method is one parameterised statement or two."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from datetime import datetime
from functools import cached_property
from typing import Any

from domain.people import Invitation, Officer, Registration, RegistrationStep, Status
from storage.base import Connection, Repository, Row
from storage.complaints import ComplaintDesk
from storage.desk import AuditBrowser, DeskInputs, DeskViews, ReportBrowser, ReportReviews
from storage.groups import GroupLinkRepository, GroupSummaryRepository
from storage.holders import HolderRepository
from storage.recap import RecapRepository
from storage.reports import (
    ComplaintRepository,
    DraftRepository,
    ReportCounters,
    ReportPhotoRepository,
    ReportRepository,
    RevisionRepository,
)
from storage.schedule import (
    AssignDraftRepository,
    AssignmentRepository,
    NotificationRepository,
    PauseRepository,
)
from storage.territory import AreaRepository
from storage.values import from_db_time, require_time, to_db_time


class UnitRepository(Repository):
    """The units mirrored from the organisation file (so other tables can refer to them)."""

    async def sync(self, units: Iterable[tuple[str, str, str | None]]) -> None:
        """Insert or rename units; units removed from the file stay for old records."""
        listed = list(units)
        # Names first, parents second: any depth and any order satisfies the foreign key.
        for code, name, _ in listed:
            await self._write(
                "INSERT INTO units (code, name) VALUES (?, ?)"
                " ON CONFLICT(code) DO UPDATE SET name = excluded.name",
                (code, name),
            )
        for code, _, parent in listed:
            await self._write("UPDATE units SET parent_code = ? WHERE code = ?", (parent, code))

    async def codes(self) -> list[str]:
        """Every stored unit code."""
        return [row[0] for row in await self._all("SELECT code FROM units ORDER BY code")]


_OFFICER_COLUMNS = (
    "id, telegram_id, full_name, nrp, rank, unit_code, role, language, status, created_at,"
    " decided_by, decided_at, blocked_at"
)


def _officer(row: Row) -> Officer:
    return Officer(
        id=row["id"],
        telegram_id=row["telegram_id"],
        full_name=row["full_name"],
        nrp=row["nrp"],
        rank=row["rank"],
        unit_code=row["unit_code"],
        role=row["role"],
        language=row["language"],
        status=Status(row["status"]),
        created_at=require_time(row["created_at"]),
        decided_by=row["decided_by"],
        decided_at=from_db_time(row["decided_at"]),
        blocked_at=from_db_time(row["blocked_at"]),
    )


class OfficerRepository(Repository):
    """Officers: registration, approval, suspension, language."""

    async def by_telegram_id(self, telegram_id: int) -> Officer | None:
        """The officer with this Telegram id, if any."""
        row = await self._one(
            f"SELECT {_OFFICER_COLUMNS} FROM officers WHERE telegram_id = ?", (telegram_id,)
        )
        return _officer(row) if row else None

    async def by_id(self, officer_id: int) -> Officer | None:
        """The officer with this internal id, if any."""
        row = await self._one(
            f"SELECT {_OFFICER_COLUMNS} FROM officers WHERE id = ?", (officer_id,)
        )
        return _officer(row) if row else None

    async def by_nrp(self, nrp: str) -> Officer | None:
        """The officer holding this NRP, if any."""
        row = await self._one(f"SELECT {_OFFICER_COLUMNS} FROM officers WHERE nrp = ?", (nrp,))
        return _officer(row) if row else None

    async def create(
        self,
        *,
        telegram_id: int,
        full_name: str,
        nrp: str | None,
        rank: str | None,
        unit_code: str | None,
        role: str,
        language: str,
        status: Status,
        now: datetime,
        decided_by: int | None = None,
    ) -> Officer:
        """Insert a new officer and return it."""
        cursor = await self._write(
            "INSERT INTO officers (telegram_id, full_name, nrp, rank, unit_code, role, language,"
            " status, created_at, decided_by, decided_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                telegram_id,
                full_name,
                nrp,
                rank,
                unit_code,
                role,
                language,
                status.value,
                to_db_time(now),
                decided_by,
                to_db_time(now) if decided_by is not None else None,
            ),
        )
        officer = await self.by_id(int(cursor.lastrowid or 0))
        assert officer is not None
        return officer

    async def reapply(
        self,
        officer_id: int,
        *,
        full_name: str,
        nrp: str,
        rank: str,
        unit_code: str,
        role: str,
        language: str,
        now: datetime,
    ) -> None:
        """A rejected person asks again: the same row becomes a fresh pending request.

        Only a rejected row can be reopened, so a suspension is never lifted by re-registering.
        """
        await self._write(
            "UPDATE officers SET full_name=?, nrp=?, rank=?, unit_code=?, role=?, language=?,"
            " status='pending', created_at=?, decided_by=NULL, decided_at=NULL"
            " WHERE id=? AND status='rejected'",
            (full_name, nrp, rank, unit_code, role, language, to_db_time(now), officer_id),
        )

    async def decide(
        self, officer_id: int, *, expected: Status, new: Status, by: int | None, now: datetime
    ) -> bool:
        """Move an officer between statuses; False when it was not in ``expected`` any more.

        The status condition in the UPDATE is what makes a repeated or stale button press
        change nothing.
        """
        cursor = await self._write(
            "UPDATE officers SET status = ?, decided_by = ?, decided_at = ?"
            " WHERE id = ? AND status = ?",
            (new.value, by, to_db_time(now), officer_id, expected.value),
        )
        return cursor.rowcount == 1

    async def release_nrp(self, officer_id: int) -> None:
        """Forget the NRP of a rejected application (the audit log keeps what was claimed)."""
        await self._write(
            "UPDATE officers SET nrp = NULL WHERE id = ? AND status = 'rejected'", (officer_id,)
        )

    async def nrps(self) -> dict[int, tuple[str, Status]]:
        """Officer id → NRP and status of every officer holding an NRP (the look-alike check)."""
        rows = await self._all("SELECT id, nrp, status FROM officers WHERE nrp IS NOT NULL")
        return {int(row["id"]): (str(row["nrp"]), Status(row["status"])) for row in rows}

    async def set_nrp(self, officer_id: int, nrp: str) -> bool:
        """Store an NRP in its normalised spelling; False when another officer holds it."""
        cursor = await self._write(
            "UPDATE officers SET nrp = ? WHERE id = ?"
            " AND NOT EXISTS (SELECT 1 FROM officers WHERE nrp = ? AND id != ?)",
            (nrp, officer_id, nrp, officer_id),
        )
        return cursor.rowcount == 1

    async def set_language(self, officer_id: int, language: str) -> None:
        """Remember the officer's language."""
        await self._write("UPDATE officers SET language = ? WHERE id = ?", (language, officer_id))

    async def set_role(self, officer_id: int, role: str) -> None:
        """Change an officer's role (used for configured admins)."""
        await self._write("UPDATE officers SET role = ? WHERE id = ?", (role, officer_id))

    async def mark_blocked(self, telegram_id: int, at: datetime | None) -> None:
        """Record that the person blocked the bot (or unblocked it, with ``None``)."""
        await self._write(
            "UPDATE officers SET blocked_at = ? WHERE telegram_id = ?",
            (to_db_time(at) if at else None, telegram_id),
        )

    async def in_units(
        self, unit_codes: Iterable[str], *, statuses: Iterable[Status] = (Status.ACTIVE,)
    ) -> list[Officer]:
        """Officers of these units with one of these statuses, by name."""
        units = sorted(set(unit_codes))
        wanted = sorted(status.value for status in statuses)
        if not units or not wanted:
            return []
        rows = await self._all(
            f"SELECT {_OFFICER_COLUMNS} FROM officers"
            f" WHERE unit_code IN ({','.join('?' * len(units))})"
            f" AND status IN ({','.join('?' * len(wanted))}) ORDER BY full_name",
            (*units, *wanted),
        )
        return [_officer(row) for row in rows]

    async def with_roles(self, roles: Iterable[str]) -> list[Officer]:
        """Active officers holding one of these roles."""
        wanted = sorted(set(roles))
        if not wanted:
            return []
        rows = await self._all(
            f"SELECT {_OFFICER_COLUMNS} FROM officers WHERE status = 'active'"
            f" AND role IN ({','.join('?' * len(wanted))}) ORDER BY id",
            wanted,
        )
        return [_officer(row) for row in rows]


def _invitation(row: Row) -> Invitation:
    return Invitation(
        id=row["id"],
        unit_code=row["unit_code"],
        role=row["role"],
        created_by=row["created_by"],
        created_at=require_time(row["created_at"]),
        expires_at=require_time(row["expires_at"]),
        claimed_by=row["claimed_by"],
        used_by=row["used_by"],
    )


_INVITATION_COLUMNS = (
    "id, unit_code, role, created_by, created_at, expires_at, claimed_by, used_by"
)


class InvitationRepository(Repository):
    """One-time invitation links; only a hash of each token is stored."""

    async def create(
        self,
        *,
        token_hash: str,
        unit_code: str,
        role: str,
        created_by: int,
        now: datetime,
        expires_at: datetime,
    ) -> Invitation:
        """Store a new invitation."""
        cursor = await self._write(
            "INSERT INTO invitations (token_hash, unit_code, role, created_by, created_at,"
            " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (token_hash, unit_code, role, created_by, to_db_time(now), to_db_time(expires_at)),
        )
        invitation = await self.by_id(int(cursor.lastrowid or 0))
        assert invitation is not None
        return invitation

    async def by_id(self, invitation_id: int) -> Invitation | None:
        """The invitation with this id."""
        row = await self._one(
            f"SELECT {_INVITATION_COLUMNS} FROM invitations WHERE id = ?", (invitation_id,)
        )
        return _invitation(row) if row else None

    async def by_token_hash(self, token_hash: str) -> Invitation | None:
        """The invitation whose token hashes to this value."""
        row = await self._one(
            f"SELECT {_INVITATION_COLUMNS} FROM invitations WHERE token_hash = ?", (token_hash,)
        )
        return _invitation(row) if row else None

    async def claim(self, invitation_id: int, telegram_id: int, now: datetime) -> bool:
        """Reserve the link for the first person who opens it; True for that person."""
        cursor = await self._write(
            "UPDATE invitations SET claimed_by = ?, claimed_at = ?"
            " WHERE id = ? AND (claimed_by IS NULL OR claimed_by = ?) AND used_by IS NULL",
            (telegram_id, to_db_time(now), invitation_id, telegram_id),
        )
        return cursor.rowcount == 1

    async def use(self, invitation_id: int, officer_id: int, now: datetime) -> bool:
        """Mark the invitation used by the officer it registered."""
        cursor = await self._write(
            "UPDATE invitations SET used_by = ?, used_at = ? WHERE id = ? AND used_by IS NULL",
            (officer_id, to_db_time(now), invitation_id),
        )
        return cursor.rowcount == 1


class RegistrationRepository(Repository):
    """Registrations in progress: the registration conversation's state."""

    async def get(self, telegram_id: int) -> Registration | None:
        """The registration this person has open, if any."""
        row = await self._one(
            "SELECT telegram_id, step, answers, invitation_id, language FROM registrations"
            " WHERE telegram_id = ?",
            (telegram_id,),
        )
        if row is None:
            return None
        return Registration(
            telegram_id=row["telegram_id"],
            step=RegistrationStep(row["step"]),
            answers=json.loads(row["answers"]),
            invitation_id=row["invitation_id"],
            language=row["language"],
        )

    async def save(self, registration: Registration, now: datetime) -> None:
        """Write the registration's step and answers."""
        await self._write(
            "INSERT INTO registrations (telegram_id, step, answers, invitation_id, language,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(telegram_id) DO UPDATE SET"
            " step = excluded.step, answers = excluded.answers,"
            " invitation_id = excluded.invitation_id, language = excluded.language,"
            " updated_at = excluded.updated_at",
            (
                registration.telegram_id,
                registration.step.value,
                json.dumps(registration.answers, ensure_ascii=False),
                registration.invitation_id,
                registration.language,
                to_db_time(now),
            ),
        )

    async def delete(self, telegram_id: int) -> None:
        """Forget a finished or abandoned registration."""
        await self._write("DELETE FROM registrations WHERE telegram_id = ?", (telegram_id,))


class AuditLog(Repository):
    """Every change to who may do what: actor, action, target, time."""

    async def record(
        self,
        *,
        actor_id: int | None,
        action: str,
        target_type: str,
        target_id: object,
        now: datetime,
        **details: object,
    ) -> None:
        """Append one entry."""
        await self._write(
            "INSERT INTO audit_log (at, actor_id, action, target_type, target_id, details)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                to_db_time(now),
                actor_id,
                action,
                target_type,
                str(target_id),
                json.dumps(details, ensure_ascii=False, default=str),
            ),
        )

    async def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest entries first."""
        rows = await self._all(
            "SELECT at, actor_id, action, target_type, target_id, details FROM audit_log"
            " ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [dict(row) | {"details": json.loads(row["details"])} for row in rows]


class UpdateClaim(enum.Enum):
    """What claiming an update found."""

    NEW = "new"
    """First sight, or an earlier run's claim without its effects: handle it."""
    APPLIED = "applied"
    """Its effects were stored by an earlier run: only repeat the current question."""
    TAKEN = "taken"
    """This run has it already (in hand or answered): drop the copy."""
    ELSEWHERE = "elsewhere"
    """Another live instance has it (PostgreSQL: a webhook copy delivered to two), in hand or
    answered: that one answers, so drop the copy without a word, even once it is applied."""


class ProcessedUpdates(Repository):
    """Which Telegram updates were already applied."""

    async def seen(self, update_id: int) -> bool:
        """Whether this update was applied before."""
        row = await self._one("SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,))
        return row is not None

    async def forget_before(self, moment: datetime) -> None:
        """Drop old marks: Telegram redelivers for 24 h, and after a week of silence it may
        start update ids anew, when an old mark would swallow a new update."""
        await self._write(
            "DELETE FROM processed_updates WHERE processed_at < ?", (to_db_time(moment),)
        )

    async def claim(self, update_id: int, run: str, now: datetime) -> UpdateClaim:
        """Claim an update for this run in one statement (autocommit: call outside a
        transaction). A claim of this run means a copy is in hand or was answered; a claim
        of an earlier run is taken over (that run may have died before applying it)."""
        rows = await self._all(
            "INSERT INTO update_claims (update_id, run, claimed_at) VALUES (?, ?, ?)"
            " ON CONFLICT (update_id) DO UPDATE SET run = excluded.run,"
            " claimed_at = excluded.claimed_at WHERE update_claims.run != excluded.run"
            # PostgreSQL: several instances live side by side; another live instance's claim
            # means that instance has the update in hand (a webhook copy delivered twice).
            + (" AND NOT run_alive(update_claims.run)" if self.postgres else "")
            + " RETURNING EXISTS (SELECT 1 FROM processed_updates WHERE update_id = ?)",
            (update_id, run, to_db_time(now), update_id),
        )
        if not rows:
            if self.postgres:
                holder = await self._one(
                    "SELECT run FROM update_claims WHERE update_id = ?", (update_id,))
                if holder is not None and holder[0] != run:
                    return UpdateClaim.ELSEWHERE
            return UpdateClaim.TAKEN
        return UpdateClaim.APPLIED if rows[0][0] else UpdateClaim.NEW

    async def forget_claims_before(self, moment: datetime) -> None:
        """Drop claims older than Telegram's 24 h of redelivery."""
        await self._write(
            "DELETE FROM update_claims WHERE claimed_at < ?", (to_db_time(moment),)
        )


class Repositories:
    """Every repository, bound to one connection; each is made on first use (an update
    touches two or three of them, and this is built for every read and transaction)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    @cached_property
    def units(self) -> UnitRepository:
        """The units repository."""
        return UnitRepository(self._connection)

    @cached_property
    def officers(self) -> OfficerRepository:
        """The officers repository."""
        return OfficerRepository(self._connection)

    @cached_property
    def invitations(self) -> InvitationRepository:
        """The invitations repository."""
        return InvitationRepository(self._connection)

    @cached_property
    def registrations(self) -> RegistrationRepository:
        """The registrations repository."""
        return RegistrationRepository(self._connection)

    @cached_property
    def audit(self) -> AuditLog:
        """The audit repository."""
        return AuditLog(self._connection)

    @cached_property
    def updates(self) -> ProcessedUpdates:
        """The updates repository."""
        return ProcessedUpdates(self._connection)

    @cached_property
    def drafts(self) -> DraftRepository:
        """The drafts repository."""
        return DraftRepository(self._connection)

    @cached_property
    def report_numbers(self) -> ReportCounters:
        """The report numbers repository."""
        return ReportCounters(self._connection)

    @cached_property
    def reports(self) -> ReportRepository:
        """The reports repository."""
        return ReportRepository(self._connection)

    @cached_property
    def report_photos(self) -> ReportPhotoRepository:
        """The report photos repository."""
        return ReportPhotoRepository(self._connection)

    @cached_property
    def complaints(self) -> ComplaintRepository:
        """The complaints repository."""
        return ComplaintRepository(self._connection)

    @cached_property
    def revisions(self) -> RevisionRepository:
        """The revisions repository."""
        return RevisionRepository(self._connection)

    @cached_property
    def assignments(self) -> AssignmentRepository:
        """The assignments repository."""
        return AssignmentRepository(self._connection)

    @cached_property
    def assign_drafts(self) -> AssignDraftRepository:
        """The assign drafts repository."""
        return AssignDraftRepository(self._connection)

    @cached_property
    def pauses(self) -> PauseRepository:
        """The pauses repository."""
        return PauseRepository(self._connection)

    @cached_property
    def notifications(self) -> NotificationRepository:
        """The notifications repository."""
        return NotificationRepository(self._connection)

    @cached_property
    def complaint_desk(self) -> ComplaintDesk:
        """The complaint desk repository."""
        return ComplaintDesk(self._connection)

    @cached_property
    def report_reviews(self) -> ReportReviews:
        """The report reviews repository."""
        return ReportReviews(self._connection)

    @cached_property
    def report_browser(self) -> ReportBrowser:
        """The report browser repository."""
        return ReportBrowser(self._connection)

    @cached_property
    def desk_inputs(self) -> DeskInputs:
        """The desk inputs repository."""
        return DeskInputs(self._connection)

    @cached_property
    def desk_views(self) -> DeskViews:
        """The desk views repository."""
        return DeskViews(self._connection)

    @cached_property
    def audit_browser(self) -> AuditBrowser:
        """The audit browser repository."""
        return AuditBrowser(self._connection)

    @cached_property
    def group_links(self) -> GroupLinkRepository:
        """The group links repository."""
        return GroupLinkRepository(self._connection)

    @cached_property
    def group_summaries(self) -> GroupSummaryRepository:
        """The group summaries repository."""
        return GroupSummaryRepository(self._connection)

    @cached_property
    def recaps(self) -> RecapRepository:
        """The recaps repository."""
        return RecapRepository(self._connection)

    @cached_property
    def holders(self) -> HolderRepository:
        """The holders repository."""
        return HolderRepository(self._connection)

    @cached_property
    def areas(self) -> AreaRepository:
        """The areas repository."""
        return AreaRepository(self._connection)
