"""``python -m bench [--quick] [--only SECTION ...] [--profile]``: print one table of figures."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import quiet_logging
from bench.table import Row, ms, percentile, render


@dataclass(frozen=True)
class Sizes:
    """How big each part runs: full (the README table) or quick (the smoke test)."""

    officers: tuple[int, ...]
    target_officers: int
    run_limit: float
    """Seconds after which a saturation run is cut (its rate so far is the figure)."""
    paced_seconds: float
    photo_repeats: int
    camera: tuple[int, int]
    lag_officers: int
    growth: tuple[int, ...]
    growth_repeats: int
    startup_reports: int
    startup_runs: int
    drafts: int
    flood: int
    probes: int


FULL = Sizes((50, 200, 1000), 200, 40.0, 12.0, 5, (4000, 3000), 4,
             (10_000, 100_000, 1_000_000), 15, 100_000, 3, 1000, 400, 100)
QUICK = Sizes((3,), 3, 60.0, 1.0, 1, (1200, 900), 1, (300, 600, 1200), 2, 500, 1, 10, 60, 5)


@dataclass
class Report:
    """Rows for the table and notes printed under it (plans, profile)."""

    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    workdir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()))
    """Scratch space kept for the whole run (the growth seed is reused for start-up)."""


def reporting(sizes: Sizes, out: Report) -> None:
    """Item 1: throughput and latency against the bare echo application."""
    from bench.reporting import run_bot, run_echo

    saturated = 0.0
    for officers in sizes.officers:
        bot = asyncio.run(run_bot(officers, duration=sizes.run_limit))
        echo = asyncio.run(run_echo(bot.record))
        _progress(f"K={officers}: {bot.per_second:.0f}/s, echo {echo.per_second:.0f}/s")
        scope = (f"{bot.updates} updates, all {officers} reports" if bot.complete
                 else f"{bot.updates} updates in {sizes.run_limit:.0f} s, cut")
        ratio = bot.per_second / echo.per_second
        is_target = officers == sizes.target_officers
        if is_target:
            saturated = bot.per_second
        out.rows.append(Row(
            "1 reporting", f"updates/s, K={officers} ({scope})",
            f"{bot.per_second:.0f}/s", f"echo {echo.per_second:.0f}/s", f"{ratio:.0%}",
            "≥ 35 % of echo" if officers >= sizes.target_officers else "",
            (ratio >= 0.35) if officers >= sizes.target_officers else None,
        ))
        out.rows.append(Row(
            "1 reporting", f"processing per update p50/p99, K={officers}",
            f"{ms(percentile(bot.service, .5))} / {ms(percentile(bot.service, .99))}",
            f"echo {ms(percentile(echo.service, .5))} / {ms(percentile(echo.service, .99))}",
            f"{percentile(bot.service, .5) / percentile(echo.service, .5):.1f}×",
        ))
        out.rows.append(Row(
            "1 reporting", f"of which database p50: trips / awaiting / COMMIT, K={officers}",
            f"{percentile(bot.trips, .5):.0f} / {ms(percentile(bot.db, .5))}"
            f" / {ms(percentile(bot.commit, .5))}",
        ))
        out.rows.append(Row(
            "1 reporting", f"trips to the database thread per update, whole run, K={officers}",
            f"{bot.all_trips / max(1, bot.updates):.2f}", "", "",
            "≤ 1 per answer (submit and photos more)" if is_target else "",
        ))
        out.rows.append(Row(
            "1 reporting", f"queued→answer p50/p95/p99 at saturation, K={officers}",
            " / ".join(ms(percentile(bot.latencies, q)) for q in (.5, .95, .99)),
            "echo " + " / ".join(ms(percentile(echo.latencies, q)) for q in (.5, .95, .99)),
            f"{percentile(bot.latencies, .99) / percentile(echo.latencies, .99):.1f}×",
        ))
    officers = sizes.target_officers
    alone = asyncio.run(run_bot(officers, duration=sizes.run_limit, one_at_a_time=True))
    echo = asyncio.run(run_echo(alone.record))
    p99 = percentile(alone.service, .99)
    out.rows.append(Row(
        "1 reporting", f"processing per update p50/p99, one at a time like the echo, K={officers}",
        f"{ms(percentile(alone.service, .5))} / {ms(p99)}",
        f"echo {ms(percentile(echo.service, .5))} / {ms(percentile(echo.service, .99))}",
        f"{p99 / percentile(echo.service, .99):.1f}×", "p99 ≤ 10 ms", p99 <= 0.010,
    ))
    for kind, values in sorted(alone.service_by_kind.items()):
        out.notes.append(
            f"one at a time, {kind}: {len(values)} updates, processing p50"
            f" {ms(percentile(values, .5))}, p99 {ms(percentile(values, .99))},"
            f" max {ms(max(values))}"
        )
    rate = saturated / 2
    paced = asyncio.run(run_bot(officers, rate=rate, duration=sizes.paced_seconds))
    p99 = percentile(paced.latencies, .99)
    out.rows.append(Row(
        "1 reporting",
        f"queued→answer p50/p95/p99, K={officers} paced at {rate:.0f} updates/s"
        " (half of saturation)",
        " / ".join(ms(percentile(paced.latencies, q)) for q in (.5, .95, .99)),
        f"{paced.updates} updates", "", "p99 ≤ 25 ms", p99 <= 0.025,
    ))
    for kind in ("text", "button", "location", "photo"):
        values = paced.by_kind.get(kind, [])
        if values:
            worst = percentile(values, .99)
            out.rows.append(Row(
                "1 reporting", f"paced run, {kind}: queued→answer p50/p99/max",
                f"{ms(percentile(values, .5))} / {ms(worst)} / {ms(max(values))}",
                f"{len(values)} updates", "",
                "p99 ≤ 25 ms" if kind != "photo" else "",
                (worst <= 0.025) if kind != "photo" else None,
            ))


def _progress(line: str) -> None:
    print(f"#   {line}", file=sys.stderr, flush=True)


def photos(sizes: Sizes, out: Report) -> None:
    """Item 2: the photo pipeline against the naive path; loop lag through the bot."""
    from bench.photos import camera_jpeg, compare, loop_lag

    width, height = sizes.camera
    camera = camera_jpeg(width, height, exif=True)
    compressed = camera_jpeg(1280, 960, exif=False)
    big = compare(camera, sizes.photo_repeats)
    out.rows.append(Row(
        "2 photos", f"{width * height / 1e6:.0f} MP camera file: ingest + stamp vs naive",
        ms(big.pipeline), f"naive {ms(big.naive)}", f"{big.ratio:.2f}×", "≤ 0.6×",
        big.ratio <= 0.6,
    ))
    small = compare(compressed, sizes.photo_repeats)
    out.rows.append(Row(
        "2 photos", "1280 px compressed photo: ingest + stamp vs naive",
        ms(small.pipeline), f"naive {ms(small.naive)}", f"{small.ratio:.2f}×",
    ))
    lag = asyncio.run(loop_lag(sizes.lag_officers, camera, compressed))
    out.rows.append(Row(
        "2 photos",
        f"event-loop max lag (5 ms ticker), {lag.photos} photos through the bot",
        ms(lag.max_lag), f"p99 {ms(lag.p99)}", "", "≤ 20 ms", lag.max_lag <= 0.020,
    ))


def growth(sizes: Sizes, out: Report) -> None:
    """Item 3: query times as the data grows."""
    from bench.growth import measure

    results = []
    with tempfile.TemporaryDirectory(prefix="bench-growth-") as tmp:
        for reports in sizes.growth:
            path = Path(tmp) / f"{reports}.sqlite3"
            results.append(measure(path, reports, sizes.growth_repeats))
            _progress(f"{reports} reports: seeded in {results[-1].seed_seconds:.0f} s")
            if reports == sizes.startup_reports:
                (out.workdir / "startup").mkdir(exist_ok=True)
                shutil.move(path, out.workdir / "startup" / "polmas.sqlite3")
            else:
                path.unlink()
    last = results[-1]
    labels = " → ".join(_count(r.reports) for r in results)
    for name, timing in last.timings.items():
        times = [r.timings[name].seconds for r in results]
        ratio = times[-1] / times[0]
        out.rows.append(Row(
            "3 data growth", f"{name} ({labels})", " / ".join(ms(t) for t in times), "",
            f"{ratio:.1f}×", "≤ 3× of 10k", ratio <= 3,
        ))
        out.notes.append(f"EXPLAIN QUERY PLAN, {name}: {timing.plan}")
    out.rows.append(Row(
        "3 data growth", f"database size per report ({labels})",
        " / ".join(f"{r.bytes_per_report / 1024:.1f} KiB" for r in results),
    ))
    out.rows.append(Row(
        "3 data growth", f"seed time ({labels})",
        " / ".join(f"{r.seed_seconds:.1f} s" for r in results),
    ))


def _count(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k" if n >= 1000 else str(n)


def memory(sizes: Sizes, out: Report) -> None:
    """Item 4: the bot process's RSS with drafts open."""
    from bench.growth import seed
    from bench.process import measure_memory

    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        seed(Path(tmp) / "polmas.sqlite3", 100)
        result = asyncio.run(measure_memory(Path(tmp), sizes.drafts))
    marginal = (result.drafts_kb - result.idle_kb) / result.drafts
    out.rows.append(Row(
        "4 memory", f"bot process RSS with {result.drafts} drafts open",
        f"{result.drafts_kb / 1024:.0f} MB", f"idle {result.idle_kb / 1024:.0f} MB",
        f"+{marginal:.1f} KB/draft", "≤ 150 MB", result.drafts_kb / 1024 <= 150,
    ))


def startup(sizes: Sizes, out: Report) -> None:
    """Item 5: ``python -m bot`` to its first getUpdates on a large database."""
    from bench.growth import seed
    from bench.process import time_startup

    data_dir = out.workdir / "startup"
    if not (data_dir / "polmas.sqlite3").exists():
        data_dir.mkdir(exist_ok=True)
        seed(data_dir / "polmas.sqlite3", sizes.startup_reports)
    result = asyncio.run(time_startup(data_dir, sizes.startup_runs))
    out.rows.append(Row(
        "5 start-up", f"python -m bot → first getUpdates, {_count(sizes.startup_reports)} reports",
        f"{result.bot:.2f} s", f"import telegram.ext {result.import_ptb:.2f} s",
        f"{result.bot / result.import_ptb:.1f}×", "≤ 3 s", result.bot <= 3.0,
    ))


def taps(sizes: Sizes, out: Report) -> None:
    """#12: interactions per complete report, by the scripted officer (same in quick runs)."""
    from bench.taps import BEFORE, measure

    for result in asyncio.run(measure()):
        plan = result.plan
        out.rows.append(Row(
            "6 taps", plan.name, str(result.interactions),
            f"before {BEFORE[plan.name]}", "", f"≤ {plan.target}", result.met,
        ))
        out.notes.append(f"taps, {plan.name}: " + " · ".join(result.steps))


def fairness(sizes: Sizes, out: Report) -> None:
    """Item 7: a second officer's latency during one officer's flood (issue 19, item 5)."""
    from bench.fairness import run_flood

    result = asyncio.run(run_flood(sizes.flood, sizes.probes))
    alone, flooded = percentile(result.alone, .99), percentile(result.flooded, .99)
    out.rows.append(Row(
        "7 fairness", f"second officer's /bantuan p99 during a {result.flood}-update flood from"
        f" another ({len(result.flooded)} probes)",
        ms(flooded), f"alone {ms(alone)}", f"{flooded / alone:.1f}×", "≤ 1 s", flooded <= 1.0,
    ))
    out.rows.append(Row(
        "7 fairness", "messages to the flooder by the last probe (≤ 50 answered + 1 notice)",
        f"{result.flood_answered_during_probes} of {result.flood}",
    ))



def backends(sizes: Sizes, out: Report) -> None:
    """Item 8 (#16): the same reporting run on SQLite and on PostgreSQL, one instance each,
    in the same process, each against its own echo baseline; then two PostgreSQL instances
    side by side (two applications in this process on one schema, the updates spread across
    them) against one."""
    from bench.reporting import postgres_reachable, run_bot, run_echo
    from emulator import pg

    officers = sizes.target_officers
    sqlite = asyncio.run(run_bot(officers, duration=sizes.run_limit))
    echo = asyncio.run(run_echo(sqlite.record))
    url = pg.server_url()
    if not asyncio.run(postgres_reachable(url)):
        out.rows.append(Row("8 backends", f"PostgreSQL at {url}", "not reachable"))
        return
    saved = pg.POSTGRES, pg.BASE_URL
    pg.POSTGRES, pg.BASE_URL = True, url
    try:
        postgres = asyncio.run(run_bot(officers, duration=sizes.run_limit))
        two = asyncio.run(run_bot(officers, duration=sizes.run_limit, instances=2))
    finally:
        pg.POSTGRES, pg.BASE_URL = saved
    for name, run in (("SQLite", sqlite), ("PostgreSQL", postgres)):
        out.rows.append(Row(
            "8 backends", f"{name}: updates/s, K={officers}, one instance",
            f"{run.per_second:.0f}/s", f"echo {echo.per_second:.0f}/s",
            f"{run.per_second / echo.per_second:.0%}",
        ))
        out.rows.append(Row(
            "8 backends", f"{name}: queued→answer p50/p99 at saturation, K={officers}",
            f"{ms(percentile(run.latencies, .5))} / {ms(percentile(run.latencies, .99))}",
            f"echo {ms(percentile(echo.latencies, .99))} p99",
            f"{percentile(run.latencies, .99) / percentile(echo.latencies, .99):.1f}×",
        ))
    out.rows.append(Row(
        "8 backends", f"PostgreSQL against SQLite, updates/s, K={officers}",
        f"{postgres.per_second:.0f}/s", f"SQLite {sqlite.per_second:.0f}/s",
        f"{postgres.per_second / sqlite.per_second:.0%}",
    ))
    out.rows.append(Row(
        "8 backends",
        f"PostgreSQL, two instances side by side (one process, one schema): updates/s,"
        f" K={officers}",
        f"{two.per_second:.0f}/s", f"one instance {postgres.per_second:.0f}/s",
        f"{two.per_second / postgres.per_second:.0%}",
    ))
    out.rows.append(Row(
        "8 backends", f"PostgreSQL, two instances: queued→answer p50/p99, K={officers}",
        f"{ms(percentile(two.latencies, .5))} / {ms(percentile(two.latencies, .99))}",
        f"one instance {ms(percentile(postgres.latencies, .99))} p99",
        f"{percentile(two.latencies, .99) / percentile(postgres.latencies, .99):.1f}×",
    ))
    if not two.complete:
        out.notes.append(f"backends: the two-instance run was cut at {sizes.run_limit:.0f} s")

SECTIONS: dict[str, Callable[[Sizes, Report], None]] = {
    "reporting": reporting,
    "photos": photos,
    "growth": growth,
    "memory": memory,
    "startup": startup,
    "taps": taps,
    "fairness": fairness,
    "backends": backends,
}


def main(argv: list[str] | None = None) -> int:
    """Run the sections and print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--only", nargs="+", choices=sorted(SECTIONS), help="run these only")
    parser.add_argument("--profile", action="store_true",
                        help="also profile the reporting run and print where the time goes")
    args = parser.parse_args(argv)
    quiet_logging()
    sizes = QUICK if args.quick else FULL
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        out = Report(workdir=Path(workdir))
        for name, section in SECTIONS.items():
            if args.only and name not in args.only:
                continue
            started = time.perf_counter()
            section(sizes, out)
            print(f"# {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr,
                  flush=True)
    if args.profile:
        from bench.profiling import profile_reporting

        share, top = profile_reporting(sizes.officers[0])
        out.notes.append("profile of the reporting run (cProfile own time, all threads' waits"
                         " show as the loop's idle time):")
        out.notes.extend(f"  {fraction:6.1%}  {layer}" for layer, fraction in share)
        out.notes.append("top functions:")
        out.notes.extend(f"  {fraction:6.1%}  {name}" for name, fraction in top)
    print(render(out.rows))
    print()
    for note in out.notes:
        print(note)
    print(f"\n(total {time.perf_counter() - began:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
