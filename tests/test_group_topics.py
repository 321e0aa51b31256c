"""Forum groups: a link made in a topic sends its summaries there, and falls back to General
once the topic is deleted (Telegram: "message thread not found")."""

from __future__ import annotations

import logging

import pytest

from emulator import Emulator
from emulator.harness import BotHarness
from tests.support.groups import SATURDAY_1900, SUNDAY_1900, cast, link_of, run_due


async def test_summaries_go_to_the_topic_the_group_was_linked_in(
    harness: BotHarness, emu: Emulator, caplog: pytest.LogCaptureFixture
):
    kanit, _, _, group, _ = await cast(harness, emu)
    topic = group.open_topic("Rekap Binkamsa")
    await kanit.send("/hubungkan", chat=group, topic=topic)
    assert "terhubung" in group.last.text
    assert group.last.thread_id == topic  # the answer is in the topic too
    stored = await link_of(harness)
    assert stored is not None
    assert stored.thread_id == topic

    harness.clock.set(SATURDAY_1900)
    before = len(group.messages)
    assert await run_due(harness) == 1
    daily = group.messages[before:]
    assert daily
    assert {message.thread_id for message in daily} == {topic}

    before = len(group.messages)
    await kanit.send("/rekap", chat=group, topic=topic)
    assert group.messages[before:]
    assert {message.thread_id for message in group.messages[before:]} == {topic}
    before = len(group.messages)
    await kanit.send("/rekap minggu", chat=group)  # asked in General: answered there
    assert {message.thread_id for message in group.messages[before:]} == {None}

    group.delete_topic(topic)
    harness.clock.set(SUNDAY_1900)
    before = len(group.messages)
    with caplog.at_level(logging.WARNING):
        assert await run_due(harness) == 2  # Sunday's daily and the weekly summary
    sunday = group.messages[before:]
    assert sunday
    assert {message.thread_id for message in sunday} == {None}  # General
    assert any(message.kind == "text" for message in sunday)
    gone = [call for call in emu.calls
            if not call.ok and call.error == "Bad Request: message thread not found"]
    assert len(gone) == 1  # tried once; the rest went to General straight away
    assert sum("is gone" in record.getMessage() for record in caplog.records) == 1
    stored = await link_of(harness)
    assert stored is not None
    assert stored.thread_id is None
    assert stored.active
    async with harness.db.reading() as repos:
        actions = [entry["action"] for entry in await repos.audit.recent()]
    assert "group.topic_gone" in actions


async def test_linking_again_in_another_topic_moves_the_summaries(
    harness: BotHarness, emu: Emulator
):
    kanit, _, _, group, _ = await cast(harness, emu)
    first = group.open_topic("Umum")
    second = group.open_topic("Rekap")
    await kanit.send("/hubungkan", chat=group, topic=first)
    await kanit.send("/hubungkan", chat=group, topic=first)
    assert "sudah terhubung" in group.last.text
    await kanit.send("/hubungkan", chat=group, topic=second)
    assert "sudah terhubung" not in group.last.text
    stored = await link_of(harness)
    assert stored is not None
    assert stored.thread_id == second
