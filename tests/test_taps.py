"""The bench's ``taps`` section in CI: every report within its interaction target (#12)."""

from __future__ import annotations

from bench.taps import PLANS, measure


async def test_every_report_is_filed_within_its_interaction_target():
    results = await measure()
    assert [result.plan for result in results] == list(PLANS)
    over = [(r.plan.name, r.interactions, r.plan.target, r.steps) for r in results if not r.met]
    assert not over, over
