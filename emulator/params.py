"""Request parameters as Telegram receives them, whichever way they were encoded.

PTB sends form fields (JSON-encoded for objects, raw for strings) or multipart when files are
attached; other clients send a JSON body. Both transports normalise to string values plus
uploaded parts, so the in-process request exercises the same serialisation as real HTTP.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.rules import bad_request

_INT_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "user_id",
        "offset",
        "limit",
        "timeout",
        "live_period",
        "cache_time",
        "reply_to_message_id",
        "message_thread_id",
        "max_connections",
        "duration",
        "proximity_alert_radius",
        "heading",
    }
)
_FLOAT_FIELDS = frozenset({"latitude", "longitude", "horizontal_accuracy"})
_BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "show_caption_above_media",
        "has_spoiler",
        "disable_content_type_detection",
        "only_if_banned",
        "remove_caption",
    }
)
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "media",
        "commands",
        "scope",
        "allowed_updates",
        "reply_parameters",
        "link_preview_options",
        "menu_button",
        "message_ids",
    }
)


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    data: bytes
    mime_type: str

    @classmethod
    def make(cls, filename: str | None, data: bytes, mime_type: str | None) -> Upload:
        """Fill in the MIME type from the name when the client sent a generic one."""
        name = filename or "file"
        mime = mime_type or ""
        if not mime or mime == "application/octet-stream":
            mime = mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"
        return cls(name, data, mime)


class Params:
    """Typed access to one call's parameters; malformed values fail like Telegram."""

    def __init__(self, values: Mapping[str, str], files: Mapping[str, Upload] | None = None):
        self.values: dict[str, str] = dict(values)
        self.files: dict[str, Upload] = dict(files or {})

    @classmethod
    def from_json_body(cls, body: Mapping[str, Any]) -> Params:
        """Normalise a JSON body to the string form the form/multipart encodings use."""
        values = {
            k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items() if v is not None
        }
        return cls(values)

    def has(self, name: str) -> bool:
        """Whether the parameter (or an uploaded part of that name) is present."""
        return name in self.values or name in self.files

    def get_str(self, name: str, *, required: bool = False) -> str | None:
        """String value; missing required values fail as ``<name> is empty``."""
        value = self.values.get(name)
        if value is None and required:
            raise bad_request(f"Bad Request: {name} is empty")
        return value

    def get_int(self, name: str, *, required: bool = False) -> int | None:
        """Integer value (Telegram also accepts numeric strings)."""
        value = self.get_str(name, required=required)
        if value is None or value == "":
            if required:
                raise bad_request(f"Bad Request: {name} is empty")
            return None
        try:
            return int(value)
        except ValueError:
            try:
                as_float = float(value)
            except ValueError:
                raise bad_request(f"Bad Request: invalid {name} specified") from None
            return int(as_float)

    def get_float(self, name: str, *, required: bool = False) -> float | None:
        """Float value."""
        value = self.get_str(name, required=required)
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            raise bad_request(f"Bad Request: invalid {name} specified") from None

    def get_bool(self, name: str) -> bool:
        """Boolean flag; absent means ``False``."""
        value = self.values.get(name)
        return value is not None and value.lower() in ("true", "1")

    def get_json(self, name: str) -> Any:
        """JSON-encoded object parameter; ``None`` when absent."""
        value = self.values.get(name)
        if value is None:
            return None
        try:
            return json.loads(value)
        except ValueError:
            if name == "reply_markup":
                raise bad_request(
                    "Bad Request: can't parse reply keyboard markup JSON object"
                ) from None
            raise bad_request(f"Bad Request: can't parse {name} JSON object") from None

    def chat_id(self, name: str = "chat_id") -> int | str:
        """``chat_id`` may be an integer or ``@username``."""
        value = self.get_str(name, required=True)
        assert value is not None
        if value.startswith("@"):
            return value
        try:
            return int(value)
        except ValueError:
            raise bad_request("Bad Request: chat not found") from None

    def decoded(self) -> dict[str, Any]:
        """Parameters with known fields decoded, for :class:`~emulator.core.Call` records."""
        result: dict[str, Any] = {}
        for key, value in self.values.items():
            try:
                if key in _JSON_FIELDS:
                    result[key] = json.loads(value)
                elif key in _INT_FIELDS:
                    result[key] = int(value)
                elif key in _FLOAT_FIELDS:
                    result[key] = float(value)
                elif key in _BOOL_FIELDS:
                    result[key] = value.lower() in ("true", "1")
                else:
                    result[key] = value
            except ValueError:
                result[key] = value
        return result
