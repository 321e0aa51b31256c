"""The kelurahan picker (kecamatan → kelurahan toggles → done) and territory labels.

Registration and the leaders' /anggota both bind officers to their kelurahan binaan with the
same buttons; each passes ``pack`` to build its own callback data from the picker's actions
(:class:`Pick`): ``akec`` (a kecamatan code, or ``-`` for the kecamatan list), ``akel`` (a
kelurahan code to toggle) and ``adone``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum

from domain.charts import GridCell, coverage_grid
from domain.coverage import Coverage
from domain.territory import Territory
from ui import callbacks
from ui.messages import Button, chunked, esc
from ui.services import Services

KECAMATAN_LIST = "-"
Pack = Callable[..., str]


class Pick(StrEnum):
    """What a kelurahan picker button does (the verb the caller's ``pack`` is given)."""

    KECAMATAN = "akec"  # show a kecamatan's kelurahan (or the list: KECAMATAN_LIST)
    KELURAHAN = "akel"  # tick or untick a kelurahan
    DONE = "adone"


def kelurahan_label(services: Services, code: str, language: str) -> str:
    """``Kel. Limba U II`` (plain text, for buttons): the code itself when unknown."""
    return services.texts(language, "territory.kelurahan", name=services.territory.name_of(code))


def areas_text(services: Services, codes: Iterable[str], language: str) -> str:
    """The kelurahan as one escaped line, in territory order (unknown codes last, as codes)."""
    listed = list(codes)
    territory = services.territory
    known = territory.ordered(listed)
    rest = sorted(set(listed) - set(known))
    names = [esc(kelurahan_label(services, code, language)) for code in (*known, *rest)]
    return ", ".join(names) if names else services.texts(language, "territory.none")


_VALID: dict[Pick, Callable[[Territory, str], bool]] = {
    Pick.KECAMATAN: lambda territory, value: (value == KECAMATAN_LIST
                                              or territory.has_kecamatan(value)),
    Pick.KELURAHAN: lambda territory, value: territory.has(value),
    Pick.DONE: lambda territory, value: False,  # carries no value
}
"""Whether a picker button's value could have been made from this territory, by action."""


def valid_pick(territory: Territory, action: str, value: str) -> bool:
    """Whether a picker button's value could have been made from this territory."""
    pick = callbacks.verb(Pick, action)
    return pick is not None and _VALID[pick](territory, value)


def toggled(picked: Sequence[str], code: str, territory: Territory) -> list[str]:
    """``picked`` with ``code`` added or removed, in territory order."""
    return territory.toggled(picked, code)


def area_picker(
    services: Services,
    language: str,
    *,
    picked: Sequence[str],
    kecamatan: str | None,
    pack: Pack,
) -> tuple[str, list[list[Button]]]:
    """The picker's text (what is chosen so far) and its buttons."""
    texts = services.texts
    territory = services.territory
    text = texts(language, "territory.picked", areas=areas_text(services, picked, language))
    rows: list[list[Button]]
    if kecamatan is None or not territory.has_kecamatan(kecamatan):
        counts = {k.code: sum(code in picked for code in (x.code for x in k.kelurahan))
                  for k in territory.kecamatan}
        rows = chunked([
            (texts(language, "territory.kecamatan_button", name=k.name, count=counts[k.code])
             if counts[k.code] else texts(language, "territory.kecamatan", name=k.name),
             pack(Pick.KECAMATAN, k.code))
            for k in territory.kecamatan
        ], 2)
        rows.append([(texts(language, "territory.button.done", count=len(picked)),
                      pack(Pick.DONE))])
        return text + "\n" + texts(language, "territory.choose_kecamatan"), rows
    chosen = territory.kecamatan_of(kecamatan)
    rows = chunked([
        (("✅ " if k.code in picked else "⬜ ") + k.name, pack(Pick.KELURAHAN, k.code))
        for k in chosen.kelurahan
    ], 2)
    rows.append([
        (texts(language, "territory.button.kecamatan_list"), pack(Pick.KECAMATAN, KECAMATAN_LIST)),
        (texts(language, "territory.button.done", count=len(picked)), pack(Pick.DONE)),
    ])
    heading = texts(language, "territory.choose_kelurahan", kecamatan=esc(chosen.name))
    return text + "\n" + heading, rows


# ---- coverage -------------------------------------------------------------------------------

def _names(services: Services, codes: Sequence[str], language: str) -> str:
    return areas_text(services, codes, language) if codes else "-"


def _counts(services: Services, counts: Sequence[tuple[str, int]], language: str) -> str:
    return ", ".join(
        services.texts(language, "territory.coverage_count",
                       name=esc(kelurahan_label(services, code, language)), count=count)
        for code, count in counts
    ) or "-"


def coverage_lines(services: Services, coverage: Coverage, language: str) -> list[str]:
    """Visited and not visited kelurahan binaan by activity (SAPTA first, others when they
    visited any), and complaints per kelurahan: lines for /rekap and the digests."""
    texts = services.texts
    if not coverage.kelurahan:
        return [texts(language, "territory.coverage_none")]
    lines = [texts(language, "territory.coverage_heading", visited=len(coverage.visited_any),
                   total=len(coverage.kelurahan))]
    for index, activity in enumerate(coverage.activities):
        visited = coverage.visited(activity)
        if index > 0 and not visited:
            continue
        name = esc(services.catalogue.activity(activity).name.get(language))
        lines.append(texts(language, "territory.coverage_visited", activity=name,
                           count=len(visited), areas=_names(services, visited, language)))
        missing = coverage.not_visited(activity)
        lines.append(texts(language, "territory.coverage_not_visited", activity=name,
                           count=len(missing), areas=_names(services, missing, language)))
    order = [*coverage.kelurahan,
             *sorted(set(coverage.complaints) - set(coverage.kelurahan))]
    complaints = [(code, coverage.complaints[code]) for code in order
                  if coverage.complaints.get(code)]
    lines.append(texts(language, "territory.coverage_complaints",
                       areas=_counts(services, complaints, language)))
    return lines


def group_counts_line(services: Services, coverage: Coverage, language: str) -> str | None:
    """Reports per kelurahan for a group summary (counts only), None when no report named one."""
    counts = [(code, coverage.total_visits(code)) for code in coverage.reported_in()]
    if not counts:
        return None
    return services.texts(language, "territory.group_counts",
                          areas=_counts(services, counts, language))


def coverage_picture(services: Services, coverage: Coverage, unit: str, period: str,
                     language: str) -> bytes:
    """The unit's kelurahan binaan as a grid coloured by visits, marked where residents
    complained (PNG, 1080 px wide; blocking: run it in a thread)."""
    texts = services.texts
    cells = [GridCell(services.territory.name_of(code), coverage.total_visits(code),
                      coverage.complaints.get(code, 0)) for code in coverage.kelurahan]
    return coverage_grid(
        texts(language, "territory.chart_title", unit=unit),
        texts(language, "territory.chart_subtitle", period=period),
        cells,
        legend=[texts(language, f"territory.chart_legend_{key}")
                for key in ("none", "visit", "complaint")],
        empty=texts(language, "territory.coverage_none"),
    )
