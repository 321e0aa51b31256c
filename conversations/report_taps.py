"""What a report-form button does: the verb after the draft id and version in its data.

One enum for the form's keyboards (``report_view``, ``report_place``) and its dispatcher
(``report.on_button``), so what a button packs and what answers it cannot drift apart. The
values are what is on the wire: buttons already in chats keep working.
"""

from __future__ import annotations

from enum import StrEnum


class Tap(StrEnum):
    """A report button's action."""

    NEW = "new"  # the activity menu: open a draft of this activity (not bound to a draft)
    # The draft as a whole, at any step.
    RESUME = "resume"
    DISCARD = "discard"  # discard and show the activity menu
    DROP = "drop"  # /batal confirmed: discard
    STAY = "stay"  # /batal declined: ask the current step again
    CANCEL = "cancel"  # ask whether to discard
    BACK = "back"
    # The review card.
    EDIT = "edit"
    SUBMIT = "submit"
    SAVE = "save"  # save a correction
    # A question of the form.
    KEEP = "keep"  # keep the answer already given
    PRESET = "pre"  # revisit a question answered for the officer
    SAME = "same"  # the previous report's answer
    SKIP = "skip"
    OPTION = "opt"
    TOGGLE = "tog"
    DONE = "done"
    NOW = "now"  # the time range ending now
    TIME_OK = "tok"  # confirm a time range that raised a warning
    ACK = "ack"  # acknowledge the warnings
    KELURAHAN = "kel"  # the place step: pick a kelurahan (its code follows)
    EQUIPMENT = "eq"
    EQUIPMENT_ALL = "eqall"
    # The complaints step.
    CATEGORY = "cat"
    NO_COMPLAINTS = "none"
    URGENCY = "urg"
    COMPLAINT_SET = "cset"  # type a part of the complaint (place, name, contact)
    COMPLAINT_CARD = "ccard"  # back to the complaint's card
    COMPLAINT_SAVE = "csave"
    COMPLAINT_MORE = "cmore"  # save it and record another
