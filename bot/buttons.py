"""Every button namespace the bot answers: the policy action that gates it and its handler.

Callback data is ``a:<namespace>:...`` (``ui/callbacks.py``). This table is the only place a
namespace gets a handler, and ``bot/application.py`` puts the access gate of the row's action in
front of every one, so a button cannot be answered without the policy table being asked first.
What the handler checks after that (this report is of a unit you lead, this draft is yours) is
the second layer and stays in the handler.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from conversations import assign, registration, report
from domain.access import POLICY, Action, Kind
from handlers import audit as audit_view
from handlers import basics, browse, complaints, exports, people, recap, reports
from handlers import schedule as schedule_handlers
from jobs.notifications import Plan
from ui.access import ActorCallback, ButtonRule
from ui.callbacks import Ref

_NAMESPACE = re.compile(r"^[A-Za-z0-9]{1,4}$")


@dataclass(frozen=True)
class ButtonFamily:
    """One family of buttons: the callback data prefix, who may press them, what answers."""

    namespace: str
    action: Action
    callback: ActorCallback
    refs: Mapping[str, tuple[Ref, ...]] = field(default_factory=dict)
    """By the value of the part at ``verb_at`` ("*": any), which parts name stored things."""
    verb_at: int = 0
    in_groups: bool = False
    """No message the bot posts in a group carries buttons: every family is private-only."""

    @property
    def rule(self) -> ButtonRule:
        """What the gate checks before the handler: the chat, and every id in the data."""
        return ButtonRule(self.namespace, self.refs, self.verb_at, self.in_groups)

    def __post_init__(self) -> None:
        """Refuse a row the gate could not enforce."""
        if not _NAMESPACE.match(self.namespace):
            raise ValueError(f"button namespace {self.namespace!r} is not 1-4 letters or digits")
        if self.action not in POLICY:
            raise ValueError(f"button namespace {self.namespace!r}: {self.action} not in POLICY")


def _checked(rows: Iterable[ButtonFamily]) -> tuple[ButtonFamily, ...]:
    table = tuple(rows)
    seen: set[str] = set()
    for row in table:
        if row.namespace in seen:
            raise ValueError(f"button namespace {row.namespace!r} is registered twice")
        seen.add(row.namespace)
    return table


def _build() -> tuple[ButtonFamily, ...]:
    officer, report_id, complaint, post = (Ref(1, Kind.OFFICER), Ref(1, Kind.REPORT),
                                           Ref(1, Kind.COMPLAINT), Ref(1, Kind.POST))
    return _checked((
        # The unit and role codes of a registration are answers to a form, not references.
        ButtonFamily(registration.NS, Action.REGISTER, registration.on_button),
        ButtonFamily(registration.APPROVAL_NS, Action.APPROVE, registration.on_approval_button,
                  {registration.Verdict.APPROVE: (officer,),
                   registration.Verdict.REJECT: (officer,)}),
        ButtonFamily(basics.LANGUAGE_NS, Action.LANGUAGE, basics.language_button),
        ButtonFamily(people.MEMBERS_NS, Action.SUSPEND, people.member_button,
                  {verb: (officer,) for verb in (people.Member.OPEN, people.Member.SUSPEND,
                                                 people.Member.REACTIVATE,
                                                 *people.AREA_ACTIONS)}),
        ButtonFamily(people.INVITE_NS, Action.INVITE, people.invite_button,
                  {people.Invite.UNIT: (Ref(1, Kind.UNIT),),
                   people.Invite.ROLE: (Ref(1, Kind.UNIT),)}),
        ButtonFamily(report.NS, Action.REPORT, report.on_button,
                  {"*": (Ref(0, Kind.DRAFT, none="0"),)}, verb_at=2),
        ButtonFamily(reports.LIST_NS, Action.MY_REPORTS, reports.list_button,
                  {reports.Listed.OPEN: (report_id,), reports.Listed.FIX: (report_id,)}),
        # Officers press "report now" and pause here; moving or cancelling a post is checked
        # against the leader's reach in the handler.
        ButtonFamily(schedule_handlers.NS, Action.SCHEDULE, schedule_handlers.schedule_button,
                  {verb: (post,) for verb in (Plan.REPORT, Plan.POST, Plan.MOVE, Plan.CANCEL,
                                               Plan.CANCEL_YES)}),
        ButtonFamily(assign.NS, Action.ASSIGN, assign.on_button,
                  {assign.Do.TOGGLE_OFFICER: (Ref(2, Kind.OFFICER),)}, verb_at=1),
        ButtonFamily(recap.NS, Action.RECAP, recap.recap_button,
                  {"*": (Ref(2, Kind.UNIT, none=recap.SELF),)}),
        # Officers follow the complaints they recorded; moves and assignments are the leader's.
        ButtonFamily(complaints.NS, Action.COMPLAINTS, complaints.on_button,
                  {**{verb: (complaint,) for verb in (complaints.Act.OPEN, complaints.Act.MOVE,
                                                      complaints.Act.ASSIGN_MENU,
                                                      complaints.Act.HISTORY,
                                                      complaints.Act.CANCEL)},
                   complaints.Act.ASSIGN: (complaint, Ref(3, Kind.OFFICER))}),
        ButtonFamily(browse.NS, Action.BROWSE, browse.on_button,
                  {browse.Act.OPEN: (report_id,), browse.Act.SEND_BACK: (report_id,),
                   browse.Act.ACCEPT: (report_id,),
                   browse.Act.SET_OFFICER: (Ref(1, Kind.OFFICER, none="0"),),
                   browse.Act.SET_UNIT: (Ref(1, Kind.UNIT, none=browse.ANY),)}),
        ButtonFamily(exports.NS, Action.EXPORT, exports.on_button,
                  {exports.Export.UNIT: (Ref(1, Kind.UNIT, none=exports.ALL_UNITS),),
                   exports.Export.CANCEL_RANGE: (Ref(1, Kind.UNIT, none=exports.ALL_UNITS),),
                   exports.Export.TYPE_RANGE: (Ref(1, Kind.UNIT, none=exports.ALL_UNITS),),
                   exports.Export.SPREADSHEET: (Ref(2, Kind.UNIT, none=exports.ALL_UNITS),),
                   exports.Export.RECAP: (Ref(2, Kind.UNIT, none=exports.ALL_UNITS),),
                   exports.Export.PDF: (report_id,)}),
        ButtonFamily(audit_view.NS, Action.AUDIT, audit_view.on_button),
    ))


@cache
def all_namespaces() -> tuple[ButtonFamily, ...]:
    """The button table."""
    return _build()
