"""Migration 0007 on a database that already holds reports and complaints."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from storage import Database
from storage.database import available_migrations
from storage.desk import ReportFilter

DESK_VERSION = 7


def _older_database(path: Path) -> None:
    """A database migrated up to just before 0007, with one report and its complaint."""
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL)"
    )
    for version, name, sql in available_migrations():
        if version >= DESK_VERSION:
            continue
        connection.executescript(sql)
        connection.execute("INSERT INTO schema_migrations VALUES (?, ?, 'x')", (version, name))
    stamp = "2026-11-20T02:00:00.000000Z"
    connection.executescript(f"""
        INSERT INTO units (code, name) VALUES ('binkamsa', 'Unit Binkamsa');
        INSERT INTO officers (id, telegram_id, full_name, role, status, created_at)
            VALUES (1, 1001, 'Budi Santoso', 'banit', 'active', '{stamp}');
        INSERT INTO reports (id, number, activity_code, officer_id, unit_code, place, answers,
            submitted_at, updated_at)
            VALUES (5, 'LAP/SAPTA/2026/11/0009', 'sapta', 1, 'binkamsa', 'Kel. Heledulaa',
            '{{"summary": "Sambang warga", "complaints": [{{"description": "Kehilangan",
              "resident_name": "Pak Hasan", "resident_contact": "0812"}}]}}',
            '{stamp}', '{stamp}');
        INSERT INTO complaints (id, report_id, position, category, description, place, urgency,
            resident_name, status, created_at, updated_at)
            VALUES (3, 5, 0, 'pencurian', 'Kehilangan sepeda motor', 'Jl. Raja Eyato',
            'segera', 'Pak Hasan', 'in_progress', '{stamp}', '{stamp}');
    """)
    connection.commit()
    connection.close()


async def test_existing_complaints_and_reports_survive_and_are_searchable(tmp_path: Path):
    path = tmp_path / "polmas.sqlite3"
    _older_database(path)
    database = Database(path)
    await database.open()
    try:
        assert DESK_VERSION in await database.applied_migrations()
        async with database.reading() as repos:
            item = await repos.complaint_desk.get(3)
            found = await repos.report_browser.page(
                ReportFilter(units=frozenset({"binkamsa"}), words="motor"), limit=5
            )
            by_place = await repos.report_browser.count(
                ReportFilter(units=frozenset({"binkamsa"}), words="heledulaa")
            )
            elsewhere = await repos.report_browser.count(
                ReportFilter(units=frozenset({"binpolmas"}), words="motor")
            )
            by_resident = await repos.report_browser.count(
                ReportFilter(units=frozenset({"binkamsa"}), words="Hasan")
            )
        assert item is not None
        assert item.status == "in_progress"
        assert item.resident_name == "Pak Hasan"
        assert item.status_changed_at == datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
        assert [report.number for report in found] == ["LAP/SAPTA/2026/11/0009"]
        assert by_place == 1
        assert elsewhere == 0
        assert by_resident == 0  # residents' names are never indexed
    finally:
        await database.close()
