"""Any text, as a hostile or careless user types it: stored exactly (after the documented
normalisation) or refused with a friendly message, never a traceback or silence.

Defect 3 of issue 19 (``/cari motor\\x00x`` raised "unterminated string" in FTS5) and the
"Any text" suite of its hostile-input section.
"""

from __future__ import annotations

import logging
import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from emulator import Emulator
from storage.desk import match_expression
from tests.harness import BotHarness
from tests.test_browse import NUMBER, labels, two_units


class ErrorRecords(logging.Handler):
    """Every ERROR record of any logger (the bot's error handler included)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_a_nul_in_search_words_finds_instead_of_failing(
    harness: BotHarness, emu: Emulator
):
    _, kanit, _, _ = await two_units(harness, emu)
    errors = ErrorRecords()
    logging.getLogger().addHandler(errors)
    try:
        await kanit.send("/cari motor\x00")
        assert "(1)" in kanit.last.text
        assert any(NUMBER in label for label in labels(kanit.last))
        await kanit.send("/cari motor\x00x")
        assert "Tidak ada laporan" in kanit.last.text
        await kanit.press("🔎 Cari kata")
        await kanit.send("\x00pencurian\x1b")
        assert any(NUMBER in label for label in labels(kanit.last))
    finally:
        logging.getLogger().removeHandler(errors)
    assert errors.records == []


def _search_table() -> sqlite3.Connection:
    """A real FTS5 table made like the bot's (storage/migrations/0007_leaders_desk.sql)."""
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE VIRTUAL TABLE report_search USING fts5("
        "body, unit_code UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')"
    )
    connection.execute(
        "INSERT INTO report_search (body, unit_code) VALUES"
        " ('LAP/SAPTA/2026/11/0001 pencurian motor di Heledulaa 0812', 'binkamsa')"
    )
    return connection


SEARCH = _search_table()


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.text(max_size=300) | st.text(alphabet=st.sampled_from('"*^:()-+ \x00\x1bNEAR'),
                                        max_size=60))
def test_any_words_make_a_valid_fts_expression_or_no_search(words):
    """Any text → an expression FTS5 accepts (run against a real table), or None (no search)."""
    expression = match_expression(words)
    if expression is None:
        return
    SEARCH.execute(
        "SELECT COUNT(*) FROM report_search WHERE report_search MATCH ?", (expression,)
    ).fetchone()
