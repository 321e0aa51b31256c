"""The emulator's HTML parser accepts what Telegram accepts (Bot API 10.1 formatting)."""

from emulator.entities import parse_html


def test_expandable_blockquote_without_a_value_is_accepted() -> None:
    # Telegram's own example: ``<blockquote expandable>``; the emulator used to refuse it
    # ("Expected equal sign in declaration of an attribute").
    assert parse_html("<blockquote expandable>Rincian</blockquote>") == (
        "Rincian",
        [{"type": "expandable_blockquote", "offset": 0, "length": 7}],
    )


def test_tg_time_is_a_date_time_entity() -> None:
    # Bot API 10 added ``<tg-time>``; the emulator refused it as an unsupported tag.
    assert parse_html('<tg-time unix="1764295200" format="wDT">Sabtu 10:00</tg-time>') == (
        "Sabtu 10:00",
        [
            {
                "type": "date_time",
                "offset": 0,
                "length": 11,
                "unix_time": 1764295200,
                "date_time_format": "wDT",
            }
        ],
    )
