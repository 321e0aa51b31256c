"""Photos as phones really send them: HEIC, 48 MP, missing EOI, odd shapes, tRNS, XMP (#11)."""

from __future__ import annotations

import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from domain.photos import PhotoProblem, PhotoRejected, PhotoStore, ingest_photo, telegram_photo_ok

TZ = ZoneInfo("Asia/Makassar")


def encode(img: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt, **params)
    return buffer.getvalue()


@pytest.fixture
def store(tmp_path: Path) -> PhotoStore:
    return PhotoStore(tmp_path / "photos")


def test_telegram_photo_rules() -> None:
    assert telegram_photo_ok(1600, 80)
    assert not telegram_photo_ok(10, 1600)
    assert not telegram_photo_ok(6000, 4001)


def test_extreme_aspect_ratio_is_refused_at_ingest(store: PhotoStore) -> None:
    with pytest.raises(PhotoRejected) as caught:
        ingest_photo(encode(Image.new("RGB", (193, 31237), "grey"), "JPEG"), store, tz=TZ)
    assert caught.value.reason is PhotoProblem.BAD_SHAPE
    assert caught.value.params["ratio"] == 162


def test_heic_is_stored_as_jpeg_copies(store: PhotoStore) -> None:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2026:11:28 08:15:30"
    data = encode(Image.new("RGB", (800, 600), (200, 30, 30)), "HEIF", exif=exif.tobytes())
    photo = ingest_photo(data, store, tz=TZ)
    assert (photo.original_format, photo.width, photo.height) == ("heic", 800, 600)
    assert photo.taken_at is not None
    with Image.open(store.web_path(photo.sha256)) as web:
        assert web.format == "JPEG"


def test_48_megapixel_jpeg_is_accepted(store: PhotoStore) -> None:
    data = encode(Image.new("RGB", (6048, 8064), (10, 120, 200)), "JPEG")
    photo = ingest_photo(data, store, tz=TZ)
    with Image.open(store.web_path(photo.sha256)) as web:
        assert web.size == (1200, 1600)


def test_jpeg_missing_only_its_end_marker_is_accepted(store: PhotoStore) -> None:
    data = encode(Image.effect_noise((640, 480), 40).convert("RGB"), "JPEG")
    photo = ingest_photo(data[:-2], store, tz=TZ)
    assert (photo.width, photo.height) == (640, 480)


def test_really_cut_jpeg_is_still_truncated(store: PhotoStore) -> None:
    data = encode(Image.effect_noise((640, 480), 40).convert("RGB"), "JPEG")
    with pytest.raises(PhotoRejected) as caught:
        ingest_photo(data[: len(data) // 2], store, tz=TZ)
    assert caught.value.reason is PhotoProblem.TRUNCATED


def test_rgb_png_with_trns_shows_white(store: PhotoStore) -> None:
    img = Image.new("RGB", (200, 100), (0, 255, 0))
    photo = ingest_photo(encode(img, "PNG", transparency=(0, 255, 0)), store, tz=TZ)
    with Image.open(store.web_path(photo.sha256)) as web:
        assert min(web.convert("RGB").getpixel((100, 50))) > 245  # type: ignore[arg-type]


def test_xmp_only_orientation_is_ignored(store: PhotoStore) -> None:
    img = Image.new("RGB", (200, 100), (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, 20, 20))
    xmp = b'<x:xmpmeta><rdf:Description tiff:Orientation="3"/></x:xmpmeta>'
    photo = ingest_photo(encode(img, "PNG", pnginfo=_xmp_info(xmp)), store, tz=TZ)
    with Image.open(store.web_path(photo.sha256)) as web:
        r, g, b = web.convert("RGB").getpixel((5, 5))  # type: ignore[misc]
        assert r > 200
        assert b < 60


def test_tiff_is_accepted(store: PhotoStore) -> None:
    photo = ingest_photo(encode(Image.new("RGB", (300, 200), "navy"), "TIFF"), store, tz=TZ)
    assert photo.original_format == "tiff"


def _xmp_info(xmp: bytes):  # type: ignore[no-untyped-def]
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp.decode())
    return info
