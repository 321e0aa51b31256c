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
