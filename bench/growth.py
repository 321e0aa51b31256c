"""Item 3: the product's queries on 10 k, 100 k and 1 M reports seeded straight into SQLite.

The seed models a precinct whose data grows with time, not density: 120 officers in four
units filing about 2 500 reports a week (three a day each), so 10 k reports are a month and
1 M about seven and a half years. Each report has 0-3 complaints (1.2 on average) and two
photos. Queries are timed through the product's own repositories on aiosqlite, warm, as the
median of several runs; the target is that none grows more than 3x from 10 k to 1 M.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sqlite3
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import START, UNITS
from storage import Database
from storage.values import to_db_time

REPORTS_PER_WEEK = 2_500
POSTS_EVERY = 10
"""One scheduled post (two officers, three notifications) per ten reports."""
OFFICERS_PER_UNIT = 30
ACTIVITIES = ("sapta", "mantap", "satria", "khidmat")
CATEGORIES = ("pencurian", "narkoba", "kenakalan_remaja", "kdrt", "lalu_lintas", "lainnya")
URGENCY = ("biasa", "segera", "darurat")
ALL_UNITS = ("satbinmas", *UNITS)


def _answers(rng: random.Random, activity: str) -> str:
    """An answers JSON about the size and shape of a real SAPTA report."""
    return json.dumps(
        {
            "sprin": f"Sprin/{rng.randint(1, 300)}/XI/2026/Satbinmas",
            "time": {"start": "2026-11-28T01:00:00+00:00", "end": "2026-11-28T02:00:00+00:00"},
            "location": {"place": f"RW {rng.randint(1, 12):02d} Kel. Heledulaa",
                         "pin": {"lat": 0.54 + rng.random() / 100,
                                 "lon": 123.05 + rng.random() / 100}},
            "warnings": {"at": "2026-11-28T02:00:00+00:00"},
            "equipment": {"present": ["sprin", "camera", "notebook", "stationery"],
                          "reasons": {}},
            "summary": "Sambang warga dan penyuluhan kamtibmas bersama tokoh masyarakat "
            f"di wilayah RW {rng.randint(1, 12)}; situasi aman dan kondusif.",
            "households": rng.randint(5, 40),
            "residents": rng.randint(10, 120),
            "topics": rng.sample(["kamtibmas", "narkoba", "remaja", "kdrt", "hoaks"], 2),
            "obstacles": None,
            "activity": activity,
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def seed(path: Path, reports: int, *, seed_value: int = 7) -> float:
    """Create the schema with the product's migrations, then bulk insert; returns seconds."""
    began = time.perf_counter()
    asyncio.run(_migrate(path))
    rng = random.Random(seed_value)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")  # seeding only; the bot runs FULL
    connection.execute("PRAGMA cache_size=-524288")  # 512 MB while seeding: indexes stay hot
    connection.execute("BEGIN")
    # Secondary indexes are built once after the rows are in (a sort instead of a million
    # random inserts); the same CREATE INDEX statements the migrations ran.
    indexes = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        " AND tbl_name IN ('reports', 'complaints', 'report_photos', 'assignments',"
        " 'assignment_officers', 'notifications')"
    ).fetchall()
    for name, _ in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    # Triggers that index each row (full-text search) would re-index a report per complaint;
    # they are set aside and the index is built once at the end, as its migration does.
    triggers = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        " AND tbl_name IN ('reports', 'complaints')"
    ).fetchall()
    for name, _ in triggers:
        connection.execute(f'DROP TRIGGER "{name}"')
    created = to_db_time(START - timedelta(days=3000))
    for code in ALL_UNITS:
        connection.execute(
            "INSERT OR IGNORE INTO units (code, name, parent_code) VALUES (?, ?, ?)",
            (code, code.title(), None if code == "satbinmas" else "satbinmas"),
        )
    officers: list[tuple[int, str]] = []
    for index in range(len(UNITS) * OFFICERS_PER_UNIT):
        unit = UNITS[index % len(UNITS)]
        cursor = connection.execute(
            "INSERT INTO officers (telegram_id, full_name, nrp, rank, unit_code, role, language,"
            " status, created_at) VALUES (?, ?, ?, 'BRIPKA', ?, 'banit', 'id', 'active', ?)",
            (200_000 + index, f"Petugas {index}", f"{20_000_000 + index}", unit, created),
        )
        officers.append((int(cursor.lastrowid or 0), unit))
    for index, unit in enumerate(ALL_UNITS):
        connection.execute(
            "INSERT INTO officers (telegram_id, full_name, nrp, rank, unit_code, role, language,"
            " status, created_at) VALUES (?, ?, ?, 'IPTU', ?, ?, 'id', 'active', ?)",
            (300_000 + index, f"Pimpinan {unit}", f"3{index:07d}", unit,
             "kasat" if unit == "satbinmas" else "kanit", created),
        )
    # Rows are generated inside SQLite (a recursive counter, deterministic hashes of the id
    # for the spread): a million reports in seconds instead of minutes of Python tuples.
    connection.execute("CREATE TEMP TABLE seed_officers (k INTEGER PRIMARY KEY, id, unit)")
    connection.executemany("INSERT INTO seed_officers VALUES (?, ?, ?)",
                           [(k, oid, unit) for k, (oid, unit) in enumerate(officers)])
    connection.execute("CREATE TEMP TABLE seed_answers (k INTEGER PRIMARY KEY, answers)")
    connection.executemany("INSERT INTO seed_answers VALUES (?, ?)",
                           [(k, _answers(rng, ACTIVITIES[k % 4])) for k in range(64)])
    connection.execute("CREATE TEMP TABLE seed_small (k INTEGER PRIMARY KEY, v)")
    connection.executemany("INSERT INTO seed_small VALUES (?, ?)",
                           [(k, v) for k, v in enumerate(ACTIVITIES)])
    step = 7 * 86_400 / REPORTS_PER_WEEK
    end = START.timestamp()
    connection.execute(
        f"""
        WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < :n),
        spread AS (
            SELECT i, (i * 2654435761) % 4294967291 AS h,
                   CAST(:end - (:n - i) * :step - ((i * 40503) % 97) AS INTEGER) AS t
            FROM seq)
        INSERT INTO reports (id, number, activity_code, officer_id, unit_code, started_at,
            ended_at, place, latitude, longitude, equipment, warnings_ack_at, answers,
            submitted_at, updated_at)
        SELECT i, 'LAP/SEED/' || i, a.v, o.id, o.unit,
            strftime('%Y-%m-%dT%H:%M:%S.000000Z', t - 3600, 'unixepoch'),
            strftime('%Y-%m-%dT%H:%M:%S.000000Z', t, 'unixepoch'),
            CASE WHEN i > :n - 5 THEN 'RW 03 Kel. Dembe'
                 ELSE 'RW ' || (i % 12) || ' Kel. Heledulaa' END, 0.5412, 123.0595,
            '{{"present": ["sprin", "camera", "notebook", "stationery"], "reasons": {{}}}}',
            strftime('%Y-%m-%dT%H:%M:%S.000000Z', t, 'unixepoch'), s.answers,
            strftime('%Y-%m-%dT%H:%M:%S.000000Z', t, 'unixepoch'),
            strftime('%Y-%m-%dT%H:%M:%S.000000Z', t, 'unixepoch')
        FROM spread
        JOIN seed_officers o ON o.k = h % {len(officers)}
        JOIN seed_small a ON a.k = (h / 7) % 4
        JOIN seed_answers s ON s.k = i % 64
        """,
        {"n": reports, "end": end, "step": step},
    )
    # 0-3 complaints a report (1.2 on average), two photos each.
    connection.execute("CREATE TEMP TABLE seed_counts (k INTEGER PRIMARY KEY, n)")
    connection.executemany("INSERT INTO seed_counts VALUES (?, ?)",
                           list(enumerate((0, 0, 1, 1, 1, 2, 2, 3))))
    connection.execute("CREATE TEMP TABLE seed_pos (p INTEGER PRIMARY KEY)")
    connection.executemany("INSERT INTO seed_pos VALUES (?)", [(0,), (1,), (2,)])
    categories = json.dumps(list(CATEGORIES))
    connection.execute(
        f"""
        INSERT INTO complaints (report_id, position, category, description, place, urgency,
            resident_name, resident_contact, status, created_at, updated_at)
        SELECT r.id, p.p,
            json_extract('{categories}', '$[' || ((r.id * 7919 + p.p) % 6) || ']'),
            'Sering terjadi pencurian motor di malam hari dekat pasar', 'Jl. Raja Eyato',
            json_extract('["biasa", "segera", "darurat"]', '$[' || ((r.id + p.p) % 3) || ']'),
            'Pak Hasan', '081234567890',
            json_extract('["new", "in_progress", "resolved", "resolved"]',
                         '$[' || ((r.id * 31 + p.p) % 4) || ']'),
            r.submitted_at, r.submitted_at
        FROM reports r
        JOIN seed_counts c ON c.k = (r.id * 2246822519) % 8
        JOIN seed_pos p ON p.p < c.n
        ORDER BY r.id, p.p
        """
    )
    connection.execute(
        "INSERT INTO report_photos (report_id, position, sha256, taken_at)"
        " SELECT r.id, p.p, printf('%032x%032x', r.id, p.p), NULL"
        " FROM reports r JOIN seed_pos p ON p.p < 2 ORDER BY r.id, p.p"
    )
    connection.execute(
        "INSERT INTO report_counters (activity_code, year, month, last_number)"
        " SELECT activity_code, CAST(substr(submitted_at, 1, 4) AS INTEGER),"
        " CAST(substr(submitted_at, 6, 2) AS INTEGER), COUNT(*) FROM reports GROUP BY 1, 2, 3"
    )
    if _exists(connection, "assignments"):
        _seed_schedule(connection, reports // POSTS_EVERY, end, step * POSTS_EVERY)
    for _, sql in indexes:
        connection.execute(sql)
    if _exists(connection, "report_search") and _exists(connection, "report_search_source"):
        connection.execute(
            "INSERT INTO report_search (rowid, body, unit_code)"
            " SELECT report_id, body, unit_code FROM report_search_source"
        )
    if _exists(connection, "report_search_terms"):
        # The index's words, as migration 0020 fills them (the triggers are set aside).
        connection.execute("CREATE VIRTUAL TABLE temp.seed_vocabulary"
                           " USING fts5vocab(main, report_search, 'row')")
        connection.execute("INSERT OR IGNORE INTO report_search_terms (term)"
                           " SELECT term FROM temp.seed_vocabulary")
        connection.execute("DROP TABLE temp.seed_vocabulary")
    for _, sql in triggers:
        connection.execute(sql)
    connection.execute("COMMIT")
    connection.execute("ANALYZE")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return time.perf_counter() - began


def _seed_schedule(connection: sqlite3.Connection, posts: int, end: float, step: float) -> None:
    """Posts spread like the reports, two officers each, their notifications mostly sent.

    Twenty posts lie ahead (pending reminders), so the due scan has live rows to find.
    """
    connection.execute(
        """
        WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < :n)
        INSERT INTO assignments (id, activity_code, unit_code, place, starts_at, ends_at, sprin,
            status, created_by, created_at, updated_at)
        SELECT i, a.v, o.unit, 'RW ' || (i % 12) || ' Kel. Heledulaa',
            strftime('%Y-%m-%dT%H:%M:%S.000000Z', :end + (20 - :n + i) * :step, 'unixepoch'),
            strftime('%Y-%m-%dT%H:%M:%S.000000Z', :end + (20 - :n + i) * :step + 7200,
                     'unixepoch'),
            'Sprin/' || i || '/Satbinmas', 'planned', NULL,
            strftime('%Y-%m-%dT%H:%M:%S.000000Z', :end + (20 - :n + i) * :step - 86400,
                     'unixepoch'),
            strftime('%Y-%m-%dT%H:%M:%S.000000Z', :end + (20 - :n + i) * :step - 86400,
                     'unixepoch')
        FROM seq JOIN seed_small a ON a.k = i % 4
        JOIN seed_officers o ON o.k = (i * 3) % (SELECT COUNT(*) FROM seed_officers)
        """,
        {"n": posts, "end": end, "step": step},
    )
    connection.execute(
        "INSERT INTO assignment_officers (assignment_id, officer_id)"
        " SELECT a.id, o.id FROM assignments a JOIN seed_officers o"
        " ON o.unit = a.unit_code AND o.k % 30 IN (a.id % 30, (a.id + 1) % 30)"
    )
    connection.execute(
        """
        INSERT INTO notifications (key, kind, assignment_id, officer_id, recipient_id, payload,
            due_at, status, sent_at, created_at)
        SELECT 'seed:' || x.kind || ':' || a.id || ':' || ao.officer_id, x.kind, a.id,
            ao.officer_id, ao.officer_id, '{}', a.starts_at,
            CASE WHEN a.starts_at < :now THEN 'sent' ELSE 'pending' END,
            CASE WHEN a.starts_at < :now THEN a.starts_at END, a.created_at
        FROM assignments a JOIN assignment_officers ao ON ao.assignment_id = a.id
        JOIN (SELECT 'assigned' AS kind UNION ALL SELECT 'reminder' UNION ALL SELECT 'overdue') x
        """,
        {"now": to_db_time(START)},
    )


def _exists(connection: sqlite3.Connection, name: str) -> bool:
    row = connection.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    return row is not None


async def _migrate(path: Path) -> None:
    database = Database(path)
    await database.open()
    await database.close()


# ------------------------------------------------------------------------------ queries


Probe = Callable[[Database], Awaitable[object]]


@dataclass
class QueryTiming:
    """One query at one size: median seconds and SQLite's plan."""

    name: str
    seconds: float
    plan: str = ""


@dataclass
class SizeResult:
    """Everything measured on one seeded database."""

    reports: int
    seed_seconds: float
    bytes_per_report: float
    timings: dict[str, QueryTiming] = field(default_factory=dict)


def probes() -> list[tuple[str, Probe, str, tuple[Any, ...]]]:
    """(name, call through the product's code, SQL to explain, its parameters).

    Probes for features not in this checkout are left out and the table says so.
    """
    from zoneinfo import ZoneInfo

    from bot.application import load_configuration
    from config.settings import load_settings

    tz = ZoneInfo("Asia/Makassar")
    found: list[tuple[str, Probe, str, tuple[Any, ...]]] = []
    settings = load_settings(telegram_bot_token="1:x", data_dir=Path("/nonexistent"))
    _, catalogue, _ = load_configuration(settings)
    unit = UNITS[0]
    try:
        from domain.recap import week_of
        from storage.recap import ACTIVITY_TIME, RecapRepository, load_recap
    except ImportError:
        pass
    else:
        period = week_of(START - timedelta(days=1), tz)

        async def recap(db: Database) -> object:
            async with db.reading() as repos:
                return await load_recap(RecapRepository(repos.reports._db), catalogue, [unit],
                                        period)

        found.append((
            "leader recap, one unit, one week",
            recap,
            "SELECT r.activity_code, r.officer_id, COUNT(*) FROM reports r JOIN officers o"
            f" ON o.id = r.officer_id WHERE r.unit_code IN (?) AND {ACTIVITY_TIME} >= ?"
            f" AND {ACTIVITY_TIME} < ? GROUP BY r.activity_code, r.officer_id",
            (unit, to_db_time(period.start), to_db_time(period.end)),
        ))

    found.extend(_schedule_probes(settings, unit))

    async def complaints_page(db: Database) -> object:
        # A kanit's /keluhan: the first page of open complaints (urgent first, then oldest)
        # and their count; half the seeded complaints are open, a backlog of years.
        async with db.reading() as repos:
            desk = repos.complaint_desk
            page = await desk.open_in_scope([unit], 1, urgent=["darurat"], limit=8)
            return page, await desk.count_open_in_scope([unit], 1, cap=201)

    async def complaints_own(db: Database) -> object:
        # A banit's /keluhan: the complaints they recorded or were assigned, in the backlog.
        async with db.reading() as repos:
            desk = repos.complaint_desk
            page = await desk.open_in_scope([], 1, urgent=["darurat"], limit=8)
            return page, await desk.count_open_in_scope([], 1, cap=201)

    found.append((
        "/keluhan first page and count, an officer",
        complaints_own,
        "SELECT c.id FROM complaints c JOIN reports r ON r.id = c.report_id"
        " WHERE c.status IN ('new', 'in_progress') AND (r.officer_id = ? OR c.assigned_to = ?)"
        " ORDER BY c.created_at, c.id LIMIT 8",
        (1, 1),
    ))
    found.append((
        "/keluhan first page and count, a leader",
        complaints_page,
        "SELECT c.id FROM complaints c JOIN reports r ON r.id = c.report_id"
        " WHERE c.status IN ('new', 'in_progress') AND (r.unit_code IN (?) OR r.officer_id = ?"
        " OR c.assigned_to = ?) ORDER BY c.urgency IN ('darurat') DESC, c.created_at, c.id"
        " LIMIT 8",
        (unit, 1, 1),
    ))

    async def my_reports(db: Database) -> object:
        async with db.reading() as repos:
            return await repos.reports.of_officer(1, limit=10)

    found.append((
        "officer's recent reports (/laporan)",
        my_reports,
        "SELECT id FROM reports WHERE officer_id = ? ORDER BY submitted_at DESC, id DESC"
        " LIMIT 10",
        (1,),
    ))

    async def report_card(db: Database) -> object:
        async with db.reading() as repos:
            report = await repos.reports.by_id(1)
            complaints = await repos.complaints.of_report(1)
            return report, complaints, await repos.report_photos.of_report(1)

    found.append((
        "open one report with complaints and photos",
        report_card,
        "SELECT id FROM complaints WHERE report_id = ? ORDER BY position",
        (1,),
    ))
    return found


def _schedule_probes(settings: Any, unit: str) -> list[tuple[str, Probe, str, tuple[Any, ...]]]:
    """Digest, due scan and text search, from the modules that implement them (if present)."""
    found: list[tuple[str, Probe, str, tuple[Any, ...]]] = []
    try:
        from bot.application import load_configuration
        from domain.clock import ManualClock
        from domain.territory import load_territory
        from jobs.digest import build_digest
        from jobs.planning import schedule_config
        from storage.desk import ReportBrowser, ReportFilter
        from storage.photo_work import PhotoWork
        from storage.photos import PhotoStore
        from storage.schedule import NotificationRepository
        from ui.services import Services
    except ImportError:
        return found
    organisation, catalogue, texts = load_configuration(settings)
    territory = load_territory(settings.territory_file)
    now = START

    async def digest(db: Database) -> object:
        photos = PhotoStore(settings.photos_dir)
        services = Services(settings=settings, db=db, organisation=organisation,
                            catalogue=catalogue, texts=texts, clock=ManualClock(now),
                            photos=photos, territory=territory,
                            imaging=PhotoWork(photos, workers=0))
        config = schedule_config(services)
        async with db.reading() as repos:
            leaders = await repos.officers.with_roles(["kanit", "kbo", "kasat"])
            return [await build_digest(repos, services, config, leader, now, now)
                    for leader in leaders]

    found.append((
        "daily digest, all leaders",
        digest,
        "SELECT id FROM assignments WHERE unit_code IN (?) AND status = 'planned'"
        " AND ends_at >= ? AND ends_at < ?",
        (unit, to_db_time(now - timedelta(days=1)), to_db_time(now)),
    ))

    async def due(db: Database) -> object:
        async with db.reading() as repos:
            return await NotificationRepository(repos.reports._db).due(now)

    found.append((
        "due-notification scan",
        due,
        "SELECT id FROM notifications WHERE status = 'pending' AND due_at <= ?"
        " AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY due_at, id LIMIT 200",
        (to_db_time(now), to_db_time(now)),
    ))

    async def search(db: Database) -> object:
        async with db.reading() as repos:
            # Five reports name this place at every size: the result does not grow.
            view = ReportFilter(units=frozenset({unit}), words="Dembe")
            return await ReportBrowser(repos.reports._db).page(view, limit=10)

    found.append((
        "text search, a place in 5 reports (FTS)",
        search,
        "SELECT id FROM reports WHERE unit_code IN (?) AND id IN (SELECT rowid FROM"
        " report_search WHERE report_search MATCH ? AND unit_code IN (?))"
        " ORDER BY COALESCE(started_at, submitted_at) DESC, id DESC LIMIT 10",
        (unit, '"Dembe"*', unit),
    ))
    return found


async def _time_probes(path: Path, repeats: int) -> dict[str, QueryTiming]:
    database = Database(path)
    await database.open()
    timings: dict[str, QueryTiming] = {}
    try:
        for name, probe, sql, params in probes():
            await probe(database)  # warm the page cache
            runs: list[float] = []
            spent = 0.0
            # At least three runs; stop repeating a slow query after ~3 s.
            while len(runs) < repeats and (len(runs) < 3 or spent < 3.0):
                began = time.perf_counter()
                await probe(database)
                runs.append(time.perf_counter() - began)
                spent += runs[-1]
            async with database.reading() as repos:
                rows = await repos.reports._all(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = "; ".join(str(row["detail"]) for row in rows)
            timings[name] = QueryTiming(name, statistics.median(runs), plan)
    finally:
        await database.close()
    return timings


def measure(path: Path, reports: int, repeats: int) -> SizeResult:
    """Seed a database of ``reports`` reports at ``path`` and time every probe on it."""
    seconds = seed(path, reports)
    # The seed leaves gigabytes of dirty pages (synchronous=OFF); flush them so the disk's
    # write-back does not stall the timed reads.
    os.sync()
    size = path.stat().st_size
    result = SizeResult(reports, seconds, size / reports)
    result.timings = asyncio.run(_time_probes(path, repeats))
    return result
