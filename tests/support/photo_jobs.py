"""Jobs for the photo workers' tests: top-level, so a worker process can import them."""

from __future__ import annotations

import os
import time


def after(seconds: float, value: str) -> str:
    """``value``, after ``seconds`` of work (a photo job in flight)."""
    time.sleep(seconds)
    return value


def die_after(seconds: float) -> None:
    """Kill the worker running it, as an out-of-memory kill would."""
    time.sleep(seconds)
    os._exit(9)
