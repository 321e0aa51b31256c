"""The typed views of ``Draft.work`` read and write the JSON drafts have always stored."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from domain import reports as flow
from domain.answers import EquipmentState, TimeRange
from domain.draft_work import (
    ChoiceWork,
    ComplaintPhase,
    ComplaintsWork,
    EquipmentWork,
    TimeWork,
)
from domain.reports import Draft
from emulator import Emulator
from emulator.harness import BotHarness
from tests.support.reports import draft_of, seed, walk_rest

CURRENT = {"category": "pencurian", "description": "Motor hilang", "urgency": "segera"}
ITEM = {"category": "lainnya", "description": "Lampu jalan mati", "place": "Jl. A",
        "urgency": "biasa", "resident_name": None, "resident_contact": None}


def _draft(work: dict[str, object]) -> Draft:
    return Draft(id=1, officer_id=1, activity_code="sapta", step="keluhan", work=work)


def test_a_fresh_question_has_the_defaults() -> None:
    assert ComplaintsWork.of({}) == ComplaintsWork(ComplaintPhase.MENU, (), {})
    assert TimeWork.of({}).pending is None
    assert EquipmentWork.of({}) == EquipmentWork(None, asking_reasons=False)
    assert ChoiceWork.of({}).selected == ()


def test_complaints_work_reads_what_is_stored_and_the_phases_before_the_card() -> None:
    stored = {"phase": "card", "items": [ITEM], "current": CURRENT, "back_to": "x"}
    work = ComplaintsWork.of(stored)
    assert (work.phase, work.items, work.current) == ("card", (ITEM,), CURRENT)
    assert [c.description for c in work.complaints()] == ["Lampu jalan mati"]
    assert ComplaintsWork.of({"phase": "category"}).phase is ComplaintPhase.MENU
    assert ComplaintsWork.of({"phase": "urgency"}).phase is ComplaintPhase.CARD
    assert ComplaintsWork.of({"phase": "from-a-newer-bot"}).phase == "from-a-newer-bot"
    work.current["x"] = 1  # type: ignore[index]  # a copy: the stored work is unchanged
    assert "x" not in stored["current"]  # type: ignore[operator]


def test_changes_write_only_the_keys_given_with_the_old_values() -> None:
    """What ``with_work(d, current=..., phase="card")`` wrote before, key for key."""
    draft = _draft({"phase": "description", "items": [ITEM], "current": {"category": "x"}})
    before = flow.with_work(draft, current=CURRENT, phase="card")
    after = flow.with_work(draft, **ComplaintsWork.changes(current=CURRENT,
                                                           phase=ComplaintPhase.CARD))
    assert json.dumps(after.work, sort_keys=True) == json.dumps(before.work, sort_keys=True)
    assert ComplaintsWork.changes(phase=ComplaintPhase.PLACE) == {"phase": "place"}
    assert ComplaintsWork.changes(items=[ITEM], phase=ComplaintPhase.MENU, current={}) == {
        "items": [ITEM], "phase": "menu", "current": {}}
    assert json.dumps(ComplaintsWork.changes(phase=ComplaintPhase.CARD)) == '{"phase": "card"}'


def test_time_equipment_and_choice_round_trip() -> None:
    typed = TimeRange(datetime(2026, 11, 28, 1, 0, tzinfo=UTC),
                      datetime(2026, 11, 28, 4, 0, tzinfo=UTC))
    work = TimeWork.changes(pending=typed)
    assert work == {"pending": typed.to_json()}
    assert TimeWork.of(work).pending == typed
    state = EquipmentState(("hp", "buku"), frozenset({"hp"}))
    assert EquipmentWork.changes(state=state) == {"state": state.to_json()}
    asked = EquipmentWork.changes(state=state, asking_reasons=True)
    assert asked == {"state": state.to_json(), "phase": "reasons"}
    assert EquipmentWork.of(asked) == EquipmentWork(state, asking_reasons=True)
    assert ChoiceWork.changes(selected=("a", "b")) == {"selected": ["a", "b"]}
    assert ChoiceWork.of({"selected": ["a", "b"]}).selected == ("a", "b")


async def test_a_draft_stored_before_the_compact_card_is_continued(harness: BotHarness,
                                                                    emu: Emulator) -> None:
    """A complaint card stored under its old phase name ("urgency") shows as the card, and
    saving it answers the question with that complaint."""
    officer, _ = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await walk_rest(officer, photos=1,
                    until=lambda text: "Pencurian" in str(officer.last.buttons))
    await officer.press("Pencurian")
    await officer.send("Sering terjadi pencurian motor di malam hari")
    draft = await draft_of(harness, officer)
    assert draft.work["phase"] == "card"
    async with harness.db.transaction() as tx:
        await tx.drafts.save(replace(draft, work={**draft.work, "phase": "urgency"}),
                             harness.clock.now())
    await officer.send("/lanjut")
    assert "✅ Simpan keluhan" in str(officer.last.buttons)
    await officer.press("✅ Simpan keluhan")
    assert "Foto dokumentasi" in officer.last.text  # the complaints are answered: next step
    saved = await draft_of(harness, officer)
    complaints = [value for value in saved.answers.values()
                  if isinstance(value, list) and value and isinstance(value[0], dict)]
    assert [item["description"] for item in complaints[0]] == [
        "Sering terjadi pencurian motor di malam hari"]
