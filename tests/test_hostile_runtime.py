"""Hostile input against the runtime: floods and redelivered updates (issue 19, items 5, 7)."""

from __future__ import annotations

import gc

import pytest
from telegram import Update

from emulator import Emulator
from emulator.harness import BotHarness
from tests.support.resources import peak_mb, reset_peak

FLOOD = 300
FLOOD_GROWTH_MB = 60
"""Bound on the peak RSS growth of a flood: the dropped updates are never read or stored."""


def queue_updates(harness: BotHarness, emu: Emulator) -> None:
    """Deliver through PTB's update queue, as polling and the webhook do (direct mode calls
    ``process_update`` itself and would bypass the update processor)."""
    app = harness.application

    async def deliver(update: dict[str, object]) -> None:
        await app.update_queue.put(Update.de_json(update, app.bot))

    emu.deliver = deliver


async def test_a_flood_from_one_officer_does_not_hold_back_another(
    harness: BotHarness, emu: Emulator
):
    flooder, other = emu.user(2001, "Banjir"), emu.user(2002, "Sabar")
    await harness.seed_officer(flooder, name="Banjir", nrp="87050101", unit="binkamsa")
    await harness.seed_officer(other, name="Sabar", nrp="87050102", unit="binkamsa")
    queue_updates(harness, emu)
    gc.collect()
    reset_peak()
    before_mb = peak_mb()
    for _ in range(FLOOD):
        await flooder.send("/bantuan")
    await other.send("/bantuan")

    def sends(chat: int) -> list[str]:
        return [c.params.get("text", "") for c in emu.calls
                if c.method == "sendMessage" and int(c.params.get("chat_id", 0)) == chat]

    await emu.wait_for(lambda: bool(sends(other.id)), timeout=30)
    answered_before_other = len(sends(flooder.id))
    app = harness.application
    await emu.wait_for(
        lambda: app.update_queue.empty() and app.update_processor.current_concurrent_updates == 0,
        timeout=60,
    )
    await emu.wait_for(
        lambda: sum("Pelan-pelan" in text for text in sends(flooder.id)) == 1, timeout=30
    )
    answers = [text for text in sends(flooder.id) if "Pelan-pelan" not in text]
    grown = peak_mb() - before_mb
    print(f"flood {FLOOD}: the other officer was answered after {answered_before_other} of"
          f" the flood's {len(answers)} answers; {FLOOD - len(answers)} dropped;"
          f" peak RSS +{grown} MB")
    assert grown < FLOOD_GROWTH_MB
    # The other officer did not wait for the whole backlog, and the excess was dropped.
    assert answered_before_other < len(answers)
    assert len(answers) <= 50 < FLOOD


async def test_a_redelivered_read_is_answered_once(harness: BotHarness, emu: Emulator):
    officer = emu.user(2003, "Baca")
    await harness.seed_officer(officer, name="Baca", nrp="87050103", unit="binkamsa")
    update = await officer.send("/bantuan")
    count = len(officer.messages)
    await emu.redeliver(update)
    assert len(officer.messages) == count


def test_secrets_are_redacted_whatever_their_case_or_encoding():
    from urllib.parse import quote

    from bot.logging_setup import REDACTED, redact

    token = "123456:ABCdef-Secret"
    for echoed in (token, token.lower(), quote(token, safe=""), quote(token, safe="").lower()):
        line = redact(f"getMe failed: /bot{echoed}/getMe", [token, "hook-secret"])
        assert REDACTED in line
        assert token.lower() not in line.lower()
        assert "%3a" not in line.lower()


@pytest.mark.usefixtures("sqlite_file")  # reads the SQLite file
async def test_loose_permissions_are_tightened_at_start_up(harness: BotHarness):
    import os
    import stat

    database = harness.settings.database_path
    await harness.stop()
    os.chmod(database.parent, 0o755)
    os.chmod(database, 0o644)
    await harness.start()
    await harness.db.connection.execute("CREATE TABLE IF NOT EXISTS t (x)")
    for path, mode in ((database.parent, 0o700), (database, 0o600),
                       (database.with_name(database.name + "-wal"), 0o600)):
        assert stat.S_IMODE(path.stat().st_mode) == mode, path


@pytest.mark.usefixtures("sqlite_file")  # backs up the SQLite file
async def test_photos_and_backups_loosened_by_an_operator_are_tightened_at_start_up(
    harness: BotHarness, emu: Emulator
):
    """#19 item 9: a `chmod -R go+rX` (or a copy under a loose umask) is undone at start-up."""
    import os

    from ops.backup import make_backup
    from tests.support.backup import private_files
    from tests.support.reports import fill_sapta

    officer = emu.user(2004, "Foto")
    await harness.seed_officer(officer, name="Foto", nrp="87050104", unit="binkamsa")
    await fill_sapta(officer, photos=1)
    settings = harness.settings
    make_backup(settings, now=harness.clock.now())
    await harness.stop()
    loosened = 0
    for root in (settings.photos_dir, settings.backups_dir):
        for path in [root, *root.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
            loosened += 1
    os.chmod(settings.data_dir, 0o755)
    assert loosened > 6  # photo files (original, web, thumb, sidecar), backup db, manifest
    await harness.start()
    for root in (settings.data_dir, settings.photos_dir, settings.backups_dir):
        assert list(private_files(root)) == []
    assert [p for p in settings.photos_dir.rglob("*") if p.is_file()]


DRAFTS = 200


def rss_mb() -> float:
    """This process's resident memory (the bot and the emulator run in it)."""
    from pathlib import Path

    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


async def test_two_hundred_open_drafts_and_api_errors_leak_no_secret_at_debug(
    emu: Emulator, data_dir
):
    """Resources and secrets (#19 suite): 200 officers each with a report draft open at once,
    API errors whose descriptions echo the token (as a proxy does), all at DEBUG: a normal
    officer is still answered, memory growth is printed and bounded, and neither the token
    nor the webhook secret is in any log line or anything the bot sent."""
    import time

    from tests.conftest import TOKEN
    from tests.support.access import everything_said
    from tests.support.backup import SECRET, every_record_at_debug

    with every_record_at_debug(emu, data_dir) as (harness, records):
        await harness.start()
        try:
            users = []
            for number in range(DRAFTS):
                user = emu.user(50000 + number, f"P{number}")
                await harness.seed_officer(user, name=f"Petugas {number}",
                                           nrp=f"66{number:06d}", unit="binkamsa")
                users.append(user)
            normal = emu.user(59999, "Biasa")
            await harness.seed_officer(normal, name="Biasa", nrp="66999999", unit="binkamsa")
            before = rss_mb()
            for kind in ("server_error", "bad_request"):
                emu.fail_next("sendMessage", kind=kind,  # type: ignore[arg-type]
                              chat_id=users[0].id,
                              description=f"proxy: POST /bot{TOKEN}/sendMessage"
                              f" ({TOKEN.lower()}, {SECRET})")
            for user in users:
                await user.send("/lapor")
                if user.messages:  # the first one's prompt and error notice both failed
                    await user.press("POS SAPTA", user.last)
            async with harness.db.reading() as repos:
                drafts = [await repos.drafts.of_officer(o.id) for o in
                          await repos.officers.with_roles(["banit"])]
            assert sum(draft is not None for draft in drafts) >= DRAFTS - 1
            started = time.monotonic()
            await normal.send("/bantuan")
            waited = time.monotonic() - started
            grown = rss_mb() - before
            print(f"\n{DRAFTS} open drafts: memory +{grown:.0f} MB; a normal officer answered"
                  f" in {waited:.2f} s")
            assert normal.messages, "the normal officer was answered"
            assert grown < 150
            kanit = emu.user(59998, "Kanit")
            await harness.seed_officer(kanit, name="Kanit", nrp="66999998", unit="binkamsa",
                                       role="kanit")
            for button in ("📊 XLSX bulan ini", "📄 Rekap PDF bulan ini"):
                await kanit.send("/ekspor")
                await kanit.press(button)
            assert sum(m.kind == "document" for m in kanit.messages) == 2
            exported = everything_said(kanit)  # the files' text and cells included
        finally:
            await harness.stop()
    text = "\n".join(records)
    assert "proxy: POST /bot[REDACTED]" in text  # the injected errors were logged, redacted
    sent = "\n".join(str(call.params) for call in emu.calls)
    for secret in (TOKEN, TOKEN.split(":", 1)[1], SECRET):
        assert secret.lower() not in text.lower()
        assert secret.lower() not in sent.lower()
        assert secret.lower() not in exported.lower()
