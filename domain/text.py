"""Typed text as the bot keeps it: one normalisation for free text, one for identifiers.

Telegram delivers any Unicode a client can send, pasted control characters included. A NUL
ends SQLite's FTS5 query string early ("unterminated string"), and control characters garble
cards, PDFs and spreadsheets, so every free text (form answers, notes, comments, search words,
names) passes :func:`plain_text` before it is validated, stored or searched. Identifiers (NRP,
phone numbers, report numbers) also pass :func:`identifier`: ``\\d`` and ``str.isdigit`` accept
the digits of every script, and ``٨٧٠٥٠٠٠١`` (Arabic-Indic) or ``８７０５０００１`` (full-width)
must be the same NRP as ``87050001``, not a second one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Protocol

_LINE_BREAKS = {"\r\n": "\n", "\r": "\n"}
_KEPT = frozenset("\n\t")
_SPACE_LIKE = frozenset("\x0b\x0c\x1c\x1d\x1e\x1f\x85")
"""Control characters Python counts as whitespace (VT, FF, FS-US, NEL): read as a space."""


def is_control(char: str) -> bool:
    """Whether ``char`` is a control character (Unicode category Cc: C0, DEL, C1)."""
    return unicodedata.category(char) == "Cc"


def plain_text(raw: str, *, multiline: bool = False) -> str:
    """``raw`` in NFC with its control characters gone.

    Line breaks (``\\r\\n`` and ``\\r`` read as ``\\n``) and tabs are kept when ``multiline``,
    otherwise they become spaces; the other whitespace controls (vertical tab, form feed, NEL,
    the separators FS-US) become a space; every other control character (NUL, BEL, ESC, DEL,
    the C1 range) is dropped. Format characters (zero-width joiners, bidi marks) are kept:
    emoji and right-to-left names need them. Spaces are not collapsed here (callers decide).
    """
    text = unicodedata.normalize("NFC", raw)
    for old, new in _LINE_BREAKS.items():
        text = text.replace(old, new)
    if not any(is_control(char) for char in text):
        return text
    kept = []
    for char in text:
        if not is_control(char):
            kept.append(char)
        elif char in _KEPT:
            kept.append(char if multiline else " ")
        elif char in _SPACE_LIKE:
            kept.append(" ")
    return "".join(kept)


def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit of any script (``٨``, ``８``, ``৮``) as ``0``-``9``."""
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)


def identifier(raw: str) -> str:
    """An identifier as typed (NRP, phone number, report number), as it is compared and stored.

    :func:`plain_text`, then NFKC (full-width ``８``, ``／`` and ``＋`` become ASCII), then
    every decimal digit of any script as its ASCII digit. Validation comes after this, so
    an ASCII-only pattern then decides, and uniqueness compares one spelling.
    """
    return ascii_digits(unicodedata.normalize("NFKC", plain_text(raw)))


_ASCII_NUMBER = re.compile(r"[0-9]{1,18}")


def ascii_number(raw: str) -> int | None:
    """``raw`` as a whole number when it is 1 to 18 ASCII digits and nothing else, else None.

    ``str.isdigit`` is true for ``²`` (which ``int`` refuses: a crash), and ``int`` itself
    takes ``" 5"``, ``"+5"``, ``"1_0"`` and every script's digits. Button data (which the bot
    packs in ASCII) and typed numbers (after :func:`identifier`) are read through this one
    function, so nothing raises and a number has one spelling; 18 digits stay within
    SQLite's INTEGER.
    """
    return int(raw) if _ASCII_NUMBER.fullmatch(raw) else None


SEARCH_MAX = 100
"""Characters of search words kept (a longer query is cut, not refused)."""


def search_words(raw: str) -> str:
    """Typed search words as they are stored and searched: one line, :func:`identifier`'s
    normalisation (a report number or phone typed in full-width digits still matches), at
    most :data:`SEARCH_MAX` characters."""
    return " ".join(identifier(raw).split())[:SEARCH_MAX].strip()


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with "…" when longer (plain text, before escaping)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fit_width(text: str, width: float, measure: Callable[[str], float]) -> str:
    """``text`` if ``measure`` finds it within ``width``, else its longest prefix plus "…"
    (pixels of a chart or a stamp, millimetres of a PDF cell: the caller's measure)."""
    if measure(text) <= width:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits together with the ellipsis
        middle = (low + high + 1) // 2
        if measure(text[:middle].rstrip() + "…") <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


class Texts(Protocol):
    """The message catalogue as domain code sees it (``ui.i18n.Translator`` is one): views
    that build documents take it instead of importing the bot."""

    def __call__(self, language: str | None, key: str, /, **params: object) -> str:
        """The text for ``key`` in ``language`` with ``params`` filled in."""
        ...


def grouped(number: int, separator: str) -> str:
    """``212261`` as ``212.261`` (Indonesian) or ``212,261`` (English): thousands marked."""
    return f"{number:,}".replace(",", separator)
