"""Several bot instances on one PostgreSQL: what is exactly-once on SQLite stays exactly-once.

Each instance is its own ``PostgresDatabase`` (its own connection and run), on one fresh
schema; the concurrent parts race on the server, not in one Python lock. These run on every
suite run (the local server unless DATABASE_URL names one; ``.ci/run`` starts it).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.maintenance import health
from config.settings import load_settings
from domain.imaging import ingest_photo
from domain.people import Status
from domain.reports import ReportColumns
from domain.schedule import Kind, Planned
from emulator import Emulator, pg
from emulator.harness import BotHarness
from emulator.media import make_jpeg
from jobs import scheduler
from ops.files import OWNER_NAME, DataDirTaken
from storage import AnyDatabase, DuplicateUpdate, PostgresDatabase
from storage.database import available_migrations as sqlite_migrations
from storage.postgres import available_migrations as postgres_migrations
from storage.repositories import UpdateClaim
from tests.conftest import TOKEN

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
Instances = Callable[[int], Awaitable[list[PostgresDatabase]]]


@pytest.fixture
async def instances() -> AsyncIterator[Instances]:
    """``await instances(n)``: n open instances on one new schema (closed afterwards)."""
    url = await pg.create_schema(pg.server_url())
    opened: list[PostgresDatabase] = []

    async def start(count: int) -> list[PostgresDatabase]:
        started = [PostgresDatabase(url) for _ in range(count)]
        # Started together: the migration lock lets one migrate and the others wait.
        await asyncio.gather(*(database.open() for database in started))
        opened.extend(started)
        return started

    try:
        yield start
    finally:
        for database in opened:
            await database.close()
        await pg.drop_schema(url)


async def _seed(database: AnyDatabase) -> int:
    async with database.transaction() as tx:
        await tx.units.sync([("POLSEK", "Polsek Kota", None)])
        officer = await tx.officers.create(
            telegram_id=501, full_name="Bripka Hasan", nrp="85010001", rank="BRIPKA",
            unit_code="POLSEK", role="banit", language="id", status=Status.ACTIVE, now=NOW,
        )
    return officer.id


async def test_instances_started_together_migrate_once(instances: Instances) -> None:
    first, second, third = await instances(3)
    every = [version for version, _, _ in postgres_migrations()]
    assert every[0] == 15  # the baseline, then the twins of later SQLite migrations
    for database in (first, second, third):
        assert await database.applied_migrations() == every
    async with first.reading() as repos:
        assert await repos.units.codes() == []


async def test_report_numbers_unique_and_gap_free_under_concurrent_submits(
    instances: Instances,
) -> None:
    databases = await instances(3)
    officer_id = await _seed(databases[0])

    async def submit(database: PostgresDatabase, count: int) -> list[int]:
        taken = []
        for _ in range(count):
            async with database.transaction() as tx:
                number = await tx.report_numbers.next("KHD", 2026, 11)
                await tx.reports.create(
                    number=f"KHD/2026/11/{number:04d}", activity_code="KHD",
                    officer_id=officer_id, unit_code="POLSEK", columns=ReportColumns(),
                    answers={"place": "Pasar Sentral"}, assignment_id=None, now=NOW,
                )
            taken.append(number)
        return taken

    results = await asyncio.gather(*(submit(database, 15) for database in databases))
    numbers = sorted(number for taken in results for number in taken)
    assert numbers == list(range(1, 46))
    async with databases[1].reading() as repos:
        stored = sorted(report.number for report in await repos.reports.all())
    assert stored == [f"KHD/2026/11/{n:04d}" for n in range(1, 46)]
    # Another month starts at 1 again, and the first month goes on where it stopped.
    async with databases[2].transaction() as tx:
        assert await tx.report_numbers.next("KHD", 2026, 12) == 1
        assert await tx.report_numbers.next("KHD", 2026, 11) == 46


async def test_an_update_claimed_by_a_live_instance_is_not_taken_over(
    instances: Instances,
) -> None:
    first, second = await instances(2)
    assert await first.claim_update(7001, NOW) is UpdateClaim.NEW
    # A webhook copy delivered to the other instance while the first has it in hand.
    assert await second.claim_update(7001, NOW) is UpdateClaim.ELSEWHERE
    assert await first.claim_update(7001, NOW) is UpdateClaim.TAKEN
    # The first instance dies before applying it: its claim no longer blocks the redelivery.
    await first.close()
    assert await second.claim_update(7001, NOW) is UpdateClaim.NEW


async def test_an_update_is_applied_once_across_instances(instances: Instances) -> None:
    first, second = await instances(2)
    await _seed(first)

    async def apply(database: PostgresDatabase, name: str) -> str:
        try:
            async with database.transaction(update_id=8001, now=NOW) as tx:
                await tx.audit.record(actor_id=None, action="test.apply", target_type="update",
                                      target_id=8001, now=NOW, by=name)
        except DuplicateUpdate:
            return "duplicate"
        return "applied"

    outcomes = await asyncio.gather(apply(first, "a"), apply(second, "b"))
    assert sorted(outcomes) == ["applied", "duplicate"]
    # A copy reaching an instance after another live one claimed and applied it is dropped
    # there (that one answered), not answered again with the current question.
    applier = first if outcomes[0] == "applied" else second
    other = second if applier is first else first
    assert await applier.claim_update(8002, NOW) is UpdateClaim.NEW
    async with applier.transaction(update_id=8002, now=NOW):
        pass
    assert await other.claim_update(8002, NOW) is UpdateClaim.ELSEWHERE
    assert await applier.claim_update(8002, NOW) is UpdateClaim.TAKEN
    async with second.reading() as repos:
        assert [entry["action"] for entry in await repos.audit.recent()] == ["test.apply"]
    assert await second.claim_update(8001, NOW) is UpdateClaim.APPLIED


async def test_a_notification_is_claimed_by_one_instance(instances: Instances) -> None:
    databases = await instances(3)
    officer_id = await _seed(databases[0])
    async with databases[0].transaction() as tx:
        planned = [
            Planned(key=f"reminder:test:{n}", kind=Kind.REMINDER, due_at=NOW,
                    officer_id=officer_id, recipient_id=officer_id)
            for n in range(20)
        ]
        assert await tx.notifications.plan(planned, NOW) == 20
        # Planning again (another instance's scan) creates nothing.
        assert await tx.notifications.plan(planned, NOW) == 0
    async with databases[0].reading() as repos:
        due = await repos.notifications.due(NOW)

    async def claim_all(database: PostgresDatabase) -> list[int]:
        won = []
        for notification in due:
            async with database.transaction() as tx:
                if await tx.notifications.claim(notification.id, NOW):
                    won.append(notification.id)
        return won

    results = await asyncio.gather(*(claim_all(database) for database in databases))
    claimed = [number for won in results for number in won]
    assert sorted(claimed) == sorted(notification.id for notification in due)
    async with databases[1].reading() as repos:
        assert {n.status.value for n in await repos.notifications.all()} == {"sending"}
        assert {n.attempts for n in await repos.notifications.all()} == {1}


async def test_a_group_summary_is_claimed_by_one_instance(instances: Instances) -> None:
    first, second = await instances(2)
    officer_id = await _seed(first)
    async with first.transaction() as tx:
        await tx.group_links.link(-100123, unit_code="POLSEK", title="Polsek", language="id",
                                  linked_by=officer_id, now=NOW)
    day = date(2026, 11, 27)

    both_have_read = asyncio.Barrier(2)

    async def ensure_and_claim(database: PostgresDatabase) -> bool:
        """Both scans see the summary ready before either claims it: the race the claim settles."""
        async with database.transaction() as tx:
            await tx.group_summaries.ensure(-100123, "daily", day, due_at=NOW, late=False)
        async with database.reading() as repos:
            ready = await repos.group_summaries.ready(NOW)
        await both_have_read.wait()
        assert len(ready) == 1
        async with database.transaction() as tx:
            return await tx.group_summaries.claim(ready[0], NOW)

    outcomes = await asyncio.gather(ensure_and_claim(first), ensure_and_claim(second))
    assert sorted(outcomes) == [False, True]
    async with second.reading() as repos:
        record = await repos.group_summaries.get(-100123, "daily", day)
    assert record is not None
    assert record.status == "sending"


async def test_an_invitation_is_claimed_once_across_instances(instances: Instances) -> None:
    first, second = await instances(2)
    officer_id = await _seed(first)
    async with first.transaction() as tx:
        invitation = await tx.invitations.create(
            token_hash="ab" * 32, unit_code="POLSEK", role="banit", created_by=officer_id,
            now=NOW, expires_at=NOW + timedelta(hours=72),
        )

    async def claim(database: PostgresDatabase, telegram_id: int) -> bool:
        async with database.transaction() as tx:
            return await tx.invitations.claim(invitation.id, telegram_id, NOW)

    outcomes = await asyncio.gather(claim(first, 601), claim(second, 602))
    assert sorted(outcomes) == [False, True]
    async with second.reading() as repos:
        stored = await repos.invitations.by_id(invitation.id)
    assert stored is not None
    assert stored.claimed_by == (601 if outcomes[0] else 602)


async def test_one_instance_holds_the_scheduler_and_another_takes_over(
    instances: Instances,
) -> None:
    first, second, third = await instances(3)
    assert await first.hold_scheduler() is True
    assert await second.hold_scheduler() is False
    assert await third.hold_scheduler() is False
    assert await first.hold_scheduler() is True
    await first.close()  # the scheduler's process dies: PostgreSQL frees its lock
    held = [await second.hold_scheduler(), await third.hold_scheduler()]
    assert held == [True, False]


async def test_an_instance_that_cannot_see_the_shared_photos_says_so_at_start_up(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = await pg.create_schema(pg.server_url())
    emu = Emulator(token=TOKEN, bot_username="polmas_test_bot", bot_id=123456)
    shared, local = tmp_path / "shared", tmp_path / "local"
    first = BotHarness(emu, shared, start=NOW, database_url=url)
    await first.start()
    try:
        officer_id = await _seed(first.db)
        photo = ingest_photo(make_jpeg(300, 200, color=(1, 2, 3)),
                             first.application.bot_data.services.photos, tz=first.settings.tz)
        async with first.db.transaction() as tx:
            report_id = await tx.reports.create(
                number="LAP/SAPTA/2026/11/0001", activity_code="sapta", officer_id=officer_id,
                unit_code="POLSEK", columns=ReportColumns(), answers={}, assignment_id=None,
                now=NOW,
            )
            await tx.report_photos.add(report_id, [photo.to_json()])
        await first.stop()
        caplog.clear()
        for data_dir in (shared, local):  # an instance on the shared volume, one beside it
            other = BotHarness(emu, data_dir, start=NOW, database_url=url)
            await other.start()
            await other.stop()
        lacking = [r for r in caplog.records if "photo store" in r.getMessage()]
        assert len(lacking) == 1
        assert str(local / "photos") in lacking[0].getMessage()
        assert photo.sha256[:12] in lacking[0].getMessage()
    finally:
        await first.stop()
        await pg.drop_schema(url)


async def test_the_scans_run_on_one_instance_and_a_standby_takes_over(tmp_path: Path) -> None:
    url = await pg.create_schema(pg.server_url())
    emu = Emulator(token=TOKEN, bot_username="polmas_test_bot", bot_id=123456)
    first = BotHarness(emu, tmp_path / "a", start=NOW, database_url=url)
    second = BotHarness(emu, tmp_path / "b", start=NOW, database_url=url,
                        scheduler_takeover_seconds=10)
    await first.start()
    await second.start()
    try:
        assert first.db.scheduling is True
        assert second.db.scheduling is False
        queue = second.application.job_queue
        assert queue is not None
        (lease,) = queue.get_jobs_by_name(scheduler.LEASE_JOB)
        assert lease.trigger.interval.total_seconds() == 10
        await lease.run(second.application)
        assert second.db.scheduling is False  # the scheduler is alive: the standby waits
        await first.stop()  # its connection closes, as when its process dies
        await lease.run(second.application)
        assert second.db.scheduling is True
    finally:
        await first.stop()
        await second.stop()
        await pg.drop_schema(url)


def test_every_sqlite_migration_after_the_baseline_has_a_postgresql_twin() -> None:
    """A schema change lands on both backends: SQLite migration NNNN (after the 0015
    baseline) is ported as storage/migrations/postgresql/NNNN_*.sql."""
    ported = {version for version, _, _ in postgres_migrations()}
    assert min(ported) == 15
    assert {version for version, _, _ in sqlite_migrations() if version > 15} <= ported


async def test_health_on_postgresql_asks_the_server(instances: Instances, tmp_path: Path) -> None:
    (database,) = await instances(1)
    lines: list[str] = []
    settings = load_settings(telegram_bot_token=TOKEN, data_dir=tmp_path,
                             database_url=database.url)
    assert await asyncio.to_thread(health, settings, lines.append) == 0
    assert lines == ["healthy"]
    unreachable = load_settings(telegram_bot_token=TOKEN, data_dir=tmp_path,
                                database_url="postgresql://postgres@127.0.0.1:1/test")
    lines.clear()
    assert await asyncio.to_thread(health, unreachable, lines.append) == 1
    assert lines[0].startswith("unhealthy: PostgreSQL: cannot connect")


async def test_a_database_of_the_previous_schema_migrates_keeping_its_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server written by the baseline-only version (0015) gains 0016-0018 at the next start,
    its officers intact and the new columns at their defaults."""
    from storage import postgres

    url = await pg.create_schema(pg.server_url())
    every = postgres_migrations()
    try:
        monkeypatch.setattr(postgres, "available_migrations", lambda: every[:1])
        old = PostgresDatabase(url)
        await old.open()
        try:
            assert await old.applied_migrations() == [15]
            officer_id = await _seed(old)
            await old.connection.raw.execute(
                "INSERT INTO group_links (chat_id, unit_code, linked_at) VALUES ($1, $2, $3)",
                -100123, "POLSEK", NOW.isoformat())
        finally:
            await old.close()

        monkeypatch.setattr(postgres, "available_migrations", lambda: every)
        new = PostgresDatabase(url)
        await new.open()
        try:
            assert await new.applied_migrations() == [version for version, _, _ in every]
            async with new.reading() as repos:
                officer = await repos.officers.by_id(officer_id)
            assert officer is not None
            assert officer.full_name == "Bripka Hasan"
            raw = new.connection.raw
            assert await raw.fetchval(
                "SELECT message_thread_id FROM group_links WHERE chat_id = -100123") is None
            assert await raw.fetchval("SELECT count(*) FROM officer_areas") == 0
            assert await raw.fetchval(
                "SELECT column_default FROM information_schema.columns"
                " WHERE table_name = 'report_drafts' AND column_name = 'preset'"
                " AND table_schema = current_schema()") == "'[]'::text"
        finally:
            await new.close()
    finally:
        await pg.drop_schema(url)


async def test_another_database_on_the_same_data_directory_is_refused(tmp_path: Path) -> None:
    """Instances of one database share DATA_DIR (the photo store); a second deployment on it
    would have each nightly prune delete the other's photos as orphans."""
    ours = await pg.create_schema(pg.server_url())
    theirs = await pg.create_schema(pg.server_url())
    emu = Emulator(token=TOKEN, bot_username="polmas_test_bot", bot_id=123456)
    shared = tmp_path / "data"
    first = BotHarness(emu, shared, start=NOW, database_url=ours)
    await first.start()
    try:
        owner = (shared / OWNER_NAME).read_text()
        assert owner.startswith("deployment ")  # the schema's own id, not the server address
        assert "schema" in owner
        assert "postgres@" not in owner  # no user or password in the file
        second = BotHarness(emu, shared, start=NOW, database_url=ours)
        await second.start()  # another instance of the same deployment: welcome
        await second.stop()
        stranger = BotHarness(emu, shared, start=NOW, database_url=theirs)
        with pytest.raises(DataDirTaken, match="its own DATA_DIR"):
            await stranger.start()
        await stranger.stop()
    finally:
        await first.stop()
        for url in (ours, theirs):
            await pg.drop_schema(url)
