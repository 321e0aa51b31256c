"""The rate limiter every outgoing call goes through: Telegram's limits plus retries.

``AIORateLimiter`` retries 429 RetryAfter (as many times as ``max_retries``); a field officer
on patchy data loses a reply just as surely to a 502 from Telegram or a timed-out request, so
those are retried too, a few times with growing pauses. A timed-out call may have reached
Telegram already, so a retry can show a message twice: a duplicate reply is better than a
missing one. Refusals (400 Bad Request, 403 Forbidden) are final and never retried.

An answer to a button press that Telegram no longer takes ("query is too old": a press handled
from a backlog after a restart) is not a failure of the work the press asked for: it comes back
as ``False`` instead of an error, so no handler stops half-way at its ``query.answer()``.

A caller for whom a duplicate is worse than a loss (the outbox: reminders, warnings, digests)
passes ``rate_limit_args=AT_MOST_ONCE``: its timeouts are raised at once instead of retried,
while every other call keeps the retries.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter, BaseRateLimiter

from ui.messages import is_expired_query

logger = logging.getLogger(__name__)
NETWORK_DELAYS = (0.5, 2.0, 5.0)
"""Pauses before each retry of a 5xx or timed-out call (then the error is raised)."""

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]
Call = Callable[..., Coroutine[Any, Any, JSONResult]]


@dataclass(frozen=True)
class CallPolicy:
    """Per-call ``rate_limit_args`` for :class:`RetryingRateLimiter`."""

    retry_timeouts: bool = True
    """False: a timed-out call may have reached Telegram, so it is raised, not repeated."""
    max_retries: int | None = None
    """How often a 429 is retried (None: the limiter's own setting)."""


AT_MOST_ONCE = CallPolicy(retry_timeouts=False)
"""For sends that must not be repeated: a timeout is reported to the caller at once."""


def answered_too_late(endpoint: str, error: BadRequest) -> bool:
    """An expired button press: logged and reported as ``False``, never raised."""
    if endpoint != "answerCallbackQuery" or not is_expired_query(error):
        return False
    logger.info("button press answered too late (%s): the work goes on", error.message)
    return True


class PassThroughLimiter(BaseRateLimiter[Any]):
    """No limits and no retries (tests), but late button answers handled as in production."""

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self, callback: Call, args: Any, kwargs: dict[str, Any], endpoint: str,
        data: dict[str, Any], rate_limit_args: Any,
    ) -> JSONResult:
        """Make the call; an expired press's answer is ``False``."""
        try:
            return await callback(*args, **kwargs)
        except BadRequest as error:
            if answered_too_late(endpoint, error):
                return False
            raise


class RetryingRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` that also retries transient network failures."""

    def __init__(
        self,
        *,
        max_retries: int = 3,
        network_delays: Sequence[float] = NETWORK_DELAYS,
    ) -> None:
        super().__init__(max_retries=max_retries)
        self._network_delays = tuple(network_delays)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | CallPolicy | None,
    ) -> JSONResult:
        """Run the call under the rate limits; retry 5xx and (unless told not to) timeouts."""
        if isinstance(rate_limit_args, CallPolicy):
            policy, retries = rate_limit_args, rate_limit_args.max_retries
        else:
            policy, retries = CallPolicy(), rate_limit_args
        for delay in (*self._network_delays, None):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, retries
                )
            except BadRequest as error:
                if answered_too_late(endpoint, error):
                    return False
                raise
            except TimedOut:
                if not policy.retry_timeouts or delay is None:
                    raise
                logger.warning("%s timed out; retrying in %.1f s", endpoint, delay)
                await asyncio.sleep(delay)
            except NetworkError as error:  # 5xx answers, lost connections
                if delay is None:
                    raise
                logger.warning("%s failed (%s); retrying in %.1f s", endpoint, error, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover
