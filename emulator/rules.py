"""Telegram's limits and its exact error wording, so the bot meets them before production does.

Every refusal is a :class:`BotAPIError` carrying the HTTP status and the description Telegram
sends; PTB turns these into ``BadRequest``/``Forbidden``/``RetryAfter``. The descriptions are
module constants so tests can compare against them instead of retyping them.
"""

from __future__ import annotations

from typing import Any

from emulator.entities import Entity, EntityParseError, parse_formatted, strip_text

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_ANSWER = 200
MAX_CALLBACK_DATA_BYTES = 64
MAX_ALBUM = 10
MIN_ALBUM = 2
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_DIMENSIONS_SUM = 10000
MAX_PHOTO_RATIO = 20
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_INLINE_BUTTONS = 100
CALLBACK_ANSWER_SECONDS = 15
"""How long a button press can be answered. Telegram does not publish it; bots see "query is too
old" after roughly 10-15 s. The emulator uses the upper end, measured on its clock."""
GROUP_MESSAGES_PER_MINUTE = 20
MESSAGES_PER_SECOND = 30

ERR_TEXT_EMPTY = "Bad Request: message text is empty"
ERR_TEXT_TOO_LONG = "Bad Request: message is too long"
ERR_CAPTION_TOO_LONG = "Bad Request: message caption is too long"
ERR_BUTTON_DATA = "Bad Request: BUTTON_DATA_INVALID"
ERR_BUTTON_TEXT = (
    'Bad Request: can\'t parse inline keyboard button: Field "text" must be of type String'
)
ERR_BUTTON_NO_ACTION = (
    "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline "
    "keyboard"
)
ERR_MARKUP_TOO_LONG = "Bad Request: reply markup is too long"
ERR_MARKUP_INVALID = "Bad Request: can't parse reply keyboard markup JSON object"
ERR_QUERY_INVALID = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
ERR_ANSWER_TOO_LONG = "Bad Request: MESSAGE_TOO_LONG"
ERR_ALBUM_TOO_BIG = "Bad Request: too many messages to send as an album"
ERR_ALBUM_TOO_SMALL = "Bad Request: wrong number of messages to send as an album"
ERR_ALBUM_MIXED = "Bad Request: document can't be mixed with other media types"
ERR_CHAT_NOT_FOUND = "Bad Request: chat not found"
ERR_USER_NOT_FOUND = "Bad Request: user not found"
ERR_EDIT_NOT_FOUND = "Bad Request: message to edit not found"
ERR_DELETE_NOT_FOUND = "Bad Request: message to delete not found"
ERR_CANT_EDIT = "Bad Request: message can't be edited"
ERR_CANT_DELETE = "Bad Request: message can't be deleted"
ERR_NO_TEXT_TO_EDIT = "Bad Request: there is no text in the message to edit"
ERR_NO_CAPTION_TO_EDIT = "Bad Request: there is no caption in the message to edit"
ERR_REPLY_NOT_FOUND = "Bad Request: message to be replied not found"
ERR_THREAD_NOT_FOUND = "Bad Request: message thread not found"
ERR_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
ERR_PARSE_ENTITIES = "Bad Request: can't parse entities: "
ERR_CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"
ERR_BLOCKED = "Forbidden: bot was blocked by the user"
ERR_NOT_MEMBER_GROUP = "Forbidden: bot is not a member of the group chat"
ERR_NOT_MEMBER_SUPERGROUP = "Forbidden: bot is not a member of the supergroup chat"
ERR_PHOTO_DIMENSIONS = "Bad Request: PHOTO_INVALID_DIMENSIONS"
ERR_IMAGE_PROCESS = "Bad Request: IMAGE_PROCESS_FAILED"
ERR_FILE_TOO_BIG = "Bad Request: file is too big"
ERR_WRONG_FILE_ID = "Bad Request: wrong file identifier/HTTP URL specified"
ERR_URL_FETCH = "Bad Request: failed to get HTTP URL content"
ERR_WRONG_ACTION = "Bad Request: wrong parameter action in request"
ERR_METHOD_NOT_FOUND = "Not Found: method not found"
ERR_UNAUTHORIZED = "Unauthorized"
ERR_ENTITY_TOO_LARGE = "Request Entity Too Large"
ERR_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)
ERR_POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)
ERR_COMMAND_INVALID = "Bad Request: BOT_COMMAND_INVALID"
ERR_COMMAND_DESCRIPTION = "Bad Request: command description must be non-empty"
ERR_BAD_GATEWAY = "Bad Gateway"

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class BotAPIError(Exception):
    """A refusal exactly as the Bot API would answer it (status, description, parameters)."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        """Body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> BotAPIError:
    """400 with Telegram's description (which already starts with ``Bad Request:``)."""
    return BotAPIError(400, description)


def forbidden(description: str) -> BotAPIError:
    """403, the status PTB maps to ``Forbidden``."""
    return BotAPIError(403, description)


def too_many_requests(retry_after: int) -> BotAPIError:
    """429 with ``retry_after``, the shape PTB maps to ``RetryAfter``."""
    return BotAPIError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
    )


def formatted_text(
    text: str | None,
    parse_mode: str | None,
    entities: list[Entity] | None,
    *,
    caption: bool = False,
) -> tuple[str, list[Entity]]:
    """Parse and check a message text or caption; return plain text and entities.

    Telegram measures the limit after parsing markup and trimming whitespace, so a 4096-character
    HTML text with tags still fits while an all-whitespace text counts as empty.
    """
    raw = text or ""
    if entities:
        plain, found = raw, list(entities)
    else:
        try:
            plain, found = parse_formatted(raw, parse_mode)
        except EntityParseError as exc:
            raise bad_request(ERR_PARSE_ENTITIES + str(exc)) from None
    plain, found = strip_text(plain, found)
    if caption:
        if len(plain) > MAX_CAPTION:
            raise bad_request(ERR_CAPTION_TOO_LONG)
    else:
        if not plain:
            raise bad_request(ERR_TEXT_EMPTY)
        if len(plain) > MAX_TEXT:
            raise bad_request(ERR_TEXT_TOO_LONG)
    return plain, found


def check_reply_markup(markup: Any) -> None:
    """Refuse keyboards Telegram refuses (bad callback data, missing text, URL, size)."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad_request(ERR_MARKUP_INVALID)
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request(ERR_MARKUP_INVALID)
        if sum(len(r) for r in rows) > MAX_INLINE_BUTTONS:
            raise bad_request(ERR_MARKUP_TOO_LONG)
        for row in rows:
            for button in row:
                _check_inline_button(button)
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request(ERR_MARKUP_INVALID)
        for row in rows:
            for button in row:
                label = button if isinstance(button, str) else (button or {}).get("text")
                if not isinstance(label, str) or not label:
                    raise bad_request(
                        'Bad Request: can\'t parse keyboard button: Field "text" must be of '
                        "type String"
                    )
    elif not ("remove_keyboard" in markup or "force_reply" in markup):
        raise bad_request(ERR_MARKUP_INVALID)


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an "
            "Object"
        )
    text = button.get("text")
    if not isinstance(text, str) or not text:
        raise bad_request(ERR_BUTTON_TEXT)
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str):
            raise bad_request(ERR_BUTTON_DATA)
        size = len(data.encode("utf-8"))
        if size < 1 or size > MAX_CALLBACK_DATA_BYTES:
            raise bad_request(ERR_BUTTON_DATA)
        return
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url.startswith(("http://", "https://", "tg://")):
            raise bad_request(
                f"Bad Request: inline keyboard button URL '{url}' is invalid: Wrong HTTP URL"
            )
        return
    actions = {
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
        "web_app",
    }
    if not actions & button.keys():
        raise bad_request(ERR_BUTTON_NO_ACTION)


def check_callback_answer(text: str | None) -> None:
    """``answerCallbackQuery`` text is limited to 200 characters."""
    if text is not None and len(text) > MAX_CALLBACK_ANSWER:
        raise bad_request(ERR_ANSWER_TOO_LONG)


def check_photo_dimensions(size_bytes: int, width: int, height: int) -> None:
    """Photos over 10 MB, with width + height over 10000 or ratio over 20 are refused."""
    if size_bytes > MAX_PHOTO_BYTES or width + height > MAX_PHOTO_DIMENSIONS_SUM:
        raise bad_request(ERR_PHOTO_DIMENSIONS)
    if min(width, height) == 0 or max(width, height) / min(width, height) > MAX_PHOTO_RATIO:
        raise bad_request(ERR_PHOTO_DIMENSIONS)


def check_command(command: Any, description: Any) -> None:
    """Bot commands: 1-32 chars of ``a-z0-9_``; description 1-256 chars."""
    if (
        not isinstance(command, str)
        or not 1 <= len(command) <= 32
        or not all(ch.islower() or ch.isdigit() or ch == "_" for ch in command)
        or not command.isascii()
    ):
        raise bad_request(ERR_COMMAND_INVALID)
    if not isinstance(description, str) or not 1 <= len(description) <= 256:
        raise bad_request(ERR_COMMAND_DESCRIPTION)


def ptb_message(description: str) -> str:
    """The text PTB's ``TelegramError.message`` shows for a Telegram description.

    PTB strips ``Bad Request: `` and then ``str.capitalize()``s the rest, lowercasing it
    ("Bad Request: BUTTON_DATA_INVALID" becomes "Button_data_invalid"); tests compare with this.
    """
    message = description
    for prefix in ("Error: ", "[Error]: ", "Bad Request: "):
        message = message.removeprefix(prefix)
    return message.capitalize() if message != description else message
