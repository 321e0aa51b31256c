"""Bot API methods: results shaped like Telegram's so PTB's ``de_json`` accepts them.

Each method validates like Telegram (rules.py), changes the emulator's state and returns the
``result`` JSON. Method names resolve case-insensitively, as on the real server.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from emulator import media
from emulator.media import NotAnImageError, image_size
from emulator.models import StoredFile, clone
from emulator.params import Params, Upload
from emulator.rules import (
    CALLBACK_ANSWER_SECONDS,
    CHAT_ACTIONS,
    ERR_ALBUM_MIXED,
    ERR_ALBUM_TOO_BIG,
    ERR_ALBUM_TOO_SMALL,
    ERR_CANT_DELETE,
    ERR_CANT_EDIT,
    ERR_DELETE_NOT_FOUND,
    ERR_EDIT_NOT_FOUND,
    ERR_ENTITY_TOO_LARGE,
    ERR_FILE_TOO_BIG,
    ERR_IMAGE_PROCESS,
    ERR_NO_CAPTION_TO_EDIT,
    ERR_NO_TEXT_TO_EDIT,
    ERR_NOT_MODIFIED,
    ERR_QUERY_INVALID,
    ERR_REPLY_NOT_FOUND,
    ERR_THREAD_NOT_FOUND,
    ERR_URL_FETCH,
    ERR_USER_NOT_FOUND,
    ERR_WRONG_ACTION,
    ERR_WRONG_FILE_ID,
    MAX_ALBUM,
    MAX_DOWNLOAD_BYTES,
    MAX_UPLOAD_BYTES,
    MIN_ALBUM,
    BotAPIError,
    bad_request,
    check_callback_answer,
    check_command,
    check_photo_dimensions,
    check_reply_markup,
    formatted_text,
)
from emulator.users import BotMessage, SimChat, SimGroup, SimUser

if TYPE_CHECKING:
    from emulator.core import Emulator

Json = dict[str, Any]
Method = Callable[["Emulator", Params], Awaitable[Any]]

METHODS: dict[str, Method] = {}
_BY_LOWER: dict[str, str] = {}


def api(func: Method) -> Method:
    """Register a method under its Bot API name (the function name)."""
    METHODS[func.__name__] = func
    _BY_LOWER[func.__name__.lower()] = func.__name__
    return func


def resolve_method(name: str) -> tuple[str, Method | None]:
    """Canonical name and implementation; Telegram method names are case-insensitive."""
    canonical = _BY_LOWER.get(name.lower(), name)
    return canonical, METHODS.get(canonical)


# ---- helpers -----------------------------------------------------------------------------


def _writable_chat(emu: Emulator, p: Params, name: str = "chat_id") -> SimChat:
    chat = emu.find_chat(p.chat_id(name))
    emu.check_can_send(chat)
    return chat


def _markup(p: Params) -> Json | None:
    markup: Json | None = p.get_json("reply_markup")
    check_reply_markup(markup)
    return markup


def _reply_to(chat: SimChat, p: Params) -> Json | None:
    """The message replied to (``reply_parameters`` or legacy ``reply_to_message_id``)."""
    params = p.get_json("reply_parameters") or {}
    message_id = params.get("message_id") if params else p.get_int("reply_to_message_id")
    if message_id is None:
        return None
    allow = bool(params.get("allow_sending_without_reply")) or p.get_bool(
        "allow_sending_without_reply"
    )
    original = chat.store.get(int(message_id))
    if original is None:
        if allow:
            return None
        raise bad_request(ERR_REPLY_NOT_FOUND)
    return {k: v for k, v in original.items() if k != "reply_to_message"}


def _topic(chat: SimChat, p: Params) -> Json:
    """The forum topic ``message_thread_id`` names, as fields of the sent message.

    Telegram refuses a topic that does not exist (deleted, or the chat is no forum) with
    "message thread not found"; without the parameter the message goes to General.
    """
    thread = p.get_int("message_thread_id")
    if not thread:
        return {}
    if not isinstance(chat, SimGroup) or thread not in chat.topics:
        raise bad_request(ERR_THREAD_NOT_FOUND)
    return {"message_thread_id": thread, "is_topic_message": True}


def _post(
    emu: Emulator,
    chat: SimChat,
    kind: str,
    content: Json,
    *,
    markup: Json | None = None,
    reply: Json | None = None,
    **fields: Any,
) -> BotMessage:
    """Record a bot message in ``chat`` and build the ``Message`` Telegram returns."""
    raw: Json = {
        "message_id": chat.next_message_id(),
        "from": emu.bot_user_dict(),
        "chat": chat.chat_dict(),
        "date": emu.timestamp(),
    }
    if reply is not None:
        raw["reply_to_message"] = reply
    raw.update(content)
    if markup and "inline_keyboard" in markup:
        raw["reply_markup"] = markup
    if markup and "keyboard" in markup:
        chat.current_reply_keyboard = markup
    elif markup and markup.get("remove_keyboard"):
        chat.current_reply_keyboard = None
    message = BotMessage(
        message_id=raw["message_id"],
        chat_id=chat.id,
        kind=kind,
        raw=raw,
        reply_markup=markup,
        text=content.get("text"),
        caption=content.get("caption"),
        entities=list(content.get("entities") or content.get("caption_entities") or []),
        media_group_id=content.get("media_group_id"),
        **fields,
    )
    chat.store[message.message_id] = raw
    chat.messages.append(message)
    return message


def _caption(p: Params) -> Json:
    """Caption fields after parsing; empty when there is no caption."""
    if not p.has("caption"):
        return {}
    caption, entities = formatted_text(
        p.get_str("caption"), p.get_str("parse_mode"), p.get_json("caption_entities"), caption=True
    )
    if not caption:
        return {}
    result: Json = {"caption": caption}
    if entities:
        result["caption_entities"] = entities
    return result


def _file_input(
    emu: Emulator, p: Params, field: str, value: str | None = None
) -> Upload | StoredFile:
    """An uploaded part, ``attach://`` reference or existing file_id."""
    if value is None:
        if field in p.files:
            return p.files[field]
        value = p.get_str(field)
    if value is None:
        raise bad_request(f"Bad Request: there is no {field} in the request")
    if value.startswith("attach://"):
        name = value.removeprefix("attach://")
        if name not in p.files:
            raise bad_request(f'Bad Request: can\'t find attached file "{name}"')
        return p.files[name]
    if value.startswith(("http://", "https://")):
        raise bad_request(ERR_URL_FETCH)
    stored = emu.files.get(value)
    if stored is None:
        raise bad_request(ERR_WRONG_FILE_ID)
    return stored


def _photo_files(emu: Emulator, source: Upload | StoredFile) -> list[StoredFile]:
    if isinstance(source, StoredFile):
        if source.kind != "photo":
            raise bad_request(
                f"Bad Request: can't use file of type {source.kind.title()} as Photo"
            )
        return source.photo_sizes or [source]
    try:
        width, height = image_size(source.data)
        check_photo_dimensions(len(source.data), width, height)
        sizes = media.compress_photo(source.data)  # looked up per call: the bench swaps it
    except NotAnImageError:
        raise bad_request(ERR_IMAGE_PROCESS) from None
    return emu.store_photo(sizes)


def _document_file(emu: Emulator, source: Upload | StoredFile) -> StoredFile:
    if isinstance(source, StoredFile):
        if source.kind != "document":
            raise bad_request(
                f"Bad Request: can't use file of type {source.kind.title()} as Document"
            )
        return source
    if len(source.data) > MAX_UPLOAD_BYTES:
        raise BotAPIError(413, ERR_ENTITY_TOO_LARGE)
    return emu.store_file(
        "document", source.data, file_name=source.filename, mime_type=source.mime_type
    )


def _media_fields(kind: str, files: list[StoredFile]) -> Json:
    largest = files[-1]
    return {
        "file_id": largest.file_id,
        "file_bytes": largest.data,
        "file_name": largest.file_name,
        "mime_type": largest.mime_type if kind == "document" else "image/jpeg",
    }


def _bot_message_for_edit(emu: Emulator, p: Params) -> tuple[SimChat, BotMessage]:
    if p.has("inline_message_id") and not p.has("chat_id"):
        raise bad_request(ERR_EDIT_NOT_FOUND)
    chat = _writable_chat(emu, p)
    message_id = p.get_int("message_id", required=True)
    assert message_id is not None
    message = chat.bot_message(message_id)
    if message is None or message.deleted:
        if message_id in chat.store:
            raise bad_request(ERR_CANT_EDIT)
        raise bad_request(ERR_EDIT_NOT_FOUND)
    return chat, message


def _edit_markup(p: Params) -> Json | None:
    markup = _markup(p)
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("Bad Request: inline keyboard expected")
    return markup


def _inline(markup: Json | None) -> Json | None:
    return markup if markup and "inline_keyboard" in markup else None


def _apply_edit(
    emu: Emulator, chat: SimChat, message: BotMessage, changes: Json, markup: Json | None
) -> Json:
    message.edits.append(message.snapshot())
    raw = message.raw
    for key, value in changes.items():
        if value in (None, "", []):
            raw.pop(key, None)
        else:
            raw[key] = value
    if markup is None:
        raw.pop("reply_markup", None)
    else:
        raw["reply_markup"] = markup
    raw["edit_date"] = emu.timestamp()
    message.reply_markup = markup
    chat.store[message.message_id] = raw
    return clone(raw)


def _user_of(emu: Emulator, user_id: int) -> Json:
    if user_id == emu.bot_id:
        return emu.bot_user_dict()
    user = emu.users.get(user_id)
    if user is None:
        raise bad_request(ERR_USER_NOT_FOUND)
    return user.user_dict()


def _administrator(user: Json, *, is_bot: bool) -> Json:
    return {
        "status": "administrator",
        "user": user,
        "can_be_edited": is_bot,
        "is_anonymous": False,
        "can_manage_chat": True,
        "can_delete_messages": True,
        "can_manage_video_chats": True,
        "can_restrict_members": True,
        "can_promote_members": False,
        "can_change_info": True,
        "can_invite_users": True,
        "can_post_stories": True,
        "can_edit_stories": True,
        "can_delete_stories": True,
        "can_pin_messages": True,
    }


def _member_status(emu: Emulator, chat: SimChat, user_id: int) -> Json:
    user = _user_of(emu, user_id)
    if isinstance(chat, SimGroup):
        if user_id == emu.bot_id:
            if chat.bot_is_admin and chat.bot_is_member:
                return _administrator(user, is_bot=True)
            return {"status": "member" if chat.bot_is_member else "left", "user": user}
        if any(a.id == user_id for a in chat.admins):
            return _administrator(user, is_bot=False)
        if any(m.id == user_id for m in chat.members):
            return {"status": "member", "user": user}
        return {"status": "left", "user": user}
    if user_id in (chat.id, emu.bot_id):
        return {"status": "member", "user": user}
    return {"status": "left", "user": user}


def _content_of(message: Json) -> tuple[str, Json]:
    """Kind and content fields of a stored message, for forward/copy."""
    keys = (
        "text",
        "entities",
        "caption",
        "caption_entities",
        "photo",
        "document",
        "location",
        "sticker",
        "voice",
        "contact",
    )
    content = {k: clone(message[k]) for k in keys if k in message}
    for kind in ("photo", "document", "location", "sticker", "voice", "contact"):
        if kind in content:
            return kind, content
    return "text", content


def _file_fields_of(emu: Emulator, kind: str, content: Json) -> Json:
    if kind == "photo":
        stored = emu.files.get(content["photo"][-1]["file_id"])
    elif kind in ("document", "sticker", "voice"):
        stored = emu.files.get(content[kind]["file_id"])
    elif kind == "location":
        loc = content["location"]
        return {"location": (loc["latitude"], loc["longitude"])}
    else:
        return {}
    if stored is None:
        return {}
    return {
        "file_id": stored.file_id,
        "file_bytes": stored.data,
        "file_name": stored.file_name,
        "mime_type": stored.mime_type,
    }


# ---- bot identity and updates ------------------------------------------------------------


@api
async def getMe(emu: Emulator, p: Params) -> Json:  # noqa: N802 - Bot API name
    """The bot's own ``User`` with the capability flags ``getMe`` adds."""
    return {
        **emu.bot_user_dict(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@api
async def getUpdates(emu: Emulator, p: Params) -> list[Json]:  # noqa: N802
    """Confirm by offset, then long-poll up to ``timeout`` seconds."""
    limit = p.get_int("limit") or 100
    timeout = p.get_float("timeout") or 0.0
    _keep_allowed_updates(emu, p)
    return await emu.get_updates(p.get_int("offset"), max(1, min(limit, 100)), timeout)


@api
async def deleteWebhook(emu: Emulator, p: Params) -> bool:  # noqa: N802
    """Remove the webhook; optionally drop queued updates."""
    emu.webhook_url = ""
    if p.get_bool("drop_pending_updates"):
        emu._pending.clear()
    return True


@api
async def setWebhook(emu: Emulator, p: Params) -> bool:  # noqa: N802
    """Store the URL only: the emulator never calls out."""
    emu.webhook_url = p.get_str("url") or ""
    _keep_allowed_updates(emu, p)
    if p.get_bool("drop_pending_updates"):
        emu._pending.clear()
    return True


def _keep_allowed_updates(emu: Emulator, p: Params) -> None:
    """A list given is kept for the token; not giving one keeps the previous one."""
    if p.has("allowed_updates"):
        wanted = p.get_json("allowed_updates")
        if not isinstance(wanted, list):
            raise bad_request("Bad Request: can't parse allowed_updates JSON object")
        emu.allowed_updates = [str(kind) for kind in wanted]


@api
async def getWebhookInfo(emu: Emulator, p: Params) -> Json:  # noqa: N802
    """Minimal ``WebhookInfo``."""
    info: Json = {
        "url": emu.webhook_url,
        "has_custom_certificate": False,
        "pending_update_count": len(emu._pending),
    }
    if emu.allowed_updates:
        info["allowed_updates"] = list(emu.allowed_updates)
    return info


@api
async def logOut(emu: Emulator, p: Params) -> bool:  # noqa: N802
    """Accepted and ignored."""
    return True


@api
async def close(emu: Emulator, p: Params) -> bool:
    """Accepted and ignored."""
    return True


# ---- commands and menu -------------------------------------------------------------------


def _commands_key(p: Params) -> tuple[str, str]:
    scope = p.get_json("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), p.get_str("language_code") or ""


@api
async def setMyCommands(emu: Emulator, p: Params) -> bool:  # noqa: N802
    """Store commands per scope and language, validated like Telegram."""
    commands = p.get_json("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("Bad Request: can't parse commands JSON object")
    for cmd in commands:
        check_command(cmd.get("command"), cmd.get("description"))
    emu.commands[_commands_key(p)] = commands
    return True


@api
async def getMyCommands(emu: Emulator, p: Params) -> list[Json]:  # noqa: N802
    """Commands for exactly this scope and language."""
    return emu.commands.get(_commands_key(p), [])


@api
async def deleteMyCommands(emu: Emulator, p: Params) -> bool:  # noqa: N802
    """Forget commands for this scope and language."""
    emu.commands.pop(_commands_key(p), None)
    return True


@api
async def setChatMenuButton(emu: Emulator, p: Params) -> bool:  # noqa: N802
    """Per chat, or the default without ``chat_id``."""
    button = p.get_json("menu_button") or {"type": "default"}
    if p.has("chat_id"):
        emu.find_chat(p.chat_id()).menu_button = button
    else:
        emu.default_menu_button = button
    return True


@api
async def getChatMenuButton(emu: Emulator, p: Params) -> Json:  # noqa: N802
    """The chat's button, else the default."""
    if p.has("chat_id"):
        return emu.find_chat(p.chat_id()).menu_button or emu.default_menu_button
    return emu.default_menu_button


# ---- sending -----------------------------------------------------------------------------


@api
async def sendMessage(emu: Emulator, p: Params) -> Json:  # noqa: N802
    """Text message: markup parsed, length checked after parsing, keyboard validated."""
    chat = _writable_chat(emu, p)
    text, entities = formatted_text(
        p.get_str("text"), p.get_str("parse_mode"), p.get_json("entities")
    )
    markup = _markup(p)
    reply = _reply_to(chat, p)
    topic = _topic(chat, p)
    emu.check_rate(chat)
    content: Json = {"text": text, **topic}
    if entities:
        content["entities"] = entities
    message = _post(
        emu, chat, "text", content, markup=markup, reply=reply, parse_mode=p.get_str("parse_mode")
    )
    return clone(message.raw)


@api
async def sendPhoto(emu: Emulator, p: Params) -> Json:  # noqa: N802
    """Photo: re-encoded into sizes without EXIF; limits of 10 MB and 10000 px."""
    chat = _writable_chat(emu, p)
    caption = _caption(p)
    markup = _markup(p)
    reply = _reply_to(chat, p)
    files = _photo_files(emu, _file_input(emu, p, "photo"))
    topic = _topic(chat, p)
    emu.check_rate(chat)
    content: Json = {"photo": [f.photo_size_dict() for f in files], **caption, **topic}
    message = _post(
        emu,
        chat,
        "photo",
        content,
        markup=markup,
        reply=reply,
        parse_mode=p.get_str("parse_mode"),
        **_media_fields("photo", files),
    )
    return clone(message.raw)


@api
async def sendDocument(emu: Emulator, p: Params) -> Json:  # noqa: N802
    """Document: bytes kept as sent."""
    chat = _writable_chat(emu, p)
    caption = _caption(p)
    markup = _markup(p)
    reply = _reply_to(chat, p)
    stored = _document_file(emu, _file_input(emu, p, "document"))
    topic = _topic(chat, p)
    emu.check_rate(chat)
    content: Json = {"document": stored.document_dict(), **caption, **topic}
    message = _post(
        emu,
        chat,
        "document",
        content,
        markup=markup,
        reply=reply,
        parse_mode=p.get_str("parse_mode"),
        **_media_fields("document", [stored]),
    )
    return clone(message.raw)


@api
async def sendMediaGroup(emu: Emulator, p: Params) -> list[Json]:  # noqa: N802
    """Album of 2-10 photos or documents (documents don't mix with other types)."""
    chat = _writable_chat(emu, p)
    media = p.get_json("media")
    if not isinstance(media, list):
        raise bad_request("Bad Request: can't parse media JSON object")
    if len(media) > MAX_ALBUM:
        raise bad_request(ERR_ALBUM_TOO_BIG)
    if len(media) < MIN_ALBUM:
        raise bad_request(ERR_ALBUM_TOO_SMALL)
    kinds = {item.get("type") for item in media}
    if "document" in kinds and len(kinds) > 1:
        raise bad_request(ERR_ALBUM_MIXED)
    if not kinds <= {"photo", "document"}:
        raise bad_request(f"Bad Request: emulator only supports photo/document albums: {kinds}")
    reply = _reply_to(chat, p)
    prepared: list[tuple[str, Json, Json]] = []
    for item in media:
        item_params = Params(
            {k: v if isinstance(v, str) else json.dumps(v) for k, v in item.items()}, p.files
        )
        caption = _caption(item_params)
        source = _file_input(emu, p, "media", str(item.get("media", "")))
        if item["type"] == "photo":
            files = _photo_files(emu, source)
            content: Json = {"photo": [f.photo_size_dict() for f in files], **caption}
        else:
            files = [_document_file(emu, source)]
            content = {"document": files[0].document_dict(), **caption}
        prepared.append((item["type"], content, _media_fields(item["type"], files)))
    topic = _topic(chat, p)
    emu.check_rate(chat, len(prepared))
    group_id = emu.new_media_group_id()
    results: list[Json] = []
    for kind, content, fields in prepared:
        content["media_group_id"] = group_id
        content.update(topic)
        message = _post(emu, chat, kind, content, reply=reply, **fields)
        results.append(clone(message.raw))
    return results


@api
async def sendLocation(emu: Emulator, p: Params) -> Json:  # noqa: N802
    """Static or live location."""
    chat = _writable_chat(emu, p)
    latitude = p.get_float("latitude", required=True)
    longitude = p.get_float("longitude", required=True)
    assert latitude is not None
    assert longitude is not None
    markup = _markup(p)
    reply = _reply_to(chat, p)
    topic = _topic(chat, p)
    emu.check_rate(chat)
    location: Json = {"latitude": latitude, "longitude": longitude}
    if p.has("live_period"):
        location["live_period"] = p.get_int("live_period")
    message = _post(
        emu,
        chat,
        "location",
        {"location": location, **topic},
        markup=markup,
        reply=reply,
        location=(latitude, longitude),
    )
    return clone(message.raw)


@api
async def sendChatAction(emu: Emulator, p: Params) -> bool:  # noqa: N802
    """ "typing…" and friends; recorded in ``chat.actions``."""
    chat = _writable_chat(emu, p)
    action = p.get_str("action", required=True)
    if action not in CHAT_ACTIONS:
        raise bad_request(ERR_WRONG_ACTION)
    chat.actions.append(action)
    return True


@api
async def forwardMessage(emu: Emulator, p: Params) -> Json:  # noqa: N802
    """Forward with ``forward_origin`` naming the original sender."""
    chat = _writable_chat(emu, p)
    source_chat = emu.find_chat(p.chat_id("from_chat_id"))
    message_id = p.get_int("message_id", required=True)
    assert message_id is not None
    source = source_chat.store.get(message_id)
    if source is None:
        raise bad_request("Bad Request: message to forward not found")
    emu.check_rate(chat)
    kind, content = _content_of(source)
    content["forward_origin"] = {
        "type": "user",
        "sender_user": source.get("from"),
        "date": source["date"],
    }
    message = _post(emu, chat, kind, content, **_file_fields_of(emu, kind, content))
    return clone(message.raw)


@api
async def copyMessage(emu: Emulator, p: Params) -> Json:  # noqa: N802
    """Copy without the forward header; caption may be replaced. Returns ``MessageId``."""
    chat = _writable_chat(emu, p)
    source_chat = emu.find_chat(p.chat_id("from_chat_id"))
    message_id = p.get_int("message_id", required=True)
    assert message_id is not None
    source = source_chat.store.get(message_id)
    if source is None:
        raise bad_request("Bad Request: message to copy not found")
    markup = _markup(p)
    reply = _reply_to(chat, p)
    emu.check_rate(chat)
    kind, content = _content_of(source)
    if p.has("caption") and kind != "text":
        content.pop("caption", None)
        content.pop("caption_entities", None)
        content.update(_caption(p))
    message = _post(
        emu, chat, kind, content, markup=markup, reply=reply, **_file_fields_of(emu, kind, content)
    )
    return {"message_id": message.message_id}


# ---- editing and deleting ----------------------------------------------------------------


@api
async def editMessageText(emu: Emulator, p: Params) -> Json:  # noqa: N802
    """Edit a bot text message; without ``reply_markup`` the inline keyboard goes away."""
    chat, message = _bot_message_for_edit(emu, p)
    text, entities = formatted_text(
        p.get_str("text"), p.get_str("parse_mode"), p.get_json("entities")
    )
    markup = _edit_markup(p)
    if message.kind != "text":
        raise bad_request(ERR_NO_TEXT_TO_EDIT)
    if (text, entities, markup) == (message.text, message.entities, _inline(message.reply_markup)):
        raise bad_request(ERR_NOT_MODIFIED)
    result = _apply_edit(emu, chat, message, {"text": text, "entities": entities}, markup)
    message.text = text
    message.entities = entities
    message.parse_mode = p.get_str("parse_mode")
    return result


@api
async def editMessageCaption(emu: Emulator, p: Params) -> Json:  # noqa: N802
    """Edit the caption of a bot media message."""
    chat, message = _bot_message_for_edit(emu, p)
    caption, entities = formatted_text(
        p.get_str("caption"), p.get_str("parse_mode"), p.get_json("caption_entities"), caption=True
    )
    markup = _edit_markup(p)
    if message.kind not in ("photo", "document", "voice", "video", "audio", "animation"):
        raise bad_request(ERR_NO_CAPTION_TO_EDIT)
    current = (message.caption or "", message.entities, _inline(message.reply_markup))
    if (caption, entities, markup) == current:
        raise bad_request(ERR_NOT_MODIFIED)
    result = _apply_edit(
        emu, chat, message, {"caption": caption, "caption_entities": entities}, markup
    )
    message.caption = caption or None
    message.entities = entities
    message.parse_mode = p.get_str("parse_mode")
    return result


@api
async def editMessageReplyMarkup(emu: Emulator, p: Params) -> Json:  # noqa: N802
    """Replace or (without ``reply_markup``) remove the inline keyboard."""
    chat, message = _bot_message_for_edit(emu, p)
    markup = _edit_markup(p)
    if markup == _inline(message.reply_markup):
        raise bad_request(ERR_NOT_MODIFIED)
    return _apply_edit(emu, chat, message, {}, markup)


@api
async def deleteMessage(emu: Emulator, p: Params) -> bool:  # noqa: N802
    """Bots delete their own messages anywhere, others' only privately or as group admin."""
    chat = emu.find_chat(p.chat_id())
    message_id = p.get_int("message_id", required=True)
    assert message_id is not None
    _delete(emu, chat, message_id)
    return True


def _delete(emu: Emulator, chat: SimChat, message_id: int) -> None:
    if message_id not in chat.store:
        raise bad_request(ERR_DELETE_NOT_FOUND)
    message = chat.bot_message(message_id)
    if message is None and isinstance(chat, SimGroup) and not chat.bot_is_admin:
        raise bad_request(ERR_CANT_DELETE)
    if message is not None:
        message.deleted = True
    del chat.store[message_id]


@api
async def deleteMessages(emu: Emulator, p: Params) -> bool:  # noqa: N802
    """Delete several; missing ones are skipped as Telegram does."""
    chat = emu.find_chat(p.chat_id())
    ids = p.get_json("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("Bad Request: message identifiers are not specified")
    for message_id in ids:
        if int(message_id) in chat.store:
            _delete(emu, chat, int(message_id))
    return True


@api
async def answerCallbackQuery(emu: Emulator, p: Params) -> bool:  # noqa: N802
    """Answer a button press once; text at most 200 characters."""
    query_id = p.get_str("callback_query_id", required=True)
    assert query_id is not None
    text = p.get_str("text")
    check_callback_answer(text)
    state = emu._queries.get(query_id)
    if state is None or state.answered:
        raise bad_request(ERR_QUERY_INVALID)
    if emu.now().timestamp() - state.pressed_at > CALLBACK_ANSWER_SECONDS:
        raise bad_request(ERR_QUERY_INVALID)
    state.answered = True
    user = emu.users.get(state.user_id)
    if user is not None:
        user.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": text,
                "show_alert": p.get_bool("show_alert"),
                "url": p.get_str("url"),
                "cache_time": p.get_int("cache_time"),
            }
        )
    return True


@api
async def pinChatMessage(emu: Emulator, p: Params) -> bool:  # noqa: N802
    """Pin (groups need the bot to be admin)."""
    chat = _writable_chat(emu, p)
    message_id = p.get_int("message_id", required=True)
    assert message_id is not None
    if isinstance(chat, SimGroup) and not chat.bot_is_admin:
        raise bad_request("Bad Request: not enough rights to manage pinned messages in the chat")
    if message_id not in chat.store:
        raise bad_request("Bad Request: message to pin not found")
    emu.pinned[chat.id] = message_id
    return True


@api
async def unpinChatMessage(emu: Emulator, p: Params) -> bool:  # noqa: N802
    """Unpin."""
    chat = _writable_chat(emu, p)
    emu.pinned.pop(chat.id, None)
    return True


# ---- files -------------------------------------------------------------------------------


@api
async def getFile(emu: Emulator, p: Params) -> Json:  # noqa: N802
    """``File`` with a relative ``file_path``; bots can't download over 20 MB."""
    file_id = p.get_str("file_id", required=True)
    assert file_id is not None
    stored = emu.files.get(file_id)
    if stored is None:
        raise bad_request("Bad Request: invalid file_id")
    if stored.size > MAX_DOWNLOAD_BYTES:
        raise bad_request(ERR_FILE_TOO_BIG)
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


# ---- chats -------------------------------------------------------------------------------


@api
async def getChat(emu: Emulator, p: Params) -> Json:  # noqa: N802
    """``ChatFullInfo`` with the fields PTB requires."""
    chat = emu.find_chat(p.chat_id())
    info: Json = {
        **chat.chat_dict(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }
    if chat.id in emu.pinned and emu.pinned[chat.id] in chat.store:
        info["pinned_message"] = chat.store[emu.pinned[chat.id]]
    return info


@api
async def getChatMember(emu: Emulator, p: Params) -> Json:  # noqa: N802
    """``member``/``administrator``/``left`` for the bot and simulated users."""
    chat = emu.find_chat(p.chat_id())
    user_id = p.get_int("user_id", required=True)
    assert user_id is not None
    return _member_status(emu, chat, user_id)


@api
async def getChatAdministrators(emu: Emulator, p: Params) -> list[Json]:  # noqa: N802
    """Group admins (the bot too when it is one)."""
    chat = emu.find_chat(p.chat_id())
    if not isinstance(chat, SimGroup):
        raise bad_request("Bad Request: there are no administrators in the private chat")
    admins = [_administrator(a.user_dict(), is_bot=False) for a in chat.admins]
    if chat.bot_is_admin and chat.bot_is_member:
        admins.append(_administrator(emu.bot_user_dict(), is_bot=True))
    return admins


@api
async def getChatMemberCount(emu: Emulator, p: Params) -> int:  # noqa: N802
    """Members plus the bot."""
    chat = emu.find_chat(p.chat_id())
    if isinstance(chat, SimGroup):
        return len(chat.members) + (1 if chat.bot_is_member else 0)
    return 2


@api
async def leaveChat(emu: Emulator, p: Params) -> bool:  # noqa: N802
    """The bot leaves a group; it then gets 403 there."""
    chat = emu.find_chat(p.chat_id())
    if isinstance(chat, SimUser):
        raise bad_request("Bad Request: chat member status can't be changed in private chats")
    assert isinstance(chat, SimGroup)
    if not chat.bot_is_member:
        raise BotAPIError(403, "Forbidden: bot is not a member of the group chat")
    emu.dispatch_later(chat.bot_membership_change(emu.bot_user_dict(), "left"))
    return True
