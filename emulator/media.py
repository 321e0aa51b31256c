"""Pillow helpers that imitate what Telegram does to photos.

Telegram re-encodes every photo as JPEG in a few sizes and drops its EXIF (GPS included); a file
sent as a document arrives byte for byte. The bot's privacy and location logic depends on that
difference, so the emulator reproduces it instead of passing bytes through.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

PHOTO_SIDES = (90, 320, 800, 1280)
JPEG_QUALITY = 87


@dataclass(frozen=True)
class PhotoSize:
    """One re-encoded size of a photo."""

    width: int
    height: int
    data: bytes


class NotAnImageError(ValueError):
    """The bytes are not an image Pillow can read."""


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height without decoding pixels (``Image.open`` is lazy)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                return img.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise NotAnImageError(str(exc)) from exc


def compress_photo(data: bytes) -> list[PhotoSize]:
    """Re-encode like Telegram: JPEG, EXIF dropped, long side 90/320/800/1280.

    Sizes smaller than the original are produced for each standard side; the largest entry is
    the original size capped at 1280, so a 1000 px photo yields 90, 320, 800 and 1000 (as
    Telegram does) and a 60 px photo yields a single 60 px size.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                largest = max(opened.size)
                target = min(largest, PHOTO_SIDES[-1])
                scale = target / largest
                opened.draft(
                    "RGB",
                    (max(1, round(opened.size[0] * scale)), max(1, round(opened.size[1] * scale))),
                )
                img = ImageOps.exif_transpose(opened)
                img = _to_rgb(img)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise NotAnImageError(str(exc)) from exc
    long_side = max(img.size)
    sides = [s for s in PHOTO_SIDES if s < long_side] + [min(long_side, PHOTO_SIDES[-1])]
    sizes: list[PhotoSize] = []
    current = img
    for side in sorted(set(sides), reverse=True):
        scale = side / max(current.size)
        if scale < 1:
            new = (max(1, round(current.size[0] * scale)), max(1, round(current.size[1] * scale)))
            current = current.resize(new, Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        current.save(buf, format="JPEG", quality=JPEG_QUALITY)
        sizes.append(PhotoSize(current.size[0], current.size[1], buf.getvalue()))
    sizes.reverse()
    return sizes


def _to_rgb(img: Image.Image) -> Image.Image:
    """Flatten transparency onto white, as Telegram shows transparent PNGs."""
    if img.mode in ("RGBA", "LA", "P"):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def has_exif(data: bytes) -> bool:
    """Whether the image carries EXIF (used by tests to prove compression strips it)."""
    with Image.open(io.BytesIO(data)) as img:
        return bool(img.getexif())


def make_jpeg(
    width: int = 640,
    height: int = 480,
    *,
    color: tuple[int, int, int] = (30, 90, 160),
    gps: tuple[float, float] | None = None,
) -> bytes:
    """Small JPEG for tests, optionally with EXIF GPS like a phone camera writes."""
    img = Image.new("RGB", (width, height), color)
    buf = io.BytesIO()
    if gps is None:
        img.save(buf, format="JPEG")
        return buf.getvalue()
    img.save(buf, format="JPEG", exif=_camera_exif(gps, None))
    return buf.getvalue()


def make_heic(
    width: int = 640,
    height: int = 480,
    *,
    color: tuple[int, int, int] = (30, 90, 160),
    taken_at: str | None = None,
    gps: tuple[float, float] | None = None,
) -> bytes:
    """A phone HEIC (what iPhones send as a file), with EXIF time and GPS when given.

    ``taken_at`` is EXIF's ``"YYYY:MM:DD HH:MM:SS"`` local time, as the camera writes it.
    """
    import pillow_heif

    pillow_heif.register_heif_opener()
    img = Image.new("RGB", (width, height), color)
    buf = io.BytesIO()
    exif = _camera_exif(gps, taken_at)
    img.save(buf, format="HEIF", exif=exif.tobytes())
    return buf.getvalue()


def _camera_exif(gps: tuple[float, float] | None, taken_at: str | None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "EmulatorCam"  # Make
    if taken_at is not None:
        exif.get_ifd(0x8769)[0x9003] = taken_at  # DateTimeOriginal
    if gps is not None:
        gps_ifd = exif.get_ifd(0x8825)
        lat, lon = gps
        gps_ifd[1] = "N" if lat >= 0 else "S"
        gps_ifd[2] = _dms(abs(lat))
        gps_ifd[3] = "E" if lon >= 0 else "W"
        gps_ifd[4] = _dms(abs(lon))
    return exif


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes_float = (value - degrees) * 60
    minutes = int(minutes_float)
    seconds = round((minutes_float - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)
