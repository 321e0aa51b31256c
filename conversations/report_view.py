"""How a report looks to people: step prompts, answer values, the review card, the report card.

Rendering only; every text comes from the message catalogue or the activity catalogue, and
every piece of user input is HTML-escaped (the bot's default parse mode is HTML).
"""

from __future__ import annotations

import html
from typing import Any

from telegram import InlineKeyboardMarkup

from conversations.report_place import has_answer, kelurahan_part
from conversations.report_taps import Tap
from domain.answers import (
    Complaint,
    EquipmentState,
    Location,
    TimeRange,
    WarningsAck,
    default_time_range,
)
from domain.catalogue import (
    Activity,
    ChoiceField,
    ComplaintsField,
    Field,
    FieldType,
    IntegerField,
    MultiChoiceField,
    PhotosField,
)
from domain.draft_work import (
    TYPED_PARTS,
    ChoiceWork,
    ComplaintPhase,
    ComplaintsWork,
    EquipmentWork,
    TimeWork,
)
from domain.people import Officer
from domain.reports import (
    REVIEW,
    Draft,
    Report,
    StoredComplaint,
    correctable_fields,
    shown_presets,
)
from domain.text import shorten
from ui import callbacks
from ui.messages import Button, chunked, esc, inline, local_time
from ui.services import Services
from ui.territory import kelurahan_label
from ui.views import clock_text

NS = callbacks.Namespace.REPORT
SPECIAL_TYPES = frozenset(
    {
        FieldType.TIME_RANGE,
        FieldType.LOCATION,
        FieldType.EQUIPMENT,
        FieldType.COMPLAINTS,
        FieldType.PHOTOS,
        FieldType.WARNINGS_ACK,
    }
)


def button(draft: Draft, action: Tap, *args: str | int) -> str:
    """Callback data bound to this draft and its current version (older ones go stale)."""
    return callbacks.pack(NS, draft.id, draft.version, action, *args)


def time_range_text(value: TimeRange, services: Services, language: str) -> str:
    """``Sabtu, 28/11/2026 08.00–09.00 WITA (60 menit)``."""
    start, end = value.local(services.settings.tz)
    return services.texts(
        language,
        "reports.value.time_range",
        day=services.texts(language, f"day.{start.weekday()}"),
        date=start.strftime("%d/%m/%Y"),
        start=clock_text(start, language, services.settings.tz),
        end=clock_text(end, language, services.settings.tz),
        zone=start.tzname() or "",
        minutes=value.duration_minutes,
    )


def location_text(value: Location, services: Services, language: str) -> str:
    """The kelurahan, the typed place and/or the pin's coordinates."""
    parts = []
    if value.kelurahan:
        parts.append(esc(kelurahan_label(services, value.kelurahan, language)) + ",")
    if value.place:
        parts.append(html.escape(value.place))
    if value.pin is not None:
        parts.append(
            services.texts(
                language, "reports.value.pin", lat=f"{value.pin.latitude:.6f}",
                lon=f"{value.pin.longitude:.6f}",
            )
        )
    return " ".join(parts)


def equipment_text(
    value: EquipmentState, services: Services, language: str, *, multiline: bool = False
) -> str:
    """The checklist: complete, or what was missing and why."""
    catalogue = services.catalogue
    missing = value.missing()
    if not missing:
        return services.texts(language, "reports.value.equipment_complete", count=len(value.items))
    lines = [
        services.texts(
            language,
            "reports.value.equipment_missing",
            item=esc(catalogue.equipment[key].get(language) if key in catalogue.equipment
                     else key),
            reason=html.escape(value.reason(key) or "-"),
        )
        for key in missing
    ]
    summary = services.texts(
        language, "reports.value.equipment_partial", present=len(value.present),
        count=len(value.items),
    )
    return summary + ("\n" if multiline else " ") + ("\n" if multiline else "; ").join(lines)


def complaint_text(item: Complaint | StoredComplaint, services: Services, language: str) -> str:
    """One complaint on one line (two with the resident)."""
    catalogue = services.catalogue
    category = catalogue.complaint_categories.get(item.category)
    try:
        urgency = esc(catalogue.urgency(item.urgency).label.get(language))
    except KeyError:
        urgency = esc(item.urgency)
    text = services.texts(
        language,
        "reports.value.complaint",
        category=esc(category.get(language) if category else item.category),
        description=html.escape(item.description),
        place=html.escape(item.place),
        urgency=urgency,
    )
    if item.resident_name or item.resident_contact:
        text += " " + services.texts(
            language,
            "reports.value.resident",
            name=html.escape(item.resident_name or "-"),
            contact=html.escape(item.resident_contact or "-"),
        )
    return text


def value_text(services: Services, form_field: Field, value: Any, language: str) -> str:
    """Any stored answer as people read it."""
    if value is None:
        return services.texts(language, "reports.value.skipped")
    kind = form_field.type
    if isinstance(form_field, ChoiceField | MultiChoiceField):
        keys = [value] if isinstance(value, str) else list(value)
        labels = []
        for key in keys:
            try:
                labels.append(esc(form_field.option(key).label.get(language)))
            except KeyError:
                labels.append(esc(key))
        return ", ".join(labels)
    if kind == FieldType.TIME_RANGE:
        return time_range_text(TimeRange.from_json(value), services, language)
    if kind == FieldType.LOCATION:
        return location_text(Location.from_json(value), services, language)
    if kind == FieldType.WARNINGS_ACK:
        moment = WarningsAck.from_json(value).acknowledged_at
        return services.texts(
            language, "reports.value.acknowledged",
            time=clock_text(moment, language, services.settings.tz),
        )
    if kind == FieldType.EQUIPMENT:
        return equipment_text(EquipmentState.from_json(value), services, language)
    if kind == FieldType.COMPLAINTS:
        if not value:
            return services.texts(language, "reports.value.no_complaints")
        return services.texts(language, "reports.value.complaint_count", count=len(value))
    if kind == FieldType.PHOTOS:
        return services.texts(language, "reports.value.photo_count", count=len(value))
    return html.escape(str(value))


def activity_menu(services: Services, language: str) -> tuple[str, InlineKeyboardMarkup]:
    """The question "which activity?" with one button per catalogue activity."""
    rows = chunked(
        [
            (activity.name.get(language), callbacks.pack(NS, 0, 0, Tap.NEW, activity.code))
            for activity in services.catalogue.activities
        ],
        2,
    )
    return services.texts(language, "reports.choose_activity"), inline(rows)


def draft_question(
    services: Services, draft: Draft, language: str
) -> tuple[str, InlineKeyboardMarkup]:
    """A draft is open: continue it or throw it away?"""
    activity = services.catalogue.activity(draft.activity_code)
    text = services.texts(
        language, "reports.draft_open", activity=esc(activity.name.get(language)),
        step=esc(_step_label(activity, draft, language)),
    )
    return text, inline(
        [
            [(services.texts(language, "reports.button.resume"), button(draft, Tap.RESUME))],
            [(services.texts(language, "reports.button.discard"), button(draft, Tap.DISCARD))],
        ]
    )


def cancel_question(
    services: Services, draft: Draft, language: str
) -> tuple[str, InlineKeyboardMarkup]:
    """Ask before a draft is discarded."""
    activity = services.catalogue.activity(draft.activity_code)
    return services.texts(
        language, "reports.cancel_confirm", activity=esc(activity.name.get(language))
    ), inline(
        [
            [
                (services.texts(language, "reports.button.discard_yes"), button(draft, Tap.DROP)),
                (services.texts(language, "reports.button.discard_no"), button(draft, Tap.STAY)),
            ]
        ]
    )


def _step_label(activity: Activity, draft: Draft, language: str) -> str:
    if draft.step == REVIEW:
        return "✔"
    return activity.field(draft.step).label.get(language)


def prompt(services: Services, draft: Draft, language: str) -> tuple[str, InlineKeyboardMarkup]:
    """The question and buttons of the draft's current step."""
    activity = services.catalogue.activity(draft.activity_code)
    if draft.step == REVIEW:
        return review(services, activity, draft, language)
    form_field = activity.field(draft.step)
    texts = services.texts
    keys = [f.key for f in activity.fields]
    position = keys.index(form_field.key) + 1
    lines = [
        texts(
            language,
            "reports.step_header",
            activity=esc(activity.name.get(language)),
            position=position,
            total=len(keys),
            label=esc(form_field.label.get(language)),
        ),
        esc(form_field.prompt.get(language)),
    ]
    if form_field.hint is not None:
        lines.append(f"<i>{esc(form_field.hint.get(language))}</i>")
    rows: list[list[Button]] = []
    extra_lines, rows = _field_part(services, activity, form_field, draft, language)
    lines.extend(extra_lines)
    lines.extend(_shortcut_lines(services, activity, form_field, draft, language))
    rows.extend(_shortcut_rows(services, activity, form_field, draft, language))
    preset_lines, preset_rows = _preset_part(services, activity, draft, language)
    lines[1:1] = preset_lines
    rows.extend(preset_rows)
    previous = draft.answers.get(form_field.key)
    if form_field.key in draft.answers and form_field.type not in SPECIAL_TYPES - {
        FieldType.TIME_RANGE
    } and not isinstance(form_field, MultiChoiceField):
        # "tap Keep" only where there is a Keep button (nothing kept is not an answer to keep)
        key = "reports.current_answer" if previous is not None else "reports.current_answer_open"
        lines.append(texts(language, key,
                           value=value_text(services, form_field, previous, language)))
        if previous is not None:
            rows.append([(texts(language, "reports.button.keep"), button(draft, Tap.KEEP))])
    rows.append(_navigation(services, activity, form_field, draft, language))
    return "\n\n".join(lines), inline(rows)


def _preset_part(
    services: Services, activity: Activity, draft: Draft, language: str
) -> tuple[list[str], list[list[Button]]]:
    """What was filled for the officer, shown on this question with a ✏️ each: moving on
    from the question confirms them."""
    shown = shown_presets(activity, draft)
    if not shown:
        return [], []
    texts = services.texts
    fields = [activity.field(key) for key in shown]
    listed = "\n".join(
        texts(language, "reports.review_line", label=esc(f.label.get(language)),
              value=value_text(services, f, draft.answers.get(f.key), language))
        for f in fields
    )
    rows = chunked(
        [("✏️ " + f.label.get(language), button(draft, Tap.PRESET, f.key)) for f in fields], 2
    )
    return [texts(language, "reports.preset_heading") + "\n" + listed], rows


def next_field(activity: Activity, form_field: Field) -> Field | None:
    """The field the form asks after ``form_field`` (None after the last)."""
    keys = [f.key for f in activity.fields]
    index = keys.index(form_field.key) + 1
    return activity.fields[index] if index < len(keys) else None


def paired_count(activity: Activity, form_field: Field, draft: Draft) -> IntegerField | None:
    """The count asked right after this one, which one message may answer with it."""
    following = next_field(activity, form_field)
    if (
        not isinstance(form_field, IntegerField)
        or not isinstance(following, IntegerField)
        or draft.editing
        or "back_to" in draft.work
        or following.key in draft.answers
    ):
        return None
    return following


def _shortcut_lines(
    services: Services, activity: Activity, form_field: Field, draft: Draft, language: str
) -> list[str]:
    texts = services.texts
    pair = paired_count(activity, form_field, draft)
    if pair is not None:
        return [texts(language, "reports.counts_both", first=esc(form_field.label.get(language)),
                      second=esc(pair.label.get(language)))]
    if form_field.type == FieldType.LOCATION and form_field.key not in draft.answers:
        return [texts(language, "reports.location_pin_moves_on")]
    return []


def same_value_label(services: Services, form_field: Field, value: Any, language: str) -> str:
    """The plain text of a previous answer, short enough for a button."""
    if form_field.type == FieldType.LOCATION:
        location = Location.from_json(value)
        shown = location.place or (
            f"{location.pin.latitude:.5f}, {location.pin.longitude:.5f}" if location.pin else ""
        )
    elif isinstance(form_field, MultiChoiceField):
        names = []
        for key in value:
            try:
                names.append(form_field.option(key).label.get(language))
            except KeyError:
                continue
        shown = ", ".join(names)
    else:
        shown = str(value)
    return services.texts(language, "reports.button.same", value=shorten(shown, 40))


def _shortcut_rows(
    services: Services, activity: Activity, form_field: Field, draft: Draft, language: str
) -> list[list[Button]]:
    """ "Same as last time": the officer's previous answer to this question, one tap."""
    offered = draft.offers.get(form_field.key)
    if not offered or draft.answers.get(form_field.key) == offered:
        return []
    label = same_value_label(services, form_field, offered, language)
    return [[(label, button(draft, Tap.SAME))]]


def _navigation(
    services: Services, activity: Activity, form_field: Field, draft: Draft, language: str
) -> list[Button]:
    texts = services.texts
    row: list[Button] = []
    if draft.editing or activity.fields[0].key != form_field.key:
        row.append((texts(language, "button.back"), button(draft, Tap.BACK)))
    if not form_field.required and form_field.type not in (
        FieldType.COMPLAINTS,
        FieldType.PHOTOS,
    ):
        row.append((texts(language, "reports.button.skip"), button(draft, Tap.SKIP)))
    row.append((texts(language, "button.cancel"), button(draft, Tap.CANCEL)))
    return row


def _field_part(
    services: Services, activity: Activity, form_field: Field, draft: Draft, language: str
) -> tuple[list[str], list[list[Button]]]:
    """Extra lines and buttons that depend on the field's type and the step's work."""
    texts = services.texts
    work = draft.work
    kind = form_field.type
    if isinstance(form_field, ChoiceField):
        return [], chunked(
            [(o.label.get(language), button(draft, Tap.OPTION, o.key))
             for o in form_field.options], 2
        )
    if isinstance(form_field, MultiChoiceField):
        selected = set(ChoiceWork.of(work).selected)
        toggles = [
            (("✅ " if o.key in selected else "⬜ ") + o.label.get(language),
             button(draft, Tap.TOGGLE, o.key))
            for o in form_field.options
        ]
        rows = chunked(toggles, 1)
        if not one_tap_pick(form_field, draft):
            rows.append([(texts(language, "reports.button.done"), button(draft, Tap.DONE))])
        return [], rows
    if kind == FieldType.TIME_RANGE:
        pending = TimeWork.of(work).pending
        if pending is not None:
            return [
                texts(language, "reports.time_confirm",
                      value=time_range_text(pending, services, language))
            ], [[(texts(language, "reports.button.time_ok"), button(draft, Tap.TIME_OK))]]
        suggestion = default_time_range(services.clock.now(), activity.duration_minutes)
        start, end = suggestion.local(services.settings.tz)
        label = texts(
            language, "reports.button.time_default",
            start=clock_text(start, language, services.settings.tz),
            end=clock_text(end, language, services.settings.tz),
        )
        return [], [[(label, button(draft, Tap.NOW))]]
    if kind == FieldType.LOCATION:
        return _place_part(services, draft, language)
    if kind == FieldType.WARNINGS_ACK:
        warnings = [
            f"{index}. {esc(warning.get(language))}"
            for index, warning in enumerate(services.catalogue.sop_warnings, start=1)
        ]
        return ["\n".join(warnings)], [
            [(texts(language, "reports.button.acknowledge"), button(draft, Tap.ACK))]
        ]
    if kind == FieldType.EQUIPMENT:
        return _equipment_part(services, activity, draft, language)
    if kind == FieldType.COMPLAINTS:
        return _complaints_part(services, draft, language)
    if isinstance(form_field, PhotosField):
        count = len(work.get("photos", []))
        lines = [texts(language, "reports.photos_count", count=count, max=form_field.max_items)]
        done: list[list[Button]] = []
        if count >= form_field.min_items:
            done.append([(texts(language, "reports.button.done"), button(draft, Tap.DONE))])
        return lines, done
    return [], []


def one_tap_pick(form_field: MultiChoiceField, draft: Draft) -> bool:
    """Whether a tap on this multiple choice answers it: asked for the first time, in order
    (not revisited, not edited from the review card), and one option is enough."""
    return (
        form_field.min_selections <= 1
        and form_field.key not in draft.answers
        and not ChoiceWork.of(draft.work).selected
        and not draft.editing
        and "back_to" not in draft.work
    )


def _place_part(
    services: Services, draft: Draft, language: str
) -> tuple[list[str], list[list[Button]]]:
    """The place step's own lines and buttons. A pin answers the step by itself (conversation
    ``_on_pin``); typed text is kept until "Lanjut" or a pin. One-tap places (the previous
    report's, via :func:`_shortcut_rows`; the officer's kelurahan binaan, via
    :func:`~conversations.report_place.kelurahan_part`) are rows added here."""
    texts = services.texts
    work = draft.work
    lines, rows = kelurahan_part(services, draft, language, button)
    if work.get("pin") or work.get("place"):
        shown = Location.from_json(work)
        lines.insert(0, texts(language, "reports.location_have",
                              value=location_text(shown, services, language)))
    if has_answer(work):
        rows.append([(texts(language, "reports.button.continue"), button(draft, Tap.DONE))])
    return lines, rows


def equipment_state(activity: Activity, draft: Draft) -> EquipmentState:
    """The checklist being ticked (a fresh one when the step has just started)."""
    state = EquipmentWork.of(draft.work).state
    return state if state is not None else EquipmentState.start(activity.equipment)


def _equipment_part(
    services: Services, activity: Activity, draft: Draft, language: str
) -> tuple[list[str], list[list[Button]]]:
    texts = services.texts
    state = equipment_state(activity, draft)
    catalogue = services.catalogue
    if EquipmentWork.of(draft.work).asking_reasons and state.needs_reason():
        item = state.needs_reason()[0]
        return [
            texts(language, "reports.equipment_reason",
                  item=esc(catalogue.equipment[item].get(language)))
        ], []
    toggles = [
        (("✅ " if key in state.present else "⬜ ") + catalogue.equipment[key].get(language),
         button(draft, Tap.EQUIPMENT, key))
        for key in state.items
    ]
    rows = chunked(toggles, 1)
    rows.append(
        [
            (texts(language, "reports.button.all_complete"), button(draft, Tap.EQUIPMENT_ALL)),
            (texts(language, "reports.button.continue"), button(draft, Tap.DONE)),
        ]
    )
    return [], rows


def _complaints_part(
    services: Services, draft: Draft, language: str
) -> tuple[list[str], list[list[Button]]]:
    texts = services.texts
    catalogue = services.catalogue
    activity = catalogue.activity(draft.activity_code)
    field = activity.field(draft.step)
    assert isinstance(field, ComplaintsField)
    work = ComplaintsWork.of(draft.work)
    items = work.complaints()
    phase = work.phase
    lines: list[str] = []
    if items:
        lines.append(
            "\n".join(
                f"{index}. {complaint_text(item, services, language)}"
                for index, item in enumerate(items, start=1)
            )
        )
    if phase == ComplaintPhase.CARD:
        return _complaint_card(services, draft, language, lines)
    if phase in (ComplaintPhase.DESCRIPTION, *TYPED_PARTS):
        lines.append(texts(language, f"reports.complaint.ask_{phase}"))
        if phase == ComplaintPhase.DESCRIPTION or not work.current.get("place"):
            return lines, []  # no card to go back to yet (its place is still missing)
        return lines, [[(texts(language, "reports.complaint.button.to_card"),
                         button(draft, Tap.COMPLAINT_CARD))]]
    rows: list[list[Button]] = []
    if len(items) < field.max_items:
        lines.append(texts(language, "reports.complaint.pick_category"))
        rows = chunked(
            [(label.get(language), button(draft, Tap.CATEGORY, key))
             for key, label in catalogue.categories_for(field).items()],
            2,
        )
    if items:
        rows.append([(texts(language, "reports.button.done"), button(draft, Tap.DONE))])
    else:
        rows.append([(texts(language, "reports.button.no_complaints"),
                      button(draft, Tap.NO_COMPLAINTS))])
    return lines, rows


def _complaint_card(
    services: Services, draft: Draft, language: str, lines: list[str]
) -> tuple[list[str], list[list[Button]]]:
    """The complaint being added, defaults set, a button to change each part, and save."""
    texts = services.texts
    catalogue = services.catalogue
    current = ComplaintsWork.of(draft.work).current
    category = catalogue.complaint_categories.get(current.get("category", ""))
    urgency = current.get("urgency") or catalogue.urgency_levels[0].key
    none = texts(language, "reports.complaint.card_none")
    try:
        urgency_label = catalogue.urgency(urgency).label.get(language)
    except KeyError:
        urgency_label = urgency
    lines.append(texts(
        language, "reports.complaint.card",
        category=esc(category.get(language) if category else current.get("category", "")),
        description=html.escape(current.get("description", "")),
        place=html.escape(current.get("place") or none),
        name=html.escape(current.get("name") or none),
        contact=html.escape(current.get("contact") or none),
        urgency=esc(urgency_label),
    ))
    rows: list[list[Button]] = [[
        (("• " if level.key == urgency else "") + level.label.get(language),
         button(draft, Tap.URGENCY, level.key))
        for level in catalogue.urgency_levels
    ]]
    rows.append([
        (texts(language, f"reports.complaint.button.{part}"),
         button(draft, Tap.COMPLAINT_SET, part))
        for part in TYPED_PARTS
    ])
    rows.append([(texts(language, "reports.complaint.button.save"),
                  button(draft, Tap.COMPLAINT_SAVE))])
    rows.append([(texts(language, "reports.complaint.button.save_more"),
                  button(draft, Tap.COMPLAINT_MORE))])
    return lines, rows


def review(
    services: Services, activity: Activity, draft: Draft, language: str
) -> tuple[str, InlineKeyboardMarkup]:
    """Every field with its value; a button per field to change it; submit."""
    texts = services.texts
    heading = "reports.correct.review_heading" if draft.is_correction else "reports.review_heading"
    lines = [texts(language, heading, activity=esc(activity.name.get(language)))]
    for form_field in activity.fields:
        if form_field.key in draft.answers:
            shown = value_text(services, form_field, draft.answers[form_field.key], language)
        else:
            shown = texts(language, "reports.value.missing")
        lines.append(
            texts(language, "reports.review_line", label=esc(form_field.label.get(language)),
                  value=shown)
        )
    if not draft.is_correction and activity.fields_of(FieldType.PHOTOS):
        lines.append("\n" + texts(language, "reports.review_more_photos"))
    editable = correctable_fields(activity) if draft.is_correction else activity.fields
    edit_buttons = [
        ("✏️ " + f.label.get(language), button(draft, Tap.EDIT, f.key)) for f in editable
    ]
    rows = chunked(edit_buttons, 2)
    if draft.is_correction:
        rows.append([(texts(language, "reports.correct.button.save"), button(draft, Tap.SAVE))])
    else:
        rows.append([(texts(language, "reports.button.submit"), button(draft, Tap.SUBMIT))])
    rows.append([(texts(language, "button.cancel"), button(draft, Tap.CANCEL))])
    return "\n".join(lines), inline(rows)


def officer_line(officer: Officer, services: Services, language: str) -> str:
    """``BRIPKA Budi Santoso, NRP 87654321``."""
    return services.texts(
        language, "reports.card.officer_value", rank=esc(officer.rank or ""),
        name=esc(officer.full_name), nrp=esc(officer.nrp or "-"),
    ).strip()


def report_card(
    services: Services,
    report: Report,
    officer: Officer,
    complaints: list[StoredComplaint],
    photo_count: int,
    language: str,
) -> str:
    """The compact chat version of the police report layout (LAPORAN HASIL KEGIATAN)."""
    texts = services.texts
    activity = services.catalogue.activity(report.activity_code)
    tz = services.settings.tz
    answers = report.answers
    when = report.started_at or report.submitted_at
    local = when.astimezone(tz)
    lines = [
        texts(language, "reports.card.title"),
        f"<b>{esc(activity.name.get(language).upper())}</b>",
        texts(language, "reports.card.number", number=report.number),
        "",
        texts(language, "reports.card.day",
              day=texts(language, f"day.{local.weekday()}"), date=local.strftime("%d/%m/%Y")),
    ]
    if report.started_at and report.ended_at:
        lines.append(
            texts(language, "reports.card.time",
                  start=clock_text(report.started_at, language, services.settings.tz),
                  end=clock_text(report.ended_at, language, services.settings.tz),
                  zone=local.tzname() or "")
        )
    location = next(
        (answers.get(f.key) for f in activity.fields if f.type == FieldType.LOCATION), None
    )
    if location:
        lines.append(
            texts(language, "reports.card.place",
                  place=location_text(Location.from_json(location), services, language))
        )
    lines.append(texts(language, "reports.card.officer",
                       officer=officer_line(officer, services, language)))
    lines.append("")
    lines.append(texts(language, "reports.card.done_heading"))
    for form_field in activity.fields:
        if form_field.type in SPECIAL_TYPES or form_field.key not in answers:
            continue
        lines.append(
            texts(language, "reports.review_line", label=esc(form_field.label.get(language)),
                  value=value_text(services, form_field, answers[form_field.key], language))
        )
    lines.append("")
    lines.append(texts(language, "reports.card.complaints_heading", count=len(complaints)))
    if complaints:
        lines.extend(
            f"{index}. {complaint_text(item, services, language)}"
            for index, item in enumerate(complaints, start=1)
        )
    else:
        lines.append(texts(language, "reports.value.no_complaints"))
    if report.equipment is not None:
        lines.append("")
        lines.append(
            texts(language, "reports.card.equipment",
                  value=equipment_text(EquipmentState.from_json(report.equipment), services,
                                       language, multiline=True))
        )
    if report.warnings_ack_at is not None:
        lines.append(
            texts(language, "reports.card.warnings",
                  time=local_time(report.warnings_ack_at, tz, texts, language))
        )
    lines.append(texts(language, "reports.card.photos", count=photo_count))
    return "\n".join(lines)


def stamp_lines(
    services: Services, report: Report, officer: Officer, language: str
) -> list[str]:
    """The documentation stamp: activity · number, day/date/time, place, officer."""
    activity = services.catalogue.activity(report.activity_code)
    tz = services.settings.tz
    when = report.started_at or report.submitted_at
    lines = [
        f"{activity.name.get(language)} · {report.number}",
        local_time(when, tz, services.texts, language),
    ]
    if report.place:
        lines.append(report.place)
    elif report.latitude is not None and report.longitude is not None:
        lines.append(f"{report.latitude:.6f}, {report.longitude:.6f}")
    lines.append(
        services.texts(
            language, "reports.card.officer_value", rank=officer.rank or "",
            name=officer.full_name, nrp=officer.nrp or "-",
        ).strip()
    )
    return lines
