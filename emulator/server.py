"""HTTP transport: a tornado server on 127.0.0.1 that a real, unmodified bot can poll.

Point PTB at it with ``ApplicationBuilder().base_url(...).base_file_url(...)``; PTB then uses its
normal httpx client, so the exact bytes a production bot sends (multipart uploads, form fields,
percent-encoded file URLs) reach the emulator. Runs on the current asyncio loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import TYPE_CHECKING
from urllib.parse import unquote

import tornado.httpserver
import tornado.netutil
import tornado.web

from emulator.core import EmulatedTimeout
from emulator.params import Params, Upload
from emulator.request import encode, route
from emulator.rules import bad_request

if TYPE_CHECKING:
    from emulator.core import Emulator


class _BotAPIHandler(tornado.web.RequestHandler):
    """Every path: ``/bot<token>/<method>`` and ``/file/bot<token>/<path>``."""

    emu: Emulator
    closed: asyncio.Event

    def initialize(self, emu: Emulator) -> None:
        """Tornado's per-request hook (not ``__init__``)."""
        self.emu = emu
        self.closed = asyncio.Event()

    def on_connection_close(self) -> None:
        """The client went away (e.g. PTB cancelled a long poll)."""
        self.closed.set()

    def check_xsrf_cookie(self) -> None:
        """API clients send no cookies."""

    async def get(self) -> None:
        """Downloads, and API calls with query-string parameters."""
        await self._serve()

    async def post(self) -> None:
        """API calls with form, multipart or JSON bodies."""
        await self._serve()

    def _params(self) -> Params:
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("application/json") and self.request.body:
            body = json.loads(self.request.body)
            if not isinstance(body, dict):
                body = {}
            params = Params.from_json_body(body)
        else:
            params = Params({})
        for source in (self.request.query_arguments, self.request.body_arguments):
            for name, values in source.items():
                if values:
                    params.values[name] = values[-1].decode("utf-8", "replace")
        for name, parts in self.request.files.items():
            if parts:
                part = parts[-1]
                params.files[name] = Upload.make(part.filename, part.body, part.content_type)
        return params

    async def _serve(self) -> None:
        path = unquote(self.request.path)
        params: Params | None = None
        if "/file/bot" not in path:
            try:
                params = self._params()
            except ValueError:  # malformed JSON body
                self.set_status(400)
                self.finish(encode(bad_request("Bad Request: invalid JSON body").to_json()))
                return
        try:
            status, body, is_json = await route(self.emu, path, params)
        except EmulatedTimeout:
            await self._hang()
            return
        if self.closed.is_set():
            return
        self.set_status(status)
        self.set_header(
            "Content-Type", "application/json" if is_json else "application/octet-stream"
        )
        self.finish(body)

    async def _hang(self) -> None:
        """Injected timeout: answer nothing until the client gives up, then drop the line."""
        with contextlib.suppress(AssertionError):
            await self.emu.wait_for(
                lambda: self.closed.is_set() or self.emu._stopping, self.emu.http_timeout_delay
            )
        if self.request.connection is not None:
            self.request.connection.close()  # type: ignore[attr-defined]
        self._finished = True


def _no_access_log(handler: tornado.web.RequestHandler) -> None:
    """Request URLs contain the bot token: never log them."""


class EmulatorServer:
    """Owns the tornado server, its sockets and its shutdown."""

    def __init__(self, emu: Emulator) -> None:
        app = tornado.web.Application(
            [(r"/.*", _BotAPIHandler, {"emu": emu})], log_function=_no_access_log
        )
        self._server = tornado.httpserver.HTTPServer(app, max_body_size=100 * 1024 * 1024)

    def listen(self, host: str, port: int) -> int:
        """Bind and start accepting; return the bound port (useful with ``port=0``)."""
        sockets = tornado.netutil.bind_sockets(port, host)
        self._server.add_sockets(sockets)
        return int(sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Stop listening and close every connection."""
        self._server.stop()
        await self._server.close_all_connections()
