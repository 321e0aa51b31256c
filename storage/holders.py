"""Whose stored things are: what the button gate asks before any handler runs."""

from __future__ import annotations

from collections.abc import Iterable

from domain.access import Holder, Kind
from storage.base import Repository

# One SELECT per kind, each giving (id, unit, people as a comma list); joined by UNION ALL.
_SELECTS: dict[Kind, str] = {
    Kind.OFFICER: "SELECT 'officer', id, unit_code, CAST(id AS TEXT) FROM officers"
                  " WHERE id IN ({})",
    Kind.REPORT: "SELECT 'report', id, unit_code, CAST(officer_id AS TEXT) FROM reports"
                 " WHERE id IN ({})",
    Kind.COMPLAINT: "SELECT 'complaint', c.id, r.unit_code, r.officer_id || ','"
                    " || COALESCE(CAST(c.assigned_to AS TEXT), '') FROM complaints c"
                    " JOIN reports r ON r.id = c.report_id WHERE c.id IN ({})",
    Kind.POST: "SELECT 'post', a.id, a.unit_code, (SELECT {concat}"
               " FROM assignment_officers o WHERE o.assignment_id = a.id) FROM assignments a"
               " WHERE a.id IN ({marks})",
    Kind.DRAFT: "SELECT 'draft', id, NULL, CAST(officer_id AS TEXT) FROM report_drafts"
                " WHERE id IN ({})",
}


_CONCAT_SQLITE = "group_concat(o.officer_id)"
_CONCAT_PG = "string_agg(CAST(o.officer_id AS TEXT), ',')"


class HolderRepository(Repository):
    """Resolves ids of several kinds in one statement."""

    async def of(self, wanted: Iterable[tuple[Kind, int]]) -> dict[tuple[Kind, int], Holder]:
        """The holder of every (kind, id) that exists; missing ones are left out."""
        by_kind: dict[Kind, list[int]] = {}
        for kind, number in wanted:
            if kind in _SELECTS:
                by_kind.setdefault(kind, []).append(number)
        if not by_kind:
            return {}
        parts, params = [], []
        concat = _CONCAT_PG if self.postgres else _CONCAT_SQLITE
        for kind, numbers in by_kind.items():
            marks = ",".join("?" * len(numbers))
            select = _SELECTS[kind]
            parts.append(
                select.format(concat=concat, marks=marks) if kind is Kind.POST
                else select.format(marks)
            )
            params.extend(numbers)
        found: dict[tuple[Kind, int], Holder] = {}
        for row in await self._all(" UNION ALL ".join(parts), params):
            people = frozenset(int(p) for p in str(row[3] or "").split(",") if p)
            found[(Kind(row[0]), int(row[1]))] = Holder(row[2], people)
        return found
