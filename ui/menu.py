"""Every command as people see it: name, English alias, policy action, where it is offered.

This table is data the features share: /bantuan, the main-menu keyboard and the menu router
read it here, and ``bot/commands.py`` binds each row to its handler (and refuses a row without
one), so a command cannot exist in one of them and be missing from another.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import KeyboardButton, ReplyKeyboardMarkup

from domain.access import Action, refusal
from domain.people import Officer
from ui.services import BotContext, Services


@dataclass(frozen=True)
class CommandSpec:
    """One command as people see it."""

    name: str  # Indonesian, shown in the menu
    alias: str  # English, accepted too
    action: Action
    private: bool = True
    group: bool = False
    in_menu: bool = False  # offered on the main-menu keyboard
    in_help: bool = True
    guests_only: bool = False  # shown only to people who are not active officers


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("start", "start", Action.START, in_help=False),
    CommandSpec("daftar", "register", Action.REGISTER, guests_only=True),
    CommandSpec("lapor", "report", Action.REPORT, in_menu=True),
    CommandSpec("lanjut", "resume", Action.REPORT),
    CommandSpec("laporan", "myreports", Action.MY_REPORTS, in_menu=True),
    CommandSpec("jadwal", "schedule", Action.SCHEDULE, in_menu=True),
    CommandSpec("tugas", "assign", Action.ASSIGN, in_menu=True),
    CommandSpec("keluhan", "complaints", Action.COMPLAINTS, in_menu=True),
    CommandSpec("cari", "search", Action.BROWSE, in_menu=True),
    CommandSpec("ekspor", "export", Action.EXPORT, in_menu=True),
    CommandSpec("audit", "auditlog", Action.AUDIT),
    CommandSpec("anggota", "members", Action.MEMBERS, in_menu=True),
    CommandSpec("undang", "invite", Action.INVITE, in_menu=True),
    CommandSpec("batal", "cancel", Action.REGISTER),
    CommandSpec("bahasa", "language", Action.LANGUAGE, in_menu=True),
    CommandSpec("bantuan", "help", Action.HELP, in_menu=True),
    CommandSpec("rekap", "recap", Action.RECAP, group=True, in_menu=True),
    CommandSpec("hubungkan", "link", Action.LINK_GROUP, private=False, group=True),
    CommandSpec("putuskan", "unlink", Action.LINK_GROUP, private=False, group=True),
)


def menu_commands() -> list[CommandSpec]:
    """Commands offered on the main-menu keyboard."""
    return [command for command in COMMANDS if command.in_menu]


def allowed_commands(officer: Officer | None, services: Services) -> list[CommandSpec]:
    """The commands this person may use, in menu order."""
    return [
        command
        for command in COMMANDS
        if command.private
        and command.in_help
        and not (command.guests_only and officer is not None and officer.is_active)
        and refusal(command.action, officer, services.organisation) is None
    ]


def main_menu(officer: Officer, services: Services) -> ReplyKeyboardMarkup:
    """The reply keyboard offering the officer's commands to people who do not type them."""
    texts = services.texts
    labels = [
        texts(officer.language, f"menu.{command.name}")
        for command in menu_commands()
        if refusal(command.action, officer, services.organisation) is None
    ]
    rows = [labels[index : index + 2] for index in range(0, len(labels), 2)]
    return ReplyKeyboardMarkup(
        [[KeyboardButton(label) for label in row] for row in rows], resize_keyboard=True
    )


def menu_command(services: Services, text: str) -> CommandSpec | None:
    """The command whose main-menu label (in either language) is ``text``."""
    for command in menu_commands():
        for language in ("id", "en"):
            if text == services.texts(language, f"menu.{command.name}"):
                return command
    return None


async def send_help(context: BotContext, chat_id: int, officer: Officer | None) -> None:
    """Send the help text listing only what this person may do."""
    services = context.services
    language = officer.language if officer else services.settings.default_language
    lines = [
        services.texts(
            language,
            "help.line",
            command=command.name,
            alias=command.alias,
            description=services.texts(language, f"command.{command.name}"),
        )
        for command in allowed_commands(officer, services)
    ]
    heading = "help.heading_officer" if officer and officer.is_active else "help.heading_guest"
    text = services.texts(language, heading) + "\n\n" + "\n".join(lines)
    markup = main_menu(officer, services) if officer and officer.is_active else None
    await context.bot.send_message(chat_id, text, reply_markup=markup)
