"""Where the reporting run's time goes: cProfile's own time per function, grouped by layer."""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import sysconfig
from pathlib import Path

from bench.reporting import run_bot

ROOT = Path(__file__).resolve().parent.parent
STDLIB = sysconfig.get_paths()["stdlib"]
LAYERS = (
    ("our handlers, ui and domain",
     ("bot/", "conversations/", "handlers/", "ui/", "usecases/", "domain/", "jobs/")),
    ("our storage (Python side)", ("storage/",)),
    ("emulator (Telegram's side) and bench driver", ("emulator/", "bench/")),
)


def _layer(filename: str) -> str:
    if filename.startswith(str(ROOT)):
        relative = filename[len(str(ROOT)) + 1 :]
        for name, prefixes in LAYERS:
            if relative.startswith(prefixes):
                return name
        return "other project code"
    if "/telegram/" in filename:
        return "python-telegram-bot (parse, build requests, dispatch)"
    if "/aiosqlite/" in filename:
        return "aiosqlite (queueing to its thread)"
    if filename == "~" or "selectors.py" in filename:
        return "C functions"
    if filename.startswith(STDLIB):
        return "stdlib (asyncio, json, datetime...)"
    return "other libraries"


def profile_reporting(officers: int) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Profile one run; (share per layer, top functions by own time) as fractions of the total."""
    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(run_bot(officers))
    profiler.disable()
    stats = pstats.Stats(profiler)
    raw = stats.stats  # type: ignore[attr-defined]
    layers: dict[str, float] = {}
    functions: list[tuple[str, float]] = []
    total = 0.0
    for (filename, line, name), (_, _, own, _, _) in raw.items():
        if name == "<method 'poll' of 'select.epoll' objects>":
            layer = "idle: loop waiting (aiosqlite thread, fsync, to_thread)"
        elif filename == "~":
            layer = _c_layer(name)
        else:
            layer = _layer(filename)
        layers[layer] = layers.get(layer, 0.0) + own
        total += own
        short = filename.replace(str(ROOT) + "/", "").replace(STDLIB + "/", "")
        functions.append((f"{short}:{line}({name})", own))
    share = sorted(((k, v / total) for k, v in layers.items()), key=lambda kv: -kv[1])
    top = sorted(((k, v / total) for k, v in functions), key=lambda kv: -kv[1])[:15]
    return share, top


def _c_layer(name: str) -> str:
    if "ImagingCore" in name or "Imaging" in name:
        return "Pillow (C)"
    if "sqlite3" in name:
        return "sqlite3 (C, on the loop thread)"
    if "json" in name or "encode" in name or "decode" in name:
        return "json and str codecs (C)"
    return "other C builtins"
