"""Every command bound to its handler, behind the access gate of its action.

The rows themselves (names, actions, where each is offered) are data in ``ui/menu.py``; this
table adds the callback and refuses a row without one (or a callback without a row). The gate
of the row's action is put in front of the handler here, not in the handler's module, so the
action the menus show and the action the gate enforces are the same value.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache

from handlers import audit as audit_view
from handlers import basics, browse, complaints, exports, groups, people, recap, reports
from handlers import schedule as schedule_handlers
from ui.access import ActorCallback, HandlerCallback, requires
from ui.menu import COMMANDS, CommandSpec

CALLBACKS: dict[str, ActorCallback] = {
    "start": basics.start,
    "daftar": basics.register,
    "lapor": reports.new_report,
    "lanjut": reports.resume_report,
    "laporan": reports.my_reports,
    "jadwal": schedule_handlers.schedule_command,
    "tugas": schedule_handlers.assign_command,
    "keluhan": complaints.complaints_command,
    "cari": browse.browse_command,
    "ekspor": exports.export_command,
    "audit": audit_view.audit_command,
    "anggota": people.members,
    "undang": people.invite,
    "batal": basics.cancel,
    "bahasa": basics.language_command,
    "bantuan": basics.help_command,
    "rekap": recap.recap_command,
    "hubungkan": groups.link,
    "putuskan": groups.unlink,
}


@dataclass(frozen=True, kw_only=True)
class Command(CommandSpec):
    """One command row with the callback that answers it."""

    callback: ActorCallback  # runs only after the gate of ``action`` let the person through

    @property
    def handler(self) -> HandlerCallback:
        """The callback behind the access gate of this command's action."""
        return requires(self.action)(self.callback)


@cache
def all_commands() -> tuple[Command, ...]:
    """The command table; raises when a row and the callbacks do not match one to one."""
    names = [spec.name for spec in COMMANDS]
    if sorted(names) != sorted(CALLBACKS) or len(set(names)) != len(names):
        raise ValueError(f"command rows {sorted(names)} and callbacks {sorted(CALLBACKS)} differ")
    return tuple(
        Command(**{field.name: getattr(spec, field.name) for field in fields(spec)},
                callback=CALLBACKS[spec.name])
        for spec in COMMANDS
    )


def menu_handlers() -> dict[str, HandlerCallback]:
    """The gated handler of every main-menu command, by name, for the private router."""
    return {command.name: command.handler for command in all_commands() if command.in_menu}
