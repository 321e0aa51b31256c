"""The report and recap PDFs as a leader signs them, from plain data: pure views, no I/O.

:func:`report_document` lays out one report, :func:`recap_document` the recap. The handler
reads the recap, the period's reports, the duties' posts and officers, draws the
charts, and hands them here; this module turns them into a :class:`domain.pdf.Document`:
tables instead of prose (activities, the reporting rate with the late and missing duties by
name, officers with their duties, complaints by category and status), the charts beside the
numbers they show, the closing with the "Mengetahui" signature block, and the per-report list
last as a compact annex table. Numbers carry thousands separators (``212.261``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from domain import pdf
from domain.answers import EquipmentState
from domain.catalogue import Catalogue, FieldType
from domain.complaints import ComplaintStatus
from domain.exports import ReportLine, plain_value
from domain.organisation import Organisation, Precinct
from domain.people import Officer
from domain.recap import Recap
from domain.reports import Report, StoredComplaint
from domain.schedule import Assignment, Outcome, clock_format, when_range
from domain.text import Texts, grouped

NAMED_OUTCOMES = (Outcome.LATE, Outcome.MISSING)
"""The duties a leader follows up, listed by name (the digest lists the same)."""
DUTY_COLUMNS = (Outcome.DONE, Outcome.LATE, Outcome.MISSING)
OUTCOME_COLUMNS = {Outcome.DONE: "on_time", Outcome.LATE: "late", Outcome.MISSING: "missing"}
"""The column (and label) of each outcome the recap counts."""


def long_date(texts: Texts, language: str, moment: datetime, tz: ZoneInfo) -> str:
    """``23 November 2026``: the date as a letter writes it, in the precinct's zone."""
    local = moment.astimezone(tz)
    return texts(language, "pdf.date", day=local.day, year=local.year,
                 month=texts(language, f"pdf.month.{local.month}"))


def place_date(texts: Texts, language: str, place: str, moment: datetime, tz: ZoneInfo) -> str:
    """The signature's place and date: ``Gorontalo, 23 November 2026``."""
    return texts(language, "pdf.place_date", place=place,
                 date=long_date(texts, language, moment, tz))


BASIS_FIELD = "sprin"  # catalogue keys the police layout places in sections of their own
OBSTACLES_FIELD = "obstacles"
PDF_SKIPPED = frozenset(
    {FieldType.TIME_RANGE, FieldType.LOCATION, FieldType.EQUIPMENT, FieldType.COMPLAINTS,
     FieldType.PHOTOS, FieldType.WARNINGS_ACK}
)
"""Answers the report PDF shows in sections of their own (or not at all), not as lines."""


def command_name(organisation: Organisation, unit_code: str | None) -> str:
    """A unit with the units above it: ``Unit Binkamsa Satbinmas Polres Gorontalo Kota``."""
    names: list[str] = []
    code = unit_code
    while code and organisation.has_unit(code) and len(names) < 10:
        unit = organisation.unit(code)
        names.append(unit.name)
        code = unit.parent
    return " ".join([*names, organisation.precinct.name])


def report_document(
    texts: Texts,
    language: str,
    catalogue: Catalogue,
    organisation: Organisation,
    tz: ZoneInfo,
    report: Report,
    author: Officer,
    complaints: Sequence[StoredComplaint],
    photos: Sequence[Path],
    *,
    include_residents: bool,
    kelurahan_name: str | None = None,
) -> pdf.Document:
    """A report in the police layout: letterhead, title, numbered sections, signature, then
    ``photos`` (the stamped copies that exist) as the attachment. ``kelurahan_name``: the
    territory's name of the report's kelurahan, shown with its code on the place line."""
    activity = catalogue.activity(report.activity_code)
    clock = clock_format(language)
    answers = report.answers
    when = (report.started_at or report.submitted_at).astimezone(tz)
    day = texts(language, f"day.{when.weekday()}")
    basis = answers.get(BASIS_FIELD)
    time_lines = [texts(language, "pdf.day", day=day, date=when.strftime("%d/%m/%Y"))]
    if report.started_at and report.ended_at:
        time_lines.append(texts(language, "pdf.time",
                                start=report.started_at.astimezone(tz).strftime(clock),
                                end=report.ended_at.astimezone(tz).strftime(clock),
                                zone=when.tzname() or ""))
    places = [report.place] if report.place else []
    if report.kelurahan_code:
        places.append(texts(language, "pdf.kelurahan", code=report.kelurahan_code,
                            name=kelurahan_name or report.kelurahan_code))
    if places:
        time_lines.append(texts(language, "pdf.place", place=" — ".join(places)))
    if report.latitude is not None and report.longitude is not None:
        time_lines.append(texts(language, "pdf.coordinates", lat=f"{report.latitude:.6f}",
                                lon=f"{report.longitude:.6f}"))
    officer_lines = (
        texts(language, "pdf.officer", rank=author.rank or "", name=author.full_name,
              nrp=author.nrp or "-").strip(),
        texts(language, "pdf.unit", unit=command_name(organisation, report.unit_code)),
    )
    done: list[str] = []
    for form_field in activity.fields:
        if form_field.type in PDF_SKIPPED or form_field.key in (BASIS_FIELD, OBSTACLES_FIELD):
            continue
        value = plain_value(activity, form_field.key, answers.get(form_field.key),
                                    language)
        if value is not None and value != "":
            done.append(f"{form_field.label.get(language)}: {value}")
    if report.warnings_ack_at is not None:
        done.append(texts(language, "pdf.warnings"))
    results = [texts(language, "pdf.complaints", count=len(complaints)) if complaints
               else texts(language, "pdf.complaints_none")]
    for index, item in enumerate(complaints, start=1):
        category = catalogue.complaint_categories.get(item.category)
        try:
            urgency = catalogue.urgency(item.urgency).label.get(language)
        except KeyError:
            urgency = item.urgency
        line = texts(language, "pdf.complaint", index=index,
                     category=category.get(language) if category else item.category,
                     description=item.description, place=item.place, urgency=urgency)
        if include_residents and item.resident_name and item.resident_contact:
            line += " " + texts(language, "pdf.resident", name=item.resident_name,
                                contact=item.resident_contact)
        elif include_residents and item.resident_name:
            line += " " + texts(language, "pdf.resident_name", name=item.resident_name)
        elif include_residents and item.resident_contact:
            line += " " + texts(language, "pdf.resident_contact", contact=item.resident_contact)
        results.append(line)
    obstacles: list[str] = []
    if answers.get(OBSTACLES_FIELD):
        obstacles.append(str(answers[OBSTACLES_FIELD]))
    if report.equipment is not None:
        state = EquipmentState.from_json(report.equipment)
        for key in state.missing():
            item_label = catalogue.equipment.get(key)
            obstacles.append(texts(language, "pdf.missing",
                                   item=item_label.get(language) if item_label else key,
                                   reason=state.reason(key) or "-"))
    precinct = organisation.precinct
    # The SOP is the basis of every post; the Sprin, when there is one, comes with it.
    basis_lines = (texts(language, "pdf.basis_sop", precinct=precinct.name, sop=precinct.sop),
                   ) + ((texts(language, "pdf.basis", sprin=basis),) if basis else ())
    sections = (
        pdf.Section(texts(language, "pdf.section.basis"), basis_lines),
        pdf.Section(texts(language, "pdf.section.purpose"), (
            texts(language, "pdf.purpose", text=activity.purpose.get(language)),
            texts(language, "pdf.goal", text=activity.goal.get(language)))),
        pdf.Section(texts(language, "pdf.section.time_place"), tuple(time_lines)),
        pdf.Section(texts(language, "pdf.section.officers"), officer_lines),
        pdf.Section(texts(language, "pdf.section.activity"), tuple(done)),
        pdf.Section(texts(language, "pdf.section.results"), tuple(results)),
        pdf.Section(texts(language, "pdf.section.obstacles"),
                    tuple(obstacles) or (texts(language, "pdf.none"),)),
        pdf.Section(texts(language, "pdf.section.closing"), (texts(language, "pdf.closing"),)),
    )
    signed = report.submitted_at.astimezone(tz)
    pictures = tuple(
        pdf.Picture(caption=texts(language, "pdf.photo_caption", index=index,
                                  number=report.number), path=path)
        for index, path in enumerate(photos, start=1)
    )
    return pdf.Document(
        letterhead=tuple(precinct.letterhead),
        title=texts(language, "pdf.title"),
        subtitle=activity.name.get(language).upper(),
        number=texts(language, "pdf.number", number=report.number),
        sections=sections,
        signature=pdf.Signature(
            place_date=place_date(texts, language, precinct.place, signed, tz),
            role=texts(language, "pdf.reporter"),
            name=author.full_name,
            rank_nrp=texts(language, "pdf.rank_nrp", rank=author.rank or "",
                           nrp=author.nrp or "-").strip(),
        ),
        attachment_title=texts(language, "pdf.attachment"),
        pictures=pictures,
        page_label=texts(language, "pdf.page", page="{page}", pages="{pages}"),
        metadata_title=f"{texts(language, 'pdf.title')} {report.number}",
        author=precinct.name,
    )


@dataclass(frozen=True)
class RecapSources:
    """What the recap PDF shows, read and drawn by the caller."""

    recap: Recap
    units_text: str
    """The units covered, by name."""
    period_text: str
    reports: Sequence[ReportLine]
    """The period's reports, oldest first (the annex)."""
    assignments: Mapping[int, Assignment]
    """The posts of the recap's duties, by id."""
    officers: Mapping[int, Officer]
    """Officers named by the duties (some may not have reported)."""
    activity_chart: pdf.Picture | None
    rate_chart: pdf.Picture | None
    signer: Officer
    issued_at: datetime


class _View:
    """One recap in one language: the small helpers every table needs."""

    def __init__(self, texts: Texts, language: str, catalogue: Catalogue, tz: ZoneInfo) -> None:
        self.texts = texts
        self.language = language
        self.catalogue = catalogue
        self.tz = tz
        self.separator = texts(language, "format.thousands")

    def t(self, key: str, **params: object) -> str:
        return self.texts(self.language, key, **params)

    def n(self, number: int) -> str:
        return grouped(number, self.separator)

    def activity(self, code: str) -> str:
        catalogue = self.catalogue
        return catalogue.activity(code).name.get(self.language) if catalogue.has_activity(
            code) else code

    def category(self, key: str) -> str:
        label = self.catalogue.complaint_categories.get(key)
        return label.get(self.language) if label else key

    def col(self, *keys: str) -> tuple[str, ...]:
        return tuple(self.t(f"pdf.recap.col.{key}") for key in keys)


def _name(officer: Officer | None, fallback: str = "-") -> str:
    if officer is None:
        return fallback
    return " ".join(part for part in (officer.rank, officer.full_name) if part)


def _activities(view: _View, sources: RecapSources) -> pdf.Section:
    recap = sources.recap
    rows = tuple(
        (view.activity(code), view.n(count), view.n(recap.residents_by_activity.get(code, 0)))
        for code, count in recap.reports_by_activity.items()
    ) + ((view.t("pdf.recap.total_row"), view.n(recap.total_reports),
          view.n(recap.residents_reached)),)
    table = pdf.Table(view.col("activity", "reports", "residents"), rows, widths=(5, 2, 3),
                      align="LRR")
    charts = (sources.activity_chart,) if sources.activity_chart else ()
    return pdf.Section(view.t("pdf.recap.section.activities"), table=table, pictures=charts)


def _rate(view: _View, sources: RecapSources) -> pdf.Section:
    """The rate /rekap shows, its three counts, then the late and missing duties by name."""
    recap = sources.recap
    counts = recap.schedule
    charts = (sources.rate_chart,) if sources.rate_chart else ()
    heading = view.t("pdf.recap.section.rate")
    if counts is None or counts.expected <= 0:
        return pdf.Section(heading, (view.t("summary.rate_none"),), pictures=charts)
    lines = (
        view.t("summary.rate", reported=view.n(counts.reported),
               expected=view.n(counts.expected), percent=round((recap.reporting_rate or 0) * 100)),
        view.t("pdf.recap.rate_on_time", count=view.n(counts.reported - counts.late)),
        view.t("pdf.recap.rate_late", count=view.n(counts.late)),
        view.t("pdf.recap.rate_missing", count=view.n(counts.expected - counts.reported)),
    )
    named = sorted(
        (duty for duty in recap.duties
         if duty.outcome in NAMED_OUTCOMES and duty.assignment_id in sources.assignments),
        key=lambda duty: (sources.assignments[duty.assignment_id].starts_at,
                          duty.assignment_id, duty.officer_id),
    )
    if not named:
        return pdf.Section(heading, (*lines, view.t("pdf.recap.duties_none")), pictures=charts)
    rows = tuple(
        (view.t(f"pdf.recap.col.{OUTCOME_COLUMNS[duty.outcome]}"),
         _name(sources.officers.get(duty.officer_id)),
         view.activity(post.activity_code),
         when_range(view.texts, view.language, post.starts_at, post.ends_at, view.tz))
        for duty in named
        for post in (sources.assignments[duty.assignment_id],)
    )
    table = pdf.Table(view.col("state", "officer", "activity", "when"), rows,
                      widths=(2, 4, 3, 5), font_size=8.5)
    return pdf.Section(heading, (*lines, view.t("pdf.recap.duties_heading")), table=table,
                       pictures=charts)


def _officers(view: _View, sources: RecapSources) -> pdf.Section:
    """Every officer who reported or had a duty: reports, then duties on time, late, missing."""
    recap = sources.recap
    duties: dict[int, Counter[Outcome]] = {}
    for duty in recap.duties:
        duties.setdefault(duty.officer_id, Counter())[duty.outcome] += 1
    names = {line.officer_id: " ".join(p for p in (line.rank, line.name) if p)
             for line in recap.officers}
    reports = {line.officer_id: line.reports for line in recap.officers}
    ids = [line.officer_id for line in recap.officers] + sorted(
        (i for i in duties if i not in reports),
        key=lambda i: _name(sources.officers.get(i)).casefold())
    heading = view.t("pdf.recap.section.officers")
    if not ids:
        return pdf.Section(heading, (view.t("pdf.none"),))
    rows = tuple(
        (names.get(i) or _name(sources.officers.get(i)), view.n(reports.get(i, 0)),
         *(view.n(duties.get(i, Counter())[state]) for state in DUTY_COLUMNS))
        for i in ids
    )
    table = pdf.Table(view.col("officer", "reports", "on_time", "late", "missing"), rows,
                      widths=(6, 2, 2, 2, 2), align="LRRRR")
    return pdf.Section(heading, table=table)


def _complaints(view: _View, sources: RecapSources) -> pdf.Section:
    """Categories by count, with the emergencies and each follow-up status as columns."""
    recap = sources.recap
    heading = view.t("pdf.recap.section.complaints")
    if not recap.complaints:
        return pdf.Section(heading, (view.t("pdf.none"),))
    statuses = [status.value for status in ComplaintStatus]
    statuses += sorted(s for s in recap.complaints_by_status if s not in statuses)

    def status_name(status: str) -> str:
        key = f"complaints.status.{status}"
        try:
            return view.t(key)
        except KeyError:
            return status

    rows = tuple(
        (view.category(line.category), view.n(line.total), view.n(line.urgent),
         *(view.n(line.by_status.get(status, 0)) for status in statuses))
        for line in recap.complaints
    ) + ((view.t("pdf.recap.total_row"), view.n(recap.total_complaints),
          view.n(recap.urgent_complaints),
          *(view.n(recap.complaints_by_status.get(status, 0)) for status in statuses)),)
    headers = view.col("category", "total", "urgent") + tuple(status_name(s) for s in statuses)
    table = pdf.Table(headers, rows, widths=(5, 2, 2, *(2 for _ in statuses)),
                      align="L" + "R" * (len(headers) - 1), font_size=8.5)
    return pdf.Section(heading, table=table)


def _annex(view: _View, sources: RecapSources) -> pdf.Section:
    """The period's reports, one compact row each (about forty a page), times in WITA."""
    heading = view.t("pdf.recap.section.reports")
    if not sources.reports:
        return pdf.Section(heading, (view.t("pdf.none"),))
    rows = tuple(
        (view.n(index), line.report.number,
         (line.report.started_at or line.report.submitted_at).astimezone(view.tz).strftime(
             f"%d/%m/%Y {clock_format(view.language)}"),
         view.activity(line.report.activity_code), _name(line.officer),
         line.report.place or "-")
        for index, line in enumerate(sources.reports, start=1)
    )
    table = pdf.Table(view.col("index", "number", "date", "activity", "officer", "place"), rows,
                      widths=(2, 7, 5, 4, 6, 7), align="R", font_size=7.5, compact=True)
    return pdf.Section(heading, table=table)


def recap_document(
    texts: Texts,
    language: str,
    catalogue: Catalogue,
    precinct: Precinct,
    tz: ZoneInfo,
    sources: RecapSources,
) -> pdf.Document:
    """The recap PDF: tables with their charts, the closing and signatures, then the list."""
    view = _View(texts, language, catalogue, tz)
    signer = sources.signer
    return pdf.Document(
        letterhead=tuple(precinct.letterhead),
        title=view.t("pdf.recap.title"),
        subtitle=sources.units_text,
        number=sources.period_text,
        sections=(
            _activities(view, sources),
            _rate(view, sources),
            _officers(view, sources),
            _complaints(view, sources),
            pdf.Section(view.t("pdf.section.closing"), (view.t("pdf.recap.closing"),)),
        ),
        signature=pdf.Signature(
            place_date=place_date(texts, language, precinct.place, sources.issued_at, tz),
            role=view.t("pdf.recap.signer"),
            name=signer.full_name,
            rank_nrp=view.t("pdf.rank_nrp", rank=signer.rank or "",
                            nrp=signer.nrp or "-").strip(),
            witness=(view.t("pdf.recap.witness"),
                     view.t("pdf.recap.witness_role", precinct=precinct.name.upper())),
            witness_name=view.t("pdf.recap.witness_name"),
        ),
        annex=(_annex(view, sources),),
        page_label=view.t("pdf.page", page="{page}", pages="{pages}"),
        metadata_title=f"{view.t('pdf.recap.title')} {sources.period_text}",
        author=precinct.name,
    )
