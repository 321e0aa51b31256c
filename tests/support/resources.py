"""Memory figures for the resource tests: the peak RSS since a reset (Linux)."""

from __future__ import annotations

from pathlib import Path


def reset_peak() -> None:
    """Start measuring this process's peak RSS afresh (Linux: ``clear_refs`` 5 resets it)."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_mb() -> int:
    """This process's peak RSS since ``reset_peak``, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    raise AssertionError("no VmHWM in /proc/self/status")
