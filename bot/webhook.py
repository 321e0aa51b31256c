"""Webhook mode: our own small tornado server in front of PTB's update queue.

PTB's ``run_webhook`` builds ``HTTPServer(app)`` with tornado's defaults: every request body is
read in full (up to 100 MB) before the secret is even looked at, so anyone who can reach the
port can make the bot hold memory (#19 item 8). Here a declared size past ``MAX_BODY_BYTES`` is
refused on the headers, before a byte of the body is read; tornado itself cuts any body past
it (chunked ones included) by closing the connection; and the body of a request without the
secret is discarded as it arrives, never kept.
Telegram's updates are a few kilobytes; the largest (a long message with entities) stay far
below the cap.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import tornado.web
from telegram import Update
from tornado.httpserver import HTTPServer

from config.settings import Settings

if TYPE_CHECKING:
    from bot.application import BotApplication

MAX_BODY_BYTES = 1024 * 1024
"""Largest request body accepted; nginx in front should cap at the same (README)."""
MAX_HEADER_BYTES = 16 * 1024
BODY_TIMEOUT_SECONDS = 20.0
"""A connection that trickles its body slower than this is dropped (slow-loris)."""
IDLE_TIMEOUT_SECONDS = 60.0
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

_log = logging.getLogger(__name__)


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """Takes one update per POST; refuses on the headers alone when it can."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, bot_app: BotApplication, secret: str) -> None:
        """Tornado's per-request set-up: what to feed and the secret to expect."""
        self.bot_app = bot_app
        self.secret = secret.encode()
        self.body = bytearray()
        self.refused = True

    def prepare(self) -> None:
        """Refuse a declared oversize body unread; note a missing secret for ``post``."""
        declared = self.request.headers.get("Content-Length", "0")
        if not declared.isascii() or not declared.isdigit() or int(declared) > MAX_BODY_BYTES:
            # Finished before the body: tornado closes the connection instead of reading it.
            raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        media_type = self.request.headers.get("Content-Type", "").split(";")[0].strip()
        # A small body is drained (not kept) so that the caller gets a clean 403, not a reset.
        self.refused = not hmac.compare_digest(given, self.secret) or (
            media_type.lower() != "application/json"
        )

    def data_received(self, chunk: bytes) -> None:
        """Collect the body; tornado's ``max_body_size`` already stops it at the cap."""
        if not self.refused:
            self.body += chunk

    async def post(self) -> None:
        """Parse the update and queue it; anything that is not one is a 400."""
        if self.refused:
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            data = json.loads(bytes(self.body))
        except ValueError:  # bad JSON, invalid UTF-8
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        bot = self.bot_app.bot
        try:
            update = Update.de_json(data, bot)
        except Exception:  # a malformed object inside a well-formed update
            # Not the body: it may hold a resident's details.
            _log.warning("webhook: update %s could not be read, ignored", data["update_id"])
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        await self.bot_app.update_queue.put(update)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """An empty body: nothing about the bot to a caller who is not Telegram."""
        self.finish()


def make_server(application: BotApplication, settings: Settings) -> HTTPServer:
    """The HTTP server for ``settings.webhook_url_path``, capped in body, headers and time."""
    path = "/" + settings.webhook_url_path
    app = tornado.web.Application(
        [(rf"{path}/?", UpdateHandler, {
            "bot_app": application,
            "secret": settings.webhook_secret.get_secret_value(),
        })],
        # tornado's access log would add one INFO line per update; PTB silences it too.
        log_function=lambda handler: None,
    )
    return HTTPServer(
        app,
        max_body_size=MAX_BODY_BYTES,
        max_buffer_size=MAX_BODY_BYTES + MAX_HEADER_BYTES,
        max_header_size=MAX_HEADER_BYTES,
        body_timeout=BODY_TIMEOUT_SECONDS,
        idle_connection_timeout=IDLE_TIMEOUT_SECONDS,
        decompress_request=False,
    )


async def serve(application: BotApplication, settings: Settings, allowed: list[str]) -> None:
    """Run until SIGINT/SIGTERM with the lifecycle PTB's ``run_webhook`` gives.

    initialize, ``post_init``, setWebhook, listen, start; on a signal stop listening, let
    the updates in hand finish, ``post_stop``, shutdown, ``post_shutdown``.
    """
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGABRT):
        loop.add_signal_handler(sig, stopping.set)
    server: HTTPServer | None = None
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await application.bot.set_webhook(
            url=settings.webhook_url,
            allowed_updates=allowed,
            secret_token=settings.webhook_secret.get_secret_value(),
            drop_pending_updates=False,
        )
        server = make_server(application, settings)
        server.listen(settings.webhook_port, address=settings.webhook_listen)
        await application.start()
        _log.info("webhook server listening on %s:%s", settings.webhook_listen,
                  settings.webhook_port)
        await stopping.wait()
        _log.debug("stop signal received: shutting down")
    finally:
        if server is not None:
            server.stop()
            await server.close_all_connections()
        if application.running:
            await application.stop()
            if application.post_stop:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
