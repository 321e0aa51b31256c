"""The territory part of the report form's place step: the officer's kelurahan as buttons and a
pin matched to the nearest kelurahan centre, for the officer to confirm or change.

Kept apart from the rest of the place step (pin, typed place, venue) so that both can change
independently: the step's work holds ``kel`` (the kelurahan chosen) and ``kel_guess`` (the one
a pin is nearest to); :func:`location_answer` turns the work into the stored answer.
"""

from __future__ import annotations

from typing import Any

from conversations.report_taps import Tap
from domain.answers import GeoPoint, Location
from domain.reports import Draft
from ui.messages import Button, chunked, esc
from ui.services import Services
from ui.territory import kelurahan_label

KELURAHAN_ACTION = Tap.KELURAHAN
"""The report button that picks a kelurahan at the place step (its argument: the code)."""


def resolve_pin(services: Services, pin: GeoPoint) -> str | None:
    """The code of the kelurahan whose centre is nearest to the pin, None outside the
    territory."""
    found = services.territory.nearest(pin.latitude, pin.longitude)
    return found.code if found is not None else None


def may_pick(draft: Draft, code: str) -> bool:
    """Whether a kelurahan button with ``code`` could be on the draft's place step."""
    return code in draft.areas or code == draft.work.get("kel_guess")


def picked(work: dict[str, Any], code: str) -> tuple[bool, dict[str, Any]]:
    """After a kelurahan button: whether the step is answered (a pin or a place was there
    already), and the work with the kelurahan set."""
    updated = {**work, "kel": code}
    return bool(work.get("pin") or work.get("place")), updated


def location_answer(work: dict[str, Any]) -> dict[str, Any]:
    """The stored answer of the place step's work: an unconfirmed guess counts once the
    officer continues past it (it was shown)."""
    location = Location.from_json({**work, "kel": work.get("kel") or work.get("kel_guess")})
    return {**location.to_json(), "live": work.get("live")}


def has_answer(work: dict[str, Any]) -> bool:
    """Whether the place step's work can be continued from."""
    return bool(work.get("pin") or work.get("place") or work.get("kel"))


def kelurahan_part(services: Services, draft: Draft, language: str, button: Any
                   ) -> tuple[list[str], list[list[Button]]]:
    """Lines and buttons of the place step for the territory: the officer's own kelurahan (one
    tap), or what a pin is near. ``button(draft, action, *args)`` builds callback data."""
    texts = services.texts
    work = draft.work
    chosen = work.get("kel")
    guess = None if chosen else work.get("kel_guess")
    # The other kelurahan stay on offer: a correction or a second thought changes it.
    own = [code for code in services.territory.ordered(draft.areas) if code not in (guess,
                                                                                  chosen)]
    buttons = [(kelurahan_label(services, code, language), button(draft, KELURAHAN_ACTION, code))
               for code in own]
    lines: list[str] = []
    rows: list[list[Button]] = []
    if chosen:
        lines.append(texts(language, "territory.place_chosen",
                           name=esc(services.territory.name_of(chosen))))
    elif guess:
        name = services.territory.name_of(guess)
        lines.append(texts(language, "territory.pin_near", name=esc(name)))
        rows.append([(texts(language, "territory.button.confirm", name=name),
                      button(draft, KELURAHAN_ACTION, guess))])
    elif work.get("pin"):
        lines.append(texts(language, "territory.pin_far", territory=esc(services.territory.name)))
    elif buttons:
        lines.append(texts(language, "territory.place_areas"))
    return lines, rows + chunked(buttons, 2)
