"""Photos as phones send them as files, through the bot: iPhone HEIC, octet-stream (#11)."""

from __future__ import annotations

import io

from PIL import Image

from emulator import Emulator
from emulator.harness import BotHarness
from emulator.media import make_heic, make_jpeg
from tests.support.reports import draft_of, seed, walk_rest

PLACE = (0.5412, 123.0595)


async def at_the_photo_step(harness: BotHarness, emu: Emulator):
    officer, _ = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await officer.press("✏️ Nomor Sprin")
    await officer.send("Sprin/12/XI/2026/Satbinmas")
    await walk_rest(officer, photos=0, until=lambda text: "Foto dokumentasi" in text)
    return officer


async def stored_photos(harness: BotHarness, officer) -> list[dict]:
    """The draft's photos: on the photo step, or (after the first one) on the review card."""
    draft = await draft_of(harness, officer)
    return list(draft.work.get("photos") or draft.answers.get("photos") or [])


async def test_an_iphone_heic_file_is_ingested_with_its_time_and_place(
    harness: BotHarness, emu: Emulator
):
    officer = await at_the_photo_step(harness, emu)
    await officer.send_heic(make_heic(1008, 756, taken_at="2026:11:28 08:15:30", gps=PLACE))
    assert "Foto dokumentasi: 1 foto" in officer.last.content  # the review card
    [photo] = await stored_photos(harness, officer)
    assert photo["taken_at"] == "2026-11-28T00:15:30+00:00"  # 08:15 WITA
    assert photo["gps"] == list(PLACE)
    assert (photo["width"], photo["height"]) == (1008, 756)
    web = harness.application.bot_data.services.photos.web_path(photo["sha256"])
    with Image.open(web) as copy:
        assert copy.format == "JPEG"

    await officer.send_heic(make_heic(640, 480, color=(200, 10, 10)), "IMG_0043.HEIC")
    second = (await stored_photos(harness, officer))[1]
    assert (second["taken_at"], second["gps"]) == (None, None)  # no EXIF: nothing made up

    await officer.press("📤 Kirim laporan")  # photos after the first join the review card
    async with harness.db.reading() as repos:
        [report] = await repos.reports.all()
        assert len(await repos.report_photos.of_report(report.id)) == 2
    album = emu.calls_to("sendMediaGroup")[-1]
    for data in album.files.values():
        with Image.open(io.BytesIO(data)) as sent:
            assert sent.format == "JPEG"


async def test_a_camera_jpeg_sent_as_octet_stream_is_ingested(
    harness: BotHarness, emu: Emulator
):
    officer = await at_the_photo_step(harness, emu)
    await officer.send_document(make_jpeg(1200, 900, gps=PLACE), "DSC_0001",
                                "application/octet-stream")
    assert "Foto dokumentasi: 1 foto" in officer.last.content  # the review card
    [photo] = await stored_photos(harness, officer)
    assert photo["gps"] == list(PLACE)
    assert (photo["width"], photo["height"]) == (1200, 900)


async def test_a_picture_too_large_says_to_send_it_as_a_photo_or_smaller(
    harness: BotHarness, emu: Emulator
):
    from tests.support.reports import huge_png
    from ui.i18n import Translator

    officer = await at_the_photo_step(harness, emu)
    await officer.send_document(huge_png(), "peta.png", "image/png")
    texts = Translator.load()
    assert officer.last.text == texts("id", "reports.photo.too_large")
    assert "kirim sebagai foto, bukan sebagai file" in officer.last.text
    assert "gambar yang lebih kecil" in officer.last.text
    assert await stored_photos(harness, officer) == []
    english = texts("en", "reports.photo.too_large")
    assert "send it as a photo, not as a file" in english
    assert "a smaller picture" in english
