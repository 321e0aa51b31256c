"""Every command the bot answers: Indonesian name, English alias, policy action, handler.

This table drives handler registration, the Telegram command menus, /bantuan and the main-menu
keyboard, so a command cannot exist in one of them and be missing from another. The access gate
of the row's action is put in front of the handler here, not in the handler's module, so the
action the menus show and the action the gate enforces are the same value.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from bot.access import ActorCallback, HandlerCallback, requires
from domain.access import Action


@dataclass(frozen=True)
class Command:
    """One command as people see it."""

    name: str  # Indonesian, shown in the menu
    alias: str  # English, accepted too
    action: Action
    callback: ActorCallback  # runs only after the gate of ``action`` let the person through
    private: bool = True
    group: bool = False
    in_menu: bool = False  # offered on the main-menu keyboard
    in_help: bool = True
    guests_only: bool = False  # shown only to people who are not active officers

    @property
    def handler(self) -> HandlerCallback:
        """The callback behind the access gate of this command's action."""
        return requires(self.action)(self.callback)


def _build() -> tuple[Command, ...]:
    from handlers import audit as audit_view
    from handlers import basics, browse, complaints, exports, groups, people, recap, reports
    from handlers import schedule as schedule_handlers

    return (
        Command("start", "start", Action.START, basics.start, in_help=False),
        Command("daftar", "register", Action.REGISTER, basics.register, guests_only=True),
        Command("lapor", "report", Action.REPORT, reports.new_report, in_menu=True),
        Command("lanjut", "resume", Action.REPORT, reports.resume_report),
        Command("laporan", "myreports", Action.MY_REPORTS, reports.my_reports, in_menu=True),
        Command("jadwal", "schedule", Action.SCHEDULE, schedule_handlers.schedule_command,
                in_menu=True),
        Command("tugas", "assign", Action.ASSIGN, schedule_handlers.assign_command,
                in_menu=True),
        Command("keluhan", "complaints", Action.COMPLAINTS, complaints.complaints_command,
                in_menu=True),
        Command("cari", "search", Action.BROWSE, browse.browse_command, in_menu=True),
        Command("ekspor", "export", Action.EXPORT, exports.export_command, in_menu=True),
        Command("audit", "auditlog", Action.AUDIT, audit_view.audit_command),
        Command("anggota", "members", Action.MEMBERS, people.members, in_menu=True),
        Command("undang", "invite", Action.INVITE, people.invite, in_menu=True),
        Command("batal", "cancel", Action.REGISTER, basics.cancel),
        Command("bahasa", "language", Action.LANGUAGE, basics.language_command, in_menu=True),
        Command("bantuan", "help", Action.HELP, basics.help_command, in_menu=True),
        Command("rekap", "recap", Action.RECAP, recap.recap_command, group=True,
                in_menu=True),
        Command("hubungkan", "link", Action.LINK_GROUP, groups.link, private=False,
                group=True),
        Command("putuskan", "unlink", Action.LINK_GROUP, groups.unlink, private=False,
                group=True),
    )


@cache
def all_commands() -> tuple[Command, ...]:
    """The command table."""
    return _build()


def menu_commands() -> list[Command]:
    """Commands offered on the main-menu keyboard."""
    return [command for command in all_commands() if command.in_menu]
