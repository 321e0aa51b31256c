"""Every button namespace the bot answers: the policy action that gates it and its handler.

Callback data is ``a:<namespace>:...`` (``bot/callbacks.py``). This table is the only place a
namespace gets a handler, and ``bot/application.py`` puts the access gate of the row's action in
front of every one, so a button cannot be answered without the policy table being asked first.
What the handler checks after that (this report is of a unit you lead, this draft is yours) is
the second layer and stays in the handler.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from bot.access import ActorCallback
from domain.access import POLICY, Action

_NAMESPACE = re.compile(r"^[A-Za-z0-9]{1,4}$")


@dataclass(frozen=True)
class Namespace:
    """One family of buttons: the callback data prefix, who may press them, what answers."""

    namespace: str
    action: Action
    callback: ActorCallback

    def __post_init__(self) -> None:
        """Refuse a row the gate could not enforce."""
        if not _NAMESPACE.match(self.namespace):
            raise ValueError(f"button namespace {self.namespace!r} is not 1-4 letters or digits")
        if self.action not in POLICY:
            raise ValueError(f"button namespace {self.namespace!r}: {self.action} not in POLICY")


def _checked(rows: Iterable[Namespace]) -> tuple[Namespace, ...]:
    table = tuple(rows)
    seen: set[str] = set()
    for row in table:
        if row.namespace in seen:
            raise ValueError(f"button namespace {row.namespace!r} is registered twice")
        seen.add(row.namespace)
    return table


def _build() -> tuple[Namespace, ...]:
    from conversations import assign, registration, report
    from handlers import audit as audit_view
    from handlers import basics, browse, complaints, exports, people, recap, reports
    from handlers import schedule as schedule_handlers

    return _checked((
        Namespace(registration.NS, Action.REGISTER, registration.on_button),
        Namespace(registration.APPROVAL_NS, Action.APPROVE, registration.on_approval_button),
        Namespace(basics.LANGUAGE_NS, Action.LANGUAGE, basics.language_button),
        Namespace(people.MEMBERS_NS, Action.SUSPEND, people.member_button),
        Namespace(people.INVITE_NS, Action.INVITE, people.invite_button),
        Namespace(report.NS, Action.REPORT, report.on_button),
        Namespace(reports.LIST_NS, Action.MY_REPORTS, reports.list_button),
        # Officers press "report now" and pause here; moving or cancelling a post is checked
        # against the leader's reach in the handler.
        Namespace(schedule_handlers.NS, Action.SCHEDULE, schedule_handlers.schedule_button),
        Namespace(assign.NS, Action.ASSIGN, assign.on_button),
        Namespace(recap.NS, Action.RECAP, recap.recap_button),
        # Officers follow the complaints they recorded; moves and assignments are the leader's.
        Namespace(complaints.NS, Action.COMPLAINTS, complaints.on_button),
        Namespace(browse.NS, Action.BROWSE, browse.on_button),
        Namespace(exports.NS, Action.EXPORT, exports.on_button),
        Namespace(audit_view.NS, Action.AUDIT, audit_view.on_button),
    ))


@cache
def all_namespaces() -> tuple[Namespace, ...]:
    """The button table."""
    return _build()
