"""Button callback data: short, versioned, validated against Telegram's 64-byte limit.

Format: ``<version>:<namespace>:<part>:<part>...``. A button from an older version of the bot
fails to match any handler and is answered as expired instead of being misread.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from domain.access import Kind
from domain.text import ascii_number

VERSION = "a"
SEPARATOR = ":"
MAX_BYTES = 64


class Namespace(StrEnum):
    """Every button family's prefix, in one place: a literal elsewhere could drift or clash."""

    REGISTRATION = "rg"
    APPROVAL = "ap"
    LANGUAGE = "lg"
    MEMBERS = "mb"
    INVITE = "iv"
    REPORT = "rp"
    REPORT_LIST = "rl"
    SCHEDULE = "sc"
    ASSIGN = "as"
    RECAP = "rk"
    COMPLAINTS = "kl"
    BROWSE = "kb"
    EXPORT = "kx"
    AUDIT = "au"


REGISTER = "begin"
"""The verb of the "register" button (``conversations.registration.Reg.BEGIN`` is this value):
the access gate offers it to a stranger, and ``ui`` may not import the feature answering it."""


class Stale(Exception):
    """The button or message no longer fits what it was made for (old step, other draft, a
    post that moved): answered as expired, never applied."""


class CallbackDataError(ValueError):
    """Callback data that could not have come from this version of the bot."""


def pack(namespace: str, *parts: str | int) -> str:
    """Build callback data; raises when it would exceed Telegram's limit."""
    texts = [str(part) for part in parts]
    if any(SEPARATOR in text for text in texts):
        raise CallbackDataError(f"a part contains {SEPARATOR!r}: {texts}")
    data = SEPARATOR.join([VERSION, namespace, *texts])
    if len(data.encode()) > MAX_BYTES:
        raise CallbackDataError(f"callback data longer than {MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None, namespace: str) -> list[str]:
    """The parts after ``namespace``; raises ``CallbackDataError`` for anything else."""
    if not data:
        raise CallbackDataError("empty callback data")
    version, _, rest = data.partition(SEPARATOR)
    found, _, tail = rest.partition(SEPARATOR)
    if version != VERSION or found != namespace:
        raise CallbackDataError(data)
    return tail.split(SEPARATOR) if tail else []


def pattern(namespace: str) -> re.Pattern[str]:
    """The regular expression a ``CallbackQueryHandler`` uses to claim a namespace."""
    return re.compile(rf"^{VERSION}{SEPARATOR}{re.escape(namespace)}({SEPARATOR}|$)")


@dataclass(frozen=True, slots=True)
class Ref:
    """A part of a button's data that names a stored thing the presser must be able to see."""

    at: int  # position among the parts after the namespace
    kind: Kind
    none: str | None = None  # the placeholder meaning "nothing chosen" ("0", "-", "*")


def refs_in(parts: list[str], layouts: Mapping[str, tuple[Ref, ...]], verb_at: int
            ) -> list[tuple[Kind, str]] | None:
    """The (kind, raw value) of every reference in ``parts``; None when one is missing."""
    verb = parts[verb_at] if len(parts) > verb_at else ""
    found: list[tuple[Kind, str]] = []
    for ref in (*layouts.get("*", ()), *layouts.get(verb, ())):
        if ref.at >= len(parts):
            return None
        if parts[ref.at] != ref.none:
            found.append((ref.kind, parts[ref.at]))
    return found


Verb = TypeVar("Verb", bound=StrEnum)


def verb(actions: type[Verb], raw: str) -> Verb | None:
    """The member of a namespace's action enum that ``raw`` is, or None for a verb this version
    never packs (answered as a stale button, as before the enums)."""
    try:
        return actions(raw)
    except ValueError:
        return None


def as_id(raw: str) -> int | None:
    """A number part (an id, a page, a version) as this bot packs it, or None for anything
    else (``²``, ``٥``, ``+5``, ``" 5"``: see :func:`domain.text.ascii_number`)."""
    return ascii_number(raw)


def number(raw: str) -> int:
    """Like :func:`as_id`, raising ``CallbackDataError`` for anything the bot never packs."""
    value = ascii_number(raw)
    if value is None:
        raise CallbackDataError(f"not a number part: {raw!r}")
    return value


def numbers(parts: list[str]) -> list[int]:
    """The number parts among ``parts``, in order (other parts skipped)."""
    return [value for value in map(ascii_number, parts) if value is not None]
