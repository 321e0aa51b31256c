"""The message catalogue: complete in both languages, and every key the code uses exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ui.i18n import CatalogueError, Translator

ROOT = Path(__file__).resolve().parent.parent
LITERAL_KEY = re.compile(r"""texts\(\s*[\w.]+,\s*"([a-z_]+(?:\.[a-z0-9_]+)+)"[,)]""")


def test_shipped_catalogue_is_complete():
    assert Translator.load().problems() == []


def test_missing_key_in_one_language_fails(tmp_path: Path):
    (tmp_path / "x.id.toml").write_text('[a]\nb = "satu"\nc = "dua {n}"\n', encoding="utf-8")
    (tmp_path / "x.en.toml").write_text('[a]\nc = "two {count}"\n', encoding="utf-8")
    with pytest.raises(CatalogueError) as error:
        Translator.load(tmp_path)
    assert "'a.b' is missing in 'en'" in str(error.value)
    assert "'a.c' has different placeholders" in str(error.value)


def test_every_literal_key_in_the_code_exists():
    texts = Translator.load()
    used = set()
    for folder in ("bot", "ui", "ops", "handlers", "conversations", "jobs", "domain"):
        for path in (ROOT / folder).rglob("*.py"):
            used.update(LITERAL_KEY.findall(path.read_text(encoding="utf-8")))
    assert used, "the scan found no keys: the pattern is broken"
    assert sorted(key for key in used if not texts.has(key)) == []


def test_plural_forms_follow_the_number_and_indonesian_keeps_one_text(tmp_path: Path):
    (tmp_path / "x.id.toml").write_text(
        '[a]\nphotos = "{count} foto"\npages = "selesai ({pages} halaman)"\n', encoding="utf-8")
    (tmp_path / "x.en.toml").write_text(
        '[a]\nphotos = { one = "1 photo", other = "{count} photos" }\n'
        'pages = { by = "pages", one = "done (1 page)", other = "done ({pages} pages)" }\n',
        encoding="utf-8")
    texts = Translator.load(tmp_path)
    assert [texts("en", "a.photos", count=n) for n in (0, 1, 2)] == [
        "0 photos", "1 photo", "2 photos"]
    assert texts("en", "a.pages", pages=1) == "done (1 page)"
    assert texts("en", "a.pages", pages=21) == "done (21 pages)"
    assert texts("id", "a.photos", count=1) == "1 foto"


def test_a_plural_form_without_its_number_is_refused(tmp_path: Path):
    (tmp_path / "x.id.toml").write_text('[a]\nb = "{n} foto"\n', encoding="utf-8")
    (tmp_path / "x.en.toml").write_text(
        '[a]\nb = { one = "1 photo", other = "{n} photos" }\n', encoding="utf-8")
    with pytest.raises(CatalogueError) as error:
        Translator.load(tmp_path)
    assert "has no {count} to choose its form" in str(error.value)


def test_shipped_english_counts_are_singular_for_one():
    texts = Translator.load()
    assert texts("en", "reports.value.photo_count", count=1) == "1 photo"
    assert texts("en", "reports.value.complaint_count", count=1) == "1 complaint"
    assert texts("en", "count.reports", count=1) == "1 report"
    assert texts("en", "count.reports", count=2) == "2 reports"
    assert texts("en", "schedule.assign.offsets_before", minutes=1) == "1 minute before"
