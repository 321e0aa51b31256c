"""Logging that can never print the bot token.

HTTP client libraries log request URLs, and Bot API URLs contain the token; a filter on every
handler redacts it (plain and percent-encoded) from the final message.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import quote

REDACTED = "[REDACTED]"


class RedactingFilter(logging.Filter):
    """Replaces each secret in a record's formatted message."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._pattern = secrets_pattern(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the message in place; never drops a record."""
        if self._pattern is None:
            return True
        message = record.getMessage()
        redacted = self._pattern.sub(REDACTED, message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._pattern.sub(REDACTED, record.exc_text)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def secrets_pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for every secret, plain and percent-encoded (a proxy or a
    400 description may echo the path lower-cased, with ``:`` as ``%3A``)."""
    variants = set()
    for secret in secrets:
        if secret:
            variants.update({secret, quote(secret, safe=""), quote(secret)})
    if not variants:
        return None
    ordered = sorted(variants, key=len, reverse=True)
    return re.compile("|".join(re.escape(v) for v in ordered), re.IGNORECASE)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret replaced (for lines printed outside logging)."""
    pattern = secrets_pattern(secrets)
    return pattern.sub(REDACTED, text) if pattern else text


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
