"""One scheduler across real ``python -m bot`` webhook processes on one PostgreSQL schema
(issue #16): reminders that fall due while two instances run reach each officer once, and
when the scheduler's process is SIGKILLed with reminders due, the other instance takes the
scheduler lock within SCHEDULER_TAKEOVER_SECONDS and sends each of them once.

The posts are seeded straight into the schema with their at-start reminders in the outbox
(as /tugas stores them), starting seconds apart. Skipped only when no PostgreSQL server is
reachable.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from emulator import Emulator, pg
from storage import PostgresDatabase
from tests.conftest import TOKEN
from tests.support.instances import (
    TAKES_SCANS,
    Instance,
    Instances,
    reachable,
    reminders_received,
    seed_officers,
    seed_posts,
)

if not asyncio.run(reachable()):
    pytest.skip("PostgreSQL is not reachable", allow_module_level=True)

TAKEOVER_SECONDS = 3
SLACK_SECONDS = 15
"""The machine is shared and noisy: the takeover is asserted within its setting plus this."""


async def _outbox(url: str) -> Counter[str]:
    database = PostgresDatabase(url)
    await database.open()
    try:
        async with database.reading() as repos:
            return Counter(n.status.value for n in await repos.notifications.all())
    finally:
        await database.close()


def _holder(bots: Instances) -> Instance:
    holders = [i for i in bots.instances if i.first(TAKES_SCANS) is not None]
    assert len(holders) == 1, [i.log for i in bots.instances]
    return holders[0]


async def test_reminders_due_while_two_instances_run_reach_each_officer_once(
    tmp_path: Path,
) -> None:
    began = time.perf_counter()
    emu = Emulator(token=TOKEN, bot_username="polmas_test_bot", bot_id=123456)
    url = await pg.create_schema(pg.server_url())
    bots = Instances(emu, tmp_path, url, takeover_seconds=2)
    try:
        await bots.start()
        users = [emu.user(4001 + number, f"Petugas{number}") for number in range(3)]
        officer_ids = await seed_officers(url, users)
        now = datetime.now(UTC)
        places = await seed_posts(url, officer_ids,
                                  [now + timedelta(seconds=2 + 2 * n) for n in range(5)])

        def everyone_reminded() -> bool:
            return all(reminders_received(u, p) for u in users for p in places)

        await emu.wait_for(everyone_reminded, 50, lambda: "every reminder; got " + str(
            {u.id: [m.content[:40] for m in u.messages] for u in users}))
        await asyncio.sleep(2 * bots.takeover_seconds)  # the standby's lease tries meanwhile
        holder = _holder(bots)  # one scheduler the whole time
        assert all(i.alive for i in bots.instances)
        outbox = await _outbox(url)
    finally:
        logs = await bots.stop()
        await pg.drop_schema(url)
    for code, output in logs:
        assert code == 0, output
        assert not [line for line in output.splitlines()
                    if "Traceback" in line or " ERROR " in line], output
    received = {(u.id, p): reminders_received(u, p) for u in users for p in places}
    assert set(received.values()) == {1}, received
    assert outbox == {"sent": len(users) * len(places)}, outbox
    print(f"\n{len(received)} reminders, each once, sent by instance {holder.index} of 2, "
          f"in {time.perf_counter() - began:.1f} s")


async def test_the_scheduler_killed_with_reminders_due_is_replaced_and_none_is_lost_or_doubled(
    tmp_path: Path,
) -> None:
    began = time.perf_counter()
    loop = asyncio.get_running_loop()
    emu = Emulator(token=TOKEN, bot_username="polmas_test_bot", bot_id=123456)
    url = await pg.create_schema(pg.server_url())
    bots = Instances(emu, tmp_path, url, takeover_seconds=TAKEOVER_SECONDS)
    arrivals: dict[tuple[int, str], float] = {}
    try:
        await bots.start()
        holder = _holder(bots)
        (standby,) = [i for i in bots.instances if i is not holder]
        users = [emu.user(4101 + number, f"Petugas{number}") for number in range(3)]
        officer_ids = await seed_officers(url, users)
        now = datetime.now(UTC)
        # Falling due every 1.5 s over the next 18 s: some before the kill, some during the
        # takeover, the rest after it.
        places = await seed_posts(url, officer_ids,
                                  [now + timedelta(seconds=1.5 * (n + 1)) for n in range(12)])

        def note_arrivals() -> None:
            for user in users:
                for place in places:
                    if (user.id, place) not in arrivals and reminders_received(user, place):
                        arrivals[(user.id, place)] = loop.time()

        await asyncio.sleep(6)  # four posts' reminders due, none sent yet (the scan is due
        # every 30 s): the scheduler dies with them in its outbox
        sent_before = len(emu.calls_to("sendMessage"))
        killed_at = await bots.kill(holder)

        def everyone_reminded() -> bool:
            note_arrivals()
            return len(arrivals) == len(users) * len(places)

        await emu.wait_for(everyone_reminded, 55, lambda: "every reminder; got " + str(
            {u.id: [m.content[:40] for m in u.messages] for u in users}))
        await asyncio.sleep(2 * TAKEOVER_SECONDS)  # a reminder sent twice would arrive by now
        took_over_at = standby.first(TAKES_SCANS)
        outbox = await _outbox(url)
    finally:
        logs = await bots.stop()
        await pg.drop_schema(url)
    (killed_code, _), (standby_code, standby_log) = (
        logs[holder.index], logs[standby.index])
    assert killed_code == -9
    assert standby_code == 0, standby_log
    assert not [line for line in standby_log.splitlines()
                if "Traceback" in line or " ERROR " in line], standby_log
    assert took_over_at is not None, standby_log
    takeover = took_over_at - killed_at
    assert 0 <= takeover <= TAKEOVER_SECONDS + SLACK_SECONDS, takeover
    first_after = min(arrivals.values()) - killed_at
    assert first_after <= TAKEOVER_SECONDS + SLACK_SECONDS, first_after
    assert sent_before == 0  # every reminder was still due when the scheduler died
    received = {(u.id, p): reminders_received(u, p) for u in users for p in places}
    assert set(received.values()) == {1}, received  # none lost, none twice
    assert outbox == {"sent": len(users) * len(places)}, outbox
    print(f"\nscheduler SIGKILLed with reminders due; instance {standby.index} took over in "
          f"{takeover:.1f} s (setting {TAKEOVER_SECONDS} s), first reminder "
          f"{first_after:.1f} s after the kill; {len(received)} reminders each once; "
          f"{time.perf_counter() - began:.1f} s")
