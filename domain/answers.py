"""Turning what an officer typed or tapped into a validated answer that can be stored as JSON.

Plain Python, no Telegram: the form engine hands over the raw text (or button key, or pin) and
gets back a value, or an :class:`InvalidAnswer` whose ``key`` is a message-catalogue key
(``ui/locales/forms.*.toml``) and whose ``params`` fill the text's placeholders. Soft problems
(an unusual duration) come back as an :class:`AnswerWarning` instead of an exception, because the
officer may well be right.

Decisions worth knowing:

* Counts accept Indonesian thousands separators (``1.000`` and ``1,000`` are one thousand) and
  approximations (``±25``, ``~25``, ``kurang lebih 25``, ``sekitar 25``) plus a trailing unit word
  (``25 orang``): the fields are estimates anyway, and refusing them only costs the officer a
  retry. ``1,5`` or ``2.50`` are refused as not whole numbers; words (``dua puluh``) are refused.
* Times are wall-clock times in the precinct's zone on the local date of ``now``; a range whose
  end is before its start crossed midnight. A range that would end in the future is moved back a
  day when that makes it end within the last 12 hours (``23.00-00.00`` typed at 00.30);
  otherwise it is refused.
* Phone numbers are stored in international form (``+6281234567890``).
* Identifiers, counts, times and dates are read through :func:`domain.text.identifier`: digits
  of any script (``٢٥``, full-width ``２５``) count as the ASCII digits they are.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.catalogue import (
    Bilingual,
    ChoiceField,
    ComplaintsField,
    IntegerField,
    LongTextField,
    MultiChoiceField,
    PhotosField,
    ShortTextField,
    UrgencyLevel,
)
from domain.errors import InputError
from domain.lexer import TIME_NOISE, Lean, YearRule, normalise, read_clock, read_date, resolve
from domain.text import identifier, plain_text, shorten

PLACE_MAX_LENGTH = 200
REASON_MAX_LENGTH = 200
REASON_MIN_LENGTH = 3
DESCRIPTION_MAX_LENGTH = 1000
DESCRIPTION_MIN_LENGTH = 3
NAME_MAX_LENGTH = 100
CLOCK_TOLERANCE = timedelta(minutes=5)
"""How far a reported end may lie after ``now``: phone clocks and typing take a moment."""
LOOKBACK = timedelta(hours=12)
"""How recent a range moved back by a day must be for that reading to be the likely one."""


InvalidAnswer = InputError
"""The form's name for :class:`domain.errors.InputError` (``key`` and ``params``)."""


@dataclass(frozen=True)
class AnswerWarning:
    """A soft problem: shown to the officer, who may keep the answer anyway."""

    key: str
    params: Mapping[str, object]


# --------------------------------------------------------------------------------------------
# Text


def clean_text(raw: str, *, max_length: int, min_length: int = 1, multiline: bool = False) -> str:
    """Normalise and check free text.

    Control characters are dropped first (:func:`domain.text.plain_text`: they break cards,
    PDFs and the search index). Single-line text has every run of whitespace collapsed to one
    space (phones insert odd spaces and line breaks); multi-line text keeps its lines but loses
    their outer spaces and runs of blank lines.

    Raises:
        InvalidAnswer: ``answer.empty``, ``answer.too_long`` (``max``, ``length``) or
            ``answer.too_short`` (``min``, ``length``).
    """
    text = plain_text(raw, multiline=multiline)
    if multiline:
        lines = text.split("\n")
        text = "\n".join(line.replace("\t", " ").strip() for line in lines)
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
    else:
        text = " ".join(text.split())
    if not text:
        raise InvalidAnswer("answer.empty")
    if len(text) > max_length:
        raise InvalidAnswer("answer.too_long", max=max_length, length=len(text))
    if len(text) < min_length:
        raise InvalidAnswer("answer.too_short", min=min_length, length=len(text))
    return text


def text(field: ShortTextField | LongTextField, raw: str) -> str:
    """The answer to a short or long text field, within the field's limits."""
    return clean_text(
        raw,
        max_length=field.max_length,
        min_length=field.min_length,
        multiline=isinstance(field, LongTextField),
    )


_SKIP_WORDS = frozenset(
    {"-", "--", "tidak ada", "tdk ada", "nihil", "kosong", "lewati", "skip", "none", "n/a", "nil"}
)


def is_skip_word(raw: str) -> bool:
    """Whether the officer typed "nothing" (``-``, ``nihil``, ``tidak ada``) for an optional field.

    Officers are used to paper forms where a dash means "not applicable"; the engine may treat
    these like the Skip button on optional fields.
    """
    return " ".join(raw.casefold().split()).strip(".") in _SKIP_WORDS


# --------------------------------------------------------------------------------------------
# Numbers

_APPROXIMATELY = re.compile(
    r"^(?:±|\+/?-|~|≈|kurang\s+lebih|kurleb|kl\.?|sekitar|kira-kira|kira2|"
    r"approx\.?|approximately|about|around|ca\.)\s*",
    re.IGNORECASE,
)
_UNIT = re.compile(
    r"\s*(?:orang|org|jiwa|kk|rumah|warga|jamaah|jemaah|people|persons?|households?|houses?)"
    r"\.?$",
    re.IGNORECASE,
)
_PLAIN = re.compile(r"[0-9]+", re.ASCII)
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,3}(?:,[0-9]{3})+", re.ASCII)
_DECIMAL = re.compile(r"[0-9]+[.,][0-9]+", re.ASCII)
_MAX_DIGITS = 15


def integer(field: IntegerField, raw: str) -> int:
    """A whole, non-negative count within the field's range (see the module notes).

    Raises:
        InvalidAnswer: ``answer.not_a_number``, ``answer.not_whole_number``,
            ``answer.negative`` or ``answer.out_of_range`` (``min``, ``max``).
    """
    value = " ".join(identifier(raw).split())
    value = _APPROXIMATELY.sub("", value, count=1)
    value = _UNIT.sub("", value, count=1).replace(" ", "")
    if value[:1] in ("-", "−") and value[1:2].isdigit():
        raise InvalidAnswer("answer.negative")
    if _PLAIN.fullmatch(value):
        digits = value
    elif _THOUSANDS.fullmatch(value):
        digits = value.replace(".", "").replace(",", "")
    elif _DECIMAL.fullmatch(value):
        raise InvalidAnswer("answer.not_whole_number")
    else:
        raise InvalidAnswer("answer.not_a_number")
    digits = digits.lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS or not field.min <= int(digits) <= field.max:
        raise InvalidAnswer("answer.out_of_range", min=field.min, max=field.max)
    return int(digits)


_PAIR_SEPARATOR = re.compile(r"\s*(?:[,;/&+]|\bdan\b|\band\b)\s*|\s+", re.IGNORECASE)
_WORD_UNIT = re.compile(r"^[^\W\d_]+\.?$")


def two_integers(first: IntegerField, second: IntegerField, raw: str) -> tuple[int, int] | None:
    """Two counts asked in a row, given in one message: ``12 rumah, 25 warga`` or ``12 25``.

    None when the text is not two counts (it is then read as one count, with that count's
    usual reply); each count is checked against its own field.

    Raises:
        InvalidAnswer: as :func:`integer`, for a count out of its field's range.
    """
    value = " ".join(identifier(raw).split())
    if _THOUSANDS.fullmatch(value) or _DECIMAL.fullmatch(value):
        return None  # "1.000" or "1,5" is one number, not two
    numbers: list[str] = []
    for token in _PAIR_SEPARATOR.split(value):
        if not token:
            continue
        if _PLAIN.fullmatch(token):
            numbers.append(token)
        elif not (_WORD_UNIT.match(token) and numbers):
            return None  # anything but a count and its unit word ("rumah", "warga")
    if len(numbers) != 2:
        return None
    return integer(first, numbers[0]), integer(second, numbers[1])


# --------------------------------------------------------------------------------------------
# Choices


def _fold(raw: str) -> str:
    return " ".join(raw.casefold().split())


def _match_option(raw: str, labelled: Iterable[tuple[str, Bilingual]]) -> str:
    """The key of the option the officer meant: its key (a button) or either label (typed)."""
    wanted = _fold(raw)
    for key, label in labelled:
        if wanted in (key, _fold(label.id), _fold(label.en)):
            return key
    raise InvalidAnswer("answer.unknown_option")


def choice(field: ChoiceField, raw: str) -> str:
    """The option key for a choice field (buttons send keys; a typed label works too).

    Raises:
        InvalidAnswer: ``answer.unknown_option`` (e.g. a button from an old message).
    """
    return _match_option(raw, ((option.key, option.label) for option in field.options))


def multi_choice(field: MultiChoiceField, keys: Iterable[str]) -> list[str]:
    """The selected option keys, de-duplicated, in the field's option order.

    Raises:
        InvalidAnswer: ``answer.unknown_option``, ``answer.too_few_selected`` (``min``) or
            ``answer.too_many_selected`` (``max``).
    """
    labelled = [(option.key, option.label) for option in field.options]
    chosen = {_match_option(key, labelled) for key in keys}
    selected = [option.key for option in field.options if option.key in chosen]
    if len(selected) < field.min_selections:
        raise InvalidAnswer("answer.too_few_selected", min=field.min_selections)
    if len(selected) > field.most_selections:
        raise InvalidAnswer("answer.too_many_selected", max=field.most_selections)
    return selected


def toggle_option(field: MultiChoiceField, selected: Sequence[str], key: str) -> list[str]:
    """The selection after tapping one toggle button, in option order.

    Only the maximum is enforced here; the minimum applies when the officer taps Done
    (:func:`multi_choice`).

    Raises:
        InvalidAnswer: ``answer.unknown_option`` or ``answer.too_many_selected`` (``max``).
    """
    key = _match_option(key, ((option.key, option.label) for option in field.options))
    chosen = set(selected) ^ {key}
    result = [option.key for option in field.options if option.key in chosen]
    if key in chosen and len(result) > field.most_selections:
        raise InvalidAnswer("answer.too_many_selected", max=field.most_selections)
    return result


# --------------------------------------------------------------------------------------------
# Time


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")


@dataclass(frozen=True)
class TimeRange:
    """When an activity started and ended; both aware and kept in UTC (as stored)."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, "start")
        _require_aware(self.end, "end")
        object.__setattr__(self, "start", self.start.astimezone(UTC))
        object.__setattr__(self, "end", self.end.astimezone(UTC))
        if self.end <= self.start:
            raise ValueError("end must be after start")

    @property
    def duration_minutes(self) -> int:
        """The length in whole minutes."""
        return int((self.end - self.start).total_seconds() // 60)

    def local(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """Start and end in the precinct's zone, for display."""
        return self.start.astimezone(tz), self.end.astimezone(tz)

    def to_json(self) -> dict[str, str]:
        """``{"start": "2026-11-28T00:00:00+00:00", "end": "2026-11-28T01:00:00+00:00"}``."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TimeRange:
        """Rebuild from :meth:`to_json` output (ValueError when malformed)."""
        try:
            return cls(datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"]))
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a time range: {data!r}") from error


_RANGE_SEPARATOR = re.compile(
    r"\s*(?:-|s\s?\.?\s?/?\s?d\s?\.?|sampai(?:\s+dengan)?|hingga|until|till|to)\s*"
)


def _clock(token: str) -> time:
    """One typed clock time (:func:`domain.lexer.read_clock`); ``24.00`` is 00:00, which ends
    a range on the day after its start, as the midnight that ends the day does."""
    clock = read_clock(token)
    if clock is None:
        raise InvalidAnswer("answer.time_format")
    if not clock.valid:
        raise InvalidAnswer("answer.time_invalid", value=token)
    return clock.time()


def _split_times(raw: str) -> tuple[time, time | None]:
    """The start and (if given) end wall-clock times typed by the officer."""
    value = raw.casefold().replace("–", "-").replace("—", "-").replace("−", "-")
    value = " ".join(TIME_NOISE.sub(" ", value).split())
    if not value:
        raise InvalidAnswer("answer.time_format")
    parts = _RANGE_SEPARATOR.split(value)
    if len(parts) == 1:
        return _clock(parts[0].strip()), None
    if len(parts) != 2 or not parts[0] or not parts[1]:
        raise InvalidAnswer("answer.time_format")
    return _clock(parts[0].strip()), _clock(parts[1].strip())


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def _hhmm(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def parse_time_range(
    raw: str, *, now: datetime, tz: ZoneInfo, activity_minutes: int, max_minutes: int
) -> TimeRange:
    """When the activity ran, from what the officer typed.

    Accepts ``08:00-09:00``, ``8.00 - 9.00``, ``08.00 s/d 09.00``, ``0800-0900``,
    ``08:00–09:00``, ``8-9`` (``WITA``/``pukul``/``jam`` are ignored) and a single start time,
    which means the activity's standard duration from then. Times are on the local date of
    ``now``; an end before the start means the activity ran past midnight. A range that would
    end in the future is read as yesterday's when that makes it end within :data:`LOOKBACK`.
    Around noon, ``12-1`` (too long to cross midnight) is read as 12.00-13.00.

    Raises:
        InvalidAnswer: ``answer.time_format``, ``answer.time_invalid`` (``value``),
            ``answer.time_same``, ``answer.time_too_long`` (``duration``, ``max``) or
            ``answer.time_future`` (``end``, ``now``, ``tz``).
    """
    _require_aware(now, "now")
    start_clock, end_clock = _split_times(identifier(raw))
    today = now.astimezone(tz).date()
    start = _at(today, start_clock, tz)
    if end_clock is None:
        end = start + timedelta(minutes=activity_minutes)
    elif end_clock == start_clock:
        raise InvalidAnswer("answer.time_same")
    elif end_clock > start_clock:
        end = _at(today, end_clock, tz)
    else:
        end = _at(today + timedelta(days=1), end_clock, tz)
        too_long = end - start > timedelta(minutes=max_minutes)
        if too_long and start_clock.hour >= 10 and 1 <= end_clock.hour <= 11:
            # Around noon (Friday prayers) "12-1" means 12.00-13.00, not 13 hours.
            end = _at(today, time(end_clock.hour + 12, end_clock.minute), tz)
    duration = int((end - start).total_seconds() // 60)
    if duration > max_minutes:
        raise InvalidAnswer("answer.time_too_long", duration=duration, max=max_minutes)
    if end > now + CLOCK_TOLERANCE:
        earlier_start, earlier_end = _shift_back(start, end, tz)
        if not (earlier_end <= now + CLOCK_TOLERANCE and now - earlier_end <= LOOKBACK):
            tz_name = now.astimezone(tz).tzname() or str(tz)
            raise InvalidAnswer(
                "answer.time_future", end=_hhmm(end, tz), now=_hhmm(now, tz), tz=tz_name
            )
        start, end = earlier_start, earlier_end
    return TimeRange(start, end)


def _shift_back(start: datetime, end: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The same wall-clock range one calendar day earlier (right across DST changes too)."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    one_day = timedelta(days=1)
    return (
        _at(local_start.date() - one_day, local_start.time(), tz),
        _at(local_end.date() - one_day, local_end.time(), tz),
    )


def default_time_range(now: datetime, activity_minutes: int) -> TimeRange:
    """The suggestion offered before the officer types: the activity's length, ending now."""
    _require_aware(now, "now")
    end = now.astimezone(UTC).replace(second=0, microsecond=0)
    return TimeRange(end - timedelta(minutes=activity_minutes), end)


def duration_warning(
    time_range: TimeRange, activity_minutes: int, tolerance_minutes: int
) -> AnswerWarning | None:
    """A soft warning when the duration is far from the SOP's standard (1 hour); else None."""
    duration = time_range.duration_minutes
    if abs(duration - activity_minutes) <= tolerance_minutes:
        return None
    return AnswerWarning(
        "answer.duration_unusual", {"duration": duration, "expected": activity_minutes}
    )


REPORTED = YearRule(Lean.PAST)
"""A reported date without a year is the latest one up to today."""
NEAREST = YearRule(Lean.NEAREST)
"""With ``allow_future``, the one closest to today."""


def parse_date(raw: str, *, now: datetime, tz: ZoneInfo, allow_future: bool = False) -> date:
    """A calendar date in the precinct's zone, read by :func:`domain.lexer.read_date`.

    Accepts ``28/11``, ``28/11/2026``, ``28-11-2026``, ``28.11.26``, ``2026-11-28``,
    ``28 November 2026`` / ``28 Nov`` / ``Nov 28``, an optional weekday in front, and
    ``hari ini``/``today``, ``kemarin``/``yesterday`` (``besok``/``tomorrow`` only with
    ``allow_future``). Without a year the date is the most recent one (or, with
    ``allow_future``, the nearest one).

    Raises:
        InvalidAnswer: ``answer.date_format``, ``answer.date_invalid`` (``value``) or
            ``answer.date_future`` (``date``).
    """
    _require_aware(now, "now")
    today = now.astimezone(tz).date()
    part = read_date(normalise(raw), today)
    if part is None or not part.has_day_and_month:
        raise InvalidAnswer("answer.date_format")
    result = resolve(part, today, NEAREST if allow_future else REPORTED)
    if result is None:
        raise InvalidAnswer("answer.date_invalid", value=identifier(raw).strip())
    if result > today and not allow_future:
        raise InvalidAnswer("answer.date_future", date=result.strftime("%d/%m/%Y"))
    return result


# --------------------------------------------------------------------------------------------
# Place


@dataclass(frozen=True)
class GeoPoint:
    """A Telegram location pin, in degrees (WGS 84)."""

    latitude: float
    longitude: float

    def to_json(self) -> dict[str, float]:
        """``{"lat": 0.5412, "lon": 123.0595}``."""
        return {"lat": self.latitude, "lon": self.longitude}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GeoPoint:
        """Rebuild from :meth:`to_json` output (ValueError when malformed)."""
        try:
            return location_from_pin(float(data["lat"]), float(data["lon"]))
        except (KeyError, TypeError, InvalidAnswer) as error:
            raise ValueError(f"not a location pin: {data!r}") from error


def location_from_pin(lat: float, lon: float) -> GeoPoint:
    """A validated pin, rounded to 6 decimals (about 10 cm; more is noise).

    Raises:
        InvalidAnswer: ``answer.location_invalid`` for values outside the globe's ranges.
    """
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise InvalidAnswer("answer.location_invalid")
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise InvalidAnswer("answer.location_invalid")
    return GeoPoint(round(lat, 6), round(lon, 6))


def venue_place(title: str, address: str) -> str:
    """The place text of a shared venue: "title, address", shortened to fit (never refused:
    the officer typed none of it)."""
    text = ", ".join(part.strip() for part in (title, address) if part and part.strip())
    return place_text(shorten(" ".join(text.split()), PLACE_MAX_LENGTH))


def place_text(raw: str) -> str:
    """A typed place (kelurahan, kecamatan, address): one line, at most 200 characters."""
    return clean_text(raw, max_length=PLACE_MAX_LENGTH)


@dataclass(frozen=True)
class Location:
    """The answer to a location field: a pin, a typed place, a kelurahan, or several."""

    pin: GeoPoint | None = None
    place: str | None = None
    kelurahan: str | None = None
    """The Kemendagri code of the kelurahan the report is filed under (config/territory.toml)."""

    def __post_init__(self) -> None:
        if self.pin is None and not self.place and not self.kelurahan:
            raise ValueError("a location needs a pin or a place (or a kelurahan)")

    def to_json(self) -> dict[str, Any]:
        """``{"pin": {"lat": 0.5412, "lon": 123.0595} | null, "place": "..." | null}``, with
        ``"kel": "75.71.02.1020"`` when a kelurahan is known."""
        data: dict[str, Any] = {"pin": None if self.pin is None else self.pin.to_json(),
                                "place": self.place}
        if self.kelurahan:
            data["kel"] = self.kelurahan
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Location:
        """Rebuild from :meth:`to_json` output (ValueError when malformed)."""
        pin = data.get("pin")
        place = data.get("place")
        kelurahan = data.get("kel")
        if (place is not None and not isinstance(place, str)) or (
            kelurahan is not None and not isinstance(kelurahan, str)
        ):
            raise ValueError(f"not a location: {data!r}")
        return cls(None if pin is None else GeoPoint.from_json(pin), place, kelurahan)


# --------------------------------------------------------------------------------------------
# SOP warnings


@dataclass(frozen=True)
class WarningsAck:
    """The officer confirmed the SOP warnings; when, for the record."""

    acknowledged_at: datetime

    def __post_init__(self) -> None:
        _require_aware(self.acknowledged_at, "acknowledged_at")
        object.__setattr__(self, "acknowledged_at", self.acknowledged_at.astimezone(UTC))

    def to_json(self) -> dict[str, str]:
        """``{"acknowledged_at": "2026-11-28T01:02:03+00:00"}``."""
        return {"acknowledged_at": self.acknowledged_at.isoformat()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WarningsAck:
        """Rebuild from :meth:`to_json` output (ValueError when malformed)."""
        try:
            return cls(datetime.fromisoformat(data["acknowledged_at"]))
        except (KeyError, TypeError) as error:
            raise ValueError(f"not a warnings acknowledgement: {data!r}") from error


# --------------------------------------------------------------------------------------------
# Equipment


@dataclass(frozen=True)
class EquipmentState:
    """The equipment checklist while it is being ticked; every change returns a new state.

    ``items`` are the activity's equipment keys (kept in the answer, so an old report still
    reads right after the catalogue changes). The step is complete when every item is present
    or has a reason why it was missing.
    """

    items: tuple[str, ...]
    present: frozenset[str] = frozenset()
    reasons: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not self.items or len(set(self.items)) != len(self.items):
            raise ValueError("equipment items must be non-empty and unique")
        if not self.present <= set(self.items):
            raise ValueError(f"unknown equipment: {sorted(self.present - set(self.items))}")
        given = dict(self.reasons)
        if not set(given) <= set(self.items) - self.present:
            raise ValueError("reasons are only for missing items")
        ordered = tuple((key, given[key]) for key in self.items if key in given)
        object.__setattr__(self, "reasons", ordered)

    @classmethod
    def start(cls, items: Iterable[str]) -> EquipmentState:
        """A fresh checklist with nothing ticked yet."""
        return cls(tuple(items))

    def _known(self, key: str) -> None:
        if key not in self.items:
            raise InvalidAnswer("answer.unknown_option")

    def toggle(self, key: str) -> EquipmentState:
        """Tick or untick one item; ticking drops its reason (button from an old message → error).

        Raises:
            InvalidAnswer: ``answer.unknown_option``.
        """
        self._known(key)
        if key in self.present:
            return EquipmentState(self.items, self.present - {key}, self.reasons)
        reasons = tuple(pair for pair in self.reasons if pair[0] != key)
        return EquipmentState(self.items, self.present | {key}, reasons)

    def all_complete(self) -> EquipmentState:
        """Every item ticked: the "all complete" button."""
        return EquipmentState(self.items, frozenset(self.items))

    def missing(self) -> list[str]:
        """Items not ticked, in checklist order."""
        return [key for key in self.items if key not in self.present]

    def reason(self, key: str) -> str | None:
        """Why a missing item was missing, if given."""
        return dict(self.reasons).get(key)

    def needs_reason(self) -> list[str]:
        """Missing items still without a reason: what the bot asks about next."""
        given = dict(self.reasons)
        return [key for key in self.missing() if key not in given]

    def set_reason(self, key: str, raw: str) -> EquipmentState:
        """Record why a missing item was missing (3-200 characters, one line).

        Raises:
            InvalidAnswer: ``answer.unknown_option``, ``answer.equipment_not_missing`` or the
                text errors of :func:`clean_text`.
        """
        self._known(key)
        if key in self.present:
            raise InvalidAnswer("answer.equipment_not_missing")
        reason = clean_text(raw, max_length=REASON_MAX_LENGTH, min_length=REASON_MIN_LENGTH)
        reasons = tuple(pair for pair in self.reasons if pair[0] != key) + ((key, reason),)
        return EquipmentState(self.items, self.present, reasons)

    def is_complete(self) -> bool:
        """Whether the step may be left: every missing item has a reason."""
        return not self.needs_reason()

    def to_json(self) -> dict[str, Any]:
        """``{"items": [...], "present": [...], "reasons": {"camera": "HP rusak"}}``."""
        return {
            "items": list(self.items),
            "present": [key for key in self.items if key in self.present],
            "reasons": dict(self.reasons),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> EquipmentState:
        """Rebuild from :meth:`to_json` output (ValueError when malformed)."""
        try:
            items, present, reasons = data["items"], data["present"], dict(data["reasons"])
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not an equipment checklist: {data!r}") from error
        texts = [*items, *present, *reasons, *reasons.values()]
        if (
            not isinstance(items, list)
            or not isinstance(present, list)
            or not all(isinstance(value, str) for value in texts)
        ):
            raise ValueError(f"not an equipment checklist: {data!r}")
        return cls(tuple(items), frozenset(present), tuple(reasons.items()))


# --------------------------------------------------------------------------------------------
# Complaints


@dataclass(frozen=True)
class Complaint:
    """One resident's complaint or a social problem found, as the officer recorded it."""

    category: str
    description: str
    place: str
    urgency: str
    resident_name: str | None = None
    resident_contact: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """All six parts by name; the optional ones may be null."""
        return {
            "category": self.category,
            "description": self.description,
            "place": self.place,
            "urgency": self.urgency,
            "resident_name": self.resident_name,
            "resident_contact": self.resident_contact,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Complaint:
        """Rebuild from :meth:`to_json` output (ValueError when malformed)."""
        try:
            complaint = cls(
                category=data["category"],
                description=data["description"],
                place=data["place"],
                urgency=data["urgency"],
                resident_name=data.get("resident_name"),
                resident_contact=data.get("resident_contact"),
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"not a complaint: {data!r}") from error
        required = (complaint.category, complaint.description, complaint.place, complaint.urgency)
        optional = (complaint.resident_name, complaint.resident_contact)
        if not all(isinstance(value, str) and value for value in required) or not all(
            value is None or isinstance(value, str) for value in optional
        ):
            raise ValueError(f"not a complaint: {data!r}")
        return complaint


def complaint_category(raw: str, categories: Mapping[str, Bilingual]) -> str:
    """The category key (from a button, or a typed label).

    Raises:
        InvalidAnswer: ``answer.unknown_option``.
    """
    return _match_option(raw, categories.items())


def urgency(raw: str, levels: Sequence[UrgencyLevel]) -> str:
    """The urgency level key (from a button, or a typed label).

    Raises:
        InvalidAnswer: ``answer.unknown_option``.
    """
    return _match_option(raw, ((level.key, level.label) for level in levels))


def complaint_description(raw: str) -> str:
    """What the resident complained about: 3-1000 characters, several lines allowed."""
    return clean_text(
        raw, max_length=DESCRIPTION_MAX_LENGTH, min_length=DESCRIPTION_MIN_LENGTH, multiline=True
    )


def complaint_place(raw: str) -> str:
    """Where the problem is (not necessarily where the post was)."""
    return place_text(raw)


def resident_name(raw: str) -> str:
    """The resident's name, optional in the form: one line, at most 100 characters.

    Raises:
        InvalidAnswer: the text errors of :func:`clean_text`, or ``answer.name_invalid`` when it
            has no letter at all (a phone number typed into the wrong step).
    """
    name = clean_text(raw, max_length=NAME_MAX_LENGTH)
    if not any(char.isalpha() for char in name):
        raise InvalidAnswer("answer.name_invalid")
    return name


_PHONE_CHARS = re.compile(r"\+?[0-9 ().\-]+", re.ASCII)


def resident_contact(raw: str) -> str:
    """A phone number in international form (``0812-3456-7890`` → ``+6281234567890``).

    Indonesian numbers may be written with ``0``, ``62`` or ``+62`` (a stray ``0`` after
    ``+62`` is forgiven); other countries need their ``+`` prefix.

    Raises:
        InvalidAnswer: ``answer.phone_invalid``.
    """
    value = identifier(raw).strip()
    if not _PHONE_CHARS.fullmatch(value):
        raise InvalidAnswer("answer.phone_invalid")
    digits = re.sub(r"[^0-9]", "", value)
    if digits.startswith("62"):
        national = digits[2:].removeprefix("0")
    elif value.startswith("+"):
        if 8 <= len(digits) <= 15 and not digits.startswith("0"):
            return "+" + digits
        raise InvalidAnswer("answer.phone_invalid")
    elif digits.startswith("0"):
        national = digits[1:]
    elif digits.startswith("8"):
        national = digits  # a mobile number typed without its leading 0
    else:
        raise InvalidAnswer("answer.phone_invalid")
    # Mobile numbers (8xx) have 9-12 digits after the country code; landlines
    # (area code + subscriber number, e.g. 435 821110) have 7-11.
    low, high = (9, 12) if national.startswith("8") else (7, 11)
    if not (low <= len(national) <= high) or national.startswith("0"):
        raise InvalidAnswer("answer.phone_invalid")
    return "+62" + national


def check_can_add_complaint(field: ComplaintsField, count: int) -> None:
    """Refuse another complaint once the field holds ``max_items``.

    Raises:
        InvalidAnswer: ``answer.too_many_complaints`` (``max``).
    """
    if count >= field.max_items:
        raise InvalidAnswer("answer.too_many_complaints", max=field.max_items)


# --------------------------------------------------------------------------------------------
# Photos (counts only; the files themselves are checked where they are stored)


def check_photos_added(field: PhotosField, count: int) -> None:
    """Refuse photos beyond ``max_items`` (``count`` includes the new ones).

    Raises:
        InvalidAnswer: ``answer.photos_too_many`` (``max``).
    """
    if count > field.max_items:
        raise InvalidAnswer("answer.photos_too_many", max=field.max_items)


def check_photos_done(field: PhotosField, count: int) -> None:
    """Refuse to leave the photo step with fewer than ``min_items`` photos.

    Raises:
        InvalidAnswer: ``answer.photos_too_few`` (``min``).
    """
    if count < field.min_items:
        raise InvalidAnswer("answer.photos_too_few", min=field.min_items)
