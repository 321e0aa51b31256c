"""Button actions are enum members, packed and dispatched through the same enum.

Each button namespace has one ``StrEnum`` of actions (the verb in its callback data), its
keyboards pack those members and its handler answers through a table (action -> function). Read
from the source, a handler that compares an action to a string literal again, or a keyboard that
packs a literal verb, fails here with the file and line; every member of every namespace's enum
must have an entry in its tables, so a new button cannot be packed with nobody answering it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from enum import StrEnum
from pathlib import Path

import pytest

from bot.buttons import all_namespaces
from conversations import assign, registration, report
from conversations.report_taps import Tap
from handlers import basics, browse, complaints, exports, people, recap, reports, schedule
from jobs.notifications import Plan
from ui import callbacks, territory

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("handlers", "conversations", "ui", "jobs", "bot")
ACTION_NAMES = frozenset({"action", "act", "verb", "verdict", "do"})
"""What the handlers call the verb of a button they answer."""


def _is_verb(node: ast.expr) -> bool:
    """``action``, ``act``..., or ``parts[0]`` (the verb before it is named)."""
    if isinstance(node, ast.Name):
        return node.id in ACTION_NAMES
    return (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
            and node.value.id == "parts" and isinstance(node.slice, ast.Constant)
            and node.slice.value == 0)


def _is_text(node: ast.expr) -> bool:
    """A string literal, or a tuple, list or set holding one."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_is_text(element) for element in node.elts)
    return False


def literal_verbs(source: str) -> Iterator[tuple[int, str]]:
    """(line, code) of every comparison of a verb with a string literal, and of every
    ``callbacks.pack(namespace, "literal", ...)`` or ``pack("literal", ...)`` (a verb packed
    as a literal)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_is_verb(side) for side in sides) and any(_is_text(side) for side in sides):
                yield node.lineno, ast.unparse(node)
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else (
                node.func.id if isinstance(node.func, ast.Name) else "")
            # callbacks.pack(namespace, verb, ...); a picker's pack(verb, ...) is handed in.
            at = 1 if isinstance(node.func, ast.Attribute) else 0
            if name == "pack" and len(node.args) > at and _is_text(node.args[at]):
                yield node.lineno, ast.unparse(node)


def test_no_handler_compares_a_verb_with_a_string_literal() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {code}"
        for package in CHECKED
        for path in sorted((ROOT / package).rglob("*.py"))
        for line, code in literal_verbs(path.read_text(encoding="utf-8"))
    ]
    assert not found, "use the namespace's StrEnum member:\n" + "\n".join(found)


@pytest.mark.parametrize("source", [
    'if action == "open": pass',
    'if act in ("a", "b"): pass',
    'ok = "sus" != verb',
    'if parts[0] == "list": pass',
    'data = callbacks.pack(NS, "open", 5)',
    'data = pack("akec", code)',
])
def test_the_check_sees_a_literal_verb(source: str) -> None:
    assert list(literal_verbs(source))


@pytest.mark.parametrize("source", [
    "if action is Act.OPEN: pass",
    'if parts[1] in ("id", "en"): pass',
    "data = callbacks.pack(NS, Act.OPEN, 5)",
    'data = callbacks.pack(NS, 0, 0, Tap.NEW, "kamtibmas")',
])
def test_the_check_lets_members_through(source: str) -> None:
    assert not list(literal_verbs(source))


NAMESPACES: dict[str, tuple[type[StrEnum], tuple[Mapping[StrEnum, object], ...]]] = {
    "kelurahan picker": (territory.Pick, (territory._VALID,)),
    "members": (people.Member, (people.ON_MEMBER,)),
    "invite": (people.Invite, (people.ON_INVITE,)),
    "my reports": (reports.Listed, (reports.ON_LISTED,)),
    "export": (exports.Export, (exports.ON_EXPORT,)),
    "recap": (recap.Show, (recap.ON_SHOW,)),
    "schedule": (Plan, (schedule.ON_PLAN,)),
    "registration": (registration.Reg, (registration.ON_REGISTRATION,)),
    "approval": (registration.Verdict, (registration.VERDICT_STATUS,)),
    "language": (basics.Lang, (basics.ON_LANGUAGE,)),
    "report": (Tap, (report.ON_UNBOUND, report.ON_DRAFT, report.ON_REVIEW, report.ON_FIELD,
                     report.ON_COMPLAINT)),
    "complaints": (complaints.Act, (complaints._ON_ITEM, {complaints.Act.PAGE: None})),
    "browse": (browse.Act, (browse._ASK, browse._SET, dict.fromkeys(browse.REPORT_ACTS))),
    "assign": (assign.Do, (assign.CHANGES, dict.fromkeys((assign.Do.CANCEL, assign.Do.SAVE)))),
}
"""Every namespace's action enum and the tables that answer it (complaints answers PAGE,
browse its report buttons and /tugas cancel and save before their tables)."""


@pytest.mark.parametrize("name", sorted(NAMESPACES))
def test_every_action_has_a_dispatch_entry(name: str) -> None:
    actions, tables = NAMESPACES[name]
    answered = {member for table in tables for member in table}
    assert set(actions) - answered == set(), f"{name}: packed, but nobody answers"
    assert answered <= set(actions), f"{name}: a table answers what is not an action"


def test_the_report_tables_answer_each_action_once_where_it_can_be_pressed() -> None:
    """A draft-wide button never also reaches a step's table (it would be answered first)."""
    step_level = set(report.ON_REVIEW) | set(report.ON_FIELD) | set(report.ON_COMPLAINT)
    assert not set(report.ON_DRAFT) & step_level
    assert not set(report.ON_UNBOUND) & (set(report.ON_DRAFT) | step_level)


def test_every_action_enum_of_a_feature_is_listed_here() -> None:
    """A new namespace's enum is checked too: its module defines a StrEnum, so list it."""
    listed = {actions.__qualname__ + "@" + actions.__module__
              for actions, _ in NAMESPACES.values()}
    defined = set()
    for package in ("handlers", "conversations", "jobs"):
        for path in sorted((ROOT / package).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef) and any(
                    isinstance(base, ast.Name) and base.id == "StrEnum" for base in node.bases
                ):
                    defined.add(f"{node.name}@{module}")
    assert defined - listed == set()


def test_the_gate_table_names_only_verbs_that_exist() -> None:
    """The references the gate checks are keyed by verbs the namespace's enum has."""
    by_namespace: dict[str, type[StrEnum]] = {
        registration.APPROVAL_NS: registration.Verdict,
        people.MEMBERS_NS: people.Member,
        people.INVITE_NS: people.Invite,
        reports.LIST_NS: reports.Listed,
        schedule.NS: Plan,
        complaints.NS: complaints.Act,
        browse.NS: browse.Act,
        exports.NS: exports.Export,
    }
    for family in all_namespaces():
        actions = by_namespace.get(family.namespace)
        if actions is None:
            continue
        assert set(family.refs) <= set(actions), family.namespace


def test_members_pack_their_value() -> None:
    """What goes on the wire is the member's value: buttons in chats keep working."""
    assert callbacks.pack(people.MEMBERS_NS, people.Member.SUSPEND, 7) == "a:mb:sus:7"
    assert callbacks.pack(report.NS, 3, 4, Tap.COMPLAINT_MORE) == "a:rp:3:4:cmore"
    assert callbacks.verb(Tap, "cmore") is Tap.COMPLAINT_MORE
    assert callbacks.verb(Tap, "nope") is None
    assert callbacks.pack(registration.NS, registration.Reg.BEGIN) == "a:rg:begin"
