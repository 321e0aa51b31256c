"""The activity catalogue: the SOP forms load, and broken files say exactly what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.catalogue import (
    DEFAULT_CATALOGUE_PATH,
    SINGLETON_TYPES,
    Bilingual,
    CatalogueError,
    ChoiceField,
    ComplaintsField,
    FieldType,
    IntegerField,
    MultiChoiceField,
    ShortTextField,
    load_catalogue,
)

# The SOP's "Kelengkapan" column, item by item, in the SOP's order.
SOP_EQUIPMENT = {
    "sapta": ("sprin", "camera", "notebook", "stationery"),
    "mantap": ("sprin", "camera", "notebook", "stationery"),
    "satria": (
        "sprin",
        "materials",
        "camera",
        "sound_system",
        "support",
        "notebook",
        "stationery",
    ),
    "khidmat": ("sprin", "camera", "support", "notebook", "stationery"),
}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(DEFAULT_CATALOGUE_PATH)


def test_shipped_catalogue_has_the_four_sop_posts_in_order(catalogue):
    assert [a.code for a in catalogue.activities] == ["sapta", "mantap", "satria", "khidmat"]
    assert [a.number_code for a in catalogue.activities] == [
        "SAPTA",
        "MANTAP",
        "SATRIA",
        "KHIDMAT",
    ]
    assert [a.name.id for a in catalogue.activities] == [
        "POS SAPTA",
        "POS MANTAP",
        "POS SATRIA",
        "POS KHIDMAT",
    ]


def test_shipped_catalogue_loads_from_a_relative_path(monkeypatch):
    monkeypatch.chdir(DEFAULT_CATALOGUE_PATH.parent.parent)
    assert len(load_catalogue(Path("config/activities.toml")).activities) == 4


@pytest.mark.parametrize(("code", "equipment"), SOP_EQUIPMENT.items())
def test_each_post_carries_the_sop_equipment(catalogue, code, equipment):
    assert catalogue.activity(code).equipment == equipment


@pytest.mark.parametrize("code", SOP_EQUIPMENT)
def test_each_post_is_one_hour_addresses_the_public_and_has_the_common_steps(catalogue, code):
    activity = catalogue.activity(code)
    assert activity.duration_minutes == 60
    assert activity.sop_warnings is True
    types = [field.type for field in activity.fields]
    for singleton in SINGLETON_TYPES:
        assert types.count(singleton) == 1, singleton
    for key in ("sprin", "time", "location", "warnings", "equipment", "summary", "photos"):
        assert activity.field(key)
    assert activity.field("sprin").required is False
    assert activity.field("obstacles").required is False
    assert activity.fields[-1].type is FieldType.PHOTOS


def test_activity_specific_fields(catalogue):
    sapta = catalogue.activity("sapta")
    assert isinstance(sapta.field("households"), IntegerField)
    topics = sapta.field("topics")
    assert isinstance(topics, MultiChoiceField)
    assert {"kamtibmas", "narkoba", "remaja", "kdrt", "bencana", "lainnya"} <= {
        option.key for option in topics.options
    }
    mantap = catalogue.activity("mantap")
    assert mantap.field("partners").type is FieldType.LONG_TEXT
    assert isinstance(mantap.field("partner_count"), IntegerField)
    satria = catalogue.activity("satria")
    assert satria.field("public_appeals").type is FieldType.LONG_TEXT
    post_type = satria.field("post_type")
    assert isinstance(post_type, ChoiceField)
    assert [o.key for o in post_type.options] == ["pos_tetap", "patroli", "keramaian"]
    khidmat = catalogue.field("khidmat", "congregation")
    assert isinstance(khidmat, IntegerField)
    assert (khidmat.min, khidmat.max) == (1, 10000)
    for key in ("mosque", "sermon_theme", "messages"):
        assert catalogue.activity("khidmat").field(key)


def test_field_defaults_come_from_the_type(catalogue):
    summary = catalogue.field("sapta", "summary")
    assert summary.type is FieldType.LONG_TEXT
    assert summary.max_length == 2000
    theme = catalogue.field("khidmat", "sermon_theme")
    assert isinstance(theme, ShortTextField)
    assert (theme.min_length, theme.max_length) == (1, 200)
    time_field = catalogue.field("sapta", "time")
    assert time_field.max_duration_minutes == 720
    assert time_field.warn_tolerance_minutes == 30
    photos = catalogue.field("sapta", "photos")
    assert (photos.min_items, photos.max_items) == (1, 10)
    complaints = catalogue.field("sapta", "complaints")
    assert isinstance(complaints, ComplaintsField)
    assert complaints.max_items == 20
    location = catalogue.field("sapta", "location")
    assert location.allow_pin
    assert location.allow_text


def test_shared_lists(catalogue):
    assert len(catalogue.sop_warnings) == 3
    assert "SARA" in catalogue.sop_warnings[0].id
    assert list(catalogue.complaint_categories) == [
        "kamtibmas",
        "pencurian",
        "narkoba",
        "kenakalan_remaja",
        "kdrt",
        "konflik_sosial",
        "lalu_lintas",
        "lingkungan",
        "pelayanan_publik",
        "lainnya",
    ]
    assert [level.key for level in catalogue.urgency_levels] == ["biasa", "segera", "darurat"]
    assert catalogue.urgent_level.key == "darurat"
    ranks = sorted(["biasa", "darurat", "segera"], key=catalogue.urgency_rank)
    assert ranks == ["darurat", "biasa", "segera"]
    assert set(catalogue.equipment) >= {"sprin", "camera", "vehicle", "sound_system"}
    field = catalogue.field("sapta", "complaints")
    assert isinstance(field, ComplaintsField)
    assert catalogue.categories_for(field) == catalogue.complaint_categories


def test_codes_and_keys_fit_in_callback_data(catalogue):
    for activity in catalogue.activities:
        assert len(activity.code.encode()) <= 16
        for field in activity.fields:
            assert len(field.key.encode()) <= 16
            if isinstance(field, ChoiceField | MultiChoiceField):
                assert all(len(option.key.encode()) <= 16 for option in field.options)


def test_lookups_raise_key_error_for_unknown_names(catalogue):
    with pytest.raises(KeyError):
        catalogue.activity("nope")
    with pytest.raises(KeyError):
        catalogue.field("sapta", "nope")
    assert catalogue.has_activity("sapta")
    assert not catalogue.has_activity("nope")


def test_bilingual_get_defaults_to_indonesian():
    text = Bilingual(id="Lokasi", en="Location")
    assert text.get("id") == "Lokasi"
    assert text.get("en") == "Location"
    assert text.get("en-GB") == "Location"
    assert text.get("jv") == "Lokasi"


# ----------------------------------------------------------------------------------------------
# Broken catalogues


HEADER = """
[[sop_warnings]]
id = "Tidak menyinggung SARA."
en = "No SARA."

[equipment]
sprin = { id = "Sprin", en = "Assignment letter" }
camera = { id = "Kamera / HP", en = "Camera / phone" }

[complaint_categories]
lainnya = { id = "Lainnya", en = "Other" }

[[urgency_levels]]
key = "biasa"
label = { id = "Biasa", en = "Normal" }

[[urgency_levels]]
key = "darurat"
label = { id = "Darurat", en = "Emergency" }
urgent = true
"""


def activity(code="demo", *, sop_warnings=True, equipment='["sprin", "camera"]', extra=""):
    return f"""
[[activities]]
code = "{code}"
number_code = "{code.upper()}"
name = {{ id = "POS {code.upper()}", en = "{code} post" }}
purpose = {{ id = "Maksud", en = "Purpose" }}
goal = {{ id = "Tujuan", en = "Goal" }}
sop_warnings = {"true" if sop_warnings else "false"}
equipment = {equipment}
{extra}
"""


def field(key, kind, extra="", prompt='{ id = "Tanya?", en = "Ask?" }'):
    return f"""
[[activities.fields]]
key = "{key}"
type = "{kind}"
label = {{ id = "Label", en = "Label" }}
prompt = {prompt}
{extra}
"""


GOOD_FIELDS = (
    field("time", "time_range")
    + field("warnings", "warnings_ack")
    + field("equipment", "equipment")
    + field("summary", "long_text")
)


def write(tmp_path, text, name="activities.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path):
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    return str(caught.value)


def test_minimal_catalogue_loads(tmp_path):
    path = write(tmp_path, HEADER + activity() + GOOD_FIELDS)
    catalogue = load_catalogue(path)
    assert catalogue.activity("demo").field("summary").type is FieldType.LONG_TEXT


BROKEN = [
    pytest.param(
        GOOD_FIELDS + field("mood", "emoji"),
        "activity 'demo', field 'mood': type: unknown field type 'emoji' (expected one of: "
        "short_text, long_text, integer, choice, multi_choice, time_range, location, "
        "warnings_ack, equipment, photos, complaints)",
        id="unknown-field-type",
    ),
    pytest.param(
        GOOD_FIELDS + field("summary", "short_text"),
        "activity 'demo', field 'summary': duplicate field key",
        id="duplicate-field-key",
    ),
    pytest.param(
        GOOD_FIELDS + field("sprin", "short_text", prompt='{ id = "Nomor Sprin?" }'),
        "activity 'demo', field 'sprin': prompt.en: missing",
        id="missing-english-prompt",
    ),
    pytest.param(
        GOOD_FIELDS + field("sprin", "short_text", prompt='{ id = "Nomor Sprin?", en = "  " }'),
        "activity 'demo', field 'sprin': prompt.en: must not be empty",
        id="blank-english-prompt",
    ),
    pytest.param(
        field("time", "time_range") + field("summary", "long_text"),
        "activity 'demo': sop_warnings = true needs exactly one warnings_ack field",
        id="sop-warnings-without-ack",
    ),
    pytest.param(
        GOOD_FIELDS + field("congregation", "integer", "min = 10\nmax = 5"),
        "activity 'demo', field 'congregation': max must be >= min",
        id="max-below-min",
    ),
    pytest.param(
        GOOD_FIELDS + field("sprin", "short_text", "max = 5"),
        "activity 'demo', field 'sprin': max: unknown setting",
        id="setting-of-another-type",
    ),
    pytest.param(
        GOOD_FIELDS + field("Sprin", "short_text"),
        "activity 'demo', field 'Sprin': key: 'Sprin' is not valid (1-16 lowercase letters, "
        "digits or _, starting with a letter)",
        id="bad-field-key",
    ),
    pytest.param(
        GOOD_FIELDS
        + field(
            "kind",
            "choice",
            'options = [{ key = "a", label = { id = "A", en = "A" } },'
            ' { key = "a", label = { id = "B", en = "B" } }]',
        ),
        "activity 'demo', field 'kind': options: duplicate option key 'a'",
        id="duplicate-option-key",
    ),
    pytest.param(
        GOOD_FIELDS + field("time2", "time_range"),
        "activity 'demo': at most one field of type time_range, found 2",
        id="two-time-ranges",
    ),
    pytest.param(
        GOOD_FIELDS + field("complaints", "complaints", 'categories = ["lainnya", "banjir"]'),
        "activity 'demo', field 'complaints': categories: unknown complaint category 'banjir' "
        "(known: lainnya)",
        id="unknown-complaint-category",
    ),
    pytest.param(
        GOOD_FIELDS + field("where", "location", "allow_pin = false\nallow_text = false"),
        "activity 'demo', field 'where': allow_pin and allow_text cannot both be false",
        id="location-without-any-input",
    ),
    pytest.param(
        GOOD_FIELDS + field("sprin", "short_text", 'default = "skip"'),
        "activity 'demo', field 'sprin': default 'skip' is only for optional text or number"
        " fields",
        id="skip-default-on-a-required-field",
    ),
    pytest.param(
        GOOD_FIELDS + field("when", "short_text", 'required = false\ndefault = "last_hour"'),
        "activity 'demo', field 'when': default 'last_hour' is only for a time_range field",
        id="last-hour-default-on-text",
    ),
]


@pytest.mark.parametrize(("fields", "message"), BROKEN)
def test_broken_field_names_file_activity_and_field(tmp_path, fields, message):
    path = write(tmp_path, HEADER + activity() + fields)
    assert error_of(path) == f"{path}: {message}"


def test_unknown_equipment_reference(tmp_path):
    path = write(tmp_path, HEADER + activity(equipment='["sprin", "kamera"]') + GOOD_FIELDS)
    assert error_of(path) == (
        f"{path}: activity 'demo': equipment: unknown equipment item 'kamera' "
        "(known: sprin, camera)"
    )


def test_warnings_ack_without_sop_warnings(tmp_path):
    path = write(tmp_path, HEADER + activity(sop_warnings=False) + GOOD_FIELDS)
    assert error_of(path) == (
        f"{path}: activity 'demo', field 'warnings': warnings_ack needs sop_warnings = true"
    )


def test_duplicate_and_malformed_activity_codes(tmp_path):
    path = write(tmp_path, HEADER + activity() + GOOD_FIELDS + activity() + GOOD_FIELDS)
    assert error_of(path) == (
        f"{path}: activity 'demo': duplicate activity code\n"
        f"{path}: activities: duplicate number_code 'DEMO'"
    )
    bad = write(tmp_path, HEADER + activity("Demo-1") + GOOD_FIELDS, name="bad.toml")
    assert error_of(bad).startswith(f"{bad}: activity 'Demo-1': code: 'Demo-1' is not valid")


def test_every_problem_is_reported_one_per_line(tmp_path):
    fields = GOOD_FIELDS + field("a", "integer", "min = 3\nmax = 1") + field("b", "nope")
    path = write(tmp_path, HEADER + activity() + fields)
    lines = error_of(path).splitlines()
    assert lines[0] == f"{path}: activity 'demo', field 'a': max must be >= min"
    assert lines[1].startswith(f"{path}: activity 'demo', field 'b': type: unknown field type")


def test_shared_list_errors(tmp_path):
    header = HEADER.replace("urgent = true", "urgent = false")
    path = write(tmp_path, header + activity() + GOOD_FIELDS)
    assert error_of(path) == (
        f"{path}: urgency_levels: exactly one level must have urgent = true, found 0"
    )
    header = HEADER.replace('en = "Camera / phone"', 'en = ""')
    path = write(tmp_path, header + activity() + GOOD_FIELDS, name="empty.toml")
    assert error_of(path) == f"{path}: equipment.camera.en: must not be empty"


def test_unreadable_files(tmp_path):
    missing = tmp_path / "absent.toml"
    assert error_of(missing) == f"{missing}: file not found"
    broken = write(tmp_path, "[[activities]\ncode = 1", name="broken.toml")
    assert error_of(broken).startswith(f"{broken}: not valid TOML:")


def test_a_fifth_activity_is_just_configuration(tmp_path):
    shipped = DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8")
    fifth = activity("sambang", equipment='["sprin", "camera", "vehicle"]') + (
        field("time", "time_range")
        + field("location", "location", "allow_pin = true\nallow_text = false")
        + field("warnings", "warnings_ack")
        + field("equipment", "equipment")
        + field("school", "short_text", "max_length = 120")
        + field("students", "integer", "min = 1\nmax = 5000")
        + field(
            "level",
            "choice",
            'options = [{ key = "sd", label = { id = "SD", en = "Primary" } },'
            ' { key = "smp", label = { id = "SMP", en = "Junior high" } }]',
        )
        + field("complaints", "complaints", 'required = false\ncategories = ["narkoba"]')
        + field("photos", "photos", "min_items = 2\nmax_items = 20")
    )
    path = write(tmp_path, shipped + fifth)
    catalogue = load_catalogue(path)
    assert [a.code for a in catalogue.activities][-1] == "sambang"
    sambang = catalogue.activity("sambang")
    assert sambang.number_code == "SAMBANG"
    assert sambang.equipment == ("sprin", "camera", "vehicle")
    level = sambang.field("level")
    assert isinstance(level, ChoiceField)
    assert level.option("smp").label.en == "Junior high"
    complaints = sambang.field("complaints")
    assert isinstance(complaints, ComplaintsField)
    assert list(catalogue.categories_for(complaints)) == ["narkoba"]
