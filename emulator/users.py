"""Simulated people and chats: what they send to the bot and what they see of its replies.

Tests read like a conversation (``await user.send("/start")``, ``await user.press("Kirim")``,
``user.last.text``) while every action still produces the exact update JSON Telegram would send,
so the real PTB ``Application`` is exercised end to end.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from emulator.entities import utf16_len
from emulator.media import PhotoSize, compress_photo, image_size
from emulator.models import clone

if TYPE_CHECKING:
    from emulator.core import Emulator

Json = dict[str, Any]


@dataclass(eq=False)
class BotMessage:
    """A message the bot sent, as the chat shows it now (edits applied, deletion flagged)."""

    message_id: int
    chat_id: int
    kind: str
    """``text``, ``photo``, ``document``, ``location``, ``sticker``, ``voice``..."""
    raw: Json
    """The ``Message`` JSON Telegram returned to the bot (current version)."""
    text: str | None = None
    caption: str | None = None
    entities: list[Json] = field(default_factory=list)
    reply_markup: Json | None = None
    """Markup as sent, including reply keyboards (which ``raw`` does not echo)."""
    media_group_id: str | None = None
    file_id: str | None = None
    file_bytes: bytes | None = None
    """Content of the file; for photos, the largest size."""
    file_name: str | None = None
    mime_type: str | None = None
    location: tuple[float, float] | None = None
    parse_mode: str | None = None
    edits: list[BotMessage] = field(default_factory=list)
    """Previous versions, oldest first."""
    deleted: bool = False

    @property
    def content(self) -> str:
        """Text or caption, whichever the message has (``""`` if neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def date(self) -> int:
        """Unix time the message was sent."""
        return int(self.raw["date"])

    @property
    def thread_id(self) -> int | None:
        """The forum topic the message is in (``None``: the General topic or no forum)."""
        thread = self.raw.get("message_thread_id")
        return int(thread) if thread is not None else None

    @property
    def buttons(self) -> list[list[str]]:
        """Labels of the inline keyboard, row by row (empty if none)."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [[str(b.get("text")) for b in row] for row in rows]

    @property
    def inline_buttons(self) -> list[Json]:
        """Inline keyboard buttons flattened, as sent."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [b for row in rows for b in row]

    def button_data(self, label: str) -> str:
        """``callback_data`` of the button labelled ``label``."""
        for button in self.inline_buttons:
            if button.get("text") == label:
                return str(button.get("callback_data"))
        raise AssertionError(f"no button {label!r}; buttons: {self.buttons}")

    @property
    def reply_keyboard(self) -> list[list[str]] | None:
        """Labels of a reply keyboard sent with this message, or ``None``."""
        rows = (self.reply_markup or {}).get("keyboard")
        if rows is None:
            return None
        return [[b if isinstance(b, str) else str(b.get("text")) for b in row] for row in rows]

    def snapshot(self) -> BotMessage:
        """Frozen copy of the current version (stored in :attr:`edits` before an edit)."""
        return dataclasses.replace(self, raw=clone(self.raw), edits=[])

    def __repr__(self) -> str:
        flag = " deleted" if self.deleted else ""
        return f"<BotMessage {self.chat_id}/{self.message_id} {self.kind}{flag} {self.content!r}>"


class SimChat:
    """State shared by private chats and groups: message ids, history, waiting."""

    type: str

    def __init__(self, emu: Emulator, chat_id: int) -> None:
        self.emu = emu
        self.id = chat_id
        self.messages: list[BotMessage] = []
        """Every bot message in this chat, in order (deleted ones stay, flagged)."""
        self.store: dict[int, Json] = {}
        """Every message (user's and bot's) by id, current version; what replies refer to."""
        self.actions: list[str] = []
        """``sendChatAction`` actions received, in order."""
        self.menu_button: Json | None = None
        self.current_reply_keyboard: Json | None = None
        """The reply keyboard the user currently sees (last ``keyboard`` markup until removed)."""
        self._next_id = 1
        self._cursor = 0

    @property
    def chat_id(self) -> int:
        """Chat id (for a user, the private chat id equals the user id)."""
        return self.id

    def chat_dict(self) -> Json:
        """``Chat`` object as embedded in messages."""
        raise NotImplementedError

    def next_message_id(self) -> int:
        """Message ids increase per chat, for the user's and the bot's messages alike."""
        mid = self._next_id
        self._next_id += 1
        return mid

    @property
    def last(self) -> BotMessage:
        """Newest bot message in this chat."""
        if not self.messages:
            raise AssertionError(f"the bot has sent nothing to chat {self.id}")
        return self.messages[-1]

    @property
    def texts(self) -> list[str]:
        """Text or caption of every bot message, in order."""
        return [m.content for m in self.messages]

    @property
    def visible_messages(self) -> list[BotMessage]:
        """Bot messages not deleted."""
        return [m for m in self.messages if not m.deleted]

    def bot_message(self, message_id: int) -> BotMessage | None:
        """The bot message with that id, if any."""
        for m in reversed(self.messages):
            if m.message_id == message_id:
                return m
        return None

    def mark(self) -> None:
        """Start counting new bot messages from now (done by every action)."""
        self._cursor = len(self.messages)

    async def wait_for_message(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - test API
    ) -> list[BotMessage]:
        """Wait until ``count`` new bot messages arrived here since the last wait or action.

        Returns the new messages. Polling mode needs this; in direct mode they are already
        there and it returns immediately.
        """
        start = self._cursor
        await self.emu.wait_for(
            lambda: len(self.messages) - start >= count,
            timeout,
            description=lambda: (
                f"{count} new bot message(s) in chat {self.id}; got "
                f"{[m.content for m in self.messages[start:]]}"
            ),
        )
        self._cursor = len(self.messages)
        return self.messages[start:]


class SimUser(SimChat):
    """A Telegram user and their private chat with the bot (chat id == user id)."""

    type = "private"

    def __init__(
        self,
        emu: Emulator,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> None:
        super().__init__(emu, user_id)
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.blocked = False
        """When set, every send to this user fails 403 "bot was blocked by the user"."""
        self.started = False
        """Whether the user ever wrote to the bot privately (the bot may then message them)."""
        self.callback_answers: list[Json] = []
        """``answerCallbackQuery`` calls for this user's presses (text, show_alert, url...)."""

    def user_dict(self) -> Json:
        """``User`` object as Telegram sends it."""
        user: Json = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def chat_dict(self) -> Json:
        """Private ``Chat`` object."""
        chat: Json = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat

    def __repr__(self) -> str:
        return f"<SimUser {self.id} {self.first_name!r}>"

    async def block_bot(self) -> Json:
        """Block the bot: sends fail from now on, and Telegram tells the bot at once."""
        self.blocked = True
        return await self._private_member_change("member", "kicked")

    async def unblock_bot(self) -> Json:
        """Unblock (restart) the bot: sends work again; Telegram tells the bot."""
        self.blocked = False
        return await self._private_member_change("kicked", "member")

    async def _private_member_change(self, old: str, new: str) -> Json:
        def member(status: str) -> Json:
            extra = {"until_date": 0} if status == "kicked" else {}
            return {"status": status, "user": self.emu.bot_user_dict(), **extra}

        update = self.emu.new_update("my_chat_member", {
            "chat": self.chat_dict(), "from": self.user_dict(), "date": self.emu.timestamp(),
            "old_chat_member": member(old), "new_chat_member": member(new),
        })
        await self.emu.dispatch(update)
        return update

    # ---- actions -------------------------------------------------------------------------

    def _target(self, chat: SimGroup | None) -> SimChat:
        if chat is None:
            return self
        if self not in chat.members:
            chat.members.append(self)
        return chat

    def _message(self, chat: SimChat, content: Json, reply_to: int | None = None) -> Json:
        msg: Json = {
            "message_id": chat.next_message_id(),
            "from": self.user_dict(),
            "chat": chat.chat_dict(),
            "date": self.emu.timestamp(),
        }
        if reply_to is not None:
            original = chat.store.get(reply_to)
            if original is None:
                raise AssertionError(f"no message {reply_to} in chat {chat.id} to reply to")
            msg["reply_to_message"] = {
                k: v for k, v in original.items() if k != "reply_to_message"
            }
        msg.update(content)
        chat.store[msg["message_id"]] = msg
        return msg

    async def _deliver(self, chat: SimChat, key: str, payload: Json) -> Json:
        if chat is self:
            self.started = True
        chat.mark()
        update = self.emu.new_update(key, payload)
        await self.emu.dispatch(update, chat)
        return update

    async def send(
        self,
        text: str,
        chat: SimGroup | None = None,
        *,
        reply_to: BotMessage | int | None = None,
        topic: int | None = None,
    ) -> Json:
        """Send a text; a leading ``/command`` (or ``/command@bot``) gets its entity.

        ``topic`` (a ``message_thread_id`` from :meth:`SimGroup.open_topic`) sends it in that
        forum topic: Telegram marks it ``is_topic_message`` and makes it a reply to the
        topic's first message.
        """
        target = self._target(chat)
        content: Json = {"text": text}
        entities = _command_entities(text)
        if entities:
            content["entities"] = entities
        reply_id = reply_to.message_id if isinstance(reply_to, BotMessage) else reply_to
        if topic is not None:
            assert isinstance(target, SimGroup), "topics are in groups"
            assert topic in target.topics, "no such topic"
            content.update(message_thread_id=topic, is_topic_message=True)
            reply_id = reply_id if reply_id is not None else topic
        return await self._deliver(target, "message", self._message(target, content, reply_id))

    async def forward(
        self,
        origin: SimUser | Json,
        *,
        text: str | None = None,
        photo: bytes | None = None,
        date: int | None = None,
        hidden: bool = False,
        chat: SimGroup | None = None,
    ) -> Json:
        """Forward a text or photo someone else sent: the message carries ``forward_origin``.

        ``origin`` is the person (``hidden``: one whose privacy settings hide their account,
        so only the name shows) or a ``Chat`` dict (a channel or group posting as itself).
        """
        when = self.emu.timestamp() if date is None else date
        if isinstance(origin, SimUser):
            name = " ".join(filter(None, (origin.first_name, origin.last_name)))
            forward_origin: Json = (
                {"type": "hidden_user", "date": when, "sender_user_name": name}
                if hidden
                else {"type": "user", "date": when, "sender_user": origin.user_dict()}
            )
        elif origin.get("type") == "channel":
            forward_origin = {"type": "channel", "date": when, "chat": origin, "message_id": 1}
        else:
            forward_origin = {"type": "chat", "date": when, "sender_chat": origin}
        target = self._target(chat)
        if photo is not None:
            content = self._photo_content(photo, text, None, True)
        else:
            content = {"text": text or ""}
            entities = _command_entities(text or "")
            if entities:
                content["entities"] = entities
        content["forward_origin"] = forward_origin
        return await self._deliver(target, "message", self._message(target, content))

    async def send_photo(
        self,
        data: bytes,
        caption: str | None = None,
        media_group_id: str | None = None,
        compress: bool = True,
        chat: SimGroup | None = None,
    ) -> Json:
        """Send a photo; ``compress=True`` re-encodes like Telegram (JPEG sizes, no EXIF).

        ``compress=False`` keeps the original bytes as the single size (not something a
        Telegram client does; useful to test what the bot does if EXIF ever got through).
        """
        target = self._target(chat)
        return await self._deliver(
            target,
            "message",
            self._message(target, self._photo_content(data, caption, media_group_id, compress)),
        )

    def _photo_content(
        self, data: bytes, caption: str | None, media_group_id: str | None, compress: bool
    ) -> Json:
        if compress:
            sizes = compress_photo(data)
        else:
            width, height = image_size(data)
            sizes = [PhotoSize(width, height, data)]
        stored = self.emu.store_photo(sizes)
        content: Json = {"photo": [f.photo_size_dict() for f in stored]}
        if caption:
            content["caption"] = caption
        if media_group_id:
            content["media_group_id"] = media_group_id
        return content

    async def send_document(
        self,
        data: bytes,
        file_name: str,
        mime_type: str,
        caption: str | None = None,
        media_group_id: str | None = None,
        chat: SimGroup | None = None,
    ) -> Json:
        """Send a file as a document: bytes arrive untouched (EXIF and GPS survive)."""
        target = self._target(chat)
        return await self._deliver(
            target,
            "message",
            self._message(
                target, self._document_content(data, file_name, mime_type, caption, media_group_id)
            ),
        )

    async def send_heic(
        self,
        data: bytes,
        file_name: str = "IMG_0042.HEIC",
        caption: str | None = None,
        chat: SimGroup | None = None,
    ) -> Json:
        """Send a phone HEIC as a file, as an iPhone does ("send as file" keeps EXIF and GPS).

        Make the bytes with :func:`emulator.media.make_heic`.
        """
        return await self.send_document(data, file_name, "image/heic", caption, chat=chat)

    def _document_content(
        self,
        data: bytes,
        file_name: str,
        mime_type: str,
        caption: str | None,
        media_group_id: str | None,
    ) -> Json:
        stored = self.emu.store_file("document", data, file_name=file_name, mime_type=mime_type)
        content: Json = {"document": stored.document_dict()}
        if caption:
            content["caption"] = caption
        if media_group_id:
            content["media_group_id"] = media_group_id
        return content

    async def send_album(
        self,
        items: Sequence[tuple[str, bytes]],
        caption: str | None = None,
        chat: SimGroup | None = None,
    ) -> list[Json]:
        """Send 2-10 photos or documents as one album: separate updates, one media_group_id.

        ``caption`` goes on the first item, as Telegram clients do. Documents can't be mixed
        with photos in an album.
        """
        if not 2 <= len(items) <= 10:
            raise ValueError("an album has 2-10 items")
        kinds = {kind for kind, _ in items}
        if not kinds <= {"photo", "document"} or len(kinds) > 1 and "document" in kinds:
            raise ValueError("album items are all 'photo' or all 'document'")
        target = self._target(chat)
        group_id = self.emu.new_media_group_id()
        updates: list[Json] = []
        for index, (kind, data) in enumerate(items):
            item_caption = caption if index == 0 else None
            if kind == "photo":
                content = self._photo_content(data, item_caption, group_id, True)
            else:
                name = f"file_{index + 1}{_guess_extension(data)}"
                content = self._document_content(
                    data, name, _guess_mime(data), item_caption, group_id
                )
            updates.append(await self._deliver(target, "message", self._message(target, content)))
        return updates

    async def send_location(
        self,
        latitude: float,
        longitude: float,
        live_period: int | None = None,
        chat: SimGroup | None = None,
    ) -> Json:
        """Share a location; with ``live_period`` it is a live location (edit it later)."""
        target = self._target(chat)
        location: Json = {"latitude": latitude, "longitude": longitude}
        if live_period is not None:
            location["live_period"] = live_period
        return await self._deliver(
            target, "message", self._message(target, {"location": location})
        )

    async def edit_location(
        self,
        update_or_message_id: Json | int,
        latitude: float,
        longitude: float,
        chat: SimGroup | None = None,
    ) -> Json:
        """Move a live location: Telegram sends it as an ``edited_message`` update."""
        target = self._target(chat)
        original = self._own_message(target, update_or_message_id)
        if "location" not in original:
            raise AssertionError("that message is not a location")
        edited = clone(original)
        edited["location"].update({"latitude": latitude, "longitude": longitude})
        edited["edit_date"] = self.emu.timestamp()
        target.store[edited["message_id"]] = edited
        return await self._deliver(target, "edited_message", edited)

    async def edit(
        self, update_or_message_id: Json | int, text: str, chat: SimGroup | None = None
    ) -> Json:
        """Edit one of the user's own text messages (an ``edited_message`` update)."""
        target = self._target(chat)
        original = self._own_message(target, update_or_message_id)
        edited = clone(original)
        key = "text" if "text" in original else "caption"
        edited[key] = text
        entities = _command_entities(text) if key == "text" else []
        edited.pop("entities", None)
        if entities:
            edited["entities"] = entities
        edited["edit_date"] = self.emu.timestamp()
        target.store[edited["message_id"]] = edited
        return await self._deliver(target, "edited_message", edited)

    def _own_message(self, chat: SimChat, ref: Json | int) -> Json:
        message_id = _message_id_of(ref)
        msg = chat.store.get(message_id)
        if msg is None or msg.get("from", {}).get("id") != self.id:
            raise AssertionError(f"no message {message_id} from {self} in chat {chat.id}")
        return msg

    async def send_sticker(self, emoji: str = "👍", chat: SimGroup | None = None) -> Json:
        """Send a sticker (a message kind most bots must politely refuse)."""
        target = self._target(chat)
        stored = self.emu.store_file("sticker", b"RIFF\x00\x00\x00\x00WEBPVP8 " + emoji.encode())
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": stored.size,
        }
        return await self._deliver(target, "message", self._message(target, {"sticker": sticker}))

    async def send_voice(
        self, data: bytes | None = None, duration: int = 2, chat: SimGroup | None = None
    ) -> Json:
        """Send a voice note."""
        target = self._target(chat)
        stored = self.emu.store_file(
            "voice", data or b"OggS\x00\x02" + bytes(64), mime_type="audio/ogg"
        )
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": stored.size,
        }
        return await self._deliver(target, "message", self._message(target, {"voice": voice}))

    async def send_contact(
        self,
        phone: str,
        first_name: str,
        last_name: str | None = None,
        user_id: int | None = None,
        chat: SimGroup | None = None,
    ) -> Json:
        """Share a contact; pass ``user_id=user.id`` for "share my phone number"."""
        target = self._target(chat)
        contact: Json = {"phone_number": phone, "first_name": first_name}
        if last_name:
            contact["last_name"] = last_name
        if user_id is not None:
            contact["user_id"] = user_id
        return await self._deliver(target, "message", self._message(target, {"contact": contact}))

    async def share_contact(self, phone: str) -> Json:
        """Tap a ``request_contact`` button: share the user's own number."""
        return await self.send_contact(phone, self.first_name, self.last_name, user_id=self.id)

    async def tap(
        self,
        label: str,
        chat: SimGroup | None = None,
        *,
        phone: str | None = None,
        location: tuple[float, float] | None = None,
    ) -> Json:
        """Tap a reply-keyboard button the user currently sees.

        A plain button sends its label as text; a ``request_contact`` button shares the user's
        own contact (``phone`` or a made-up number); a ``request_location`` button needs
        ``location=(lat, lon)``.
        """
        target = self._target(chat)
        keyboard = target.current_reply_keyboard
        rows = (keyboard or {}).get("keyboard") or []
        buttons = [b if isinstance(b, dict) else {"text": b} for row in rows for b in row]
        button = next((b for b in buttons if b.get("text") == label), None)
        if button is None:
            labels = [b.get("text") for b in buttons]
            raise AssertionError(f"no reply-keyboard button {label!r}; keyboard: {labels}")
        if keyboard and keyboard.get("one_time_keyboard"):
            target.current_reply_keyboard = None
        if button.get("request_contact"):
            number = phone or f"+62812{self.id % 10_000_000:07d}"
            return await self.send_contact(
                number, self.first_name, self.last_name, user_id=self.id, chat=chat
            )
        if button.get("request_location"):
            if location is None:
                raise AssertionError(f"{label!r} requests a location: pass location=(lat, lon)")
            return await self.send_location(location[0], location[1], chat=chat)
        return await self.send(label, chat)

    async def press(
        self,
        label: str,
        message: BotMessage | None = None,
        chat: SimGroup | None = None,
    ) -> Json:
        """Press the inline button labelled ``label`` on the newest bot message showing it.

        Falls back to a unique substring match. Raises ``AssertionError`` listing the buttons
        on offer when nothing matches.
        """
        target: SimChat = chat if chat is not None else self
        if message is not None:
            target = self.emu.chat(message.chat_id)
        candidates = [message] if message is not None else list(reversed(target.messages))
        for exact in (True, False):
            for msg in candidates:
                if msg.deleted:
                    continue
                matches = [
                    b
                    for b in msg.inline_buttons
                    if (b.get("text") == label if exact else label in str(b.get("text")))
                ]
                if len(matches) == 1 or (exact and matches):
                    return await self._press_button(msg, matches[0])
                if len(matches) > 1:
                    raise AssertionError(
                        f"{label!r} matches several buttons: {[b.get('text') for b in matches]}"
                    )
        offered = [m.buttons for m in candidates if m.buttons and not m.deleted]
        raise AssertionError(f"no button {label!r} in chat {target.id}; buttons: {offered}")

    async def press_data(
        self, data: str, message: BotMessage, *, inaccessible: bool = False
    ) -> Json:
        """Press the button of ``message`` whose ``callback_data`` is ``data``.

        A message the bot deleted (a client may still show it) or, with ``inaccessible``, one
        Telegram no longer gives the bot (too old) arrives as an ``InaccessibleMessage``: chat,
        id and ``date`` 0, no text, no keyboard.
        """
        for button in message.inline_buttons:
            if button.get("callback_data") == data:
                return await self._press_button(message, button, inaccessible=inaccessible)
        raise AssertionError(
            f"no button with data {data!r}; data: "
            f"{[b.get('callback_data') for b in message.inline_buttons]}"
        )

    async def press_forged(self, data: str, message: BotMessage) -> Json:
        """Send a callback query with arbitrary ``data`` on ``message``.

        Telegram delivers whatever bytes a modified client puts in a query, so the bot must not
        trust callback data: this is how tests play that client.
        """
        return await self._press_button(message, {"text": "forged", "callback_data": data})

    async def _press_button(
        self, message: BotMessage, button: Json, *, inaccessible: bool = False
    ) -> Json:
        if "callback_data" not in button:
            raise AssertionError(f"button {button.get('text')!r} has no callback_data: {button}")
        chat = self.emu.chat(message.chat_id)
        query_id = self.emu.new_callback_query(
            self.id, message.chat_id, message.message_id, button["callback_data"]
        )
        shown = clone(message.raw)
        if inaccessible or message.deleted:
            shown = {"chat": chat.chat_dict(), "message_id": message.message_id, "date": 0}
        query: Json = {
            "id": query_id,
            "from": self.user_dict(),
            "message": shown,
            "chat_instance": _chat_instance(message.chat_id),
            "data": button["callback_data"],
        }
        return await self._deliver(chat, "callback_query", query)


class SimGroup(SimChat):
    """A group chat with its members and the bot's membership."""

    def __init__(
        self,
        emu: Emulator,
        chat_id: int,
        title: str,
        members: Sequence[SimUser] = (),
        *,
        bot_is_member: bool = True,
        bot_is_admin: bool = False,
        admins: Sequence[SimUser] = (),
        username: str | None = None,
        chat_type: str | None = None,
    ) -> None:
        super().__init__(emu, chat_id)
        self.title = title
        self.members: list[SimUser] = list(members)
        self.admins: list[SimUser] = list(admins)
        for admin in self.admins:
            if admin not in self.members:
                self.members.append(admin)
        self.bot_is_member = bot_is_member
        self.bot_is_admin = bot_is_admin
        self.username = username
        self.type = chat_type or ("supergroup" if chat_id <= -1_000_000_000_000 else "group")
        self.is_forum = False
        self.topics: dict[int, str] = {}
        """Open forum topics by ``message_thread_id`` (the id of the message that created
        each); the General topic has none."""

    def chat_dict(self) -> Json:
        """Group ``Chat`` object."""
        chat: Json = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            chat["username"] = self.username
        if self.is_forum:
            chat["is_forum"] = True
        return chat

    def open_topic(self, name: str) -> int:
        """Create a forum topic as Telegram does (a service message whose id is the topic's
        ``message_thread_id``); the group becomes a forum supergroup."""
        self.type = "supergroup"
        self.is_forum = True
        thread = self.next_message_id()
        self.store[thread] = {
            "message_id": thread, "chat": self.chat_dict(), "date": self.emu.timestamp(),
            "message_thread_id": thread, "is_topic_message": True,
            "forum_topic_created": {"name": name, "icon_color": 7322096},
        }
        self.topics[thread] = name
        return thread

    def delete_topic(self, thread: int) -> None:
        """Delete a topic: sending into it fails with "message thread not found"."""
        self.topics.pop(thread, None)

    def __repr__(self) -> str:
        return f"<SimGroup {self.id} {self.title!r}>"

    def bot_membership_change(self, by: Json, status: str) -> Json:
        """Take the bot out of the group and build the ``my_chat_member`` Telegram sends.

        ``status`` is ``left`` (it left, or was removed) or ``kicked`` (removed and banned).
        """
        from emulator.methods import _administrator

        bot = self.emu.bot_user_dict()
        old = _administrator(bot, is_bot=True) if self.bot_is_admin else {
            "status": "member", "user": bot}
        new: Json = {"status": status, "user": bot}
        if status == "kicked":
            new["until_date"] = 0
        self.bot_is_member = False
        self.bot_is_admin = False
        return self.emu.new_update("my_chat_member", {
            "chat": self.chat_dict(), "from": by, "date": self.emu.timestamp(),
            "old_chat_member": old, "new_chat_member": new,
        })

    async def remove_bot(self, by: SimUser, *, ban: bool = False) -> Json:
        """A member removes the bot (``ban``: and bans it); the bot hears it once more."""
        update = self.bot_membership_change(by.user_dict(), "kicked" if ban else "left")
        await self.emu.dispatch(update)
        return update


def _command_entities(text: str) -> list[Json]:
    if not text.startswith("/") or len(text) < 2 or text[1].isspace():
        return []
    end = next((i for i, ch in enumerate(text) if ch.isspace()), len(text))
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(text[:end])}]


def _message_id_of(ref: Json | int) -> int:
    if isinstance(ref, int):
        return ref
    for key in ("message", "edited_message"):
        if key in ref:
            return int(ref[key]["message_id"])
    return int(ref["message_id"])


def _chat_instance(chat_id: int) -> str:
    digest = hashlib.sha256(f"chat-instance:{chat_id}".encode()).digest()
    return str(int.from_bytes(digest[:8], "big") - 2**63)


def _guess_mime(data: bytes) -> str:
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"%PDF"):
        return "application/pdf"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        return "image/heic"
    return "application/octet-stream"


def _guess_extension(data: bytes) -> str:
    return {
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "application/pdf": ".pdf",
        "image/heic": ".heic",
    }.get(_guess_mime(data), ".bin")
