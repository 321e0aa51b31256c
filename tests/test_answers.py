"""Answer parsing: what officers type on a phone becomes a clean value or a friendly refusal."""

from __future__ import annotations

import json
import math
import re
import tomllib
from datetime import UTC, date, datetime
from pathlib import Path
from string import Formatter
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import answers
from domain.answers import (
    AnswerWarning,
    Complaint,
    EquipmentState,
    GeoPoint,
    InvalidAnswer,
    Location,
    TimeRange,
    WarningsAck,
)
from domain.catalogue import (
    DEFAULT_CATALOGUE_PATH,
    Bilingual,
    ChoiceField,
    ComplaintsField,
    IntegerField,
    LongTextField,
    MultiChoiceField,
    Option,
    PhotosField,
    ShortTextField,
    load_catalogue,
)

WITA = ZoneInfo("Asia/Makassar")
ROOT = Path(__file__).resolve().parent.parent
LOCALES = {lang: ROOT / "ui" / "locales" / f"forms.{lang}.toml" for lang in ("id", "en")}
TEXT = Bilingual(id="Teks", en="Text")


def local(day, hour, minute=0, second=0):
    """An aware datetime in Gorontalo (WITA) on November 2026."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=WITA)


def refused(call, *args, **kwargs):
    with pytest.raises(InvalidAnswer) as caught:
        call(*args, **kwargs)
    return caught.value.key, caught.value.params


def short(**limits):
    return ShortTextField.model_validate(
        {"key": "f", "type": "short_text", "label": TEXT, "prompt": TEXT, **limits}
    )


def long(**limits):
    return LongTextField.model_validate(
        {"key": "f", "type": "long_text", "label": TEXT, "prompt": TEXT, **limits}
    )


def number(**limits):
    return IntegerField.model_validate(
        {"key": "n", "type": "integer", "label": TEXT, "prompt": TEXT, **limits}
    )


OPTIONS = [
    Option(key="pos_tetap", label=Bilingual(id="Pos tetap", en="Fixed post")),
    Option(key="patroli", label=Bilingual(id="Patroli", en="Patrol")),
    Option(key="keramaian", label=Bilingual(id="Titik keramaian", en="Crowded spot")),
]


def one_of():
    return ChoiceField.model_validate(
        {"key": "c", "type": "choice", "label": TEXT, "prompt": TEXT, "options": OPTIONS}
    )


def some_of(**limits):
    return MultiChoiceField.model_validate(
        {
            "key": "m",
            "type": "multi_choice",
            "label": TEXT,
            "prompt": TEXT,
            "options": OPTIONS,
            **limits,
        }
    )


# ----------------------------------------------------------------------------------------------
# Text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Sprin/12/XI/2026  ", "Sprin/12/XI/2026"),
        ("Masjid\n  Al-Huda", "Masjid Al-Huda"),
        ("Kel.\tLimba   U Dua", "Kel. Limba U Dua"),
        ("Cafe\u0301", "Café"),  # NFC: one character, as it is counted
        ("x" * 20, "x" * 20),
    ],
)
def test_short_text_is_one_clean_line(raw, expected):
    assert answers.text(short(max_length=20), raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sambang ke RT 01.  \r\nWarga antusias.", "Sambang ke RT 01.\nWarga antusias."),
        ("a\n\n\n\n\nb", "a\n\nb"),
        ("\n\n  dua  baris \n", "dua  baris"),
        ("- kunjungan\n- himbauan", "- kunjungan\n- himbauan"),
    ],
)
def test_long_text_keeps_lines(raw, expected):
    assert answers.text(long(), raw) == expected


@pytest.mark.parametrize(
    ("field", "raw", "error"),
    [
        (short(), "", ("answer.empty", {})),
        (short(), " \n\t ", ("answer.empty", {})),
        (short(max_length=20), "x" * 21, ("answer.too_long", {"max": 20, "length": 21})),
        (long(max_length=50), "y" * 300, ("answer.too_long", {"max": 50, "length": 300})),
        (short(min_length=5), " abc ", ("answer.too_short", {"min": 5, "length": 3})),
        (short(), "\x00\x07\x1b", ("answer.empty", {})),
    ],
)
def test_text_refusals(field, raw, error):
    assert refused(answers.text, field, raw) == error


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        (short(), "bell\x07", "bell"),
        (long(), "null\x00byte", "nullbyte"),
        (short(), "tab\there\x0bvt\x85nel", "tab here vt nel"),
        (long(), "a\tb\r\nc\x1b[0m", "a b\nc[0m"),
        (short(), "e\u0301 \u202eRTL \U0001f46e\u200d\u2642\ufe0f",
         "\u00e9 \u202eRTL \U0001f46e\u200d\u2642\ufe0f"),
    ],
)
def test_control_characters_are_dropped_not_refused(field, raw, expected):
    """A pasted NUL or escape sequence is dropped (it broke search); marks, bidi and emoji stay."""
    assert answers.text(field, raw) == expected


@pytest.mark.parametrize(
    ("raw", "skip"),
    [("-", True), (" Nihil ", True), ("tidak  ada", True), ("n/a", True), ("ada", False)],
)
def test_skip_words(raw, skip):
    assert answers.is_skip_word(raw) is skip


# ----------------------------------------------------------------------------------------------
# Integers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("25", 25),
        (" 25 ", 25),
        ("0", 0),
        ("007", 7),
        ("1.000", 1000),
        ("1,000", 1000),
        ("100.000", 100000),
        ("12.500", 12500),
        ("±25", 25),
        ("± 25", 25),
        ("\u0662\u0665", 25),
        ("\uff12\uff15 orang", 25),
        ("~25", 25),
        ("+-25", 25),
        ("kurang lebih 25", 25),
        ("Sekitar 40 orang", 40),
        ("25 orang", 25),
        ("30 KK", 30),
        ("150 jamaah", 150),
    ],
)
def test_integer_accepts(raw, expected):
    assert answers.integer(number(), raw) == expected


@pytest.mark.parametrize(
    ("field", "raw", "error"),
    [
        (number(), "dua puluh", ("answer.not_a_number", {})),
        (number(), "25a", ("answer.not_a_number", {})),
        (number(), "25-30", ("answer.not_a_number", {})),
        (number(), "", ("answer.not_a_number", {})),
        (number(), "1.000,50", ("answer.not_a_number", {})),
        (number(), "-5", ("answer.negative", {})),
        (number(), "− 5", ("answer.negative", {})),
        (number(), "1,5", ("answer.not_whole_number", {})),
        (number(), "2.50", ("answer.not_whole_number", {})),
        (number(), "100001", ("answer.out_of_range", {"min": 0, "max": 100000})),
        (number(), "1.000.000", ("answer.out_of_range", {"min": 0, "max": 100000})),
        (number(), "9" * 5000, ("answer.out_of_range", {"min": 0, "max": 100000})),
        (number(min=1, max=10000), "0", ("answer.out_of_range", {"min": 1, "max": 10000})),
    ],
)
def test_integer_refusals(field, raw, error):
    assert refused(answers.integer, field, raw) == error


@given(st.integers(min_value=0, max_value=100_000))
def test_integer_reads_what_a_phone_keyboard_writes(value):
    field = number()
    assert answers.integer(field, str(value)) == value
    assert answers.integer(field, f"{value:,}") == value
    assert answers.integer(field, f"{value:,}".replace(",", ".")) == value


# ----------------------------------------------------------------------------------------------
# Choices


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("patroli", "patroli"), ("Pos Tetap", "pos_tetap"), ("crowded  spot", "keramaian")],
)
def test_choice_takes_keys_or_labels(raw, expected):
    assert answers.choice(one_of(), raw) == expected


def test_choice_refuses_unknown_option():
    assert refused(answers.choice, one_of(), "v1:old") == ("answer.unknown_option", {})


@pytest.mark.parametrize(
    ("field", "keys", "outcome"),
    [
        (some_of(), ["keramaian", "pos_tetap", "keramaian"], ["pos_tetap", "keramaian"]),
        (some_of(min_selections=0), [], []),
        (some_of(), [], ("answer.too_few_selected", {"min": 1})),
        (
            some_of(max_selections=2),
            ["pos_tetap", "patroli", "keramaian"],
            ("answer.too_many_selected", {"max": 2}),
        ),
        (some_of(), ["patroli", "banjir"], ("answer.unknown_option", {})),
    ],
)
def test_multi_choice(field, keys, outcome):
    if isinstance(outcome, list):
        assert answers.multi_choice(field, keys) == outcome
    else:
        assert refused(answers.multi_choice, field, keys) == outcome


def test_toggle_option():
    field = some_of(max_selections=2)
    selected = answers.toggle_option(field, [], "keramaian")
    selected = answers.toggle_option(field, selected, "pos_tetap")
    assert selected == ["pos_tetap", "keramaian"]
    assert refused(answers.toggle_option, field, selected, "patroli") == (
        "answer.too_many_selected",
        {"max": 2},
    )
    assert answers.toggle_option(field, selected, "keramaian") == ["pos_tetap"]
    assert refused(answers.toggle_option, field, selected, "zzz")[0] == "answer.unknown_option"


# ----------------------------------------------------------------------------------------------
# Time ranges

TEN_AM = local(28, 10)
HALF_PAST_MIDNIGHT = local(28, 0, 30)


@pytest.mark.parametrize(
    ("raw", "now", "start", "end"),
    [
        ("08:00-09:00", TEN_AM, local(28, 8), local(28, 9)),
        ("8.00 - 9.00", TEN_AM, local(28, 8), local(28, 9)),
        ("08.00 s/d 09.00", TEN_AM, local(28, 8), local(28, 9)),
        ("08.00 s.d. 09.00", TEN_AM, local(28, 8), local(28, 9)),
        ("0800-0900", TEN_AM, local(28, 8), local(28, 9)),
        ("800-900", TEN_AM, local(28, 8), local(28, 9)),
        ("08:00–09:00", TEN_AM, local(28, 8), local(28, 9)),
        ("8-9", TEN_AM, local(28, 8), local(28, 9)),
        ("pukul 08.00 - 09.00 WITA", TEN_AM, local(28, 8), local(28, 9)),
        ("jam 8 sampai 9", TEN_AM, local(28, 8), local(28, 9)),
        ("07.30 hingga 08.45", TEN_AM, local(28, 7, 30), local(28, 8, 45)),
        ("8.30", TEN_AM, local(28, 8, 30), local(28, 9, 30)),  # start only: SOP's hour
        ("09:00-10:05", TEN_AM, local(28, 9), local(28, 10, 5)),  # within the clock tolerance
        # Midnight: the range ended after midnight, or it was yesterday evening.
        ("23:00-00:00", HALF_PAST_MIDNIGHT, local(27, 23), local(28, 0)),
        ("23.00-24.00", HALF_PAST_MIDNIGHT, local(27, 23), local(28, 0)),
        ("23:30-00:30", HALF_PAST_MIDNIGHT, local(27, 23, 30), local(28, 0, 30)),
        ("23:30-00:30", local(28, 0, 40), local(27, 23, 30), local(28, 0, 30)),
        ("22-23", local(28, 1), local(27, 22), local(27, 23)),
        ("20.00-21.00", local(28, 8), local(27, 20), local(27, 21)),
        ("23:00-23:45", local(28, 23, 50), local(28, 23), local(28, 23, 45)),
        # Friday prayers written on a 12-hour habit.
        ("12-1", local(27, 14), local(27, 12), local(27, 13)),
        ("11.45-1.00", local(27, 14), local(27, 11, 45), local(27, 13)),
    ],
)
def test_parse_time_range(raw, now, start, end):
    result = answers.parse_time_range(
        raw, now=now.astimezone(UTC), tz=WITA, activity_minutes=60, max_minutes=720
    )
    assert result == TimeRange(start, end)
    assert result.start.tzinfo is UTC
    assert result.end.tzinfo is UTC


@pytest.mark.parametrize(
    ("raw", "now", "error"),
    [
        ("09:00-09:00", TEN_AM, ("answer.time_same", {})),
        (
            "10:00-11:00",
            TEN_AM,
            ("answer.time_future", {"end": "11:00", "now": "10:00", "tz": "WITA"}),
        ),
        (
            "09:30-10:06",
            TEN_AM,
            ("answer.time_future", {"end": "10:06", "now": "10:00", "tz": "WITA"}),
        ),
        ("9.30", TEN_AM, ("answer.time_future", {"end": "10:30", "now": "10:00", "tz": "WITA"})),
        # Moving it a day back would make it 19 hours old: more likely a typo than yesterday.
        ("14-15", TEN_AM, ("answer.time_future", {"end": "15:00", "now": "10:00", "tz": "WITA"})),
        # Still running: it is 23:50 and they type the planned end.
        (
            "23:00-00:00",
            local(28, 23, 50),
            ("answer.time_future", {"end": "00:00", "now": "23:50", "tz": "WITA"}),
        ),
        ("06:00-20:00", local(28, 21), ("answer.time_too_long", {"duration": 840, "max": 720})),
        ("9-8", TEN_AM, ("answer.time_too_long", {"duration": 1380, "max": 720})),
        ("25:00-26:00", TEN_AM, ("answer.time_invalid", {"value": "25:00"})),
        ("08.61-09.00", TEN_AM, ("answer.time_invalid", {"value": "08.61"})),
        ("24.30-01.00", TEN_AM, ("answer.time_invalid", {"value": "24.30"})),
        ("besok pagi", TEN_AM, ("answer.time_format", {})),
        ("", TEN_AM, ("answer.time_format", {})),
        ("8-9-10", TEN_AM, ("answer.time_format", {})),
        ("08:00-", TEN_AM, ("answer.time_format", {})),
        ("jam", TEN_AM, ("answer.time_format", {})),
    ],
)
def test_parse_time_range_refusals(raw, now, error):
    assert (
        refused(
            answers.parse_time_range,
            raw,
            now=now.astimezone(UTC),
            tz=WITA,
            activity_minutes=60,
            max_minutes=720,
        )
        == error
    )


def test_parse_time_range_needs_an_aware_now():
    with pytest.raises(ValueError, match="aware"):
        answers.parse_time_range(
            "8-9",
            now=datetime(2026, 11, 28, 10),  # noqa: DTZ001 - the point of the test
            tz=WITA,
            activity_minutes=60,
            max_minutes=720,
        )


def test_default_time_range_is_the_last_hour_to_the_minute():
    result = answers.default_time_range(local(28, 10, 0, 42).astimezone(UTC), 60)
    assert result == TimeRange(local(28, 9), local(28, 10))
    assert result.duration_minutes == 60


@pytest.mark.parametrize(
    ("start", "end", "warning"),
    [
        (local(28, 8), local(28, 9), None),
        (local(28, 8), local(28, 9, 30), None),
        (
            local(28, 8, 45),
            local(28, 9),
            AnswerWarning("answer.duration_unusual", {"duration": 15, "expected": 60}),
        ),
        (
            local(28, 8),
            local(28, 9, 35),
            AnswerWarning("answer.duration_unusual", {"duration": 95, "expected": 60}),
        ),
    ],
)
def test_duration_warning(start, end, warning):
    assert answers.duration_warning(TimeRange(start, end), 60, 30) == warning


def test_time_range_json_round_trip():
    original = TimeRange(local(27, 23, 30), local(28, 0, 30))
    stored = json.loads(json.dumps(original.to_json()))
    assert stored == {"start": "2026-11-27T15:30:00+00:00", "end": "2026-11-27T16:30:00+00:00"}
    assert TimeRange.from_json(stored) == original
    assert original.local(WITA)[0].hour == 23
    with pytest.raises(ValueError, match="not a time range"):
        TimeRange.from_json({"start": "2026-11-27T15:30:00+00:00"})
    with pytest.raises(ValueError, match="after start"):
        TimeRange(local(28, 9), local(28, 8))
    with pytest.raises(ValueError, match="aware"):
        TimeRange(datetime(2026, 11, 28, 8), local(28, 9))  # noqa: DTZ001


# ----------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    ("raw", "allow_future", "expected"),
    [
        ("28/11", False, date(2026, 11, 28)),
        ("28/11/2026", False, date(2026, 11, 28)),
        ("28-11-2026", False, date(2026, 11, 28)),
        ("28.11.26", False, date(2026, 11, 28)),
        ("2026-11-28", False, date(2026, 11, 28)),
        ("Sabtu, 28/11/2026", False, date(2026, 11, 28)),
        ("28 November 2026", False, date(2026, 11, 28)),
        ("3 Des", False, date(2025, 12, 3)),
        ("3 Des", True, date(2026, 12, 3)),
        ("05/01", False, date(2026, 1, 5)),
        ("05/01", True, date(2027, 1, 5)),
        ("hari ini", False, date(2026, 11, 28)),
        ("Today", False, date(2026, 11, 28)),
        ("kemarin", False, date(2026, 11, 27)),
        ("yesterday", False, date(2026, 11, 27)),
        ("besok", True, date(2026, 11, 29)),
    ],
)
def test_parse_date(raw, allow_future, expected):
    now = TEN_AM.astimezone(UTC)
    assert answers.parse_date(raw, now=now, tz=WITA, allow_future=allow_future) == expected


def test_parse_date_uses_the_local_day():
    # 23:30 UTC on the 27th is already 07:30 on the 28th in Gorontalo.
    now = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)
    assert answers.parse_date("hari ini", now=now, tz=WITA) == date(2026, 11, 28)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("31/02/2026", ("answer.date_invalid", {"value": "31/02/2026"})),
        ("13/13", ("answer.date_invalid", {"value": "13/13"})),
        ("29/02", ("answer.date_invalid", {"value": "29/02"})),
        ("29/11/2026", ("answer.date_future", {"date": "29/11/2026"})),
        ("besok", ("answer.date_future", {"date": "29/11/2026"})),
        ("tgl 28", ("answer.date_format", {})),
        ("28 Movember", ("answer.date_format", {})),
    ],
)
def test_parse_date_refusals(raw, error):
    assert refused(answers.parse_date, raw, now=TEN_AM.astimezone(UTC), tz=WITA) == error


# ----------------------------------------------------------------------------------------------
# Location


def test_location_from_pin():
    assert answers.location_from_pin(0.54121234567, 123.0595) == GeoPoint(0.541212, 123.0595)
    assert answers.location_from_pin(-90.0, 180.0) == GeoPoint(-90.0, 180.0)


@pytest.mark.parametrize(
    ("lat", "lon"), [(91.0, 0.0), (0.0, -180.5), (math.nan, 0.0), (0.0, math.inf)]
)
def test_location_from_pin_refuses_impossible_values(lat, lon):
    assert refused(answers.location_from_pin, lat, lon) == ("answer.location_invalid", {})


def test_place_text_and_location_json():
    place = answers.place_text("  Kel. Biawao,\nKec. Kota Selatan ")
    assert place == "Kel. Biawao, Kec. Kota Selatan"
    assert refused(answers.place_text, "x" * 201) == (
        "answer.too_long",
        {"max": 200, "length": 201},
    )
    location = Location(pin=GeoPoint(0.5412, 123.0595), place=place)
    stored = json.loads(json.dumps(location.to_json()))
    assert stored == {"pin": {"lat": 0.5412, "lon": 123.0595}, "place": place}
    assert Location.from_json(stored) == location
    assert Location.from_json({"pin": None, "place": "Pasar Sentral"}).pin is None
    with pytest.raises(ValueError, match="pin or a place"):
        Location()
    with pytest.raises(ValueError, match="not a location pin"):
        Location.from_json({"pin": {"lat": 100, "lon": 0}, "place": None})


def test_warnings_ack_json():
    ack = WarningsAck(TEN_AM)
    assert ack.to_json() == {"acknowledged_at": "2026-11-28T02:00:00+00:00"}
    assert WarningsAck.from_json(ack.to_json()) == ack


# ----------------------------------------------------------------------------------------------
# Equipment


SATRIA = ("sprin", "materials", "camera", "sound_system")


def test_equipment_checklist_flow():
    state = EquipmentState.start(SATRIA)
    assert state.missing() == list(SATRIA)
    assert not state.is_complete()
    state = state.toggle("sprin").toggle("camera").toggle("materials").toggle("materials")
    assert state.missing() == ["materials", "sound_system"]
    assert state.needs_reason() == ["materials", "sound_system"]
    state = state.set_reason("sound_system", "  dipinjam   kegiatan lain ")
    assert state.reason("sound_system") == "dipinjam kegiatan lain"
    assert state.needs_reason() == ["materials"]
    assert not state.is_complete()
    state = state.set_reason("materials", "Materi dicetak ulang")
    assert state.is_complete()
    # Ticking an item later drops its reason: nothing stale is kept.
    state = state.toggle("sound_system")
    assert state.reason("sound_system") is None
    assert state.missing() == ["materials"]
    assert state.is_complete()


def test_equipment_all_complete_and_immutability():
    start = EquipmentState.start(SATRIA)
    done = start.set_reason("camera", "HP rusak").all_complete()
    assert done.is_complete()
    assert done.missing() == []
    assert done.reasons == ()
    assert start.present == frozenset()  # the original did not change


def test_equipment_refusals():
    state = EquipmentState.start(SATRIA).toggle("sprin")
    assert refused(state.toggle, "vehicle") == ("answer.unknown_option", {})
    assert refused(state.set_reason, "vehicle", "tidak ada") == ("answer.unknown_option", {})
    assert refused(state.set_reason, "sprin", "lupa") == ("answer.equipment_not_missing", {})
    assert refused(state.set_reason, "camera", "x" * 201) == (
        "answer.too_long",
        {"max": 200, "length": 201},
    )
    assert refused(state.set_reason, "camera", "-") == (
        "answer.too_short",
        {"min": 3, "length": 1},
    )


def test_equipment_json_round_trip():
    state = EquipmentState.start(SATRIA).toggle("camera").toggle("sprin")
    state = state.set_reason("sound_system", "rusak")
    stored = json.loads(json.dumps(state.to_json()))
    assert stored == {
        "items": list(SATRIA),
        "present": ["sprin", "camera"],
        "reasons": {"sound_system": "rusak"},
    }
    assert EquipmentState.from_json(stored) == state
    with pytest.raises(ValueError, match="not an equipment checklist"):
        EquipmentState.from_json({"items": ["sprin"]})
    with pytest.raises(ValueError, match="not an equipment checklist"):
        EquipmentState.from_json({"items": "sprin", "present": [], "reasons": {}})
    with pytest.raises(ValueError, match="unknown equipment"):
        EquipmentState.from_json({"items": ["sprin"], "present": ["kamera"], "reasons": {}})
    with pytest.raises(ValueError, match="only for missing"):
        EquipmentState.from_json(
            {"items": ["sprin"], "present": ["sprin"], "reasons": {"sprin": "x"}}
        )


# ----------------------------------------------------------------------------------------------
# Complaints


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("+62 0812 3456 7890", "+6281234567890"),
        ("62 812-3456-7890", "+6281234567890"),
        ("081234567890", "+6281234567890"),
        ("0812.3456.789", "+628123456789"),
        ("812 3456 7890", "+6281234567890"),
        ("(0435) 821110", "+62435821110"),
        ("+1 202 555 0123", "+12025550123"),
        ("\u0660\u0668\u0661\u0662-\u0663\u0664\u0665\u0666-\u0667\u0668\u0669\u0660",
         "+6281234567890"),
        ("\uff0b\uff16\uff12 \uff18\uff11\uff12 3456 7890", "+6281234567890"),
    ],
)
def test_phone_numbers_are_normalised(raw, expected):
    assert answers.resident_contact(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "0812-34",
        "12345678",
        "+62 812",
        "0812345678901234",
        "08123456789x",
        "0812 3456 7890 / 0813 1111 2222",
        "+0812 3456 7890",
        "0000000000",
        "+62 +62 812",
    ],
)
def test_phone_garbage_is_refused(raw):
    assert refused(answers.resident_contact, raw) == ("answer.phone_invalid", {})


def test_complaint_parts():
    catalogue = load_catalogue(DEFAULT_CATALOGUE_PATH)
    assert answers.complaint_category("narkoba", catalogue.complaint_categories) == "narkoba"
    assert (
        answers.complaint_category("Lalu Lintas", catalogue.complaint_categories) == "lalu_lintas"
    )
    assert refused(answers.complaint_category, "banjir", catalogue.complaint_categories)[0] == (
        "answer.unknown_option"
    )
    assert answers.urgency("darurat", catalogue.urgency_levels) == "darurat"
    assert answers.urgency("Emergency", catalogue.urgency_levels) == "darurat"
    assert refused(answers.urgency, "v0", catalogue.urgency_levels)[0] == "answer.unknown_option"
    assert answers.complaint_description(" Sering ada balap liar\n\n\n malam hari ") == (
        "Sering ada balap liar\n\nmalam hari"
    )
    assert refused(answers.complaint_description, "ok") == (
        "answer.too_short",
        {"min": 3, "length": 2},
    )
    assert refused(answers.complaint_description, "z" * 1001)[1] == {"max": 1000, "length": 1001}
    assert answers.complaint_place("Jl. Sultan Botutihe ") == "Jl. Sultan Botutihe"
    assert answers.resident_name(" Ibu  Hj. Fatma ") == "Ibu Hj. Fatma"
    assert refused(answers.resident_name, "0812 3456 7890") == ("answer.name_invalid", {})
    assert refused(answers.resident_name, "A" * 101)[0] == "answer.too_long"


def test_complaint_json_round_trip():
    complaint = Complaint(
        category="kenakalan_remaja",
        description="Balap liar setiap malam Minggu",
        place="Jl. Sultan Botutihe",
        urgency="segera",
        resident_name="Pak Rahman",
        resident_contact="+6281234567890",
    )
    stored = json.loads(json.dumps(complaint.to_json()))
    assert stored["resident_contact"] == "+6281234567890"
    assert Complaint.from_json(stored) == complaint
    anonymous = Complaint("lainnya", "Lampu jalan mati", "RT 02", "biasa")
    assert Complaint.from_json(anonymous.to_json()) == anonymous
    with pytest.raises(ValueError, match="not a complaint"):
        Complaint.from_json({"category": "lainnya"})
    with pytest.raises(ValueError, match="not a complaint"):
        Complaint.from_json({**anonymous.to_json(), "place": 5})


def test_item_counts():
    complaints = ComplaintsField.model_validate(
        {"key": "k", "type": "complaints", "label": TEXT, "prompt": TEXT, "max_items": 2}
    )
    answers.check_can_add_complaint(complaints, 1)
    assert refused(answers.check_can_add_complaint, complaints, 2) == (
        "answer.too_many_complaints",
        {"max": 2},
    )
    photos = PhotosField.model_validate(
        {"key": "p", "type": "photos", "label": TEXT, "prompt": TEXT}
    )
    answers.check_photos_added(photos, 10)
    answers.check_photos_done(photos, 1)
    assert refused(answers.check_photos_added, photos, 11) == (
        "answer.photos_too_many",
        {"max": 10},
    )
    assert refused(answers.check_photos_done, photos, 0) == ("answer.photos_too_few", {"min": 1})


def test_invalid_answer_carries_key_and_params():
    error = InvalidAnswer("answer.too_long", max=200, length=250)
    assert error.key == "answer.too_long"
    assert error.params == {"max": 200, "length": 250}
    assert "answer.too_long" in str(error)


# ----------------------------------------------------------------------------------------------
# Message catalogue


def flatten(table, prefix=""):
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            yield from flatten(value, name)
        else:
            yield name, value


def messages(lang):
    with LOCALES[lang].open("rb") as handle:
        return dict(flatten(tomllib.load(handle)))


def placeholders(text):
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def test_locales_have_the_same_keys_and_placeholders():
    indonesian, english = messages("id"), messages("en")
    assert set(indonesian) == set(english)
    for key in indonesian:
        assert placeholders(indonesian[key]) == placeholders(english[key]), key
        assert indonesian[key].strip(), key
        assert english[key].strip(), key


def test_every_key_the_parsers_raise_has_a_text():
    source = (ROOT / "domain" / "answers.py").read_text(encoding="utf-8")
    raised = set(re.findall(r'"(answer\.[a-z_]+)"', source))
    assert raised
    assert raised <= set(messages("id"))
    # And nothing in the files is dead.
    assert set(messages("id")) <= raised


ALL_REFUSALS = [
    (answers.text, (short(max_length=20), "x" * 21)),
    (answers.text, (short(min_length=5), "abc")),
    (answers.integer, (number(), "200000")),
    (answers.multi_choice, (some_of(max_selections=1), ["patroli", "pos_tetap"])),
    (answers.multi_choice, (some_of(), [])),
    (answers.resident_contact, ("abc",)),
]


@pytest.mark.parametrize(("call", "args"), ALL_REFUSALS)
@pytest.mark.parametrize("lang", ["id", "en"])
def test_refusals_format_in_both_languages(call, args, lang):
    key, params = refused(call, *args)
    rendered = messages(lang)[key].format(**params)
    assert "{" not in rendered


@pytest.mark.parametrize("lang", ["id", "en"])
def test_time_refusals_format_in_both_languages(lang):
    now = TEN_AM.astimezone(UTC)
    for raw in ("10:00-11:00", "06:00-20:00", "25:00-26:00", "8-8", "zz"):
        key, params = refused(
            answers.parse_time_range, raw, now=now, tz=WITA, activity_minutes=60, max_minutes=600
        )
        assert "{" not in messages(lang)[key].format(**params)
    warning = answers.duration_warning(TimeRange(local(28, 8), local(28, 11)), 60, 30)
    assert warning is not None
    assert messages(lang)[warning.key].format(**warning.params)
