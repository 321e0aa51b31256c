"""Plain records the emulator keeps: API calls, stored files, injected faults, callback queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, cast

_Json = TypeVar("_Json")

FaultKind = Literal[
    "retry_after", "forbidden", "server_error", "timeout", "bad_request", "migrated", "delay"
]


@dataclass
class Call:
    """One Bot API call the bot made, and how the emulator answered it."""

    method: str
    params: dict[str, Any]
    ok: bool
    result: Any = None
    error: str | None = None
    error_code: int | None = None
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class StoredFile:
    """A file Telegram would hold: what ``getFile`` and the download URL serve."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_path: str
    mime_type: str | None = None
    file_name: str | None = None
    width: int | None = None
    height: int | None = None
    photo_sizes: list[StoredFile] | None = None
    """For a photo size: every size of the same photo, smallest first."""

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)

    def photo_size_dict(self) -> dict[str, Any]:
        """``PhotoSize`` object as Telegram sends it."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": self.width,
            "height": self.height,
            "file_size": self.size,
        }

    def document_dict(self) -> dict[str, Any]:
        """``Document`` object as Telegram sends it."""
        doc: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        return doc


@dataclass
class Fault:
    """A failure to inject into the next matching call(s)."""

    method: str
    kind: FaultKind
    chat_id: int | None = None
    times: int = 1
    retry_after: int = 1
    description: str | None = None
    executed: bool = False
    """For ``timeout``: perform the call first (the reply went out; the bot can't know)."""
    migrate_to_chat_id: int | None = None
    """For ``migrated``: the supergroup id the group became."""
    delay: float = 0.0
    """For ``delay``: seconds the call is held before it is performed and answered normally."""


@dataclass
class CallbackQueryState:
    """A pressed button awaiting ``answerCallbackQuery``."""

    query_id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str | None
    pressed_at: float = 0.0
    """Unix time of the press: past :data:`emulator.rules.CALLBACK_ANSWER_SECONDS` it can no
    longer be answered."""
    answered: bool = False


def clone(value: _Json) -> _Json:
    """A copy of a JSON-shaped value (dicts, lists, scalars) that shares nothing mutable.

    ``copy.deepcopy`` did the same with its memo and dispatch at every level, and was a tenth
    of the reporting bench's time (the emulator copies each message it returns)."""
    if isinstance(value, dict):
        return cast(_Json, {key: clone(item) for key, item in value.items()})
    if isinstance(value, list):
        return cast(_Json, [clone(item) for item in value])
    return value

