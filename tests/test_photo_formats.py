"""Photos as phones send them: HEIC, 48 MP, no EOI, odd shapes, tRNS, XMP, ICC, CMYK (#11)."""

from __future__ import annotations

import io
import itertools
import struct
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageCms

from domain.imaging import PhotoProblem, PhotoRejected, ingest_photo, telegram_photo_ok
from storage.photos import PhotoStore

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


def test_rgba_and_palette_images_keep_their_colour_profile(store: PhotoStore) -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    rgba = Image.new("RGBA", (300, 200), (200, 30, 30, 255))
    palette = Image.new("RGB", (300, 200), (30, 200, 30)).convert("P")
    for img in (rgba, palette):
        photo = ingest_photo(encode(img, "PNG", icc_profile=profile), store, tz=TZ)
        for path in (store.web_path(photo.sha256), store.thumb_path(photo.sha256)):
            with Image.open(path) as copy:
                assert copy.info.get("icc_profile") == profile, (img.mode, path.name)


def cmyk_jpeg(profile: bytes | None) -> bytes:
    """Left half pure cyan ink, right half pure magenta."""
    img = Image.new("CMYK", (320, 160), (255, 0, 0, 0))
    img.paste((0, 255, 0, 0), (160, 0, 320, 160))
    params = {"icc_profile": profile} if profile else {}
    return encode(img, "JPEG", quality=95, **params)


def test_cmyk_jpeg_is_converted_to_srgb_through_its_profile(store: PhotoStore) -> None:
    """No print profile ships with this machine: a synthetic one (real ink colours for the
    corners of the CMYK cube) shows the conversion goes through the profile."""
    photo = ingest_photo(cmyk_jpeg(cmyk_profile()), store, tz=TZ)
    with Image.open(store.web_path(photo.sha256)) as web:
        assert web.mode == "RGB"
        assert "icc_profile" not in web.info  # now sRGB: the CMYK profile no longer fits
        cyan, magenta = web.getpixel((40, 80)), web.getpixel((280, 80))
    assert cyan == pytest.approx(INKS["c"], abs=8)  # naive would be (0, 255, 255)
    assert magenta == pytest.approx(INKS["m"], abs=8)  # naive would be (255, 0, 255)


def test_cmyk_jpeg_without_a_profile_is_converted_by_formula(store: PhotoStore) -> None:
    photo = ingest_photo(cmyk_jpeg(None), store, tz=TZ)
    with Image.open(store.web_path(photo.sha256)) as web:
        assert web.mode == "RGB"
        assert web.getpixel((40, 80)) == pytest.approx((0, 255, 255), abs=8)


INKS = {"c": (0, 158, 224), "m": (226, 0, 122), "y": (255, 237, 0), "k": (35, 31, 32)}
"""sRGB of each process ink alone on paper (approximate real inks, far from the formula)."""
D50 = (0.9642, 1.0, 0.8249)


def _linear(v: float) -> float:
    v /= 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def _encoded(t: float) -> float:
    t = max(0.0, min(1.0, t))
    return 255 * (12.92 * t if t <= 0.0031308 else 1.055 * t ** (1 / 2.4) - 0.055)


def _lab_d50(rgb: list[float]) -> tuple[float, float, float]:
    """sRGB to CIE Lab (D50, Bradford-adapted): the PCS of an ICC profile."""
    r, g, b = (_linear(v) for v in rgb)
    xyz = (0.4360747 * r + 0.3850649 * g + 0.1430804 * b,
           0.2225045 * r + 0.7168786 * g + 0.0606169 * b,
           0.0139322 * r + 0.0971045 * g + 0.7141733 * b)

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = (f(v / w) for v, w in zip(xyz, D50, strict=True))
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def _corner(inks: tuple[int, ...]) -> tuple[float, float, float]:
    """Lab of a corner of the CMYK cube: the inks' reflectances multiplied."""
    reflectance = [1.0, 1.0, 1.0]
    for on, ink in zip(inks, "cmyk", strict=True):
        if on:
            reflectance = [a * _linear(v) for a, v in zip(reflectance, INKS[ink], strict=True)]
    return _lab_d50([_encoded(t) for t in reflectance])


def cmyk_profile() -> bytes:
    """A minimal ICC v2 CMYK input profile: one lut8 A2B0 with a 2-point grid to Lab."""
    clut = b""
    for inks in itertools.product((0, 1), repeat=4):
        lightness, a, b = _corner(inks)
        clut += bytes([round(lightness * 255 / 100), round(a + 128), round(b + 128)])
    ramp = bytes(range(256))
    identity = struct.pack(">9i", 65536, 0, 0, 0, 65536, 0, 0, 0, 65536)
    lut = b"mft1" + bytes(4) + bytes([4, 3, 2, 0]) + identity + ramp * 4 + clut + ramp * 3
    name = b"Synthetic CMYK test\0"
    desc = b"desc" + bytes(4) + struct.pack(">I", len(name)) + name + bytes(12 + 67)
    white = struct.pack(">3i", *(round(v * 65536) for v in D50))
    tags = [(b"desc", desc), (b"wtpt", b"XYZ " + bytes(4) + white),
            (b"cprt", b"text" + bytes(4) + b"none\0"), (b"A2B0", lut)]
    tags = [(sig, data + bytes(-len(data) % 4)) for sig, data in tags]
    offset = 128 + 4 + 12 * len(tags)
    table, body = struct.pack(">I", len(tags)), b""
    for sig, data in tags:
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    header = struct.pack(">I", offset + len(body)) + b"lcms" + struct.pack(">I", 0x02100000)
    header += b"scnrCMYKLab " + bytes(12) + b"acsp" + bytes(28) + white
    return header + bytes(128 - len(header)) + table + body


def _xmp_info(xmp: bytes):  # type: ignore[no-untyped-def]
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp.decode())
    return info
