"""The emulator's HTML parser accepts what Telegram accepts (Bot API 10.1 formatting)."""

from emulator.entities import parse_html


def test_expandable_blockquote_without_a_value_is_accepted() -> None:
    # Telegram's own example: ``<blockquote expandable>``; the emulator used to refuse it
    # ("Expected equal sign in declaration of an attribute").
    assert parse_html("<blockquote expandable>Rincian</blockquote>") == (
        "Rincian",
        [{"type": "expandable_blockquote", "offset": 0, "length": 7}],
    )
