"""Hostile images through the bot (issue #19, resources): bombs and odd files at the photo step.

Each file is generated here (nothing is checked in): extreme shapes, text and colour-profile
chunks that inflate to 200 MB, cut and empty files, garbage behind a JPEG signature, animation,
a 30 000² header, a 16-bit 6 300² PNG and a 6 000² GIF of a few kilobytes. Each is sent at the
photo step as a file, and as a photo where a client could deliver it as one (the bytes as
they are: a hostile client, not Telegram's recompression). Every one gets an answer — the
refusal for its reason, in the officer's language, with the draft unchanged, or the photo
stored — nothing reaches the error handler, the report is then submitted, another officer is
still answered, and the peak memory growth (the bot's process and its photo workers) is
printed and bounded.
"""

from __future__ import annotations

import asyncio
import gc
import io
import logging
import random
import struct
import tomllib
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from emulator import Emulator
from emulator.harness import BotHarness
from emulator.media import make_jpeg
from tests.support.reports import draft_of, seed, walk_rest
from tests.support.resources import peak_mb, reset_peak

LOCALES = Path(__file__).resolve().parents[1] / "ui" / "locales"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PEAK_GROWTH_MB = 600
"""Bound on the peak RSS growth of the bot's process and its photo workers over the run: the
largest accepted input decodes to 40 MP; the 200 MB chunks and the 900 MP header must cost
nothing."""
AT_ONCE_GROWTH_MB = 900
"""Eight 16-bit 6300² PNGs at once: the photo workers take them in turn, and in threads
(``PHOTO_WORKERS=0``) the decode budget (``domain.imaging``, 512 MB) makes them wait their turn
rather than add up to eight peaks. Counted over this process and its workers."""


@dataclass(frozen=True)
class Hostile:
    name: str
    data: bytes
    file_name: str
    mime: str
    outcome: str
    """``accepted`` or the refusal's catalogue key under ``reports.photo``."""
    as_photo: bool = False
    """Whether a client could send the bytes as a photo (they have a readable size)."""


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _after_header(png: bytes, chunk: bytes) -> bytes:
    """``chunk`` inserted right after IHDR (8 bytes of signature, 25 of IHDR)."""
    return png[:33] + chunk + png[33:]


def _header_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of any size, built row by row without holding its pixels."""
    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (PNG_SIGNATURE + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat)
            + _chunk(b"IEND", b""))


def hostile_images() -> list[Hostile]:
    rng = random.Random(19)
    base = _png(Image.new("RGB", (800, 600), (20, 80, 120)))
    inflating = zlib.compress(b"\x00" * 200_000_000, 9)
    frames = [Image.new("RGB", (400, 300), colour) for colour in ("red", "green", "blue")]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:])
    jpeg = make_jpeg(1200, 900)
    sixteen = io.BytesIO()
    Image.new("I;16", (6300, 6300), 30000).save(sixteen, "PNG")
    big_gif = io.BytesIO()
    Image.new("P", (6000, 6000), 3).save(big_gif, "GIF")
    png, jpg = "image/png", "image/jpeg"
    return [
        Hostile("60000x1", _png(Image.new("RGB", (60000, 1))), "wide.png", png, "too_small",
                as_photo=True),
        Hostile("1x60000", _png(Image.new("RGB", (1, 60000))), "tall.png", png, "too_small",
                as_photo=True),
        Hostile("zTXt to 200 MB", _after_header(base, _chunk(
            b"zTXt", b"Comment\x00\x00" + inflating)), "text.png", png, "damaged"),
        Hostile("iCCP to 200 MB", _after_header(base, _chunk(
            b"iCCP", b"icc\x00\x00" + inflating)), "icc.png", png, "damaged"),
        Hostile("JPEG cut in half", jpeg[: len(jpeg) // 2], "half.jpg", jpg, "truncated"),
        Hostile("JPEG header only", jpeg[:600], "head.jpg", jpg, "damaged"),
        Hostile("empty", b"", "empty.jpg", jpg, "not_image"),
        Hostile("garbage", rng.randbytes(4096), "noise.jpg", jpg, "not_image"),
        Hostile("garbage behind a JPEG signature", b"\xff\xd8\xff\xe0" + rng.randbytes(4096),
                "magic.jpg", jpg, "damaged"),
        Hostile("animated GIF", gif.getvalue(), "anim.gif", "image/gif", "animated",
                as_photo=True),
        Hostile("30000² header", _header_bomb(30000, 30000), "bomb.png", png, "too_large"),
        Hostile("SVG with a script", b'<svg xmlns="http://www.w3.org/2000/svg" width="9"'
                b' height="9"><script>alert(1)</script></svg>', "x.svg", "image/svg+xml",
                "unsupported"),
        Hostile("16-bit 6300² PNG", sixteen.getvalue(), "grey16.png", png, "accepted",
                as_photo=True),
        Hostile("6000² GIF", big_gif.getvalue(), "flat.gif", "image/gif", "accepted",
                as_photo=True),
    ]


def refusal_texts() -> dict[str, str]:
    """Each refusal's Indonesian text up to its first placeholder (read from the catalogue,
    so the test does not call the bot's own translator)."""
    catalogue = tomllib.loads((LOCALES / "reports.id.toml").read_text(encoding="utf-8"))
    return {key: text.split("{")[0] for key, text in catalogue["reports"]["photo"].items()
            if isinstance(text, str)}


async def test_hostile_images_get_a_clear_answer_and_the_bot_stays_up(
    harness: BotHarness, emu: Emulator, caplog: pytest.LogCaptureFixture
):
    officer, kanit = await seed(harness, emu)
    await officer.send("/lapor")
    await officer.press("POS SAPTA")
    await walk_rest(officer, photos=0, until=lambda text: "Kirim foto dokumentasi" in text)
    texts = refusal_texts()
    cases = hostile_images()
    gc.collect()
    reset_peak()
    before_mb = peak_mb()
    caplog.set_level(logging.ERROR)
    tried = refused = accepted = 0
    for case in cases:
        sends = [("file", lambda c=case: officer.send_document(c.data, c.file_name, c.mime))]
        if case.as_photo:
            sends.append(("photo", lambda c=case: officer.send_photo(c.data, compress=False)))
        for how, send in sends:
            draft = await draft_of(harness, officer)
            photos_before = len(draft.answers.get("photos", []))
            count = len(officer.messages)
            await send()
            tried += 1
            where = f"{case.name} as a {how}"
            assert len(officer.messages) > count, f"no answer to {where}"
            after = await draft_of(harness, officer)
            if case.outcome == "accepted":
                accepted += 1
                stored = after.answers.get("photos", [])
                # Sent as a file and then as a photo: the same bytes are one photo.
                assert len(stored) == photos_before + (how == "file"), where
                assert "Periksa laporan" in officer.last.text, where
            else:
                refused += 1
                assert texts[case.outcome] in officer.last.text, (where, officer.last.text)
                assert after == draft, f"{where} changed the draft"
    grown = peak_mb() - before_mb
    print(f"hostile images: {len(cases)} files, {tried} sends, {refused} refused with their"
          f" reason, {accepted} accepted; peak RSS +{grown} MB")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert grown < PEAK_GROWTH_MB

    await officer.press("📤 Kirim laporan")
    assert any("LAP/SAPTA/2026/11/0001" in (m.text or m.caption or "")
               for m in officer.messages), [m.content for m in officer.messages[-3:]]
    await kanit.send("/bantuan")
    assert kanit.last.text  # the bot still answers everyone


def sixteen_bit_png(level: int) -> bytes:
    """A 6300² 16-bit grey PNG of a few hundred kilobytes that decodes to 79 MB."""
    out = io.BytesIO()
    Image.new("I;16", (6300, 6300), level).save(out, "PNG")
    return out.getvalue()


async def test_eight_large_images_at_once_wait_their_turn(
    harness: BotHarness, emu: Emulator, caplog: pytest.LogCaptureFixture
):
    officers = [emu.user(3001 + number, f"Petugas {number}") for number in range(8)]
    for number, officer in enumerate(officers):
        await harness.seed_officer(officer, name=f"Petugas {number}", nrp=f"8705020{number}",
                                   unit="binkamsa")
        await officer.send("/lapor")
        await officer.press("POS SAPTA")
        await walk_rest(officer, photos=0, until=lambda text: "Kirim foto dokumentasi" in text)
    files = [sixteen_bit_png(20000 + number) for number in range(8)]
    gc.collect()
    reset_peak()
    before_mb = peak_mb()
    caplog.set_level(logging.ERROR)
    await asyncio.gather(*(officer.send_document(data, "grey16.png", "image/png")
                           for officer, data in zip(officers, files, strict=True)))
    grown = peak_mb() - before_mb
    print(f"eight 16-bit 6300² PNGs at once: peak RSS +{grown} MB")
    for officer in officers:
        assert "Periksa laporan" in officer.last.text
        assert len((await draft_of(harness, officer)).answers["photos"]) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert grown < AT_ONCE_GROWTH_MB
