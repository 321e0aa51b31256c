"""Conversions between Python values and what SQLite stores."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db_time(moment: datetime) -> str:
    """An aware datetime as sortable UTC ISO-8601 text."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db_time(text: str | None) -> datetime | None:
    """The aware UTC datetime stored by ``to_db_time``."""
    if not text:
        return None
    if not text.endswith("Z"):
        raise ValueError(f"not a stored UTC time: {text!r}")
    # fromisoformat is C and reads this format exactly; strptime cost ~20 µs a call, and
    # every draft read on the answer path parses two of these.
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def require_time(text: str | None) -> datetime:
    """Like ``from_db_time`` for NOT NULL columns."""
    moment = from_db_time(text)
    if moment is None:
        raise ValueError("expected a stored time")
    return moment
