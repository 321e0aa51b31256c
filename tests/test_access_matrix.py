"""Every command × every kind of person, generated from the policy table."""

from __future__ import annotations

import pytest

from bot.commands import all_commands
from bot.i18n import Translator
from domain.access import POLICY, Refusal
from domain.people import Status
from emulator import Emulator
from tests.harness import BotHarness

PERSONAS = {
    # name: (role, status, unit) — None for someone the bot has never seen
    "unregistered": None,
    "pending": ("banit", Status.PENDING, "binkamsa"),
    "suspended": ("kanit", Status.SUSPENDED, "binkamsa"),
    "rejected": ("banit", Status.REJECTED, "binkamsa"),
    "banit": ("banit", Status.ACTIVE, "binkamsa"),
    "kanit": ("kanit", Status.ACTIVE, "binkamsa"),
    "kasat": ("kasat", Status.ACTIVE, "satbinmas"),
    "admin": ("admin", Status.ACTIVE, None),
}
EXPECTED_REFUSAL = {
    "unregistered": Refusal.UNREGISTERED,
    "rejected": Refusal.UNREGISTERED,
    "pending": Refusal.PENDING,
    "suspended": Refusal.SUSPENDED,
}
TEXTS = Translator.load()
REFUSALS = {reason: TEXTS("id", f"access.{reason.value}") for reason in Refusal}


def expected(persona: str, audience: str) -> Refusal | None:
    if audience == "anyone":
        return None
    if persona in EXPECTED_REFUSAL:
        return EXPECTED_REFUSAL[persona]
    if audience == "leader" and persona == "banit":
        return Refusal.NOT_LEADER
    if audience == "admin" and persona != "admin":
        return Refusal.NOT_ADMIN
    return None


CASES = [
    pytest.param(command.name, persona, id=f"{command.name}-{persona}")
    for command in all_commands()
    if command.private
    for persona in PERSONAS
]


@pytest.mark.parametrize(("command_name", "persona"), CASES)
async def test_command_allowed_or_refused_as_the_policy_says(
    harness: BotHarness, emu: Emulator, command_name: str, persona: str
):
    command = next(c for c in all_commands() if c.name == command_name)
    user = emu.user(3000, "Tester")
    spec = PERSONAS[persona]
    if spec is not None:
        role, status, unit = spec
        await harness.seed_officer(
            user, name="Tes Ter", nrp="33330000", unit=unit or "binkamsa", role=role, status=status
        )
    await user.send(f"/{command.name}")

    replies = [message.text or message.caption or "" for message in user.messages]
    assert replies, "every command gets an answer"
    refusal = expected(persona, POLICY[command.action].value)
    if refusal is None:
        # Commands open to anyone may still tell a pending or suspended person where they stand.
        own_status = (
            REFUSALS.get(EXPECTED_REFUSAL[persona]) if persona in EXPECTED_REFUSAL else None
        )
        refusals = set(REFUSALS.values()) - {own_status}
        assert not any(text in refusals for text in replies), replies
    else:
        assert replies[-1] == REFUSALS[refusal], replies
