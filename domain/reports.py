"""Reports as plain data: the draft's walk over a catalogue form, completeness, numbering.

No Telegram here. The conversation engine asks this module which field comes next, whether a
draft may be submitted, and what a submitted report's columns are; it only renders and stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from domain.answers import (
    Complaint,
    EquipmentState,
    Location,
    TimeRange,
    WarningsAck,
    default_time_range,
)
from domain.catalogue import Activity, Field, FieldType

REVIEW = "review"
"""The step after the last field: the review card (never a field key: those are checked)."""
NUMBER_PREFIX = "LAP"


@dataclass(frozen=True)
class Draft:
    """A report being written; ``answers`` holds finished fields, ``work`` the current one."""

    id: int
    officer_id: int
    activity_code: str
    step: str
    answers: dict[str, Any] = field(default_factory=dict)
    work: dict[str, Any] = field(default_factory=dict)
    editing: bool = False
    version: int = 0
    assignment_id: int | None = None
    report_id: int | None = None
    """Set when the draft corrects this submitted report instead of filing a new one."""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    preset: tuple[str, ...] = ()
    """Answers filled for the officer (from the post, a one-tap pick), not yet confirmed: each
    is shown on the next question asked and confirmed when the officer moves on from it."""
    offers: dict[str, Any] = field(default_factory=dict)
    """Answers of the officer's previous report of this activity, offered as one tap."""
    areas: tuple[str, ...] = ()
    """The officer's kelurahan binaan (codes) when the draft was loaded: not stored with it."""
    revision: int = 0
    """Grows on every write: an answer is stored only onto the revision it was computed from."""

    @property
    def is_correction(self) -> bool:
        """Whether saving this draft corrects a submitted report."""
        return self.report_id is not None


@dataclass(frozen=True)
class Report:
    """A submitted report as stored."""

    id: int
    number: str
    activity_code: str
    officer_id: int
    unit_code: str | None
    started_at: datetime | None
    ended_at: datetime | None
    place: str | None
    latitude: float | None
    longitude: float | None
    answers: dict[str, Any]
    submitted_at: datetime
    warnings_ack_at: datetime | None = None
    equipment: dict[str, Any] | None = None
    kelurahan_code: str | None = None


@dataclass(frozen=True)
class StoredComplaint:
    """A complaint row linked to its report."""

    id: int
    report_id: int
    category: str
    description: str
    place: str
    urgency: str
    resident_name: str | None
    resident_contact: str | None
    status: str


@dataclass(frozen=True)
class Revision:
    """One correction of a submitted report."""

    report_id: int
    officer_id: int
    at: datetime
    field_key: str
    old: Any
    new: Any


CORRECTABLE_TYPES = frozenset(
    {
        FieldType.SHORT_TEXT,
        FieldType.LONG_TEXT,
        FieldType.INTEGER,
        FieldType.CHOICE,
        FieldType.MULTI_CHOICE,
        FieldType.TIME_RANGE,
        FieldType.LOCATION,
    }
)
"""Field types an officer may correct after submission (complaints, photos, checklist and the
SOP acknowledgement have records or files of their own and stay as submitted)."""


def correctable_fields(activity: Activity) -> list[Field]:
    """The activity's fields that may be corrected after submission, in form order."""
    return [f for f in activity.fields if f.type in CORRECTABLE_TYPES]


def correction_deadline(report: Report, window_hours: int) -> datetime:
    """Until when the report's officer may correct it."""
    return report.submitted_at + timedelta(hours=window_hours)


def may_correct(
    report: Report, officer_id: int, now: datetime, window_hours: int, *, returned: bool = False
) -> bool:
    """Whether ``officer_id`` may still correct ``report`` at ``now``: their own report, within
    the window, or at any time while a leader has sent it back for correction."""
    return report.officer_id == officer_id and (
        returned or now < correction_deadline(report, window_hours)
    )


def changed_fields(
    activity: Activity, before: dict[str, Any], after: dict[str, Any]
) -> list[Field]:
    """The correctable fields whose answer differs, in form order."""
    return [
        f for f in correctable_fields(activity) if before.get(f.key) != after.get(f.key)
    ]


def format_number(number_code: str, year: int, month: int, sequence: int) -> str:
    """The report number officers quote: ``LAP/SAPTA/2026/11/0042``."""
    return f"{NUMBER_PREFIX}/{number_code}/{year:04d}/{month:02d}/{sequence:04d}"


def first_step(activity: Activity) -> str:
    """The key of the form's first field."""
    return activity.fields[0].key


def opened(
    draft_id: int,
    officer_id: int,
    activity: Activity,
    now: datetime,
    prefilled: dict[str, Any] | None = None,
) -> Draft:
    """A new draft: what the post filled and the form's configured defaults are preset (shown
    on the first question asked, confirmed by moving on), and it stands at that question."""
    answers = dict(prefilled or {})
    for form_field in activity.fields:
        if form_field.key in answers or form_field.default is None:
            continue
        if form_field.default == "last_hour":
            answers[form_field.key] = default_time_range(now, activity.duration_minutes).to_json()
        else:
            answers[form_field.key] = None
    preset = tuple(f.key for f in activity.fields if f.key in answers)
    first = next((f for f in activity.fields if f.key not in answers), None)
    return Draft(
        id=draft_id,
        officer_id=officer_id,
        activity_code=activity.code,
        step=first.key if first else REVIEW,
        answers=answers,
        work=start_work(first, None) if first else {},
        preset=preset,
    )


OFFERED_TYPES = frozenset({FieldType.LOCATION, FieldType.MULTI_CHOICE})
"""Answers offered again from the officer's previous report: the place, the materials."""


def offers(activity: Activity, previous: dict[str, Any]) -> dict[str, Any]:
    """What "same as last time" offers, from the answers of the previous report."""
    return {
        f.key: previous[f.key]
        for f in activity.fields
        if f.type in OFFERED_TYPES and previous.get(f.key)
    }


def start_work(form_field: Field, answer: Any) -> dict[str, Any]:
    """The unfinished state a step starts with, seeded from an earlier answer when editing."""
    kind = form_field.type
    if kind == FieldType.MULTI_CHOICE:
        return {"selected": list(answer or [])}
    if kind == FieldType.LOCATION:
        return dict(answer) if isinstance(answer, dict) else {}
    if kind == FieldType.COMPLAINTS:
        return {"items": list(answer or []), "phase": "menu"}
    if kind == FieldType.PHOTOS:
        return {"photos": list(answer or [])}
    if kind == FieldType.EQUIPMENT and isinstance(answer, dict):
        return {"state": answer}
    return {}


def is_answered(answers: dict[str, Any], form_field: Field) -> bool:
    """Whether the field has a final answer (a skipped optional field counts as answered)."""
    if form_field.key not in answers:
        return False
    return answers[form_field.key] is not None or not form_field.required


def first_unanswered(activity: Activity, answers: dict[str, Any]) -> Field | None:
    """The first field still needing an answer, in form order."""
    return next((f for f in activity.fields if not is_answered(answers, f)), None)


def after_answer(activity: Activity, draft: Draft, key: str, value: Any) -> Draft:
    """The draft with ``value`` stored for ``key`` and moved on.

    Editing from the review card returns to the review; a preset revisited from the question
    that showed it returns to that question; otherwise the next field in order (its earlier
    answer, if any, offered for confirmation) that is not preset, and the review after the
    last. Moving on confirms the presets the answered question showed.
    """
    answers = {**draft.answers, key: value}
    if draft.editing:
        return _at(activity, replace(draft, answers=answers, editing=False), REVIEW)
    back_to = draft.work.get("back_to")
    if back_to is not None:
        preset = tuple(k for k in draft.preset if k != key)
        return _at(activity, replace(draft, answers=answers, preset=preset), back_to)
    shown = set(shown_presets(activity, draft))
    preset = tuple(k for k in draft.preset if k not in shown and k != key)
    return _at(activity, replace(draft, answers=answers, preset=preset),
               _next_asked(activity, key, preset))


def picked(activity: Activity, draft: Draft, key: str, value: Any) -> Draft:
    """Like :func:`after_answer`, but the answer was one tap on a guess (one material): it is
    shown on the next question, to change there, and confirmed by moving on from that."""
    moved = after_answer(activity, draft, key, value)
    if draft.editing or draft.work.get("back_to") is not None or moved.step == REVIEW:
        return moved
    return replace(moved, preset=(*moved.preset, key))


def _next_asked(activity: Activity, key: str, preset: tuple[str, ...]) -> str:
    """The first field after ``key`` that is not preset (answered for the officer)."""
    keys = [f.key for f in activity.fields]
    for following in keys[keys.index(key) + 1:]:
        if following not in preset:
            return following
    return REVIEW


def shown_presets(activity: Activity, draft: Draft) -> list[str]:
    """The presets the current question shows: those before it in the form, in form order."""
    keys = [f.key for f in activity.fields]
    limit = len(keys) if draft.step == REVIEW else keys.index(draft.step)
    return [k for k in keys[:limit] if k in draft.preset]


def revisit(activity: Activity, draft: Draft, key: str) -> Draft:
    """Open a preset shown on the current question; answering it comes back to this question."""
    if key not in shown_presets(activity, draft) or draft.step == REVIEW:
        raise ValueError(f"{key} is not shown on this question")
    moved = _at(activity, draft, key)
    return replace(moved, work={**moved.work, "back_to": draft.step})


def back(activity: Activity, draft: Draft) -> Draft:
    """One field back (or, while editing, back to the review card)."""
    if draft.editing or draft.step == REVIEW:
        target = REVIEW if draft.editing else activity.fields[-1].key
        return _at(activity, replace(draft, editing=False), target)
    if draft.work.get("back_to") is not None:
        return _at(activity, draft, draft.work["back_to"])
    keys = [f.key for f in activity.fields]
    index = keys.index(draft.step)
    return _at(activity, draft, keys[max(0, index - 1)])


def edit(activity: Activity, draft: Draft, key: str) -> Draft:
    """Jump from the review card to one field; answering it returns to the review."""
    return _at(activity, replace(draft, editing=True), key)


def _at(activity: Activity, draft: Draft, step: str) -> Draft:
    """The draft at ``step``, its work started; a preset asked again is no longer preset."""
    work = {} if step == REVIEW else start_work(activity.field(step), draft.answers.get(step))
    preset = tuple(k for k in draft.preset if k != step)
    return replace(draft, step=step, work=work, preset=preset)


def with_work(draft: Draft, **changes: Any) -> Draft:
    """The draft with its current step's work updated."""
    return replace(draft, work={**draft.work, **changes})


def can_submit(activity: Activity, draft: Draft) -> Field | None:
    """The first field blocking submission, or None when the report is complete."""
    return first_unanswered(activity, draft.answers)


@dataclass(frozen=True)
class ReportColumns:
    """The columns a submitted report stores besides the answers themselves."""

    started_at: datetime | None = None
    ended_at: datetime | None = None
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    equipment: dict[str, Any] | None = None
    warnings_ack_at: datetime | None = None
    complaints: tuple[Complaint, ...] = ()
    photos: tuple[dict[str, Any], ...] = ()
    kelurahan: str | None = None
    """The kelurahan code of the place; the report's complaints are filed under it too."""


def columns(activity: Activity, answers: dict[str, Any]) -> ReportColumns:
    """Pull time, place, checklist, acknowledgement, complaints and photos out of the answers."""
    result = ReportColumns()
    for form_field in activity.fields:
        value = answers.get(form_field.key)
        if value is None:
            continue
        kind = form_field.type
        if kind == FieldType.TIME_RANGE:
            time_range = TimeRange.from_json(value)
            result = replace(result, started_at=time_range.start, ended_at=time_range.end)
        elif kind == FieldType.LOCATION:
            location = Location.from_json(value)
            result = replace(
                result,
                place=location.place,
                latitude=location.pin.latitude if location.pin else None,
                longitude=location.pin.longitude if location.pin else None,
                kelurahan=location.kelurahan,
            )
        elif kind == FieldType.EQUIPMENT:
            result = replace(result, equipment=EquipmentState.from_json(value).to_json())
        elif kind == FieldType.WARNINGS_ACK:
            result = replace(result, warnings_ack_at=WarningsAck.from_json(value).acknowledged_at)
        elif kind == FieldType.COMPLAINTS:
            result = replace(result, complaints=tuple(Complaint.from_json(c) for c in value))
        elif kind == FieldType.PHOTOS:
            result = replace(result, photos=tuple(value))
    return result


def add_photo(photos: list[dict[str, Any]], entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The photo list with ``entry`` appended unless the same file (hash) is already in it."""
    if any(photo["sha256"] == entry["sha256"] for photo in photos):
        return photos
    return [*photos, entry]

