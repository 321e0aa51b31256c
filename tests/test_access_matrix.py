"""Every command and every button namespace × every kind of person, generated from the tables.

The cases come from the command table (``bot/commands.py``), the button table
(``bot/buttons.py``) and the policy table (``domain/access.py``): a new command or namespace is
in the matrix the moment it has a row, and it cannot be answered without one. The expectation is
written out here from the audiences, not by calling ``refusal()``, so a wrong policy row or a
wrong gate shows up as a failing case. The object-level cases at the end replay every button a
leader of one unit was shown, as a leader of another unit and as a fellow banit.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.buttons import ButtonFamily, _checked, all_namespaces
from bot.commands import all_commands
from bot.errors import on_stale_button
from domain.access import POLICY, Action, Audience, Refusal
from domain.organisation import load_organisation
from domain.people import Status
from emulator import Emulator, SimUser
from emulator.harness import BotHarness
from tests.support.access import (
    NUMBER,
    OTHER_KANIT_ID,
    PARTNER_ID,
    PHONE,
    RESIDENT,
    SECRETS,
    everything_said,
    file_report,
    offered,
)
from ui import callbacks
from ui.i18n import Translator

ROOT = Path(__file__).resolve().parent.parent
PERSONAS = {
    # name: (role, status, unit) — None for someone the bot has never seen
    "unregistered": None,
    "pending": ("banit", Status.PENDING, "binkamsa"),
    "suspended": ("kanit", Status.SUSPENDED, "binkamsa"),
    "rejected": ("banit", Status.REJECTED, "binkamsa"),
    "banit": ("banit", Status.ACTIVE, "binkamsa"),
    "kanit": ("kanit", Status.ACTIVE, "binkamsa"),
    "kanit_other_unit": ("kanit", Status.ACTIVE, "binpolmas"),
    "kbo": ("kbo", Status.ACTIVE, "satbinmas"),
    "kasat": ("kasat", Status.ACTIVE, "satbinmas"),
    "admin": ("admin", Status.ACTIVE, None),
}
LEADERS = {"kanit", "kanit_other_unit", "kbo", "kasat", "admin"}
EXPECTED_REFUSAL = {
    "unregistered": Refusal.UNREGISTERED,
    "rejected": Refusal.UNREGISTERED,
    "pending": Refusal.PENDING,
    "suspended": Refusal.SUSPENDED,
}
TEXTS = Translator.load()
REFUSALS = {reason: TEXTS("id", f"access.{reason.value}") for reason in Refusal}


def expected(persona: str, audience: Audience) -> Refusal | None:
    """What the policy table says for this persona, written out independently of the code."""
    if audience is Audience.ANYONE:
        return None
    if persona in EXPECTED_REFUSAL:
        return EXPECTED_REFUSAL[persona]
    if audience is Audience.LEADER and persona not in LEADERS:
        return Refusal.NOT_LEADER
    if audience is Audience.ADMIN and persona != "admin":
        return Refusal.NOT_ADMIN
    return None


def other_refusals(persona: str) -> set[str]:
    """Refusal texts an allowed person must not get (their own status may still be told)."""
    own = REFUSALS.get(EXPECTED_REFUSAL[persona]) if persona in EXPECTED_REFUSAL else None
    return set(REFUSALS.values()) - {own}


async def become(harness: BotHarness, emu: Emulator, persona: str) -> SimUser:
    """A simulated user who is ``persona`` to the bot."""
    user = emu.user(3000, "Tester")
    spec = PERSONAS[persona]
    if spec is not None:
        role, status, unit = spec
        await harness.seed_officer(
            user, name="Tes Ter", nrp="33330000", unit=unit or "binkamsa", role=role, status=status
        )
    return user


def test_personas_cover_every_role_of_the_organisation():
    organisation = load_organisation(ROOT / "config" / "organisation.toml")
    active_roles = {
        spec[0] for spec in PERSONAS.values() if spec is not None and spec[1] is Status.ACTIVE
    }
    assert active_roles == {role.code for role in organisation.roles}
    assert set(POLICY) == set(Action), "every action has a row in the policy table"


# ------------------------------------------------------------------------------- commands

COMMAND_CASES = [
    pytest.param(command.name, persona, id=f"{command.name}-{persona}")
    for command in all_commands()
    if command.private
    for persona in PERSONAS
]


@pytest.mark.parametrize(("command_name", "persona"), COMMAND_CASES)
async def test_command_allowed_or_refused_as_the_policy_says(
    harness: BotHarness, emu: Emulator, command_name: str, persona: str
):
    command = next(c for c in all_commands() if c.name == command_name)
    user = await become(harness, emu, persona)
    await user.send(f"/{command.name}")

    replies = [message.text or message.caption or "" for message in user.messages]
    assert replies, "every command gets an answer"
    refusal = expected(persona, POLICY[command.action])
    if refusal is None:
        assert not any(text in other_refusals(persona) for text in replies), replies
    else:
        assert replies[-1] == REFUSALS[refusal], replies


# -------------------------------------------------------------------------------- buttons

BUTTON_CASES = [
    pytest.param(row.namespace, persona, id=f"{row.namespace}-{persona}")
    for row in all_namespaces()
    for persona in PERSONAS
]


@pytest.mark.parametrize(("namespace", "persona"), BUTTON_CASES)
async def test_button_allowed_or_refused_as_the_policy_says(
    harness: BotHarness, emu: Emulator, namespace: str, persona: str
):
    row = next(r for r in all_namespaces() if r.namespace == namespace)
    user = await become(harness, emu, persona)
    await user.send("/bantuan")  # a message of the bot's to press the forged button on
    messages_before, answers_before = len(user.messages), len(user.callback_answers)

    await user.press_forged(callbacks.pack(namespace, "x"), user.last)

    answers = user.callback_answers[answers_before:]
    assert len(answers) == 1, "every press is answered exactly once"
    answer = answers[0]["text"] or ""
    refusal = expected(persona, POLICY[row.action])
    if refusal is None:
        said = [answer] + [m.text or m.caption or "" for m in user.messages[messages_before:]]
        assert not any(text in other_refusals(persona) for text in said), said
    else:
        assert answers[0]["show_alert"]
        assert answer == REFUSALS[refusal][:200]
        assert len(user.messages) == messages_before, "a refused press changes nothing on screen"


async def test_every_handler_is_behind_the_gate_of_its_row(harness: BotHarness):
    rows = {callbacks.pattern(row.namespace): row for row in all_namespaces()}
    commands = {frozenset((c.name, c.alias)): c for c in all_commands()}
    seen_rows: list[str] = []
    seen_commands: list[str] = []
    for group in harness.application.handlers.values():
        for handler in group:
            if isinstance(handler, CallbackQueryHandler):
                if handler.pattern is None:
                    assert handler.callback is on_stale_button
                    continue
                row = rows[handler.pattern]  # a button handler outside the table fails here
                assert handler.callback.action is row.action  # type: ignore[attr-defined]
                assert handler.callback.__wrapped__ is row.callback  # type: ignore[attr-defined]
                seen_rows.append(row.namespace)
            elif isinstance(handler, CommandHandler):
                command = commands[frozenset(handler.commands)]
                assert handler.callback.action is command.action  # type: ignore[attr-defined]
                seen_commands.append(command.name)
    assert sorted(seen_rows) == sorted(row.namespace for row in all_namespaces())
    assert sorted(seen_commands) == sorted(command.name for command in all_commands())


def packed_namespaces() -> dict[str, str]:
    """Every namespace the source passes to ``callbacks.pack``, with where it was found."""
    found: dict[str, str] = {}
    for folder in ("bot", "ui", "handlers", "conversations", "jobs", "domain"):
        for path in sorted((ROOT / folder).glob("*.py")):
            module = importlib.import_module(f"{folder}.{path.stem}")
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "pack"
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "callbacks"
                    and node.args
                ):
                    continue
                first = node.args[0]
                if isinstance(first, ast.Name) and first.id not in vars(module):
                    continue  # a parameter: the caller passes one of the constants found here
                namespace = eval(  # noqa: S307 - a constant or module attribute of our source
                    compile(ast.Expression(first), str(path), "eval"), vars(module)
                )
                found.setdefault(namespace, f"{folder}/{path.name}:{node.lineno}")
    return found


def test_every_namespace_the_bot_packs_has_a_row():
    packed = packed_namespaces()
    table = {row.namespace for row in all_namespaces()}
    missing = {namespace: where for namespace, where in packed.items() if namespace not in table}
    assert not missing, f"buttons without a row in bot/buttons.py: {missing}"
    assert set(packed) == table, "a row for a namespace no button uses"
    assert set(callbacks.Namespace) == table, "ui/callbacks.py Namespace and the rows differ"


def test_a_row_without_a_policy_action_or_twice_fails_loudly():
    async def callback(*_: object) -> None:
        """Never called."""

    with pytest.raises(ValueError, match="not in POLICY"):
        ButtonFamily("zz", "nonsense", callback)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="registered twice"):
        _checked([ButtonFamily("zz", Action.HELP, callback),
                  ButtonFamily("zz", Action.AUDIT, callback)])
    with pytest.raises(ValueError, match="letters or digits"):
        ButtonFamily("z:z", Action.HELP, callback)


# ----------------------------------------------------------------------------- objects

STORED_PHONE = "+6281234567890"


async def test_buttons_of_one_unit_show_nothing_to_another_units_leader_or_a_banit(
    harness: BotHarness, emu: Emulator
):
    officer, kanit = await file_report(harness, emu)
    async with harness.db.reading() as repos:
        (report,) = await repos.reports.all()
        (complaint,) = await repos.complaints.of_report(report.id)
    assert complaint.resident_contact == STORED_PHONE

    # What the unit's own leader and the author are shown: the buttons to replay.
    start = len(kanit.messages)
    await kanit.send("/cari")
    await kanit.press(NUMBER)
    await kanit.send("/keluhan")
    await kanit.press(f"#{complaint.id} Pencurian")
    data = offered(kanit, start)  # buttons are edited in place: collect before the next press
    await kanit.press("👤 Tugaskan")
    await kanit.send("/ekspor")
    data += offered(kanit, start)
    await kanit.press("📊 XLSX bulan ini")
    officer_start = len(officer.messages)
    await officer.send("/laporan")
    await officer.press(NUMBER, officer.last)
    data += offered(officer, officer_start)
    data = list(dict.fromkeys(data))
    namespaces = {d.split(":")[1] for d in data}
    assert {"kb", "kl", "kx", "rl"} <= namespaces, data
    # The control: these buttons did show the unit's leader the report and the resident.
    leader_saw = everything_said(kanit)
    assert NUMBER in leader_saw
    assert RESIDENT in leader_saw
    assert PHONE[1:] in leader_saw

    other = emu.user(OTHER_KANIT_ID, "Lain")
    await harness.seed_officer(other, name="Kanit Lain", nrp="22223333", unit="binpolmas",
                               role="kanit", rank="IPTU")
    partner = emu.user(PARTNER_ID, "Rudi")
    await harness.seed_officer(partner, name="Rudi Hartono", nrp="87650000", unit="binkamsa")
    async with harness.db.reading() as repos:
        audit_before = len(await repos.audit.recent())
        desk_before = await repos.complaint_desk.get(complaint.id)
    for intruder in (other, partner):
        await intruder.send("/bantuan")
        for callback_data in data:
            answered = len(intruder.callback_answers)
            await intruder.press_forged(callback_data, intruder.last)
            assert len(intruder.callback_answers) == answered + 1, callback_data
        # Another unit's leader may get exports, of their own unit only: "*" is all they lead.
        said = everything_said(intruder)
        leaked = [secret for secret in SECRETS if secret in said]
        assert not leaked, (intruder.first_name, leaked)

    async with harness.db.reading() as repos:
        audit = await repos.audit.recent()  # newest first
        intruder_ids = {(await repos.officers.by_telegram_id(u.id)).id for u in (other, partner)}
        assert await repos.complaint_desk.get(complaint.id) == desk_before
        assert await repos.report_reviews.get(report.id) is None
    # All they did: export their own unit's (empty) week, month and recap; nothing of binkamsa.
    done = audit[: len(audit) - audit_before]
    assert {entry["actor_id"] for entry in done} <= intruder_ids
    assert all(
        entry["action"] == "report.export" and entry["details"]["units"] == ["binpolmas"]
        and entry["details"]["reports"] == 0
        for entry in done
    ), done
