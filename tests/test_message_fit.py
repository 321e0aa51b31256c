"""Messages built from what people typed fit Telegram's limits and stay valid HTML."""

from __future__ import annotations

from emulator.entities import parse_html, utf16_len
from ui.messages import esc, html_length, shorten_html, split_html


def test_long_html_is_split_at_lines_into_valid_parts_within_the_limit():
    typed = esc("<b>&amp;< pencurian & narkoba >") * 40
    text = "<b>Periksa laporan</b>\n" + "\n".join(f"<i>{i}. {typed}</i>" for i in range(12))
    parts = split_html(text)
    assert len(parts) > 1
    for part in parts:
        plain, _ = parse_html(part)  # the emulator's Telegram parser: raises on bad HTML
        assert utf16_len(plain) <= 4096
    assert sum(html_length(p) for p in parts) + len(parts) - 1 == html_length(text)


def test_a_tag_open_across_a_cut_is_closed_and_reopened():
    text = "<b>" + "\n".join("y" * 100 for _ in range(100)) + "</b>"
    parts = split_html(text)
    assert len(parts) == 3
    assert all(p.startswith("<b>") and p.endswith("</b>") for p in parts)


def test_one_line_too_long_is_shortened_with_an_ellipsis():
    parts = split_html("<b>a</b> " + "z&amp;" * 3000)
    assert len(parts) == 1
    plain, _ = parse_html(parts[0])
    assert len(plain) == 4096
    assert plain.endswith("…")
    assert utf16_len(parse_html(shorten_html("😀" * 3000, 1024))[0]) <= 1024


async def test_a_refused_album_still_reaches_the_officer_as_files_and_leaders_are_told(
    harness, emu
):
    from tests.support.reports import fill_sapta, seed

    officer, kanit = await seed(harness, emu)
    await fill_sapta(officer)
    emu.fail_next("sendMediaGroup", kind="bad_request",
                  description="Bad Request: PHOTO_INVALID_DIMENSIONS")
    emu.fail_next("sendPhoto", kind="bad_request", times=2,
                  description="Bad Request: PHOTO_INVALID_DIMENSIONS")
    await officer.press("📤 Kirim laporan")
    async with harness.db.reading() as repos:
        assert len(await repos.reports.all()) == 1
    assert [m.kind for m in officer.messages].count("document") == 2
    assert "sebagai file" in officer.last.content
    assert any("LAP/SAPTA/2026/11/0001" in text for text in kanit.texts)


async def test_an_expired_button_press_that_fails_is_still_told_in_the_chat(harness, emu):
    from tests.support.reports import seed

    officer, _ = await seed(harness, emu)
    await officer.send("/lapor")
    emu.fail_next("answerCallbackQuery", kind="bad_request", times=2, description=(
        "Bad Request: query is too old and response timeout expired or query ID is invalid"))
    # A late answer alone stops nothing (test_telegram_fidelity); a failure after it must
    # still reach the person, whose press can no longer be answered.
    emu.fail_next("sendMessage", kind="bad_request")
    await officer.press("POS SAPTA")
    assert "Maaf, terjadi gangguan" in officer.last.content


def test_a_shortened_text_says_where_the_rest_is_and_still_fits():
    lines = "\n".join(f"• <b>Petugas {n}</b> — POS SAPTA &amp; keluhan" for n in range(400))
    short = shorten_html(lines, more="selengkapnya: /rekap")
    assert short.endswith("\n… selengkapnya: /rekap")
    assert utf16_len(parse_html(short)[0]) <= 4096
    assert shorten_html("pendek", more="selengkapnya: /rekap") == "pendek"
    exact = "x" * 4096  # fits whole: nothing is cut for the tail's sake
    assert shorten_html(exact, more="selengkapnya: /rekap") == exact
