"""Views every feature shares: names, clock times, posts, a photo's file, a report's leaders."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from datetime import datetime, time, tzinfo
from pathlib import Path

from domain.people import Officer
from domain.schedule import Assignment, when_range
from storage.repositories import OfficerRepository
from ui.services import Services
from usecases.people import leaders_above


def when_text(services: Services, assignment: Assignment, language: str) -> str:
    """``Sabtu, 28/11/2026 16.00–17.00 WITA``: the post's start and end in the precinct zone."""
    return when_range(services.texts, language, assignment.starts_at, assignment.ends_at,
                      services.settings.tz)


def activity_name(services: Services, code: str, language: str) -> str:
    """The activity's name, or its code when the catalogue no longer has it."""
    catalogue = services.catalogue
    return catalogue.activity(code).name.get(language) if catalogue.has_activity(code) else code


def place_text(services: Services, assignment: Assignment, language: str) -> str:
    """The post's place, escaped, or a placeholder."""
    if assignment.place:
        return html.escape(assignment.place)
    return services.texts(language, "schedule.no_place")


def at_place_text(services: Services, assignment: Assignment, language: str) -> str:
    """``di Kel. Biawao`` for a sentence, or ``(tempat belum ditentukan)`` without the "di"."""
    if assignment.place:
        return services.texts(language, "schedule.at_place", place=html.escape(assignment.place))
    return services.texts(language, "schedule.no_place")


def name_of(officer: Officer) -> str:
    """``BRIPKA Budi Santoso``, escaped."""
    return html.escape(" ".join(part for part in (officer.rank, officer.full_name) if part))


def names(ids: Iterable[int], officers: Mapping[int, Officer]) -> str:
    """The officers' names, comma-separated, in the order given."""
    return ", ".join(name_of(officers[i]) for i in ids if i in officers) or "—"


def post_lines(
    services: Services,
    assignment: Assignment,
    language: str,
    officers: Mapping[int, Officer] | None = None,
) -> list[str]:
    """One post as a list line, with its officers under it when they are given."""
    lines = [
        services.texts(
            language,
            "schedule.post_line",
            when=when_text(services, assignment, language),
            activity=html.escape(activity_name(services, assignment.activity_code, language)),
            place=place_text(services, assignment, language),
        )
    ]
    if officers is not None:
        lines.append(
            services.texts(language, "schedule.post_officers",
                           names=names(assignment.officer_ids, officers))
        )
    return lines


def offsets_text(services: Services, offsets: Iterable[int], language: str) -> str:
    """``60 menit sebelumnya, saat mulai``."""
    parts = [
        services.texts(language, "schedule.assign.offsets_start") if minutes == 0
        else services.texts(language, "schedule.assign.offsets_before", minutes=minutes)
        for minutes in offsets
    ]
    return ", ".join(parts)


def clock_text(moment: datetime | time, language: str, tz: tzinfo | None = None) -> str:
    """``08.00`` in Indonesian, ``08:00`` in English; a datetime is shown in ``tz`` first."""
    if isinstance(moment, datetime) and tz is not None:
        moment = moment.astimezone(tz)
    return moment.strftime("%H.%M" if language == "id" else "%H:%M")


def photo_path(services: Services, sha: str) -> Path:
    """The stamped copy when it exists, else the web copy."""
    stamped = services.photos.stamped_path(sha)
    return stamped if stamped.exists() else services.photos.web_path(sha)


async def leaders_of(
    officers: OfficerRepository, services: Services, officer: Officer
) -> list[Officer]:
    """Active leaders above the officer whose reach covers the officer's unit, and admins."""
    return await leaders_above(officers, services.organisation, officer)
