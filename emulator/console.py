"""Offline "try it" mode: chat with the real bot from a terminal, no Telegram account needed.

``python -m emulator`` serves the Bot API on 127.0.0.1; start the bot with that ``base_url`` and
``base_file_url`` and type as a simulated officer. Lines starting with ``!`` are console
commands (``!help``); everything else is sent as a text message.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import mimetypes
import shlex
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from emulator.core import Emulator
from emulator.users import BotMessage, SimChat, SimGroup, SimUser

HELP = """\
Anything not starting with "!" is sent as a message (so /start works).
  !press <label>            press an inline button on the newest message showing it
  !tap <label>              tap a reply-keyboard button
  !photo <path> [caption]   send a photo (compressed like Telegram: EXIF dropped)
  !doc <path> [caption]     send a file as a document (bytes kept, EXIF kept)
  !album <path> <path>...   send photos as one album
  !loc <lat> <lon> [live_seconds]   share a location   !move <lat> <lon>  move the live one
  !contact <phone>          share own phone number     !sticker  !voice
  !user <id> <first name>   act as another user        !group <id> <title>  talk in a group
  !private                  back to the private chat   !block / !unblock
  !help                     this text                  !quit
"""


class Console:
    """Reads commands, drives a :class:`SimUser`, prints what the bot does."""

    def __init__(self, emu: Emulator, user: SimUser) -> None:
        self.emu = emu
        self.user = user
        self.group: SimGroup | None = None
        self.last_location: dict[str, object] | None = None
        self._seen: dict[int, int] = {}
        self._edits: dict[tuple[int, int], int] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._answers: dict[int, int] = {}

    async def run(self) -> None:
        """Loop until ``!quit`` or end of input."""
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()

        def read() -> None:  # a daemon thread: input() must not block the event loop
            for line in sys.stdin:
                loop.call_soon_threadsafe(lines.put_nowait, line.rstrip("\n"))
            loop.call_soon_threadsafe(lines.put_nowait, None)

        threading.Thread(target=read, daemon=True).start()
        printer = asyncio.create_task(self._print_forever())
        try:
            while (line := await lines.get()) is not None:
                if not line.strip():
                    continue
                try:
                    if not await self.execute(line):
                        break
                except (AssertionError, ValueError, OSError, IndexError) as exc:
                    print(f"! {exc}")
        finally:
            printer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await printer

    async def execute(self, line: str) -> bool:
        """Run one input line; ``False`` means quit."""
        chat = self.group
        if not line.startswith("!"):
            await self.user.send(line, chat=chat)
            return True
        command, *args = shlex.split(line[1:])
        if command == "quit":
            return False
        if command == "help":
            print(HELP)
        elif command == "press":
            await self.user.press(" ".join(args), chat=chat)
        elif command == "tap":
            await self.user.tap(" ".join(args), chat=chat)
        elif command == "photo":
            await self.user.send_photo(_read(args[0]), " ".join(args[1:]) or None, chat=chat)
        elif command == "doc":
            mime = mimetypes.guess_type(args[0])[0] or "application/octet-stream"
            await self.user.send_document(
                _read(args[0]), Path(args[0]).name, mime, " ".join(args[1:]) or None, chat=chat
            )
        elif command == "album":
            await self.user.send_album([("photo", _read(p)) for p in args], chat=chat)
        elif command == "loc":
            live = int(args[2]) if len(args) > 2 else None
            update = await self.user.send_location(float(args[0]), float(args[1]), live, chat)
            self.last_location = update
        elif command == "move":
            if self.last_location is None:
                raise ValueError("share a live location first (!loc lat lon seconds)")
            await self.user.edit_location(self.last_location, float(args[0]), float(args[1]), chat)
        elif command == "contact":
            await self.user.share_contact(args[0])
        elif command == "sticker":
            await self.user.send_sticker(chat=chat)
        elif command == "voice":
            await self.user.send_voice(chat=chat)
        else:
            self._switch(command, args)
        return True

    def _switch(self, command: str, args: list[str]) -> None:
        if command == "user":
            user_id, name = int(args[0]), " ".join(args[1:]) or f"User{args[0]}"
            found = self.emu.users.get(user_id)
            self.user = found or self.emu.user(user_id=user_id, first_name=name)
            print(f"* now acting as {self.user.first_name} ({self.user.id})")
        elif command == "group":
            chat_id = int(args[0])
            existing = self.emu.chats.get(chat_id)
            if isinstance(existing, SimGroup):
                self.group = existing
            else:
                self.group = self.emu.group(chat_id, " ".join(args[1:]) or "Grup", [self.user])
            print(f"* now talking in {self.group.title} ({self.group.id})")
        elif command == "private":
            self.group = None
        elif command in ("block", "unblock"):
            self.user.blocked = command == "block"
            print(f"* {self.user.first_name} {'blocked' if self.user.blocked else 'unblocked'}")
        else:
            raise ValueError(f"unknown command !{command} (try !help)")

    async def _print_forever(self) -> None:
        while True:
            self.print_news()
            await self.emu.wait_for(self._changed_since(self.emu.version), 3600)

    def _changed_since(self, version: int) -> Callable[[], bool]:
        return lambda: self.emu.version != version

    def print_news(self) -> None:
        """Print bot messages, edits, deletions and button answers not shown yet."""
        for chat in list(self.emu.chats.values()):
            self._print_chat(chat)
        for user in self.emu.users.values():
            shown = self._answers.get(user.id, 0)
            for answer in user.callback_answers[shown:]:
                kind = "alert" if answer.get("show_alert") else "toast"
                print(f"  ({kind} for {user.first_name}) {answer.get('text') or ''}")
            self._answers[user.id] = len(user.callback_answers)

    def _print_chat(self, chat: SimChat) -> None:
        where = f"[{chat.title}] " if isinstance(chat, SimGroup) else ""
        start = self._seen.get(chat.id, 0)
        for message in chat.messages[start:]:
            print(f"🤖 {where}{describe(message)}")
            self._edits[(chat.id, message.message_id)] = len(message.edits)
        self._seen[chat.id] = len(chat.messages)
        for message in chat.messages[:start]:
            key = (chat.id, message.message_id)
            if len(message.edits) > self._edits.get(key, 0):
                print(f"✏️  {where}(edited #{message.message_id}) {describe(message)}")
                self._edits[key] = len(message.edits)
            if message.deleted and key not in self._deleted:
                print(f"🗑️  {where}(deleted #{message.message_id}) {message.content[:40]!r}")
                self._deleted.add(key)


def describe(message: BotMessage) -> str:
    """One bot message as console text, buttons underneath."""
    if message.kind == "text":
        head = ""
    elif message.kind == "document":
        head = f"[document {message.file_name}, {len(message.file_bytes or b'')} bytes] "
    elif message.kind == "location":
        head = f"[location {message.location}] "
    else:
        head = f"[{message.kind}] "
    lines = [head + message.content]
    for row in message.buttons:
        lines.append("    " + "  ".join(f"[{label}]" for label in row))
    if message.reply_keyboard:
        for row in message.reply_keyboard:
            lines.append("    keyboard: " + "  ".join(f"<{label}>" for label in row))
    return "\n".join(lines)


def _read(path: str) -> bytes:
    return Path(path).expanduser().read_bytes()


async def main(argv: list[str] | None = None) -> None:
    """Serve the Bot API and run the console until ``!quit``."""
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--bot-username", default="polmas_test_bot")
    parser.add_argument("--user-id", type=int, default=1001)
    parser.add_argument("--name", default="Budi")
    args = parser.parse_args(argv)
    emu = Emulator(token=args.token, bot_username=args.bot_username)
    base_url, base_file_url = await emu.start_http(args.host, args.port)
    print(f"Bot API emulator: base_url={base_url} base_file_url={base_file_url}")
    print(f"Run the bot with token {args.token!r} and those URLs. Type !help for commands.")
    try:
        await Console(emu, emu.user(user_id=args.user_id, first_name=args.name)).run()
    finally:
        await emu.stop_http()
