"""The emulator's state and the entry point both transports call.

One :class:`Emulator` is one Telegram as far as one bot can see it: its users and groups, the
update queue ``getUpdates`` drains, the files it stores, and a log of every call the bot made.
Everything runs on one asyncio loop, so there are no locks: state changes between awaits only.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import itertools
import mimetypes
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from emulator.media import PhotoSize
from emulator.models import Call, CallbackQueryState, Fault, FaultKind, StoredFile
from emulator.params import Params
from emulator.rules import (
    ERR_BAD_GATEWAY,
    ERR_BLOCKED,
    ERR_CANT_INITIATE,
    ERR_CHAT_NOT_FOUND,
    ERR_METHOD_NOT_FOUND,
    ERR_NOT_MEMBER_GROUP,
    ERR_NOT_MEMBER_SUPERGROUP,
    ERR_POLL_CONFLICT,
    ERR_WEBHOOK_ACTIVE,
    GROUP_MESSAGES_PER_MINUTE,
    MESSAGES_PER_SECOND,
    BotAPIError,
    bad_request,
    forbidden,
    too_many_requests,
)
from emulator.spec import BotApiSpec
from emulator.users import SimChat, SimGroup, SimUser

if TYPE_CHECKING:
    from telegram.ext import Application

    from emulator.request import EmulatorRequest
    from emulator.server import EmulatorServer

Json = dict[str, Any]
Deliver = Callable[[Json], Awaitable[None]]

_FILE_PREFIX = {"photo": "AgAC", "document": "BQAC", "sticker": "CAAC", "voice": "AwAC"}
_FILE_FOLDER = {
    "photo": "photos",
    "document": "documents",
    "sticker": "stickers",
    "voice": "voice",
}
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CONTENT_KEYS = frozenset(
    {
        "text", "photo", "document", "location", "venue", "contact", "sticker", "voice",
        "video", "video_note", "audio", "animation", "poll", "dice", "story", "game",
    }
)
"""Keys of a message someone wrote; a message without any of them is a service message."""
_DEFAULT_EXT = {"photo": ".jpg", "document": "", "sticker": ".webp", "voice": ".oga"}


class EmulatedTimeout(Exception):  # noqa: N818 - mirrors telegram.error.TimedOut
    """Raised by :meth:`Emulator.handle` for an injected timeout; transports translate it."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Emulator:
    """A local Telegram Bot API for one bot: state, rules, fault injection and a call log."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "polmas_test_bot",
        bot_first_name: str = "Polmas Bot",
        bot_id: int | None = None,
        *,
        spec: BotApiSpec | None = None,
    ) -> None:
        self.token = token
        self.spec = spec
        """With the official spec attached, calls are checked against it (see emulator.spec)."""
        self.spec_notes: list[str] = []
        """What the spec check found and Telegram would not refuse: ignored parameters, results
        or updates not shaped as the spec says. A conformance test asserts it stays empty."""
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        prefix = token.split(":", 1)[0]
        self.bot_id = bot_id if bot_id is not None else (int(prefix) if prefix.isdigit() else 1)
        self.now: Callable[[], datetime] = _utc_now
        """Clock for message dates and rate limits; tests may replace it."""
        self.deliver: Deliver | None = None
        """Direct mode: when set, user actions await ``deliver(update)`` instead of queueing."""
        self.enforce_rate_limits = False
        """Answer 429 beyond 20 messages/min per group and 30/s overall."""
        self.record_get_updates = False
        """Whether ``getUpdates`` calls appear in :attr:`calls` (off: polling would flood it)."""
        self.http_timeout_delay = 30.0
        """How long the HTTP server sits on a request with an injected timeout."""
        self.calls: list[Call] = []
        """Every API call the bot made, in order."""
        self.updates: list[Json] = []
        """Every update the simulated users produced, in order."""
        self.delivered: list[Json] = []
        """The updates that reached the bot (privacy mode and ``allowed_updates`` applied)."""
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, SimChat] = {}
        self.files: dict[str, StoredFile] = {}
        self.downloads: list[StoredFile] = []
        """Files the bot downloaded, in order (proves it fetched what it claims to have)."""
        self.commands: dict[tuple[str, str], list[Json]] = {}
        """``setMyCommands`` state keyed by (scope JSON, language code)."""
        self.default_menu_button: Json = {"type": "default"}
        self.webhook_url = ""
        self.allowed_updates: list[str] = []
        """The update types the bot asked for (getUpdates/setWebhook); kept, as Telegram keeps
        it per token, until a call names another list. Empty: Telegram's default."""
        self.privacy_mode = True
        """BotFather's group privacy (on by default, and ``getMe`` says so): see
        :meth:`sees_in_group`."""
        self._background: set[asyncio.Task[None]] = set()
        self.pinned: dict[int, int] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._pending: list[Json] = []
        self._redeliveries: list[Json] = []
        self._faults: list[Fault] = []
        self.held = 0
        """Calls being held by a ``delay`` fault right now (an update the bot has in hand)."""
        self._queries: dict[str, CallbackQueryState] = {}
        self._changed = asyncio.Event()
        self._poll_generation = 0
        self._stopping = False
        self._update_ids = itertools.count(10_000)
        self._file_counter = itertools.count(1)
        self._query_counter = itertools.count(1)
        self._media_group_counter = itertools.count(1)
        self._group_sends: dict[int, deque[float]] = {}
        self._global_sends: deque[float] = deque()
        self._server: EmulatorServer | None = None
        self.version = 0
        """Bumped on every change a waiter might care about (bot calls, updates)."""

    # ---- wiring --------------------------------------------------------------------------

    def request(self) -> EmulatorRequest:
        """A new in-process ``BaseRequest``; PTB needs two (getUpdates and everything else)."""
        from emulator.request import EmulatorRequest

        return EmulatorRequest(self)

    def use_application(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Direct mode shortcut: deliver updates straight to ``app.process_update``.

        Also resolves PTB's ``arbitrary_callback_data`` (normally done inside ``get_updates``,
        which direct mode bypasses).
        """
        from telegram import Update
        from telegram.ext import ExtBot

        async def deliver(update: Json) -> None:
            parsed = Update.de_json(update, app.bot)
            if isinstance(app.bot, ExtBot):
                app.bot.insert_callback_data(parsed)
            await app.process_update(parsed)

        self.deliver = deliver

    async def start_http(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, str]:
        """Serve the Bot API over HTTP on the running loop; return (base_url, base_file_url)."""
        from emulator.server import EmulatorServer

        if self._server is not None:
            raise RuntimeError("HTTP server already running")
        self._server = EmulatorServer(self)
        bound = self._server.listen(host, port)
        return f"http://{host}:{bound}/bot", f"http://{host}:{bound}/file/bot"

    async def stop_http(self) -> None:
        """Stop the HTTP server, waking any long poll so connections close promptly."""
        if self._server is None:
            return
        self._stopping = True
        self.notify()
        try:
            await self._server.close()
        finally:
            self._server = None
            self._stopping = False

    # ---- people and chats ----------------------------------------------------------------

    def user(
        self,
        user_id: int = 1001,
        first_name: str = "Budi",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "id",
    ) -> SimUser:
        """Create a user (and their private chat, whose id equals the user id)."""
        if user_id in self.chats:
            raise ValueError(f"chat {user_id} already exists")
        sim = SimUser(self, user_id, first_name, last_name, username, language_code)
        self.users[user_id] = sim
        self.chats[user_id] = sim
        return sim

    def group(
        self,
        chat_id: int = -100500,
        title: str = "Binkamsa",
        members: list[SimUser] | None = None,
        bot_is_member: bool = True,
        *,
        bot_is_admin: bool = False,
        admins: list[SimUser] | None = None,
        username: str | None = None,
        chat_type: str | None = None,
    ) -> SimGroup:
        """Create a group; ``chat_type`` defaults to supergroup for ``-100…`` style ids."""
        if chat_id in self.chats:
            raise ValueError(f"chat {chat_id} already exists")
        sim = SimGroup(
            self,
            chat_id,
            title,
            members or [],
            bot_is_member=bot_is_member,
            bot_is_admin=bot_is_admin,
            admins=admins or [],
            username=username,
            chat_type=chat_type,
        )
        self.chats[chat_id] = sim
        return sim

    def chat(self, chat_id: int) -> SimChat:
        """The simulated chat with that id."""
        return self.chats[chat_id]

    def bot_user_dict(self) -> Json:
        """The bot as a ``User`` object."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def timestamp(self) -> int:
        """Current :attr:`now` as the Unix time Telegram puts in ``date``."""
        return int(self.now().timestamp())

    # ---- updates -------------------------------------------------------------------------

    def new_update(self, key: str, payload: Json) -> Json:
        """Wrap a payload in an update with the next ``update_id``."""
        update = {"update_id": next(self._update_ids), key: payload}
        self.updates.append(update)
        if self.spec is not None:
            self.spec_notes.extend(self.spec.check_value("Update", update, "update"))
        return update

    def wants(self, update: Json) -> bool:
        """Whether the bot's ``allowed_updates`` let this update through.

        Telegram's default (no list, or an empty one) is every type except ``chat_member``,
        ``message_reaction`` and ``message_reaction_count``, which must be asked for by name.
        """
        kind = next(key for key in update if key != "update_id")
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in DEFAULT_EXCLUDED_UPDATES

    def sees_in_group(self, group: SimGroup, message: Json) -> bool:
        """Privacy mode: what a bot without admin rights receives from a group.

        As Telegram documents it: commands meant for it, replies to its messages, and every
        service message; a bot that is an admin (or has privacy off) sees everything. A plain
        ``/command`` without ``@username`` counts as meant for it: Telegram gives such a command
        to the bot that spoke last in the group, and the emulated groups have one bot.
        """
        if group.bot_is_admin or not self.privacy_mode:
            return True
        if not any(key in message for key in CONTENT_KEYS):
            return True  # a service message
        reply = message.get("reply_to_message") or {}
        if (reply.get("from") or {}).get("id") == self.bot_id:
            return True
        text = message.get("text") or ""
        entities = message.get("entities") or []
        if not text.startswith("/") or not any(
            e.get("type") == "bot_command" and e.get("offset") == 0 for e in entities
        ):
            return False
        command = text.split(maxsplit=1)[0]
        _, at, name = command.partition("@")
        return not at or name.lower() == self.bot_username.lower()

    async def dispatch(self, update: Json, chat: SimChat | None = None) -> None:
        """Hand an update to the bot: directly, or queued for ``getUpdates``.

        A group the bot is not in produces no update, as on Telegram; neither does a group
        message privacy mode hides, nor a type ``allowed_updates`` leaves out.
        """
        if isinstance(chat, SimGroup):
            if not chat.bot_is_member:
                return
            for key in ("message", "edited_message"):
                if key in update and not self.sees_in_group(chat, update[key]):
                    return
        if not self.wants(update):
            return
        self.delivered.append(update)
        if self.deliver is not None:
            await self.deliver(update)
        else:
            self._pending.append(update)
        self.notify()

    def dispatch_later(self, update: Json) -> None:
        """Dispatch an update caused by a bot call once that call has returned.

        Telegram sends, for instance, ``my_chat_member`` after ``leaveChat`` asynchronously;
        delivering it inside the call would run a handler within another handler's API call.
        :meth:`settle` waits for these.
        """
        task = asyncio.get_running_loop().create_task(self._dispatch_soon(update))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _dispatch_soon(self, update: Json) -> None:
        await asyncio.sleep(0)
        await self.dispatch(update)

    async def settle(self) -> None:
        """Wait until every update dispatched with :meth:`dispatch_later` was handled."""
        while self._background:
            await asyncio.gather(*list(self._background))

    async def redeliver(self, update: Json) -> None:
        """Deliver the same update (same ``update_id``) again, as Telegram does after a crash.

        In polling mode it is served once at the head of the next ``getUpdates`` answer,
        regardless of the offset already confirmed.
        """
        if self.deliver is not None:
            await self.deliver(update)
        else:
            self._redeliveries.append(update)
        self.notify()

    @property
    def pending_updates(self) -> list[Json]:
        """Updates queued and not yet confirmed by a ``getUpdates`` offset."""
        return list(self._pending)

    async def get_updates(
        self,
        offset: int | None,
        limit: int,
        timeout: float,  # noqa: ASYNC109 - Bot API's
    ) -> list[Json]:
        """``getUpdates`` semantics: confirm by offset, long-poll, newest request wins."""
        if self.webhook_url:
            raise BotAPIError(409, ERR_WEBHOOK_ACTIVE)
        if offset is not None and offset != 0:
            if offset > 0:
                self._pending = [u for u in self._pending if u["update_id"] >= offset]
            else:
                self._pending = self._pending[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        self.notify()  # an older long poll still waiting must now answer 409
        if timeout > 0:
            with contextlib.suppress(AssertionError):
                await self.wait_for(
                    lambda: (
                        bool(self._pending or self._redeliveries)
                        or generation != self._poll_generation
                        or self._stopping
                    ),
                    timeout,
                )
        if generation != self._poll_generation:
            raise BotAPIError(409, ERR_POLL_CONFLICT)
        redelivered, self._redeliveries = self._redeliveries[:limit], self._redeliveries[limit:]
        return redelivered + self._pending[: limit - len(redelivered)]

    # ---- waiting -------------------------------------------------------------------------

    def notify(self) -> None:
        """Wake everything waiting in :meth:`wait_for` to re-check its condition."""
        self.version += 1
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the public test API
        description: str | Callable[[], str] | None = None,
    ) -> None:
        """Wait until ``predicate()`` holds, re-checking after every bot call; no sleeps.

        Raises ``AssertionError`` (with ``description``) after ``timeout`` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                what = description() if callable(description) else description
                raise AssertionError(f"timed out after {timeout}s waiting for {what or predicate}")
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    # ---- files ---------------------------------------------------------------------------

    def store_file(
        self,
        kind: str,
        data: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
    ) -> StoredFile:
        """Keep a file so ``getFile`` and downloads work; ``file_unique_id`` is content based."""
        number = next(self._file_counter)
        digest = hashlib.sha256(data).digest()
        unique = "AQAD" + base64.urlsafe_b64encode(digest[:12]).decode().rstrip("=")
        file_id = (
            _FILE_PREFIX.get(kind, "BAAC")
            + base64.urlsafe_b64encode(number.to_bytes(4, "big") + digest[:24]).decode()
        )
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1]
        elif mime_type:
            ext = mimetypes.guess_extension(mime_type) or ""
        ext = ext or _DEFAULT_EXT.get(kind, "")
        path = f"{_FILE_FOLDER.get(kind, 'files')}/file_{number}{ext}"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=unique,
            kind=kind,
            data=data,
            file_path=path,
            mime_type=mime_type,
            file_name=file_name,
            width=width,
            height=height,
        )
        self.files[file_id] = stored
        self._files_by_path[path] = stored
        return stored

    def store_photo(self, sizes: list[PhotoSize]) -> list[StoredFile]:
        """Store every size of one photo, linked so a resend by file_id returns them all."""
        stored = [
            self.store_file(
                "photo", s.data, mime_type="image/jpeg", width=s.width, height=s.height
            )
            for s in sizes
        ]
        for f in stored:
            f.photo_sizes = stored
        return stored

    def download(self, file_path: str) -> bytes | None:
        """Content served at ``base_file_url + token + "/" + file_path``."""
        stored = self._files_by_path.get(file_path)
        if stored is None:
            return None
        self.downloads.append(stored)
        return stored.data

    def new_media_group_id(self) -> str:
        """A fresh ``media_group_id`` (Telegram uses long numeric strings)."""
        return str(13_000_000_000_000_000 + next(self._media_group_counter))

    def new_callback_query(
        self, user_id: int, chat_id: int | None, message_id: int | None, data: str | None
    ) -> str:
        """Register a pressed button; ``answerCallbackQuery`` may answer it once."""
        query_id = str(4_000_000_000_000_000_000 + next(self._query_counter))
        self._queries[query_id] = CallbackQueryState(
            query_id, user_id, chat_id, message_id, data, pressed_at=self.now().timestamp()
        )
        return query_id

    # ---- faults and limits ---------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        kind: FaultKind,
        chat_id: int | None = None,
        times: int = 1,
        retry_after: int = 1,
        description: str | None = None,
        executed: bool = False,
        migrate_to_chat_id: int | None = None,
        delay: float = 0.0,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (to ``chat_id``, if given) fail.

        ``executed=True`` with ``kind="timeout"`` performs the call first, the nasty real case
        where the message was sent but the bot saw a timeout. ``kind="migrated"`` answers as
        Telegram does for a group upgraded to the supergroup ``migrate_to_chat_id``.
        ``kind="delay"`` does not fail: it holds the call ``delay`` seconds (a slow network,
        bounded, unlike ``timeout``), then performs and answers it; :attr:`held` counts the
        calls being held.
        """
        self._faults.append(
            Fault(method, kind, chat_id, times, retry_after, description, executed,
                  migrate_to_chat_id, delay)
        )

    def _take_fault(self, method: str, params: Params) -> Fault | None:
        chat = params.values.get("chat_id")
        for fault in self._faults:
            if fault.method.lower() != method.lower():
                continue
            if fault.chat_id is not None and chat != str(fault.chat_id):
                continue
            fault.times -= 1
            if fault.times <= 0:
                self._faults.remove(fault)
            return fault
        return None

    def check_can_send(self, chat: SimChat) -> None:
        """Refuse like Telegram when the bot may not write to ``chat``."""
        if isinstance(chat, SimUser):
            if chat.blocked:
                raise forbidden(ERR_BLOCKED)
            if not chat.started:
                raise forbidden(ERR_CANT_INITIATE)
        elif isinstance(chat, SimGroup) and not chat.bot_is_member:
            raise forbidden(
                ERR_NOT_MEMBER_SUPERGROUP if chat.type == "supergroup" else ERR_NOT_MEMBER_GROUP
            )

    def find_chat(self, chat_id: int | str) -> SimChat:
        """Look a chat up by id or ``@username``; unknown ones are "chat not found"."""
        if isinstance(chat_id, str):
            name = chat_id.removeprefix("@").lower()
            for chat in self.chats.values():
                if isinstance(chat, SimGroup) and (chat.username or "").lower() == name:
                    return chat
            raise bad_request(ERR_CHAT_NOT_FOUND)
        found = self.chats.get(chat_id)
        if found is None:
            raise bad_request(ERR_CHAT_NOT_FOUND)
        return found

    def check_rate(self, chat: SimChat, count: int = 1) -> None:
        """With :attr:`enforce_rate_limits`: 20 messages/min per group, 30/s overall."""
        if not self.enforce_rate_limits:
            return
        now = self.now().timestamp()
        while self._global_sends and now - self._global_sends[0] >= 1:
            self._global_sends.popleft()
        if len(self._global_sends) + count > MESSAGES_PER_SECOND:
            raise too_many_requests(1)
        if chat.id < 0:
            window = self._group_sends.setdefault(chat.id, deque())
            while window and now - window[0] >= 60:
                window.popleft()
            if len(window) + count > GROUP_MESSAGES_PER_MINUTE:
                wait = 60 - (now - window[0]) if window else 60
                raise too_many_requests(max(1, int(wait + 0.999)))
            window.extend([now] * count)
        self._global_sends.extend([now] * count)

    # ---- entry point ---------------------------------------------------------------------

    async def handle(self, method_name: str, params: Params) -> tuple[int, Json]:
        """Run one Bot API call; return (HTTP status, JSON body) exactly as Telegram would.

        Raises :class:`EmulatedTimeout` for an injected timeout.
        """
        from emulator.methods import resolve_method

        method, impl = resolve_method(method_name)
        if impl is None:
            return 404, BotAPIError(404, ERR_METHOD_NOT_FOUND).to_json()
        record = method != "getUpdates" or self.record_get_updates
        fault = self._take_fault(method, params)
        if fault is not None and fault.kind == "delay":
            await self._hold(fault.delay)
            fault = None
        try:
            if fault is not None and not (fault.kind == "timeout" and fault.executed):
                self._raise_fault(fault)
            if self.spec is not None:
                self.spec_notes.extend(self.spec.check_call(method, params.values, params.files))
            result = await impl(self, params)
            if self.spec is not None:
                self.spec_notes.extend(self.spec.check_result(method, result))
            if fault is not None:
                self._raise_fault(fault)
        except BotAPIError as exc:
            if record:
                self._record(method, params, False, None, exc.description, exc.error_code)
            return exc.error_code, exc.to_json()
        except EmulatedTimeout:
            if record:
                self._record(method, params, False, None, "timed out", None)
            raise
        if record:
            self._record(method, params, True, result, None, None)
        return 200, {"ok": True, "result": result}

    async def _hold(self, seconds: float) -> None:
        self.held += 1
        self.notify()
        try:
            await asyncio.sleep(seconds)
        finally:
            self.held -= 1
            self.notify()

    def _raise_fault(self, fault: Fault) -> None:
        if fault.kind == "timeout":
            raise EmulatedTimeout(fault.method)
        if fault.kind == "retry_after":
            raise too_many_requests(fault.retry_after)
        if fault.kind == "forbidden":
            raise forbidden(fault.description or ERR_BLOCKED)
        if fault.kind == "server_error":
            raise BotAPIError(502, fault.description or ERR_BAD_GATEWAY)
        if fault.kind == "migrated":
            raise BotAPIError(
                400,
                fault.description or "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": fault.migrate_to_chat_id},
            )
        raise bad_request(fault.description or "Bad Request: emulated failure")

    def _record(
        self,
        method: str,
        params: Params,
        ok: bool,
        result: Any,
        error: str | None,
        error_code: int | None,
    ) -> None:
        files = {name: upload.data for name, upload in params.files.items()}
        self.calls.append(Call(method, params.decoded(), ok, result, error, error_code, files))
        self.notify()

    def calls_to(self, method: str) -> list[Call]:
        """Calls of one method, in order."""
        return [c for c in self.calls if c.method == method]

    def sent_buttons(self) -> list[tuple[int | str, str]]:
        """(chat id, callback data) of every inline button the bot sent or edited in, in order.

        Read from the call log, so it records every flow without a hook in each method: the
        hostile-input suite replays these as other people.
        """
        found: list[tuple[int | str, str]] = []
        for call in self.calls:
            markup = call.params.get("reply_markup") if call.ok else None
            if not isinstance(markup, dict):
                continue
            for row in markup.get("inline_keyboard") or []:
                for button in row:
                    if isinstance(button, dict) and "callback_data" in button:
                        found.append((call.params.get("chat_id", ""), button["callback_data"]))
        return found
