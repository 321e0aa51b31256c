"""Memory figures for the resource tests: peak RSS since a reset (Linux), this process's and
its descendants' (the photo workers decode there, under the fork server)."""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")


def _family() -> list[int]:
    """This process and every process below it."""
    parents: dict[int, int] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended meanwhile
        # "pid (name) state ppid ...": the name may hold spaces and parentheses.
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    family = [os.getpid()]
    for pid in family:
        family += [child for child, parent in parents.items() if parent == pid]
    return family


def reset_peak() -> None:
    """Start measuring peak RSS afresh in this process and its descendants (``clear_refs``
    5 resets a process's high-water mark)."""
    for pid in _family():
        try:
            (PROC / str(pid) / "clear_refs").write_text("5")
        except OSError:
            continue


def peak_mb() -> int:
    """The peak RSS since ``reset_peak`` of this process plus each descendant's, in MB
    (a worker that started after the reset counts from its start)."""
    total = 0
    for pid in _family():
        try:
            status = (PROC / str(pid) / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total // 1024
