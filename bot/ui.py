"""Small helpers to build keyboards and format times for people."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Translator

Button = tuple[str, str]  # (label, callback data)


def inline(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def chunked(buttons: Sequence[Button], per_row: int) -> list[list[Button]]:
    """Buttons laid out ``per_row`` to a row."""
    return [list(buttons[index : index + per_row]) for index in range(0, len(buttons), per_row)]


def local_time(moment: datetime, tz: ZoneInfo, texts: Translator, language: str) -> str:
    """A moment as officers read it: ``Sabtu, 28/11/2026 08.00 WITA``."""
    local = moment.astimezone(tz)
    day = texts(language, f"day.{local.weekday()}")
    return texts(
        language,
        "format.datetime",
        day=day,
        date=local.strftime("%d/%m/%Y"),
        time=local.strftime("%H.%M" if language == "id" else "%H:%M"),
        zone=local.tzname() or tz.key,
    )


def message_id(query: CallbackQuery) -> int:
    """The id of the message a button was pressed on (0 when Telegram does not say)."""
    return query.message.message_id if query.message is not None else 0

