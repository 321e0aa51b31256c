"""Documentation photos: check, orient upright, shrink, read EXIF, stamp, lay out a sheet.

The files themselves are kept by ``storage/photos.py`` (``PhotoFiles`` is what is needed of it).

Everything here is blocking Pillow and file work; the bot runs it in worker processes
(``storage/photo_work.py``) so the event loop keeps answering other officers.

Two stages, because the stamp text (place, time, report number) is only final when the
report is submitted: :func:`ingest_photo` validates and stores an unstamped web copy and a
thumbnail as soon as the photo arrives, and :func:`stamp_photo` draws the documentation
stamp on a copy of the web image later. Originals are kept byte for byte for integrity.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import re
import struct
import threading
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from PIL import Image, ImageCms, ImageDraw, ImageFile, ImageFont, ImageOps

from domain.text import fit_width

try:  # HEIC/HEIF, what iPhones (and some Android phones) send as a file
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - the dependency is declared; refused as unsupported
    pass
else:
    register_heif_opener(thumbnails=False)

__all__ = [
    "MAX_DECODED_BYTES",
    "MAX_JPEG_PIXELS",
    "MIN_SIDE",
    "THUMB_MAX",
    "WEB_MAX",
    "IngestedPhoto",
    "PhotoCandidate",
    "PhotoProblem",
    "PhotoRejected",
    "PhotoFiles",
    "check_sha",
    "is_sha",
    "contact_sheet",
    "ensure_stored",
    "ingest_photo",
    "photo_hashes",
    "sniff_format",
    "spread_choice",
    "stamp_photo",
    "telegram_photo_ok",
]

STAMP_FONT = Path(__file__).resolve().parent / "fonts" / "Roboto-Medium.ttf"
"""Shipped with the project (Apache 2.0): Pillow's bundled font lacks "–" and accented letters."""

WEB_MAX = 1600
"""Long side of the web copy: sharp on any phone, well under Telegram's photo limits."""
THUMB_MAX = 320
"""Long side of the thumbnail (lists, contact sheets with small tiles)."""
MIN_SIDE = 64
"""Smaller than this on either side is an icon or a sticker, not documentation."""
WEB_QUALITY = 85
THUMB_QUALITY = 80
MAX_STAMP_LINES = 4

_META_VERSION = 1
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_FILE_MODE = 0o600
_DIR_MODE = 0o700
_TEMP_PREFIX, _TEMP_SUFFIX = ".tmp-", ".part"
_TEMP_GLOB = f"{_TEMP_PREFIX}*{_TEMP_SUFFIX}"

# Pillow format id -> (our format name, file extension). MPO is how Pillow names camera
# JPEGs carrying extra frames (preview, depth map): still a JPEG photo, first frame is it.
_FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("jpeg", "jpg"),
    "MPO": ("jpeg", "jpg"),
    "PNG": ("png", "png"),
    "WEBP": ("webp", "webp"),
    "GIF": ("gif", "gif"),
    "HEIF": ("heic", "heic"),
    "TIFF": ("tiff", "tif"),
}
_EXTENSIONS = ("jpg", "png", "webp", "gif", "heic", "tif")

# The EXIF orientation table of ImageOps.exif_transpose, applied to the already shrunk
# image without re-serialising EXIF we drop anyway (and immune to garbage EXIF).
_TRANSPOSE: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# What a hostile or broken file can make Pillow raise while decoding.
_DECODE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    struct.error,
)

# catch_warnings() swaps process-wide state: serialise our own uses of it.
_WARNINGS_LOCK = threading.Lock()

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_ORIENTATION = 0x0112
_DATETIME = 0x0132
_DATETIME_ORIGINAL = 0x9003
_DATETIME_DIGITIZED = 0x9004
_OFFSET_TIME = 0x9010
_OFFSET_TIME_ORIGINAL = 0x9011
_OFFSET_TIME_DIGITIZED = 0x9012
_OFFSET_RE = re.compile(r"^([+-])(\d{2}):?(\d{2})$")

# Characters the slim font bundled with Pillow lacks, mapped to ones it has.
_CHAR_FALLBACKS = {
    "\u2013": "-",
    "\u2014": "-",
    "\u2012": "-",
    "\u2212": "-",
    "\u2022": "\u00b7",
    "\u00a0": " ",
}


class PhotoProblem(StrEnum):
    """Why a photo was refused; the handler turns it into a friendly message."""

    NOT_IMAGE = "not_image"
    UNSUPPORTED = "unsupported"
    TRUNCATED = "truncated"
    DAMAGED = "damaged"
    TOO_LARGE = "too_large"
    ANIMATED = "animated"
    TOO_SMALL = "too_small"
    BAD_SHAPE = "bad_shape"
    FAILED = "failed"
    """Not the file's fault as far as anyone can tell: its processing died (a worker killed,
    out of memory) even when tried alone."""


class PhotoRejected(Exception):
    """The bytes are not a usable documentation photo; ``reason`` says why.

    ``params`` fill the refusal text (format, sizes, limits), so it names the real problem.
    """

    def __init__(self, reason: PhotoProblem, detail: str = "", **params: object) -> None:
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason = reason
        self.detail = detail
        self.params = params


@dataclass(frozen=True, slots=True)
class IngestedPhoto:
    """What the report needs to know about a stored photo.

    ``width``/``height`` are of the original, upright; ``taken_at`` is aware UTC.
    """

    sha256: str
    original_format: str
    width: int
    height: int
    size_bytes: int
    taken_at: datetime | None
    gps: tuple[float, float] | None

    @property
    def extension(self) -> str:
        """File extension of the stored original."""
        return _extension(self.original_format)

    def to_json(self) -> dict[str, Any]:
        """The sidecar form, so a repeated upload needs no decoding."""
        return {
            "version": _META_VERSION,
            "sha256": self.sha256,
            "original_format": self.original_format,
            "width": self.width,
            "height": self.height,
            "size_bytes": self.size_bytes,
            "taken_at": self.taken_at.isoformat() if self.taken_at else None,
            "gps": list(self.gps) if self.gps else None,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> IngestedPhoto:
        """Rebuild from the sidecar; raises KeyError/TypeError/ValueError if it is damaged."""
        taken = raw["taken_at"]
        gps = raw["gps"]
        taken_at = datetime.fromisoformat(taken).astimezone(UTC) if taken else None
        _extension(str(raw["original_format"]))
        return cls(
            sha256=check_sha(str(raw["sha256"])),
            original_format=str(raw["original_format"]),
            width=int(raw["width"]),
            height=int(raw["height"]),
            size_bytes=int(raw["size_bytes"]),
            taken_at=taken_at,
            gps=(float(gps[0]), float(gps[1])) if gps else None,
        )


class PhotoFiles(Protocol):
    """Where ingest, stamping and contact sheets read and write a photo's files: the store
    in ``storage/photos.py`` (this module does the imaging, not the file keeping)."""

    def get(self, sha256: str) -> IngestedPhoto | None:
        """The stored photo's metadata, or None when it is not (completely) stored."""

    def touch(self, sha256: str) -> bool:
        """Mark the photo's files as used now; False when one is missing."""

    def web_path(self, sha256: str) -> Path:
        """The web copy's path."""

    def thumb_path(self, sha256: str) -> Path:
        """The thumbnail's path."""

    def save(self, photo: IngestedPhoto, original: bytes, web: bytes, thumb: bytes) -> None:
        """Store a newly ingested photo's files."""

    def write_stamped(self, sha256: str, data: bytes) -> Path:
        """Store the stamped copy; returns its path."""


def photo_hashes(value: Any) -> Iterator[str]:
    """Photo entries anywhere in a JSON document (answers, draft state, history): the
    ``sha256`` of every object that has a well-formed one."""
    if isinstance(value, dict):
        sha = value.get("sha256")
        if isinstance(sha, str) and _SHA_RE.match(sha):
            yield sha
        for item in value.values():
            yield from photo_hashes(item)
    elif isinstance(value, list):
        for item in value:
            yield from photo_hashes(item)


# --------------------------------------------------------------------------- ingest

MAX_JPEG_PIXELS = 120_000_000
"""JPEGs up to this many pixels (108 MP phone modes included) are decoded drafted at 1/2-1/8
scale, so their size on the header is not their cost; other formats keep ``max_pixels``."""
MAX_DECODED_BYTES = 256 * 2**20
"""Refuse an image whose decoded buffers would exceed this, judged from the header: pixels
alone miss that a 16-bit or RGBA image costs 4-8 bytes a pixel (a 6300² 16-bit PNG, 309 KB)."""
DECODE_BUDGET_BYTES = 512 * 2**20
"""Decoded bytes all worker threads may hold at once; an ingest over it waits its turn,
so eight large images at once do not add up to eight peaks."""
TELEGRAM_PHOTO_SUM = 10_000
TELEGRAM_PHOTO_RATIO = 20.0

# Magic numbers: the bytes decide what a file is, never the MIME type a client declared.
_JPEG_MAGIC = b"\xff\xd8\xff"
_EOI = b"\xff\xd9"
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"heif"}
_OTHER_IMAGES = (  # recognised, not taken: named in the refusal
    (b"BM", "BMP"),
    (b"8BPS", "PSD"),
    (b"\x00\x00\x01\x00", "ICO"),
    (b"<svg", "SVG"),
    (b"<?xml", "SVG"),
)


def telegram_photo_ok(width: int, height: int) -> bool:
    """Whether Telegram takes an image of this size as a photo (sendPhoto, albums).

    Its rules: width + height at most 10 000 and the long side at most 20 times the short
    one, else ``PHOTO_INVALID_DIMENSIONS`` (and one such photo fails a whole album). Every
    web and stamped copy made here satisfies it; a caller may check before sending.
    """
    if width < 1 or height < 1:
        return False
    return width + height <= TELEGRAM_PHOTO_SUM and max(width, height) <= (
        TELEGRAM_PHOTO_RATIO * min(width, height)
    )


def sniff_format(data: bytes) -> str | None:
    """The Pillow format id the bytes are (JPEG, PNG, GIF, WEBP, HEIF, TIFF), another image
    format's name (BMP, PSD, ICO, SVG, AVIF) or None when they are no image we know."""
    head = data[:32]
    if head.startswith(_JPEG_MAGIC):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return "HEIF"
        if brand in (b"avif", b"avis"):
            return "AVIF"
        return None  # video (mp4, mov) and the like
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF"
    for magic, name in _OTHER_IMAGES:
        if head.lstrip().startswith(magic):
            return name
    return None


def ingest_photo(
    data: bytes,
    store: PhotoFiles,
    *,
    max_pixels: int = 40_000_000,
    max_jpeg_pixels: int = MAX_JPEG_PIXELS,
    tz: ZoneInfo,
) -> IngestedPhoto:
    """Validate a received photo, store it once, and return what the report needs.

    Idempotent: the same bytes again return the stored result without decoding (Telegram
    redelivers updates after a restart; officers resend).

    Args:
        data: the file exactly as downloaded.
        store: where the files go.
        max_pixels: refuse larger images (JPEG: ``max_jpeg_pixels``), judged from the header.
        max_jpeg_pixels: the same for JPEG, which is decoded at reduced scale.
        tz: zone for EXIF times that carry no offset (the precinct's, e.g. Asia/Makassar).

    Raises:
        PhotoRejected: with the :class:`PhotoProblem` to tell the officer.
    """
    sha = hashlib.sha256(data).hexdigest()
    stored = store.get(sha)
    # Touched: an orphan being used again is young again, so pruning (which only takes
    # orphans untouched for an hour) cannot delete it before the draft's row commits.
    if stored is not None and store.touch(sha):
        return stored
    kind = sniff_format(data)
    if kind is None:
        raise PhotoRejected(PhotoProblem.NOT_IMAGE)
    if kind not in _accepted_formats():
        raise PhotoRejected(PhotoProblem.UNSUPPORTED, kind, format=kind)
    decodable = _complete_jpeg(data) if kind == "JPEG" else data
    with _open_checked(decodable, kind, max_pixels, max_jpeg_pixels) as img:
        fmt = _FORMATS[img.format or ""][0]
        target = _fit(img.size, WEB_MAX)
        raw_size = img.size
        with _DECODE_BUDGET.reserve(_decoded_bytes(img, target)):
            _load(img, target)
            with _pillow_warnings():  # after load(): PNG may keep its eXIf chunk past the pixels
                exif = _read_exif(img)
                orientation, taken_at, gps = _orientation(exif), _taken_at(exif, tz), _gps(exif)
            icc = _rgb_profile(img)
            web = _render_web(img, target, orientation)
    thumb = _shrink(web, _fit(web.size, THUMB_MAX))
    width, height = _upright(raw_size, orientation)
    photo = IngestedPhoto(sha, fmt, width, height, len(data), taken_at, gps)
    web_jpeg, thumb_jpeg = _jpeg(web, WEB_QUALITY, icc), _jpeg(thumb, THUMB_QUALITY, icc)
    store.save(photo, data, web_jpeg, thumb_jpeg)
    return photo


def ensure_stored(
    data: bytes,
    photo: IngestedPhoto,
    store: PhotoFiles,
    *,
    max_pixels: int = 40_000_000,
    tz: ZoneInfo,
) -> bool:
    """Make sure ``photo``, ingested from ``data``, is still stored; True if stored again.

    Called inside the transaction that commits a row referring to the photo: pruning deletes
    an orphan only while it holds the database's write lock and sees no row referring to it,
    so a check made under that same lock is final. Files a prune removed since
    :func:`ingest_photo` are written again from the bytes still in hand (the whole ingest
    again: rare, and the same bytes give the same files); present ones are touched.
    """
    if store.get(photo.sha256) is not None and store.touch(photo.sha256):
        return False
    again = ingest_photo(data, store, max_pixels=max_pixels, tz=tz)
    if again.sha256 != photo.sha256:
        raise ValueError(f"the bytes in hand are not photo {photo.sha256}")
    return True


@contextlib.contextmanager
def _pillow_warnings(*, bombs: bool = True) -> Iterator[None]:
    """Turn decompression-bomb warnings into exceptions; silence Pillow's chatter.

    Pillow *warns* (not raises) between MAX_IMAGE_PIXELS and twice that; we refuse
    either way, except for JPEG (``bombs=False``), whose drafted decode we judge
    ourselves. "Corrupt EXIF" and "malformed MPO" UserWarnings we judge ourselves.
    """
    with _WARNINGS_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("error" if bombs else "ignore", Image.DecompressionBombWarning)
        yield


def _accepted_formats() -> list[str]:
    """JPEG, PNG, WEBP, TIFF (and GIF, to name animations); HEIF if its plugin registered."""
    formats = ["JPEG", "PNG", "WEBP", "GIF", "TIFF"]
    if "HEIF" in Image.OPEN:
        formats.append("HEIF")
    return formats


def _complete_jpeg(data: bytes) -> bytes:
    """The JPEG to decode: ``data``, or ``data`` plus the end-of-image marker it lacks.

    Some phones and messengers cut the last two bytes (FF D9) of an otherwise whole file;
    libjpeg then reports it truncated. The marker is added back only when the picture is
    provably complete: the same file padded with zero bytes before the marker decodes to
    the same pixels. Had data been missing, the zeros would decode as picture data (and
    differ from libjpeg's grey fill), so a really cut-off file is still refused as such.
    """
    if data.rstrip(b"\x00").endswith(_EOI):
        return data
    plain, padded = data + _EOI, data + b"\x00" * 256 + _EOI
    try:
        first, second = _draft_pixels(plain), _draft_pixels(padded)
    except _DECODE_ERRORS:
        return data  # the real decode names the problem
    return plain if first == second else data


def _draft_pixels(data: bytes) -> bytes:
    """The pixels of a JPEG decoded at 1/8 scale (cheap: the entropy decoding is all there)."""
    with _pillow_warnings(bombs=False), Image.open(io.BytesIO(data), formats=["JPEG"]) as img:
        img.draft(img.mode, (max(1, img.width // 8), max(1, img.height // 8)))
        img.load()
        return img.tobytes()


def _open_checked(
    data: bytes, kind: str, max_pixels: int, max_jpeg_pixels: int
) -> ImageFile.ImageFile:
    """Open lazily and check everything the header tells, before any pixel is decoded."""
    try:
        with _pillow_warnings(bombs=kind != "JPEG"):
            img = Image.open(io.BytesIO(data), formats=[kind])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRejected(PhotoProblem.TOO_LARGE, str(exc), **_too_large(kind, None)) from exc
    except _DECODE_ERRORS as exc:
        raise PhotoRejected(PhotoProblem.DAMAGED, str(exc), format=kind) from exc
    try:
        _check_header(img, kind, max_jpeg_pixels if kind == "JPEG" else max_pixels)
    except BaseException:
        img.close()
        raise
    return img


def _too_large(kind: str, size: tuple[int, int] | None, limit: int = 0) -> dict[str, object]:
    """The refusal's numbers: the image's megapixels and the limit for its format."""
    mp = f"{size[0] * size[1] / 1e6:.0f}" if size else "?"
    return {"format": kind, "megapixels": mp, "max": f"{limit / 1e6:.0f}" if limit else "?"}


def _check_header(img: ImageFile.ImageFile, kind: str, max_pixels: int) -> None:
    """Size, shape and cost limits from the header, then animation (GIF needs a cheap seek)."""
    width, height = img.size
    if width * height > max_pixels:
        raise PhotoRejected(
            PhotoProblem.TOO_LARGE, f"{width}x{height}", **_too_large(kind, img.size, max_pixels)
        )
    if min(width, height) < MIN_SIDE:
        raise PhotoRejected(
            PhotoProblem.TOO_SMALL, f"{width}x{height}", width=width, height=height, min=MIN_SIDE
        )
    if max(width, height) > TELEGRAM_PHOTO_RATIO * min(width, height):
        raise PhotoRejected(PhotoProblem.BAD_SHAPE, f"{width}x{height}", width=width,
                            height=height, ratio=round(max(width, height) / min(width, height)))
    if _decoded_bytes(img, _fit(img.size, WEB_MAX)) > MAX_DECODED_BYTES:
        raise PhotoRejected(
            PhotoProblem.TOO_LARGE, f"{width}x{height} {img.mode}",
            **_too_large(kind, img.size, max_pixels),
        )
    try:
        with _pillow_warnings(bombs=kind != "JPEG"):
            animated = bool(getattr(img, "is_animated", False))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRejected(PhotoProblem.TOO_LARGE, str(exc), **_too_large(kind, None)) from exc
    except _DECODE_ERRORS as exc:
        raise PhotoRejected(PhotoProblem.TRUNCATED, str(exc)) from exc
    # MPO: a camera JPEG with preview/depth frames; TIFF: a scan's first page is the photo.
    if animated and img.format not in ("MPO", "TIFF"):
        raise PhotoRejected(PhotoProblem.ANIMATED, img.format or "")


def _decoded_bytes(img: ImageFile.ImageFile, target: tuple[int, int]) -> int:
    """What decoding ``img`` will hold in memory, estimated from its header.

    JPEG is decoded drafted (1/2-1/8 scale) at 4 bytes a pixel, but a progressive JPEG
    keeps every DCT coefficient of the full image (2 bytes a sample) while it decodes.
    HEIF is decoded by libheif into its own buffer, then copied. Other formats hold the
    full image at Pillow's storage size (1 byte for L/P, 2 for 16-bit grey, else 4); the
    conversions after it run in strips (:func:`_reduce_flat`) and add little.
    """
    width, height = img.size
    pixels = width * height
    if img.format in ("JPEG", "MPO"):
        if img.info.get("progressive") or img.info.get("progression"):
            return pixels * 2 * len(img.getbands())
        scale = 1
        tw, th = target
        while scale < 8 and width // (scale * 2) >= tw and height // (scale * 2) >= th:
            scale *= 2
        return math.ceil(width / scale) * math.ceil(height / scale) * 4
    if img.format == "HEIF":
        return pixels * (4 + 3 * max(1, int(img.info.get("bit_depth", 8)) // 8))
    if img.mode in ("1", "L", "P"):
        return pixels
    if img.mode.startswith("I;16"):
        return pixels * 2
    return pixels * 4


class _Budget:
    """Bytes the worker threads may hold decoded at once (see :data:`DECODE_BUDGET_BYTES`)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.used = 0
        self._cond = threading.Condition()

    @contextlib.contextmanager
    def reserve(self, amount: int) -> Iterator[None]:
        """Hold ``amount`` bytes (at most the whole budget) while decoding; wait if needed."""
        amount = min(max(0, amount), self.total)
        with self._cond:
            self._cond.wait_for(lambda: self.used + amount <= self.total)
            self.used += amount
        try:
            yield
        finally:
            with self._cond:
                self.used -= amount
                self._cond.notify_all()


_DECODE_BUDGET = _Budget(DECODE_BUDGET_BYTES)


def _load(img: ImageFile.ImageFile, target: tuple[int, int]) -> None:
    """Decode the pixels, JPEGs straight at about ``target`` size.

    ``draft`` lets libjpeg decode at 1/2, 1/4 or 1/8 scale while keeping *both* sides at
    least the requested size, so we ask for the fitted web size (1600x1200 for 4:3),
    not a square box. Other formats ignore it.
    """
    if img.format in ("JPEG", "MPO"):
        img.draft("RGB", target)
    try:
        with _pillow_warnings(bombs=img.format not in ("JPEG", "MPO")):
            img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoRejected(
            PhotoProblem.TOO_LARGE, str(exc), **_too_large(img.format or "", img.size)
        ) from exc
    except _DECODE_ERRORS as exc:
        truncated = "truncated" in str(exc) or isinstance(exc, EOFError)
        problem = PhotoProblem.TRUNCATED if truncated else PhotoProblem.DAMAGED
        raise PhotoRejected(problem, str(exc), format=img.format or "") from exc


def _render_web(img: Image.Image, target: tuple[int, int], orientation: int) -> Image.Image:
    """Flatten, shrink, convert to sRGB, then rotate upright: each step on the small image."""
    icc = img.info.get("icc_profile")
    out = _shrink(_reduce_flat(img, target), target)
    if out.mode == "CMYK":
        out = _cmyk_to_srgb(out, icc if isinstance(icc, bytes) else None)
    if out.mode != "RGB":
        out = out.convert("RGB")
    if orientation in _TRANSPOSE:
        out = out.transpose(_TRANSPOSE[orientation])
    return out


def _reduce_flat(img: Image.Image, target: tuple[int, int]) -> Image.Image:
    """:func:`_flatten` and an integer reduction towards ``target``, in horizontal strips.

    Converting a whole 36 MP palette GIF to RGBA and compositing it on white held three
    full copies at 4 bytes a pixel (+340 MB); strip by strip, the decoded image is the
    only full-size buffer. Images needing no conversion take the plain path.
    """
    width, height = img.size
    factor = max(1, min(width // max(1, target[0]), height // max(1, target[1])))
    if not _needs_flatten(img):
        return img.reduce(factor) if factor > 1 else img
    rows = factor * max(1, (1 << 20) // (width * factor))  # about a megapixel a strip
    out: Image.Image | None = None
    for top in range(0, height, rows):
        piece = _flatten(img.crop((0, top, width, min(height, top + rows))))
        if factor > 1:
            piece = piece.reduce(factor)
        if out is None:
            out = Image.new(piece.mode, (math.ceil(width / factor), math.ceil(height / factor)))
        out.paste(piece, (0, top // factor))
    assert out is not None
    return out


def _needs_flatten(img: Image.Image) -> bool:
    """Whether :func:`_flatten` changes the image (mode or a transparent colour)."""
    return img.mode not in ("RGB", "L", "CMYK") or "transparency" in img.info


def _flatten(img: Image.Image) -> Image.Image:
    """Reduce any mode to one that resizes well: RGB, L or CMYK (alpha onto white).

    An RGB or grey PNG may name one colour transparent (tRNS): it is shown as white, as
    viewers do, not as the colour the transparency hides.
    """
    if img.mode in ("RGB", "L", "CMYK") and "transparency" not in img.info:
        return img
    if img.mode.startswith("I") and "transparency" not in img.info:
        # 16-bit greyscale: scale to 8 bits instead of clipping
        return img.convert("I").point(lambda v: v / 257).convert("L")
    if img.mode == "F":
        return img.convert("L")
    rgba = img.convert("RGBA")
    background = Image.new("RGB", rgba.size, (255, 255, 255))
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _cmyk_to_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """CMYK to sRGB through the embedded profile (LittleCMS), naive without one.

    Print profiles differ a lot: converting by formula was 7-21 levels off a
    colour-managed reference. Done on the shrunk image (a few ms).
    """
    if icc and len(icc) >= 128 and icc[16:20] == b"CMYK":
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(
                img, source, _SRGB, outputMode="RGB",
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            converted = None
        if converted is not None:
            return converted
    return img.convert("RGB")


_SRGB = ImageCms.createProfile("sRGB")


def _rgb_profile(img: Image.Image) -> bytes | None:
    """The image's ICC profile if it describes RGB, to embed in our copies.

    Phones tag photos Display P3; keeping the tag keeps the colours, at no cost, where
    converting to sRGB with LittleCMS took ~100 ms per 1600x1200 image here. Profiles
    of other colour spaces (CMYK, grey) no longer fit once we convert to RGB: dropped.
    """
    icc = img.info.get("icc_profile")
    rgb_modes = ("RGB", "RGBA", "RGBa", "RGBX", "P", "PA")  # alpha and palette end up RGB too
    if img.mode in rgb_modes and isinstance(icc, bytes) and len(icc) >= 128 and (
        icc[16:20] == b"RGB "
    ):
        return icc
    return None


def _shrink(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Downscale to ``size`` the way ``Image.thumbnail`` does (BICUBIC, box pre-reduce).

    Measured on 2000x1500 -> 1600x1200: LANCZOS 67 ms, BICUBIC 54 ms; no visible
    difference at these ratios, and the resize costs as much as the drafted decode.
    """
    if img.size == size:
        return img
    return img.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


def _fit(size: tuple[int, int], limit: int) -> tuple[int, int]:
    """The size with the long side at most ``limit``, aspect kept."""
    width, height = size
    scale = min(1.0, limit / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _upright(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    """The size after EXIF rotation: orientations 5-8 swap the axes."""
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else size


def _jpeg(img: Image.Image, quality: int, icc: bytes | None = None) -> bytes:
    """Encode a JPEG with no metadata (EXIF, GPS, XMP, comment); only a colour profile."""
    img.info.clear()  # Pillow would copy a JPEG comment from info
    buffer = io.BytesIO()
    if icc:
        img.save(buffer, "JPEG", quality=quality, icc_profile=icc)
    else:
        img.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


# ----------------------------------------------------------------------------- EXIF


def _read_exif(img: Image.Image) -> Image.Exif:
    """The EXIF of ``img``, or an empty one if it cannot be parsed.

    Only the EXIF itself: Pillow's ``getexif`` (and so ``exif_transpose``) falls back to a
    ``tiff:Orientation`` in XMP, which editors leave behind after rotating the pixels and
    which viewers (browsers, Telegram) ignore; a PNG carrying ``3`` there was turned 180°.
    """
    xmp: dict[str | tuple[int, int], Any] = {
        key: img.info.pop(key) for key in ("xmp", "XML:com.adobe.xmp") if key in img.info
    }
    try:
        return img.getexif()
    except Exception:  # garbage EXIF must never cost the photo
        return Image.Exif()
    finally:
        img.info.update(xmp)


def _ifd(exif: Image.Exif, tag: int) -> Mapping[int, Any]:
    """A sub-IFD (EXIF, GPS) or an empty mapping when absent or broken."""
    try:
        return exif.get_ifd(tag)
    except Exception:  # see _read_exif
        return {}


def _orientation(exif: Image.Exif) -> int:
    """EXIF orientation 1-8; anything else counts as upright."""
    value = exif.get(_ORIENTATION, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _taken_at(exif: Image.Exif, tz: ZoneInfo) -> datetime | None:
    """Capture time in UTC, from the first usable EXIF date.

    Uses the matching OffsetTime tag when the camera wrote one; otherwise the camera
    clock is taken to be local time in ``tz``.
    """
    sub = _ifd(exif, _EXIF_IFD)
    candidates = (
        (sub.get(_DATETIME_ORIGINAL), sub.get(_OFFSET_TIME_ORIGINAL)),
        (sub.get(_DATETIME_DIGITIZED), sub.get(_OFFSET_TIME_DIGITIZED)),
        (exif.get(_DATETIME), sub.get(_OFFSET_TIME)),
    )
    for value, offset in candidates:
        moment = _parse_exif_time(value, offset, tz)
        if moment is not None:
            return moment
    return None


def _parse_exif_time(value: object, offset: object, tz: ZoneInfo) -> datetime | None:
    """Parse ``YYYY:MM:DD HH:MM:SS`` (cameras also write dashes); None if unusable."""
    text = _text(value)[:19]
    zone: tzinfo = _parse_offset(offset) or tz
    for fmt in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=zone).astimezone(UTC)
        except (ValueError, OverflowError):
            continue
    return None


def _parse_offset(value: object) -> timezone | None:
    """``+08:00`` style offset, or None when absent or implausible."""
    match = _OFFSET_RE.match(_text(value))
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if delta > timedelta(hours=14) or int(minutes) >= 60:
        return None
    return timezone(-delta if sign == "-" else delta)


def _gps(exif: Image.Exif) -> tuple[float, float] | None:
    """(latitude, longitude) in signed decimal degrees, or None.

    Refs are required (a guessed hemisphere puts the report elsewhere); exactly (0, 0)
    is what phones write without a fix.
    """
    gps = _ifd(exif, _GPS_IFD)
    lat = _coordinate(gps.get(2), gps.get(1), ("N", "S"), 90.0)
    lon = _coordinate(gps.get(4), gps.get(3), ("E", "W"), 180.0)
    if lat is None or lon is None or (lat == 0.0 and lon == 0.0):
        return None
    return lat, lon


def _coordinate(
    value: object, ref: object, hemispheres: tuple[str, str], limit: float
) -> float | None:
    """Degrees/minutes/seconds rationals plus a ref letter -> signed decimal degrees."""
    letter = _text(ref).upper()[:1]
    if letter not in hemispheres:
        return None
    parts_in = value if isinstance(value, tuple | list) else (value,)
    try:
        parts = [float(part) for part in parts_in]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not 1 <= len(parts) <= 3 or not all(math.isfinite(p) and p >= 0 for p in parts):
        return None
    degrees = sum(part / 60**index for index, part in enumerate(parts))
    if degrees > limit:
        return None
    return round(float(-degrees if letter == hemispheres[1] else degrees), 7)


def _text(value: object) -> str:
    """An EXIF ASCII value as clean text ('' for anything else)."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "ignore")
    return value.strip("\x00 \t\r\n") if isinstance(value, str) else ""


def _extension(original_format: str) -> str:
    """Extension for one of our format names; ValueError for unknown ones."""
    for name, ext in _FORMATS.values():
        if name == original_format:
            return ext
    raise ValueError(f"unknown photo format {original_format!r}")


def is_sha(text: str) -> bool:
    """A lowercase hex sha256 (what a photo's files are named by)."""
    return bool(_SHA_RE.match(text))


def check_sha(sha256: str) -> str:
    """Refuse anything but a lowercase hex sha256: these names become paths."""
    if not _SHA_RE.match(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return sha256


# ------------------------------------------------------------------------ stamping

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


def stamp_photo(
    store: PhotoFiles,
    sha256: str,
    lines: Sequence[str],
    *,
    font_path: Path | None = STAMP_FONT,
) -> Path:
    """Write ``{sha}.stamped.jpg``: the web copy with a documentation stamp.

    A semi-transparent dark band at the bottom carries up to four white lines (activity
    and report number, date and time, place, officer), sized to the image's shorter side
    so it stays legible on a phone, small images and panoramas included; long lines wrap,
    then end in "…" (see :func:`_draw_stamp`). The result has no EXIF/GPS.
    Same lines, same file: safe to repeat.

    Args:
        store: the photo store.
        sha256: an ingested photo.
        lines: 1-4 lines of stamp text.
        font_path: a TrueType font to use instead of the one bundled with Pillow.

    Raises:
        FileNotFoundError: the photo was never ingested.
        ValueError: no lines or more than four.
    """
    if not 1 <= len(lines) <= MAX_STAMP_LINES:
        raise ValueError(f"a stamp has 1 to {MAX_STAMP_LINES} lines, got {len(lines)}")
    with Image.open(store.web_path(sha256), formats=["JPEG"]) as source:
        icc = source.info.get("icc_profile")
        img = source.convert("RGB")
    _draw_stamp(img, [" ".join(line.split()) for line in lines], font_path)
    return store.write_stamped(sha256,
                               _jpeg(img, WEB_QUALITY, icc if isinstance(icc, bytes) else None))


MIN_STAMP_PX = 10
"""The stamp's smallest font size (px): smaller cannot be read on a phone screen."""
STAMP_SHARE = 0.45
"""The most of the image height the stamp band may cover (unless one row needs more)."""
_STAMP_SEP = " · "
ELLIPSIS = "…"


@dataclass(frozen=True)
class StampLayout:
    """Where the stamp went: the band's top edge, the font size, and the rows drawn."""

    top: int
    size: int
    rows: tuple[str, ...]


def _draw_stamp(img: Image.Image, lines: Sequence[str], font_path: Path | None) -> StampLayout:
    """Draw the band and the lines in place.

    The font starts at the size a camera photo with this long side gets and shrinks (never
    below :data:`MIN_STAMP_PX`) until every line fits in the width and the band in
    :data:`STAMP_SHARE` of the height. Lines that fit side by side share a row (panoramas),
    a line too long for the width wraps onto a second row; only at the smallest size do
    lines still too long end in "…" (small images).
    """
    width, height = img.size
    size = max(MIN_STAMP_PX, round(min(max(width, height) / 34, min(width, height) / 6)))
    while True:
        font = _font(size, font_path)
        px = _font_px(font)
        line_height = round(px * 1.3)
        pad = round(px * 0.6)
        room = max(1, int((height * STAMP_SHARE - 2 * pad) // line_height))
        texts = [_renderable(line, font, font_path) for line in lines]
        rows, whole = _stamp_rows(texts, font, width - 2 * pad, room)
        smaller = max(MIN_STAMP_PX, round(size * 0.85))
        if whole or smaller == size:
            break
        size = smaller
    top = max(0, height - (2 * pad + line_height * len(rows)))
    draw = ImageDraw.Draw(img, "RGBA")
    draw.rectangle((0, top, width, height), fill=(0, 0, 0, 150))
    for index, row in enumerate(rows):
        draw.text((pad, top + pad + index * line_height), row, font=font, fill="white")
    return StampLayout(top, px, tuple(rows))


def _stamp_rows(
    lines: Sequence[str], font: Font, max_width: int, room: int
) -> tuple[list[str], bool]:
    """The stamp's lines in at most ``room`` rows of ``max_width`` pixels, and whether they
    are whole (nothing cut to "…")."""
    packed: list[str] = []
    for line in lines:
        if packed and font.getlength(packed[-1] + _STAMP_SEP + line) <= max_width:
            packed[-1] += _STAMP_SEP + line
        else:
            packed.append(line)
    rows: list[str] = []
    whole = True
    for text in packed:
        wrapped = _wrap(text, font, max_width, max_lines=2)
        whole = whole and not (wrapped and wrapped[-1].endswith(ELLIPSIS)
                               and not text.endswith(ELLIPSIS))
        rows.extend(wrapped)
    if len(rows) > room:
        whole = False
        rows = rows[:room]
        last = _fit_text(rows[-1], font, max_width - int(font.getlength(ELLIPSIS)) - 1)
        rows[-1] = last if last.endswith(ELLIPSIS) else last + ELLIPSIS
    return rows, whole


def _font(size: int, font_path: Path | None) -> Font:
    """The requested TrueType font, else Pillow's bundled scalable one, else its bitmap one.

    Fonts are made per call, not cached: FreeType faces are not safe to share between
    the worker threads that run this module (loading costs ~0.1 ms).
    """
    if font_path is not None:
        return ImageFont.truetype(str(font_path), size)
    try:
        return ImageFont.load_default(size=size)
    except (ImportError, OSError):  # Pillow built without FreeType
        return ImageFont.load_default()


def _font_px(font: Font) -> int:
    """Nominal pixel size of a font (the bitmap fallback is about 11 px)."""
    return int(font.size) if isinstance(font, ImageFont.FreeTypeFont) else 11


def _renderable(text: str, font: Font, font_path: Path | None) -> str:
    """Replace characters the bundled font cannot draw (it has ASCII and little else).

    Dashes become "-", accents are dropped (é -> e), anything else missing becomes "?":
    better than an empty box on an official photo.
    """
    text = "".join(_CHAR_FALLBACKS.get(ch, ch) for ch in text)
    if font_path is not None or not isinstance(font, ImageFont.FreeTypeFont):
        return text if font_path is not None else _ascii_fold(text)
    notdef = _glyph(font, "\uffff")
    out = []
    for ch in text:
        if ch != " " and _glyph(font, ch) == notdef:
            folded = _ascii_fold(ch)
            ch = folded if folded and _glyph(font, folded) != notdef else "?"
        out.append(ch)
    return "".join(out)


def _glyph(font: ImageFont.FreeTypeFont, ch: str) -> tuple[tuple[int, int], bytes]:
    """A glyph's rendering, to compare against the font's "missing glyph" box."""
    mask = font.getmask(ch)
    return mask.size, bytes(mask)


def _ascii_fold(text: str) -> str:
    """Strip accents and drop what has no ASCII form."""
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii")


def _fit_text(text: str, font: Font, max_width: int) -> str:
    """``text`` if it fits in ``max_width`` pixels, else its longest prefix plus "…"."""
    return fit_width(text, max_width, font.getlength)


# -------------------------------------------------------------------- contact sheet


@dataclass(frozen=True)
class PhotoCandidate:
    """A documentation photo a sheet may show, with what the choice spreads over."""

    sha256: str
    report_id: int
    activity_code: str
    officer_name: str
    at: datetime
    """The report's activity time."""


def spread_choice(candidates: Sequence[PhotoCandidate], count: int, tz: tzinfo
                  ) -> list[PhotoCandidate]:
    """``count`` photos spread over the period: days taken in turn (evenly spaced when there
    are more days than photos), on each day the activity and then the report shown least so
    far, the latest first; oldest first in the result. A week of SATRIA posts and one SAPTA
    shows every day and the SAPTA, not the last weekend's nine photos of one activity."""
    by_day: dict[date, list[PhotoCandidate]] = {}
    for photo in sorted(candidates, key=lambda c: c.at, reverse=True):
        by_day.setdefault(photo.at.astimezone(tz).date(), []).append(photo)
    days = sorted(by_day)
    if len(days) > count > 1:  # evenly spaced days, the first and the last included
        first_round = [days[round(i * (len(days) - 1) / (count - 1))] for i in range(count)]
        days = list(dict.fromkeys(first_round)) + [d for d in days if d not in first_round]
    chosen: list[PhotoCandidate] = []
    activities: Counter[str] = Counter()
    reports: Counter[int] = Counter()
    while len(chosen) < count and any(by_day.values()):
        for day in days:
            left = by_day[day]
            if not left or len(chosen) >= count:
                continue
            pick = min(left, key=lambda c: (activities[c.activity_code], reports[c.report_id],
                                            -c.at.timestamp()))
            left.remove(pick)
            chosen.append(pick)
            activities[pick.activity_code] += 1
            reports[pick.report_id] += 1
    return sorted(chosen, key=lambda c: (c.at, c.report_id))


def contact_sheet(
    store: PhotoFiles,
    items: Sequence[tuple[str, str]],
    *,
    columns: int = 3,
    tile: int = 400,
    font_path: Path | None = STAMP_FONT,
) -> bytes:
    """A JPEG grid of photos, each with a caption below (weekly summaries).

    Each photo is shown whole (letterboxed in its square tile). A photo whose files are
    missing gets a grey tile instead of failing the whole summary. Keep it to a few
    dozen items: Telegram refuses photos whose width + height exceed 10000 px.

    Args:
        store: the photo store.
        items: (sha256, caption) pairs, in display order.
        columns: tiles per row.
        tile: tile side in pixels.
        font_path: a TrueType font instead of Pillow's bundled one.

    Raises:
        ValueError: no items, or a nonsensical layout.
    """
    if not items or columns < 1 or tile < MIN_SIDE:
        raise ValueError("contact sheet needs items, columns >= 1 and tile >= 64")
    font = _font(max(10, tile // 16), font_path)
    line_height = round(_font_px(font) * 1.3)
    gap = max(4, tile // 25)
    cell_h = tile + gap // 2 + 2 * line_height
    cols = min(columns, len(items))
    rows = math.ceil(len(items) / cols)
    sheet = Image.new("RGB", (cols * (tile + gap) + gap, rows * (cell_h + gap) + gap), "white")
    draw = ImageDraw.Draw(sheet)
    for index, (sha, caption) in enumerate(items):
        x = gap + (index % cols) * (tile + gap)
        y = gap + (index // cols) * (cell_h + gap)
        sheet.paste(_tile_image(store, sha, tile), (x, y))
        text = _renderable(" ".join(caption.split()), font, font_path)
        for row, line in enumerate(_wrap(text, font, tile, max_lines=2)):
            draw.text((x, y + tile + gap // 2 + row * line_height), line, font=font, fill="black")
    return _jpeg(sheet, WEB_QUALITY)


def _tile_image(store: PhotoFiles, sha256: str, tile: int) -> Image.Image:
    """The photo fitted into a square tile (the thumbnail when it is big enough)."""
    background = Image.new("RGB", (tile, tile), (225, 225, 225))
    path = store.thumb_path(sha256) if tile <= THUMB_MAX else store.web_path(sha256)
    try:
        with Image.open(path, formats=["JPEG"]) as source:
            source.draft("RGB", (tile, tile))
            photo = ImageOps.contain(source.convert("RGB"), (tile, tile))
    except _DECODE_ERRORS:
        return background
    background.paste(photo, ((tile - photo.width) // 2, (tile - photo.height) // 2))
    return background


def _wrap(text: str, font: Font, max_width: int, *, max_lines: int) -> list[str]:
    """Greedy word wrap into at most ``max_lines``; the last line ends in "…" if cut."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and font.getlength(f"{line} {words[0]}") <= max_width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:
        lines[-1] = f"{lines[-1]} {' '.join(words)}"
    return [_fit_text(line, font, max_width) for line in lines]
