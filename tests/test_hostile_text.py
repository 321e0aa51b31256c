"""Any text, as a hostile or careless user types it: stored exactly (after the documented
normalisation) or refused with a friendly message, never a traceback or silence.

Defect 3 of issue 19 (``/cari motor\\x00x`` raised "unterminated string" in FTS5) and the
"Any text" suite of its hostile-input section.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import re
import sqlite3
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.commands import all_commands
from domain import answers as parse
from domain.answers import EquipmentState, InvalidAnswer
from domain.catalogue import (
    ComplaintsField,
    FieldType,
    IntegerField,
    LocationField,
    LongTextField,
    ShortTextField,
    TimeRangeField,
    load_catalogue,
)
from domain.dates import parse_date_range
from domain.errors import InputError
from domain.people import (
    InvalidRegistrationAnswer,
    Officer,
    Registration,
    RegistrationStep,
    clean_name,
    clean_nrp,
)
from domain.reports import REVIEW
from domain.schedule import (
    AssignDraft,
    ScheduleInputError,
    clean_place,
    clean_sprin,
    parse_clock,
    parse_date,
    parse_minutes,
    post_start,
)
from domain.text import search_words
from emulator import Emulator, SimUser
from emulator.harness import BotHarness
from emulator.rules import formatted_text
from emulator.users import BotMessage
from handlers import browse, complaints, dates, exports, recap
from storage.desk import match_expression
from tests.conftest import TOKEN
from tests.support.browse import NUMBER, labels, two_units
from tests.support.reports import CATALOGUE, fill_sapta, walk_rest
from ui import callbacks
from ui.services import Services


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


@settings(max_examples=400 * 40 if os.environ.get("POLMAS_HOSTILE_FULL") == "1" else 400,
          deadline=None, derandomize=True)
@given(st.text(max_size=300) | st.text(alphabet=st.sampled_from('"*^:()-+ \x00\x1bNEAR'),
                                        max_size=60))
def test_any_words_make_a_valid_fts_expression_or_no_search(words):
    """Any text → an expression FTS5 accepts (run against a real table), or None (no search)."""
    TRIED["search expression"] += 1
    expression = match_expression(words)
    if expression is None:
        return
    SEARCH.execute(
        "SELECT COUNT(*) FROM report_search WHERE report_search MATCH ?", (expression,)
    ).fetchone()


# ---------------------------------------------------------------------------------------------
# The "Any text" suite: every free-text step, desk text and command argument, driven through the
# real Application. The state a text answers (a draft at a step, an owed desk answer, a
# registration at its name) is put in place through the repositories before each example;
# the text itself goes through the emulator like any user's message.

FULL = os.environ.get("POLMAS_HOSTILE_FULL") == "1"
"""``POLMAS_HOSTILE_FULL=1`` runs the full sample by hand (≥ 20 000 texts in all)."""
TRIED: Counter[str] = Counter()
"""Texts tried per category (printed for the README "Security" table)."""

HOSTILE_PIECES = [
    "\x00", "\x07", "\x1b[31m", "\x7f", "\x85", "\x0b", "\x0c", "\r\n", "\r", "\n", "\t",
    "\u202e", "\u202d", "\u2066", "\u2069", "\u200b", "\u200d", "\ufeff", "\u2028",
    "\u0301", "\u0338", "Z\u0364\u0351\u0313\u0324", "👮\u200d♂️", "🇮🇩", "👍🏽", "ﷺ", "𝕏",
    "<b>", "</a>", "<a href='x'>", "&amp;", "&", "<", ">", '"', "'", "=HYPERLINK(", "+1", "@",
    "٨٧٠٥٠٠٠١", "８７０５０００１", "١٢", "２５", "08.00-09.00", "25", "0812 3456 7890",
    "Budi", "Warga RT 03", "motor", "NEAR(", '"*', "^", " ", "  ", "-",
]
piece = st.text(max_size=30) | st.sampled_from(HOSTILE_PIECES)
any_text = st.one_of(
    st.lists(piece, min_size=1, max_size=15).map("".join),
    st.text(min_size=1, max_size=300),
    st.text(min_size=3000, max_size=4096),
    st.tuples(st.integers(1, 4096), st.sampled_from(["x", "é", "👮", "<", "\x00", "a\n"])).map(
        lambda pair: (pair[1] * pair[0])[:4096]
    ),
).filter(lambda text: text.strip() != "" and not text.startswith("/"))
"""What a Telegram user can send as a message: any Unicode but lone surrogates (JSON cannot
carry them; Hypothesis leaves them out), at most 4 096 characters, not blank, and not a
command (commands have a category of their own)."""


def examples(ci: int) -> int:
    """The bounded sample in CI, forty times more by hand."""
    return ci * 40 if FULL else ci


def hostile(ci: int):
    """Hypothesis settings of this suite: reproducible in CI, no deadline (the bot's own
    database work varies with the machine)."""
    return settings(
        max_examples=examples(ci),
        deadline=None,
        derandomize=not FULL,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much],
        phases=[Phase.explicit, Phase.generate],  # a failure is reported unshrunk: fast
    )


def plain(html_text: str) -> str:
    """What a client shows for a text the bot sent with HTML (the emulator's parser)."""
    return formatted_text(html_text, "HTML", None)[0]


def one_line(raw: str) -> str:
    """The documented single-line normalisation, written out independently: NFC, control
    characters dropped (the whitespace ones read as a space), runs of whitespace collapsed."""
    kept = "".join(
        (" " if char.isspace() else "") if unicodedata.category(char) == "Cc" else char
        for char in unicodedata.normalize("NFC", raw)
    )
    return " ".join(kept.split())


def lines_kept(raw: str) -> str:
    """The documented multi-line normalisation: as :func:`one_line` per line, lines kept
    (outer spaces trimmed, at most one blank line in a row)."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for line in text.split("\n"):
        kept = "".join(
            (" " if char.isspace() else "") if unicodedata.category(char) == "Cc" else char
            for char in line
        )
        lines.append(kept.strip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class Suite:
    """One running bot with a banit (Indonesian), a banit (English) and their kanit."""

    def __init__(self, harness: BotHarness, errors: ErrorRecords) -> None:
        self.harness = harness
        self.errors = errors
        self.users: dict[str, SimUser] = {}
        self.officers: dict[str, Officer] = {}

    @property
    def services(self) -> Services:
        services = self.harness.application.bot_data.services
        assert services is not None
        return services

    def refusal(self, language: str, key: str, **params: object) -> str:
        return plain(self.services.texts(language, key, **params))

    async def send(self, who: str, text: str) -> BotMessage:
        """Send ``text``; the bot answers it with a new message (asserted) that parsed."""
        user = self.users[who]
        before = len(user.messages)
        await user.send(text)
        assert len(user.messages) > before, f"no answer to {text!r}"
        assert self.errors.records == [], [r.getMessage() for r in self.errors.records]
        return user.last


def run_suite(
    category: str,
    strategy: st.SearchStrategy[Any],
    ci: int,
    check: Callable[[Suite, Any], Awaitable[None]],
    prepare: Callable[[Suite], Awaitable[None]] | None = None,
) -> None:
    """Start the bot on a fresh data directory with the people seeded, ``prepare`` it once,
    then ``check`` every generated example on that running bot; count them under ``category``.

    The loop is driven by hand: Hypothesis calls a plain function per example, and each runs
    its coroutine to the end on the bot's own loop.
    """
    loop = asyncio.new_event_loop()
    emu = Emulator(token=TOKEN, bot_username="polmas_test_bot", bot_id=123456)
    errors = ErrorRecords()
    with tempfile.TemporaryDirectory() as tmp:
        harness = BotHarness(emu, Path(tmp), start=datetime(2026, 11, 28, 2, 0, tzinfo=UTC))
        suite = Suite(harness, errors)

        async def start() -> None:
            await harness.start()
            for who, user_id, language, role in (
                ("id", 1001, "id", "banit"), ("en", 1002, "en", "banit"),
                ("kanit", 2001, "id", "kanit"), ("kanit_en", 2002, "en", "kanit"),
            ):
                user = emu.user(user_id, who)
                suite.users[who] = user
                suite.officers[who] = await harness.seed_officer(
                    user, name=f"Petugas {who}", nrp=f"8765{user_id:04d}", unit="binkamsa",
                    role=role, language=language)
            if prepare is not None:
                await prepare(suite)

        logging.getLogger().addHandler(errors)
        try:
            loop.run_until_complete(start())

            @hostile(ci)
            @given(strategy)
            def each(example: Any) -> None:
                TRIED[category] += 1
                loop.run_until_complete(check(suite, example))

            each()
        finally:
            logging.getLogger().removeHandler(errors)
            loop.run_until_complete(harness.stop())
            loop.close()
    print(f"\nhostile text: {category}: {TRIED[category]} inputs tried, 0 failures")
    assert TRIED[category] >= examples(ci) // 2


# ------------------------------------------------------------------------------ form steps

BASE: dict[str, dict[str, Any]] = {}
"""A complete set of ordinary answers per activity (walked through the bot once)."""


def form_steps() -> list[tuple[str, str, str]]:
    """(activity, field, phase) of every step of every form that takes typed text."""
    steps = []
    for activity in load_catalogue(CATALOGUE).activities:
        for field in activity.fields:
            if isinstance(field, ShortTextField | LongTextField | IntegerField | TimeRangeField):
                steps.append((activity.code, field.key, ""))
            elif isinstance(field, LocationField) and field.allow_text:
                steps.append((activity.code, field.key, "typed_place"))
            elif field.type == FieldType.EQUIPMENT:
                steps.append((activity.code, field.key, "reason"))
            elif isinstance(field, ComplaintsField):
                steps.extend((activity.code, field.key, phase)
                             for phase in ("description", "place", "name", "contact"))
    return steps


async def walk_every_form(suite: Suite) -> None:
    officer = suite.users["id"]
    for activity in suite.services.catalogue.activities:
        await officer.send("/lapor")
        await officer.press(activity.name.id)
        await walk_rest(officer, photos=1)
        async with suite.harness.db.transaction() as tx:
            draft = await tx.drafts.of_officer(suite.officers["id"].id)
            assert draft is not None
            BASE[activity.code] = draft.answers
            await tx.drafts.delete(draft.id)


PARTS_BEFORE = {"description": {"category": "pencurian"},
                "place": {"category": "pencurian", "description": "Motor hilang"},
                "name": {"category": "pencurian", "description": "Motor hilang", "place": "Pasar"},
                "contact": {"category": "pencurian", "description": "Motor hilang",
                            "place": "Pasar", "name": "Pak Hasan"}}
NEXT_PART = {"description": "card", "place": "card", "name": "card", "contact": "card"}
"""Each part typed goes back to the compact complaint card (the report has a place)."""


def expected_text(field: ShortTextField | LongTextField, raw: str) -> Any:
    """The stored value or the refusal, from the documented rules (not the parser)."""
    if not field.required and parse.is_skip_word(raw):
        return None
    value = lines_kept(raw) if isinstance(field, LongTextField) else one_line(raw)
    if not value:
        return InvalidAnswer("answer.empty")
    if len(value) > field.max_length:
        return InvalidAnswer("answer.too_long", max=field.max_length, length=len(value))
    if len(value) < field.min_length:
        return InvalidAnswer("answer.too_short", min=field.min_length, length=len(value))
    return value


def outcome(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except InvalidAnswer as problem:
        return problem


async def check_form_step(suite: Suite, example: tuple[tuple[str, str, str], str, str]) -> None:
    (code, key, phase), who, raw = example
    services = suite.services
    officer = suite.officers[who]
    activity = services.catalogue.activity(code)
    field = activity.field(key)
    now = suite.harness.clock.now()
    work: dict[str, Any] = {}
    state = None
    if phase == "reason":
        state = EquipmentState(tuple(activity.equipment), frozenset(activity.equipment[1:]))
        work = {"phase": "reasons", "state": state.to_json()}
    elif phase in PARTS_BEFORE:
        work = {"phase": phase, "current": PARTS_BEFORE[phase], "items": []}
    async with suite.harness.db.transaction() as tx:
        draft = await tx.drafts.of_officer(officer.id)
        if draft is None or draft.activity_code != code:
            if draft is not None:
                await tx.drafts.delete(draft.id)
            await tx.drafts.create(officer.id, code, key, now, answers=BASE[code])
            draft = await tx.drafts.of_officer(officer.id)
            assert draft is not None
        saved = await tx.drafts.save(
            replace(draft, step=key, answers=BASE[code], work=work, editing=True), now)

    if isinstance(field, ShortTextField | LongTextField):
        expected = expected_text(field, raw)
    elif isinstance(field, IntegerField):
        expected = outcome(lambda: parse.integer(field, raw))
    elif isinstance(field, TimeRangeField):
        expected = outcome(lambda: parse.parse_time_range(
            raw, now=now, tz=services.settings.tz, activity_minutes=activity.duration_minutes,
            max_minutes=field.max_duration_minutes).to_json())
    elif phase == "typed_place":
        expected = outcome(lambda: parse.place_text(raw))
    elif phase == "reason":
        assert state is not None
        expected = outcome(lambda: state.set_reason(activity.equipment[0], raw))
    else:
        cleaners: dict[str, Callable[[str], str]] = {
            "description": parse.complaint_description, "place": parse.complaint_place,
            "name": parse.resident_name, "contact": parse.resident_contact,
        }
        expected = outcome(lambda: cleaners[phase](raw))

    reply = await suite.send(who, raw)
    async with suite.harness.db.reading() as repos:
        after = await repos.drafts.of_officer(officer.id)
    assert after is not None
    if isinstance(expected, InvalidAnswer):
        assert reply.text == suite.refusal(officer.language, expected.key, **expected.params)
        assert (after.step, after.answers, after.work) == (saved.step, saved.answers, saved.work)
        return
    if phase == "typed_place":
        assert after.work["place"] == expected
        assert expected in reply.text
    elif phase == "reason":
        assert after.step == REVIEW
        assert after.answers[key] == expected.to_json()
    elif phase in NEXT_PART:
        assert after.work["current"][phase] == expected
        assert after.work["phase"] == NEXT_PART[phase]
    elif isinstance(field, TimeRangeField):
        assert expected in (after.answers.get(key), after.work.get("pending"))
    else:
        assert after.step == REVIEW
        assert after.answers[key] == expected
        shown = services.texts("id", "reports.value.skipped") if expected is None else expected
        assert plain(html.escape(str(shown))) in reply.text


def test_any_text_in_every_form_step():
    """Every typed step of every form in config/activities.toml, in both languages."""
    strategy = st.tuples(st.sampled_from(form_steps()), st.sampled_from(["id", "en"]), any_text)
    run_suite("form steps", strategy, 600, check_form_step, walk_every_form)


# ------------------------------------------------------------------------------- desk texts

DESK_KINDS = ("note", "comment", "words", "dates:browse", "dates:recap", "dates:export")
PLACES: dict[str, int] = {}


async def file_a_report(suite: Suite) -> None:
    """A submitted SAPTA report with a complaint, and the kanit's report browser open."""
    officer = suite.users["id"]
    await fill_sapta(officer, photos=1)
    await officer.press("📤 Kirim laporan")
    async with suite.harness.db.reading() as repos:
        (report,) = await repos.reports.all()
        (complaint,) = await repos.complaints.of_report(report.id)
    PLACES.update(report=report.id, complaint=complaint.id)
    for who in ("kanit", "kanit_en"):
        await suite.users[who].send("/cari")


async def owe(suite: Suite, who: str, kind: str) -> None:
    """Put the desk question in place as its button would (the button's own payload)."""
    services = suite.services
    leader = suite.officers[who]
    message = {"chat": suite.users[who].id, "message": suite.users[who].last.message_id}
    now = suite.harness.clock.now()
    if kind == "note":  # back to where the note's move starts
        # Holding the connection as the bot does: a bare execute + commit here once committed
        # the notification job's open transaction under it, whose COMMIT then failed ("cannot
        # commit - no transaction is active", logged as "error while handling update None").
        async with suite.harness.db.reading():
            connection = suite.harness.db.connection
            await connection.execute("UPDATE complaints SET status = 'new' WHERE id = ?",
                                     (PLACES["complaint"],))
            await connection.commit()
    async with suite.harness.db.transaction() as tx:
        if kind == "note":
            await tx.desk_inputs.put(leader.id, complaints.NOTE_INPUT, {
                "complaint": PLACES["complaint"], "from": "new", "to": "in_progress", **message,
            }, now, asked_by=complaints.NS, update_id=0)
        elif kind == "comment":
            await tx.desk_inputs.put(leader.id, browse.SENDBACK_INPUT,
                                     {"report": PLACES["report"], **message}, now,
                                     asked_by=browse.NS, update_id=0)
        elif kind == "words":
            await tx.desk_inputs.put(leader.id, browse.SEARCH_INPUT, message, now,
                                     asked_by=browse.NS, update_id=0)
        else:
            desk = kind.split(":")[1]
            namespace, extra = {
                "browse": (browse.NS, {}),
                "recap": (recap.NS, {"scope": recap.scopes(leader, services)[0],
                                     "activity": recap.ALL}),
                "export": (exports.NS, {"unit": "binkamsa"}),
            }[desk]
            await tx.desk_inputs.put(leader.id, dates.INPUT, {
                "cancel": callbacks.pack(namespace, "x"), **message, **extra,
            }, now, asked_by=namespace, update_id=0)


async def check_desk_text(suite: Suite, example: tuple[str, str, str]) -> None:
    kind, who, raw = example
    services = suite.services
    leader = suite.officers[who]
    language = leader.language
    await owe(suite, who, kind)
    reply = await suite.send(who, raw)
    db = suite.harness.db
    if kind in ("note", "comment"):
        expected = one_line(raw)[:500]
        if not expected:
            assert reply.text == suite.refusal(language, "desk.need_text")
            return
        if kind == "note":
            async with db.connection.execute(
                "SELECT note FROM complaint_history WHERE complaint_id = ?"
                " ORDER BY id DESC LIMIT 1", (PLACES["complaint"],)) as cursor:
                stored = (await cursor.fetchone())[0]
        else:
            async with db.reading() as repos:
                review = await repos.report_reviews.get(PLACES["report"])
            assert review is not None
            stored = review.comment
        assert stored == expected
        if kind == "comment":
            assert plain(html.escape(expected)) in suite.users["id"].last.text  # the notice
    elif kind == "words":
        async with db.reading() as repos:
            view = await repos.desk_views.get(leader.id)
        stored = view.get("words", "")
        assert stored == search_words(raw)
        assert len(stored) <= 100
        assert not any(unicodedata.category(char) == "Cc" for char in stored)
        if stored:
            assert plain(html.escape(stored)) in reply.text
    else:
        today = suite.harness.clock.now().astimezone(services.settings.tz).date()
        problem: InputError | None = None
        try:
            parse_date_range(raw, today)
        except InputError as error:
            problem = error
        if problem is not None:
            assert reply.text == plain(
                services.texts(language, problem.key, **problem.params)
                + "\n" + services.texts(language, "dates.example"))


def test_any_text_as_every_desk_answer():
    """Complaint notes, send-back comments, search words and typed date ranges (of /cari,
    /rekap and /ekspor), from an Indonesian and an English leader."""
    strategy = st.tuples(st.sampled_from(DESK_KINDS), st.sampled_from(["kanit", "kanit_en"]),
                         any_text)
    run_suite("desk texts", strategy, 300, check_desk_text, file_a_report)


# ---------------------------------------------------------------------------- registration

STRANGERS = {"id": 3001, "en": 3002}


async def meet_strangers(suite: Suite) -> None:
    for language, user_id in STRANGERS.items():
        user = suite.harness.emu.user(user_id, f"Tamu {language}")
        user.started = True
        suite.users[f"stranger_{language}"] = user


async def check_registration(suite: Suite, example: tuple[str, str, str]) -> None:
    step, language, raw = example
    who = f"stranger_{language}"
    telegram_id = STRANGERS[language]
    answers = {} if step == "name" else {"name": "Budi Santoso"}
    async with suite.harness.db.transaction() as tx:
        await tx.registrations.save(Registration(telegram_id, RegistrationStep(step), answers,
                                                 language=language), suite.harness.clock.now())
    problem: InvalidRegistrationAnswer | None = None
    try:
        value = clean_name(raw) if step == "name" else clean_nrp(raw)
    except InvalidRegistrationAnswer as error:
        problem = error
    if problem is None and step == "nrp" and value.startswith("8765"):
        async with suite.harness.db.reading() as repos:
            if await repos.officers.by_nrp(value) is not None:
                problem = InvalidRegistrationAnswer("registration.nrp_taken")
    reply = await suite.send(who, raw)
    async with suite.harness.db.reading() as repos:
        registration = await repos.registrations.get(telegram_id)
    assert registration is not None
    if problem is not None:
        assert reply.text == suite.refusal(language, problem.key, **problem.params)
        assert registration.answers == answers
        return
    assert registration.answers[step] == value
    if step == "name":
        assert value == one_line(raw)
    else:
        assert re.fullmatch(r"[0-9]{8}", value, re.ASCII)


def test_any_text_as_a_registration_answer():
    """A stranger's name and NRP (any script's digits read as ASCII) in both languages."""
    strategy = st.tuples(st.sampled_from(["name", "nrp"]), st.sampled_from(["id", "en"]),
                         any_text | st.lists(st.sampled_from(
                             ["٨", "８", "7", "0", " ", ".", "৫", "\u0301"]), max_size=12
                         ).map("".join).filter(str.strip))
    run_suite("registration", strategy, 100, check_registration, meet_strangers)


# -------------------------------------------------------------------------------- commands

PRIVATE_COMMANDS = [f"/{c.name}" for c in all_commands()] + [
    f"/{c.alias}" for c in all_commands()
]


async def check_command(suite: Suite, example: tuple[str, str, str]) -> None:
    command, who, argument = example
    reply = await suite.send(who, f"{command} {argument}")
    assert reply.content or reply.kind != "text"
    if command in ("/cari", "/search") and suite.officers[who].role == "kanit":
        async with suite.harness.db.reading() as repos:
            view = await repos.desk_views.get(suite.officers[who].id)
        assert view.get("words", "") == search_words(argument)


def test_any_text_as_every_commands_arguments():
    """Every command and alias with any argument text, from a banit and a kanit."""
    argument = st.text(max_size=200) | any_text
    strategy = st.tuples(st.sampled_from(PRIVATE_COMMANDS),
                         st.sampled_from(["id", "en", "kanit", "kanit_en"]), argument)
    run_suite("command arguments", strategy, 200, check_command)


# ----------------------------------------------------------------- the assignment's typed steps

ASSIGN_STEPS = ("place", "date", "time", "duration", "sprin")


async def check_assign_step(suite: Suite, example: tuple[str, str, str]) -> None:
    step, who, raw = example
    services = suite.services
    leader = suite.officers[who]
    now = suite.harness.clock.now()
    today = now.astimezone(services.settings.tz).date()
    earlier = {"activity": "sapta", "place": "Pos Kamling RW 03",
               "date": (today + timedelta(days=1)).isoformat(), "time": "08:00",
               "duration": 60}
    before = ("activity", *ASSIGN_STEPS[: ASSIGN_STEPS.index(step)])
    answers = {key: value for key, value in earlier.items() if key in before}
    async with suite.harness.db.transaction() as tx:
        await tx.assign_drafts.save(AssignDraft(leader.id, "new", step, answers), now)
    problem: ScheduleInputError | None = None
    value: object = None
    try:
        if step == "place":
            value = clean_place(raw)
        elif step == "date":
            value = parse_date(raw, today).isoformat()
        elif step == "time":
            _, clock = post_start(date.fromisoformat(str(answers["date"])), parse_clock(raw))
            value = clock.strftime("%H:%M")
        elif step == "duration":
            value = parse_minutes(raw)
        else:
            value = clean_sprin(raw)
    except ScheduleInputError as error:
        problem = error
    reply = await suite.send(who, raw)
    async with suite.harness.db.reading() as repos:
        draft = await repos.assign_drafts.get(leader.id)
    assert draft is not None
    if problem is not None:
        assert reply.text == suite.refusal(leader.language, problem.key, **problem.params)
        assert draft.answers == answers
        return
    assert draft.answers[step] == value
    if step in ("place", "sprin"):
        assert value == one_line(raw)


def test_any_text_as_an_assignments_typed_step():
    """/tugas: the place, date, time, duration and Sprin a leader types."""
    strategy = st.tuples(st.sampled_from(ASSIGN_STEPS), st.sampled_from(["kanit", "kanit_en"]),
                         any_text)
    run_suite("assignment steps", strategy, 150, check_assign_step)
