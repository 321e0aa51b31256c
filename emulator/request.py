"""In-process transport: a PTB ``BaseRequest`` that talks to the emulator without sockets.

It goes through the same serialisation as HTTP (``RequestData.json_parameters`` and the
multipart parts) so JSON encoding mistakes still surface, and answers with the same status and
body, letting PTB's own ``BaseRequest`` raise ``BadRequest``/``Forbidden``/``RetryAfter``.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from emulator.core import EmulatedTimeout
from emulator.params import Params, Upload
from emulator.rules import ERR_UNAUTHORIZED, BotAPIError

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput

    from emulator.core import Emulator

_FILE_PATH = re.compile(r"/file/bot(?P<token>[^/]+)/(?P<path>.+)$")
_API_PATH = re.compile(r"/bot(?P<token>[^/]+)/(?P<method>[A-Za-z0-9_]+)$")


def encode(body: object) -> bytes:
    """JSON body bytes as Telegram sends them (UTF-8, not ASCII-escaped)."""
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


async def route(emu: Emulator, path: str, params: Params | None) -> tuple[int, bytes, bool]:
    """Answer a request path: (status, body, is_json). Shared by both transports.

    ``path`` is the percent-decoded URL path; ``params`` is ``None`` for file downloads.
    """
    file_match = _FILE_PATH.search(path)
    if file_match:
        if file_match["token"] != emu.token:
            return 401, encode(BotAPIError(401, ERR_UNAUTHORIZED).to_json()), True
        data = emu.download(file_match["path"])
        if data is None:
            return 404, encode(BotAPIError(404, "Not Found").to_json()), True
        return 200, data, False
    api_match = _API_PATH.search(path)
    if api_match is None:
        return 404, encode(BotAPIError(404, "Not Found").to_json()), True
    if api_match["token"] != emu.token:
        return 401, encode(BotAPIError(401, ERR_UNAUTHORIZED).to_json()), True
    status, body = await emu.handle(api_match["method"], params or Params({}))
    return status, encode(body), True


class EmulatorRequest(BaseRequest):
    """``BaseRequest`` for ``ApplicationBuilder().request(...)`` / ``.get_updates_request(...)``.

    Injected timeouts raise ``telegram.error.TimedOut`` as ``HTTPXRequest`` would.
    """

    __slots__ = ("_emu", "_initialized")

    def __init__(self, emu: Emulator) -> None:
        self._emu = emu
        self._initialized = False

    @property
    def read_timeout(self) -> float | None:
        """Default read timeout PTB adds to the long-poll timeout (unused in-process)."""
        return 5.0

    async def initialize(self) -> None:
        """Nothing to open in-process."""
        self._initialized = True

    async def shutdown(self) -> None:
        """Nothing to close in-process."""
        self._initialized = False

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Route the URL to the emulator and return (status, body) like an HTTP client."""
        path = unquote(urlsplit(url).path)
        params: Params | None = None
        if request_data is not None:
            files: dict[str, Upload] = {}
            for name, (filename, content, mime) in request_data.multipart_data.items():
                data = content if isinstance(content, bytes) else content.read()
                files[name] = Upload.make(filename, data, mime)
            params = Params(request_data.json_parameters, files)
        # A real request leaves the event loop at least once (its socket). Without that, an
        # update whose reads no longer leave it either (SQLite point reads run on the loop)
        # would run start to end with no other update let in, as no network ever allows.
        await asyncio.sleep(0)
        try:
            status, body, _ = await route(self._emu, path, params)
        except EmulatedTimeout as exc:
            raise TimedOut(f"Timed out (emulated) calling {exc}") from None
        return status, body
