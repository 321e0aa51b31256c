"""The activity catalogue: the SOP's community-policing posts and their report forms, as data.

The forms live in ``config/activities.toml`` so that a precinct can add an activity type or
change a field without touching Python; one form engine walks any :class:`Activity`. Everything
here is validated once at start-up, and every problem is reported as ``file: activity 'code',
field 'key': what is wrong`` so that whoever edits the file can fix it without reading code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, TypeAlias

import pydantic
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, model_validator

from domain.configfile import ConfigFileError, load_model

DEFAULT_CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "config" / "activities.toml"

# Codes and keys travel inside 64-byte callback data and report numbers: keep them short ASCII.
ACTIVITY_CODE_PATTERN = r"^[a-z][a-z0-9_]{1,15}$"
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,15}$"
NUMBER_CODE_PATTERN = r"^[A-Z][A-Z0-9]{1,9}$"
LONGEST_TIME_RANGE_MINUTES = 1440
"""No activity lasts longer than a day: the schedule's report lookups rely on it to read a
bounded slice of an officer's reports (``storage/schedule.py``)."""

Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
ActivityCode = Annotated[str, StringConstraints(pattern=ACTIVITY_CODE_PATTERN)]
NumberCode = Annotated[str, StringConstraints(pattern=NUMBER_CODE_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

_PATTERN_HINTS = {
    ACTIVITY_CODE_PATTERN: "2-16 lowercase letters, digits or _, starting with a letter",
    KEY_PATTERN: "1-16 lowercase letters, digits or _, starting with a letter",
    NUMBER_CODE_PATTERN: "2-10 uppercase letters or digits, starting with a letter",
}


class CatalogueError(ConfigFileError):
    """The catalogue is unreadable or inconsistent; messages name file, activity and field."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Bilingual(_Frozen):
    """A text in Indonesian and English, both required so neither language shows a gap."""

    id: Text
    en: Text

    def get(self, lang: str) -> str:
        """The text in ``lang``; Indonesian for anything that is not English."""
        return self.en if lang.lower().startswith("en") else self.id


class FieldType(StrEnum):
    """The kinds of answer a form field asks for; each has its own parser in ``answers``."""

    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    CHOICE = "choice"
    MULTI_CHOICE = "multi_choice"
    TIME_RANGE = "time_range"
    LOCATION = "location"
    WARNINGS_ACK = "warnings_ack"
    EQUIPMENT = "equipment"
    PHOTOS = "photos"
    COMPLAINTS = "complaints"


# A report has one time, one place, one checklist, one album and one complaint list.
SINGLETON_TYPES = frozenset(
    {
        FieldType.TIME_RANGE,
        FieldType.LOCATION,
        FieldType.EQUIPMENT,
        FieldType.PHOTOS,
        FieldType.COMPLAINTS,
        FieldType.WARNINGS_ACK,
    }
)


class FieldBase(_Frozen):
    """What every form field has: a key, whether it may be skipped, and its texts.

    ``label`` names the field on the review card; ``prompt`` is the question the bot asks;
    ``hint`` is an optional example shown under the question. ``default`` answers the field
    for the officer without asking (``"skip"``: nothing, for an optional field;
    ``"last_hour"``: the hour up to now, for a time range); the default is shown on the next
    question, with a ✏️ to change it, and confirmed when the officer moves on from there.
    """

    key: Key
    required: bool = True
    label: Bilingual
    prompt: Bilingual
    hint: Bilingual | None = None
    default: Literal["skip", "last_hour"] | None = None

    @model_validator(mode="after")
    def _default_fits(self) -> FieldBase:
        kind = getattr(self, "type", None)
        if self.default == "skip" and (self.required or kind not in (
            FieldType.SHORT_TEXT, FieldType.LONG_TEXT, FieldType.INTEGER
        )):
            raise ValueError("default 'skip' is only for optional text or number fields")
        if self.default == "last_hour" and kind != FieldType.TIME_RANGE:
            raise ValueError("default 'last_hour' is only for a time_range field")
        return self


class ShortTextField(FieldBase):
    """One line of text (a number, a name); whitespace is collapsed to single spaces."""

    type: Literal[FieldType.SHORT_TEXT]
    min_length: int = pydantic.Field(1, ge=1)
    max_length: int = pydantic.Field(200, ge=1, le=1000)

    @model_validator(mode="after")
    def _lengths(self) -> ShortTextField:
        if self.max_length < self.min_length:
            raise ValueError("max_length must be >= min_length")
        return self


class LongTextField(FieldBase):
    """Free text over several lines (a summary); must fit in one Telegram message."""

    type: Literal[FieldType.LONG_TEXT]
    min_length: int = pydantic.Field(1, ge=1)
    max_length: int = pydantic.Field(2000, ge=1, le=3500)

    @model_validator(mode="after")
    def _lengths(self) -> LongTextField:
        if self.max_length < self.min_length:
            raise ValueError("max_length must be >= min_length")
        return self


class IntegerField(FieldBase):
    """A whole count (residents, households); never negative."""

    type: Literal[FieldType.INTEGER]
    min: int = pydantic.Field(0, ge=0)
    max: int = pydantic.Field(100_000, ge=0, le=10**12)

    @model_validator(mode="after")
    def _range(self) -> IntegerField:
        if self.max < self.min:
            raise ValueError("max must be >= min")
        return self


class Option(_Frozen):
    """One button of a choice field; ``key`` is what the button sends and what is stored."""

    key: Key
    label: Bilingual


def _check_options(options: Sequence[Option]) -> None:
    duplicates = sorted(key for key, n in Counter(o.key for o in options).items() if n > 1)
    if duplicates:
        raise ValueError(f"options: duplicate option key {duplicates[0]!r}")


class ChoiceField(FieldBase):
    """Exactly one of a few options, offered as buttons."""

    type: Literal[FieldType.CHOICE]
    options: tuple[Option, ...] = pydantic.Field(min_length=2)

    @model_validator(mode="after")
    def _unique(self) -> ChoiceField:
        _check_options(self.options)
        return self

    def option(self, key: str) -> Option:
        """The option with this key (KeyError when unknown)."""
        for option in self.options:
            if option.key == key:
                return option
        raise KeyError(key)


class MultiChoiceField(FieldBase):
    """Several of a few options, offered as toggle buttons.

    ``max_selections`` defaults to the number of options.
    """

    type: Literal[FieldType.MULTI_CHOICE]
    options: tuple[Option, ...] = pydantic.Field(min_length=2)
    min_selections: int = pydantic.Field(1, ge=0)
    max_selections: int | None = pydantic.Field(None, ge=1)

    @model_validator(mode="after")
    def _counts(self) -> MultiChoiceField:
        _check_options(self.options)
        if self.max_selections is not None and self.max_selections > len(self.options):
            raise ValueError("max_selections must not exceed the number of options")
        if self.min_selections > self.most_selections:
            raise ValueError("max_selections must be >= min_selections")
        return self

    @property
    def most_selections(self) -> int:
        """The effective maximum number of selected options."""
        return len(self.options) if self.max_selections is None else self.max_selections

    def option(self, key: str) -> Option:
        """The option with this key (KeyError when unknown)."""
        for option in self.options:
            if option.key == key:
                return option
        raise KeyError(key)


class TimeRangeField(FieldBase):
    """When the activity started and ended.

    ``warn_tolerance_minutes``: warn (not refuse) when the duration differs from the
    activity's standard duration by more than this.
    """

    type: Literal[FieldType.TIME_RANGE]
    max_duration_minutes: int = pydantic.Field(720, ge=1, le=LONGEST_TIME_RANGE_MINUTES)
    warn_tolerance_minutes: int = pydantic.Field(30, ge=0, le=1440)


class LocationField(FieldBase):
    """Where: a Telegram location pin and/or a typed place name."""

    type: Literal[FieldType.LOCATION]
    allow_pin: bool = True
    allow_text: bool = True

    @model_validator(mode="after")
    def _some_way(self) -> LocationField:
        if not (self.allow_pin or self.allow_text):
            raise ValueError("allow_pin and allow_text cannot both be false")
        return self


class WarningsAckField(FieldBase):
    """The officer confirms the SOP warnings (no SARA, no politics, no offence) were kept."""

    type: Literal[FieldType.WARNINGS_ACK]


class EquipmentField(FieldBase):
    """The checklist of the activity's equipment; a missing item needs a short reason."""

    type: Literal[FieldType.EQUIPMENT]


class PhotosField(FieldBase):
    """Documentation photos, sent as photos or as files (possibly several albums)."""

    type: Literal[FieldType.PHOTOS]
    min_items: int = pydantic.Field(1, ge=0)
    max_items: int = pydantic.Field(10, ge=1, le=50)

    @model_validator(mode="after")
    def _counts(self) -> PhotosField:
        if self.max_items < self.min_items:
            raise ValueError("max_items must be >= min_items")
        return self


class ComplaintsField(FieldBase):
    """Residents' complaints, zero or more; ``categories`` limits the offered categories."""

    type: Literal[FieldType.COMPLAINTS]
    max_items: int = pydantic.Field(20, ge=1, le=100)
    categories: tuple[Key, ...] | None = None


Field: TypeAlias = Annotated[
    ShortTextField
    | LongTextField
    | IntegerField
    | ChoiceField
    | MultiChoiceField
    | TimeRangeField
    | LocationField
    | WarningsAckField
    | EquipmentField
    | PhotosField
    | ComplaintsField,
    pydantic.Field(discriminator="type"),
]
"""Any form field; narrow with ``isinstance`` (or ``field.type``) to reach its limits."""


class Activity(_Frozen):
    """One kind of post from the SOP (or added by the precinct) with its report form.

    ``number_code`` goes into report numbers (``LAP/SAPTA/2026/11/0042``); ``purpose`` and
    ``goal`` are the SOP's "Maksud" and "Tujuan"; ``equipment`` is its "Kelengkapan".
    """

    code: ActivityCode
    number_code: NumberCode
    name: Bilingual
    purpose: Bilingual
    goal: Bilingual
    duration_minutes: int = pydantic.Field(60, ge=1, le=1440)
    sop_warnings: bool = False
    equipment: tuple[Key, ...] = ()
    fields: tuple[Field, ...] = pydantic.Field(min_length=1)

    def field(self, key: str) -> Field:
        """The field with this key (KeyError when unknown)."""
        for field in self.fields:
            if field.key == key:
                return field
        raise KeyError(key)

    def fields_of(self, field_type: FieldType) -> tuple[Field, ...]:
        """The fields of one type, in form order."""
        return tuple(field for field in self.fields if field.type == field_type)


class UrgencyLevel(_Frozen):
    """How soon a complaint needs follow-up; the catalogue order is the display order."""

    key: Key
    label: Bilingual
    urgent: bool = False


class Catalogue(_Frozen):
    """Every activity type, plus the shared lists their forms refer to.

    Cross-references (equipment, categories, unique codes and keys) are checked here, so a
    ``Catalogue`` that exists is consistent.
    """

    sop_warnings: tuple[Bilingual, ...] = ()
    equipment: dict[Key, Bilingual]
    complaint_categories: dict[Key, Bilingual]
    urgency_levels: tuple[UrgencyLevel, ...] = pydantic.Field(min_length=1)
    activities: tuple[Activity, ...] = pydantic.Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        problems = [*self._shared_problems(), *self._activity_problems()]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _shared_problems(self) -> Iterable[str]:
        for key in _duplicates(level.key for level in self.urgency_levels):
            yield f"urgency_levels: duplicate key {key!r}"
        urgent = [level.key for level in self.urgency_levels if level.urgent]
        if len(urgent) != 1:
            yield f"urgency_levels: exactly one level must have urgent = true, found {len(urgent)}"
        for code in _duplicates(activity.code for activity in self.activities):
            yield f"activity {code!r}: duplicate activity code"
        for number_code in _duplicates(activity.number_code for activity in self.activities):
            yield f"activities: duplicate number_code {number_code!r}"

    def _activity_problems(self) -> Iterable[str]:
        for activity in self.activities:
            where = f"activity {activity.code!r}"
            for key in _duplicates(activity.equipment):
                yield f"{where}: equipment: duplicate item {key!r}"
            for key in activity.equipment:
                if key not in self.equipment:
                    yield (
                        f"{where}: equipment: unknown equipment item {key!r}"
                        f" (known: {', '.join(self.equipment)})"
                    )
            for key in _duplicates(field.key for field in activity.fields):
                yield f"{where}, field {key!r}: duplicate field key"
            for field_type, count in Counter(field.type for field in activity.fields).items():
                if field_type in SINGLETON_TYPES and count > 1:
                    yield f"{where}: at most one field of type {field_type.value}, found {count}"
            acks = activity.fields_of(FieldType.WARNINGS_ACK)
            if activity.sop_warnings and len(acks) != 1:
                yield f"{where}: sop_warnings = true needs exactly one warnings_ack field"
            if not activity.sop_warnings:
                for field in acks:
                    yield f"{where}, field {field.key!r}: warnings_ack needs sop_warnings = true"
            if activity.sop_warnings and not self.sop_warnings:
                yield f"{where}: sop_warnings = true but the catalogue lists no sop_warnings"
            for field in activity.fields:
                yield from self._field_problems(where, activity, field)

    def _field_problems(self, where: str, activity: Activity, field: Field) -> Iterable[str]:
        here = f"{where}, field {field.key!r}"
        if isinstance(field, EquipmentField) and not activity.equipment:
            yield f"{here}: an equipment field needs the activity's equipment list"
        if isinstance(field, ComplaintsField):
            if not self.complaint_categories:
                yield f"{here}: the catalogue lists no complaint_categories"
            for key in field.categories or ():
                if key not in self.complaint_categories:
                    yield (
                        f"{here}: categories: unknown complaint category {key!r}"
                        f" (known: {', '.join(self.complaint_categories)})"
                    )

    def activity(self, code: str) -> Activity:
        """The activity with this code (KeyError when unknown)."""
        for activity in self.activities:
            if activity.code == code:
                return activity
        raise KeyError(code)

    def has_activity(self, code: str) -> bool:
        """Whether ``code`` names a configured activity (e.g. from old callback data)."""
        return any(activity.code == code for activity in self.activities)

    def field(self, code: str, key: str) -> Field:
        """The field ``key`` of activity ``code`` (KeyError when either is unknown)."""
        return self.activity(code).field(key)

    def urgency(self, key: str) -> UrgencyLevel:
        """The urgency level with this key (KeyError when unknown)."""
        for level in self.urgency_levels:
            if level.key == key:
                return level
        raise KeyError(key)

    @property
    def urgent_level(self) -> UrgencyLevel:
        """The one level that marks a complaint as urgent (sorted first, escalated)."""
        return next(level for level in self.urgency_levels if level.urgent)

    def urgency_rank(self, key: str) -> int:
        """Sort key for complaints: the urgent level first, then the catalogue order."""
        level = self.urgency(key)
        return -1 if level.urgent else self.urgency_levels.index(level)

    def categories_for(self, field: ComplaintsField) -> dict[str, Bilingual]:
        """The complaint categories a complaints field offers, in catalogue order."""
        if field.categories is None:
            return dict(self.complaint_categories)
        return {key: self.complaint_categories[key] for key in field.categories}


def _duplicates(keys: Iterable[str]) -> list[str]:
    return sorted(key for key, count in Counter(keys).items() if count > 1)


def load_catalogue(path: Path) -> Catalogue:
    """Load and validate the activity catalogue.

    Raises:
        CatalogueError: one line per problem, each naming the file, the activity and the field.
    """
    return load_model(path, Catalogue, CatalogueError, describe=_problems)


def _problems(error: ValidationError, raw: Mapping[str, Any]) -> list[str]:
    """Every problem pydantic found, in the words of the file (without its path)."""
    problems = error.errors()
    # A list whose items failed also "has too few items": that is noise, not a problem.
    problems = [
        problem
        for problem in problems
        if not (
            problem["type"] == "too_short"
            and any(
                len(other["loc"]) > len(problem["loc"])
                and other["loc"][: len(problem["loc"])] == problem["loc"]
                for other in problems
            )
        )
    ]
    return [line for problem in problems for line in _describe(problem, raw)]


def _describe(problem: Mapping[str, Any], raw: Mapping[str, Any]) -> list[str]:
    """Turn one pydantic error into lines that say where, in the words of the file."""
    loc = list(problem["loc"])
    where: list[str] = []
    if len(loc) >= 2 and loc[0] == "activities" and isinstance(loc[1], int):
        activity = _item(raw.get("activities"), loc[1])
        where.append(_name("activity", activity.get("code"), loc[1]))
        loc = loc[2:]
        if len(loc) >= 2 and loc[0] == "fields" and isinstance(loc[1], int):
            field = _item(activity.get("fields"), loc[1])
            where.append(_name("field", field.get("key"), loc[1]))
            loc = loc[2:]
            # A discriminated union puts the field type into the location: drop it.
            if loc and loc[0] == field.get("type"):
                loc = loc[1:]
    path = ".".join(f"[{part}]" if isinstance(part, int) else str(part) for part in loc)
    path = path.replace(".[", "[")
    prefix = ", ".join(where)
    if problem["type"] == "value_error":
        # Our own validators already say where inside the catalogue, line by line.
        message = str(problem["ctx"]["error"])
        lines = message.splitlines() or [message]
        joiner = ": " if where else ""
        return [f"{prefix}{joiner}{line}" for line in lines]
    detail = _message(problem, path)
    return [f"{prefix}: {detail}" if where else detail]


def _item(items: object, index: int) -> Mapping[str, Any]:
    item = items[index] if isinstance(items, list) and 0 <= index < len(items) else None
    return item if isinstance(item, dict) else {}


def _name(kind: str, value: object, index: int) -> str:
    return f"{kind} {value!r}" if isinstance(value, str) and value else f"{kind} #{index + 1}"


def _message(problem: Mapping[str, Any], path: str) -> str:
    kind = problem["type"]
    ctx = problem.get("ctx") or {}
    if kind == "union_tag_invalid":
        expected = ", ".join(member.value for member in FieldType)
        return f"type: unknown field type {ctx.get('tag')!r} (expected one of: {expected})"
    if kind == "union_tag_not_found":
        return "type: missing"
    at = f"{path}: " if path else ""
    if kind == "missing":
        return f"{at}missing"
    if kind == "extra_forbidden":
        return f"{path}: unknown setting"
    if kind == "string_too_short":
        return f"{at}must not be empty"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        rule = _PATTERN_HINTS.get(pattern, f"must match {pattern}")
        return f"{at}{problem.get('input')!r} is not valid ({rule})"
    return f"{at}{problem['msg']}"
