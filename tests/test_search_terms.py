"""Text search asks FTS5 for exact words instead of prefixes (#15, migration 0020): the same
reports are found, and the index's words are kept up to date by the same triggers."""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from emulator import Emulator
from emulator.harness import BotHarness
from storage import Database
from storage.desk import (
    EXPANDED_TERMS,
    NO_MATCH,
    expanded_expression,
    expansion_query,
    match_expression,
)
from tests.support.browse import labels
from tests.support.reports import fill_sapta, seed

PLACES = [
    "RW 03 Kel. Dembe I", "Kel. Dembe II jl.Sudirman 12", "Dembekalu", "Kelurahan Démbé",
    "Pasar Sentral 0812", "Heledulaa Selatan", "Tilongkabila", "DEMBE", "東京 tower",
    " ".join(f"kata{index:02d}" for index in range(EXPANDED_TERMS + 8)),  # a prefix of 40 words
    "pencurian motor", "motorik", "de", "d",
]


def _migrated_database() -> Path:
    """The product's migrations, then reports written by plain INSERTs (the triggers index
    them as they would the bot's): one file for the whole module."""
    path = Path(tempfile.mkdtemp(prefix="search-terms-")) / "polmas.sqlite3"

    async def migrate() -> None:
        database = Database(path)
        await database.open()
        await database.close()

    asyncio.run(migrate())
    connection = sqlite3.connect(path)
    connection.execute("INSERT INTO units (code, name) VALUES ('binkamsa', 'Binkamsa')")
    officer = connection.execute(
        "INSERT INTO officers (telegram_id, full_name, nrp, rank, unit_code, role, language,"
        " status, created_at) VALUES (1, 'Budi', '1', 'BRIPKA', 'binkamsa', 'banit', 'id',"
        " 'active', '2026-11-28T00:00:00.000000Z')"
    ).lastrowid
    for index, place in enumerate(PLACES, start=1):
        connection.execute(
            "INSERT INTO reports (number, activity_code, officer_id, unit_code, place, answers,"
            " submitted_at, updated_at) VALUES (?, 'sapta', ?, 'binkamsa', ?, '{}',"
            " '2026-11-28T00:00:00.000000Z', '2026-11-28T00:00:00.000000Z')",
            (f"LAP/T/{index}", officer, place),
        )
    connection.commit()
    connection.close()
    return path


DB = sqlite3.connect(_migrated_database(), check_same_thread=False)


def _found(expression: str) -> list[int]:
    rows = DB.execute("SELECT rowid FROM report_search WHERE report_search MATCH ?"
                      " ORDER BY rowid", (expression,))
    return [row[0] for row in rows]


def _expanded(words: str) -> str | object | None:
    query = expansion_query(words)
    terms: dict[str, list[str]] = {}
    if query is not None:
        for prefix, term in DB.execute(*query):
            terms.setdefault(prefix, []).append(term)
    return expanded_expression(words, terms)


WORDS = st.sampled_from(
    ["dembe", "Demb", "DEM", "de", "d", "dembekalu", "dembekalux", "Démbé", "jl.sudirman",
     "sudir", "12", "0812", "kata", "kata1", "kata39", "motor", "mot", "東京", "tow", "lap",
     "zzz", "heledulaa", "sel", "pasar", "*", '"', "dembe*", "pen cur"]
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(WORDS, min_size=1, max_size=4).map(" ".join) | st.text(max_size=40))
def test_the_exact_words_find_what_the_prefixes_found(words: str) -> None:
    prefixes = match_expression(words)
    expanded = _expanded(words)

    if prefixes is None:
        assert expanded is None
        return
    assert expanded is not None
    wanted = _found(prefixes)
    assert (_found(expanded) if isinstance(expanded, str) else []) == wanted, (
        prefixes, expanded)
    assert expanded is not NO_MATCH or wanted == []


def test_plain_words_become_exact_words_and_the_rest_stay_prefixes() -> None:
    assert _expanded("Demb") == '("dembe" OR "dembekalu")'
    assert _expanded("dembe tilong") == '("dembe" OR "dembekalu") AND ("tilongkabila")'
    assert _expanded("tidakadakatainisamasekali") is NO_MATCH
    assert _expanded("kata") == '"kata"*'  # 40 words start with it: asked as the prefix
    assert _expanded("kata3") == "(" + " OR ".join(
        f'"kata{index}"' for index in range(30, 40)) + ")"
    assert _expanded("Démbé") == '"Démbé"*'  # FTS5 folds the accents: left to it
    assert _expanded("jl.sudirman") == '"jl.sudirman"*'  # split by FTS5 into a phrase


def test_words_written_later_are_in_the_index_words() -> None:
    DB.execute("UPDATE reports SET place = 'Kel. Limba U Dua' WHERE number = 'LAP/T/3'")
    DB.execute("INSERT INTO complaints (report_id, position, category, description, place,"
               " urgency, status, created_at, updated_at) SELECT id, 0, 'lainnya',"
               " 'Jalan berlubang dekat Molosipat', 'Jl. Ki Hajar', 'biasa', 'new',"
               " submitted_at, submitted_at FROM reports WHERE number = 'LAP/T/4'")
    terms = {row[0] for row in DB.execute("SELECT term FROM report_search_terms")}

    assert {"limba", "molosipat", "hajar", "berlubang"} <= terms
    assert _found(str(_expanded("molosi"))) == _found('"molosi"*') != []
    assert _found(str(_expanded("limb"))) == _found('"limb"*') != []
    # Nothing is left in the scratch table the triggers tokenize with.
    assert DB.execute("SELECT COUNT(*) FROM report_search_scratch_terms").fetchone() == (0,)
    DB.rollback()


async def test_a_leader_finds_a_complaint_word_by_its_beginning(
    harness: BotHarness, emu: Emulator
):
    officer, kanit = await seed(harness, emu)
    await fill_sapta(officer, photos=1,
                     complaint="Tawuran pemuda di Dembekalu dekat Tilongkabila")
    await officer.press("📤 Kirim laporan")

    for words in ("/cari dembek", "/cari DEMBEKALU", "/cari tilong dembek"):
        await kanit.send(words)
        assert "(1)" in kanit.last.text, words
        assert any("LAP/SAPTA/2026/11/0001" in label for label in labels(kanit.last))
    for words in ("/cari dembekalux", "/cari tilong heledulaaz"):
        await kanit.send(words)
        assert "Tidak ada laporan" in kanit.last.text, words
