"""Logging that can never print the bot token.

HTTP client libraries log request URLs, and Bot API URLs contain the token; a filter on every
handler redacts it (plain and percent-encoded) from the final message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import quote

REDACTED = "[REDACTED]"


class RedactingFilter(logging.Filter):
    """Replaces each secret in a record's formatted message."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        variants = set()
        for secret in secrets:
            if secret:
                variants.update({secret, quote(secret, safe=""), quote(secret)})
        self._secrets = sorted(variants, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the message in place; never drops a record."""
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, REDACTED)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            for secret in self._secrets:
                record.exc_text = record.exc_text.replace(secret, REDACTED)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(level: str, secrets: Iterable[str]) -> None:
    """Log to stderr with the secrets redacted and the chatty HTTP loggers quietened."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    install_redaction(handler, secrets)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def install_redaction(handler: logging.Handler, secrets: Iterable[str]) -> None:
    """Attach the redacting filter to one handler (tests use this on their capture handler)."""
    handler.addFilter(RedactingFilter(secrets))
