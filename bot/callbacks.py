"""Button callback data: short, versioned, validated against Telegram's 64-byte limit.

Format: ``<version>:<namespace>:<part>:<part>...``. A button from an older version of the bot
fails to match any handler and is answered as expired instead of being misread.
"""

from __future__ import annotations

import re

VERSION = "a"
SEPARATOR = ":"
MAX_BYTES = 64


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
