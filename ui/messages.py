"""Small helpers to build keyboards, format times and fit messages into Telegram's limits."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    Bot,
    CallbackQuery,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest

from domain.schedule import moment_text
from ui.i18n import Translator

Button = tuple[str, str]  # (label, callback data)
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply | None


def inline(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def esc(text: str) -> str:
    """Text for an HTML message (the bot's parse mode): ``&``, ``<`` and ``>`` escaped.

    For catalogue labels and anything people typed; button labels are plain text, never this.
    """
    return html.escape(text, quote=False)


def chunked(buttons: Sequence[Button], per_row: int) -> list[list[Button]]:
    """Buttons laid out ``per_row`` to a row."""
    return [list(buttons[index : index + per_row]) for index in range(0, len(buttons), per_row)]


def local_time(moment: datetime, tz: ZoneInfo, texts: Translator, language: str) -> str:
    """A moment as officers read it: ``Sabtu, 28/11/2026 08.00 WITA``."""
    return moment_text(texts, language, moment, tz)


def message_id(query: CallbackQuery) -> int:
    """The id of the message a button was pressed on (0 when Telegram does not say)."""
    return query.message.message_id if query.message is not None else 0



# ---- messages that fit -------------------------------------------------------------------
# Telegram refuses a text over 4096 and a caption over 1024 characters, counted after the
# HTML is parsed. Every message built from what people typed goes through these helpers.

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
ELLIPSIS = "…"
_TOKEN = re.compile(r"<[^<>]*>|&(?:#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{1,10});|[^<&]+|.",
                    re.DOTALL)
_DECODED = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"'}


def _units(text: str) -> int:
    """Length in UTF-16 code units (an emoji counts two), never less than Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


def _visible(token: str) -> str:
    """What one token shows after Telegram parses it (tags show nothing)."""
    if token.startswith("<") and token.endswith(">") and len(token) > 1:
        return ""
    if token.startswith("&") and token.endswith(";") and len(token) > 1:
        if token in _DECODED:
            return _DECODED[token]
        if token.startswith("&#"):
            return html.unescape(token)
    return token


def html_length(text: str) -> int:
    """The length Telegram measures: visible text of the parsed HTML, in UTF-16 units."""
    return sum(_units(_visible(token)) for token in _TOKEN.findall(text))


def _tag_name(tag: str) -> str:
    return tag.strip("</>").split(maxsplit=1)[0].lower() if tag.strip("</>") else ""


def _shows_text(part: str) -> bool:
    return bool("".join(_visible(token) for token in _TOKEN.findall(part)).strip())


def _line_tokens(line: str, stack: list[str], budget: int) -> tuple[list[str], int]:
    """The line's tokens within ``budget`` units, and the units used.

    Text past the budget is dropped for one "…", but every tag is kept, so ``stack`` (the
    open tags) stays right and the HTML stays balanced.
    """
    out: list[str] = []
    used = 0
    cut = False
    if html_length(line) > budget:
        budget -= _units(ELLIPSIS)  # room for the "…" that ends a shortened line
    for token in _TOKEN.findall(line):
        shown = _visible(token)
        if not shown:
            if token.startswith("</"):
                if stack:
                    stack.pop()
            elif not token.endswith("/>"):
                stack.append(token)
            out.append(token)
            continue
        if cut:
            continue
        size = _units(shown)
        if used + size <= budget:
            out.append(token)
            used += size
            continue
        cut = True
        if shown is token:  # plain text (no "<" or "&" in it): keep what fits
            kept = ""
            for char in token:
                if used + _units(kept) + _units(char) > budget:
                    break
                kept += char
            out.append(kept)
            used += _units(kept)
        out.append(ELLIPSIS)
        used += _units(ELLIPSIS)
    return out, used


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """HTML text cut at line ends into parts Telegram accepts (``limit`` visible units each).

    A tag open across a cut is closed at the end of one part and reopened at the start of
    the next, so every part is valid HTML; a single line longer than ``limit`` is shortened
    with "…". Parts that would show nothing are left out.
    """

    if _units(text) <= limit:
        return [text]  # tags and entities only shorten what shows: it fits as it is

    def close(chunks: list[str], stack: list[str]) -> str:
        return "".join(chunks) + "".join(f"</{_tag_name(tag)}>" for tag in reversed(stack))

    parts: list[str] = []
    stack: list[str] = []
    chunks: list[str] = []
    length = 0
    started = False
    for line in text.split("\n"):
        if started and length + 1 + html_length(line) > limit:
            parts.append(close(chunks, stack))
            chunks, length, started = list(stack), 0, False
        if started:
            chunks.append("\n")
            length += 1
        tokens, used = _line_tokens(line, stack, limit - length)
        chunks.extend(tokens)
        length += used
        started = True
    parts.append(close(chunks, stack))
    return [part for part in parts if _shows_text(part)] or [text]


def shorten_html(text: str, limit: int = MESSAGE_LIMIT, *, more: str = "") -> str:
    """One part only: as many whole lines as fit, then "…" and ``more`` (where the rest is:
    a command, tappable in Telegram) — for digests and captions."""
    whole = split_html(text, limit)
    if len(whole) == 1:
        return whole[0]
    tail = f"{ELLIPSIS} {more}" if more else ELLIPSIS
    return split_html(text, limit - 1 - html_length(tail))[0] + "\n" + tail


async def send_html(
    bot: Bot, chat_id: int, text: str, *, reply_markup: Markup = None, **kwargs: Any
) -> Message:
    """Send ``text`` in as many messages as it needs; the keyboard goes on the last one."""
    parts = split_html(text)
    sent: Message | None = None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        sent = await bot.send_message(chat_id, part, reply_markup=reply_markup if last else None,
                                      **kwargs)
    assert sent is not None
    return sent


async def edit_html(
    query: CallbackQuery, text: str, *, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Show ``text`` in place of the message whose button was pressed.

    Text that fits one message edits it (the same text already shown is fine; a message that
    can no longer be edited gets it anew). Longer text cannot: the pressed message loses its
    buttons (they would be stale anyway, being of the version before this press) and the text
    goes out anew, split, with the keyboard on its last part.
    """
    parts = split_html(text)
    message = query.message
    if message is None:  # a message of inline mode: only the query can edit it
        await query.edit_message_text(parts[0], reply_markup=reply_markup)
        return
    if len(parts) == 1:
        await edit_or_resend(query.get_bot(), message.chat.id, message.message_id, parts[0],
                             reply_markup=reply_markup)
        return
    await remove_buttons(message)
    await send_html(query.get_bot(), message.chat.id, text, reply_markup=reply_markup)


def is_not_modified(error: BaseException) -> bool:
    """Telegram's "message is not modified": the message already shows this; not a fault."""
    return isinstance(error, BadRequest) and "message is not modified" in error.message.lower()


def is_not_editable(error: BaseException) -> bool:
    """The message is gone or too old to edit ("not found", "can't be edited")."""
    if not isinstance(error, BadRequest):
        return False
    text = error.message.lower()
    return "message to edit not found" in text or "message can't be edited" in text


async def edit_or_resend(
    bot: Bot, chat_id: int, message_id: int, text: str, *,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Show ``text`` in the message ``message_id``; the same text already shown is fine, a
    message that can no longer be edited, or a text longer than one message, goes out anew
    (split). Any other error (bad HTML) is a fault and propagates: it must not vanish as
    "unchanged"."""
    if len(split_html(text)) > 1:
        # Sent anew below the old one: the old message's buttons must not stay live.
        await _strip_buttons(bot, chat_id, message_id)
        await send_html(bot, chat_id, text, reply_markup=reply_markup)
        return
    try:
        await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                    reply_markup=reply_markup)
    except BadRequest as error:
        if is_not_modified(error):
            return
        if not is_not_editable(error):
            raise
        await send_html(bot, chat_id, text, reply_markup=reply_markup)


async def remove_buttons(message: MaybeInaccessibleMessage) -> None:
    """Take the buttons off a message (answered, or stale); already without them, or gone, is
    fine; any other error propagates."""
    await _strip_buttons(message.get_bot(), message.chat.id, message.message_id)


async def _strip_buttons(bot: Bot, chat_id: int, message_id: int) -> None:
    try:
        await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except BadRequest as error:
        if not (is_not_modified(error) or is_not_editable(error)):
            raise


def is_expired_query(error: BaseException) -> bool:
    """Telegram's "query is too old … or query ID is invalid": the press can't be answered."""
    return isinstance(error, BadRequest) and (
        "query is too old" in error.message.lower()
        or "query id is invalid" in error.message.lower()
    )


async def answer_query(query: CallbackQuery, text: str | None = None, *,
                       show_alert: bool = False) -> bool:
    """Answer a button press; False (not an error) when it is too old to be answered.

    The press is usually answered before the work it asks for is finished being told: an
    answer Telegram no longer takes must not stop the rest (the card, the notices).
    """
    try:
        return await query.answer(text, show_alert=show_alert)
    except BadRequest as error:
        if is_expired_query(error):
            return False
        raise
