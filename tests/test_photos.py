"""Photo pipeline: validation, storage, orientation, EXIF, stamping, contact sheet."""

from __future__ import annotations

import io
import json
import stat
import struct
import threading
import warnings
import zlib
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import (
    Image,
    ImageChops,
    ImageCms,
    ImageFile,
    ImageFont,
    ImageStat,
    JpegImagePlugin,
)

from domain import imaging
from domain.imaging import (
    IngestedPhoto,
    PhotoProblem,
    PhotoRejected,
    contact_sheet,
    ensure_stored,
    ingest_photo,
    stamp_photo,
)
from storage.photos import PhotoStore

TZ = ZoneInfo("Asia/Makassar")
STAMP = [
    "POS SAPTA · LAP/SAPTA/2026/11/0042",
    "Sabtu, 28/11/2026 08:00–09:00 WITA",
    "Kel. Limba U Dua, Kota Selatan",
    "BRIPKA Budi Santoso · NRP 87654321",
]


# ----------------------------------------------------------------------------- helpers


def encode(img: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, fmt, **params)
    return buffer.getvalue()


def scene(size: tuple[int, int]) -> Image.Image:
    """A photo-ish picture with a red marker in the top-left corner (to check rotation)."""
    small = Image.effect_noise((size[0] // 8, size[1] // 8), 40).convert("RGB")
    img = small.resize(size, Image.Resampling.BILINEAR)
    img.paste((255, 0, 0), (0, 0, size[0] // 8, size[1] // 8))
    return img


def camera_exif(
    *,
    orientation: int | None = None,
    taken: str | None = None,
    offset: str | None = None,
    gps: tuple[str, tuple[float, ...], str, tuple[float, ...]] | None = None,
) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Samsung"
    if orientation is not None:
        exif[0x0112] = orientation
    sub = exif.get_ifd(0x8769)
    if taken is not None:
        sub[0x9003] = taken
    if offset is not None:
        sub[0x9011] = offset
    if gps is not None:
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1], gps_ifd[2], gps_ifd[3], gps_ifd[4] = gps
    return exif


def png_header_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of any size, built without Pillow holding its pixels."""
    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    signature = b"\x89PNG\r\n\x1a\n"
    return signature + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def files_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def rgb_at(img: Image.Image, xy: tuple[int, int]) -> tuple[int, int, int]:
    pixel = img.convert("RGB").getpixel(xy)
    assert isinstance(pixel, tuple)
    return pixel[0], pixel[1], pixel[2]


def is_red(pixel: tuple[int, int, int]) -> bool:
    r, g, b = pixel
    return r > 200 and g < 60 and b < 60


@pytest.fixture
def store(tmp_path: Path) -> PhotoStore:
    return PhotoStore(tmp_path / "photos")


@pytest.fixture(scope="module")
def camera_jpeg() -> bytes:
    """12 MP camera original held sideways: orientation 6, time with offset, GPS."""
    exif = camera_exif(
        orientation=6,
        taken="2026:11:28 08:15:30",
        offset="+08:00",
        gps=("N", (0.0, 32.0, 24.0), "E", (123.0, 3.0, 36.0)),
    )
    return encode(scene((4000, 3000)), "JPEG", quality=85, exif=exif)


@pytest.fixture(scope="module")
def telegram_jpeg() -> bytes:
    """What Telegram delivers for a 'photo': 1280 px, no EXIF."""
    return encode(scene((1280, 960)), "JPEG", quality=80)


# ------------------------------------------------------------------------------ ingest


def test_camera_original_is_stored_upright_with_time_and_place(
    store: PhotoStore, camera_jpeg: bytes
) -> None:
    photo = ingest_photo(camera_jpeg, store, tz=TZ)

    assert photo.original_format == "jpeg"
    assert (photo.width, photo.height) == (3000, 4000)
    assert photo.size_bytes == len(camera_jpeg)
    assert photo.taken_at == datetime(2026, 11, 28, 0, 15, 30, tzinfo=UTC)
    assert photo.gps == pytest.approx((0.54, 123.06))
    assert store.original_path(photo.sha256).read_bytes() == camera_jpeg
    with Image.open(store.web_path(photo.sha256)) as web:
        assert web.size == (1200, 1600)
        # orientation 6: the raw top-left corner is shown top-right
        assert is_red(rgb_at(web, (web.width - 20, 20)))
        assert not is_red(rgb_at(web, (20, 20)))
        assert not web.getexif()
    with Image.open(store.thumb_path(photo.sha256)) as thumb:
        assert thumb.size == (240, 320)
    assert b"Exif" not in store.web_path(photo.sha256).read_bytes()


def test_jpeg_is_decoded_at_reduced_scale_for_the_fitted_size(
    store: PhotoStore, camera_jpeg: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """draft() keeps both sides >= the request: ask 1600x1200, not a square (no timing)."""
    requests: list[tuple[str | None, tuple[int, int] | None]] = []
    sizes: list[tuple[int, int]] = []
    real_draft = JpegImagePlugin.JpegImageFile.draft

    def spy(
        self: JpegImagePlugin.JpegImageFile, mode: str | None, size: tuple[int, int] | None
    ) -> tuple[str, tuple[int, int, float, float]] | None:
        requests.append((mode, size))
        result = real_draft(self, mode, size)
        sizes.append(self.size)
        return result

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    ingest_photo(camera_jpeg, store, tz=TZ)

    assert requests == [("RGB", (1600, 1200))]
    assert sizes == [(2000, 1500)]


def test_telegram_photo_without_exif(store: PhotoStore, telegram_jpeg: bytes) -> None:
    photo = ingest_photo(telegram_jpeg, store, tz=TZ)

    assert (photo.width, photo.height) == (1280, 960)
    assert photo.taken_at is None
    assert photo.gps is None
    with Image.open(store.web_path(photo.sha256)) as web:
        assert web.size == (1280, 960)  # never enlarged
    with Image.open(store.thumb_path(photo.sha256)) as thumb:
        assert thumb.size == (320, 240)


def test_no_metadata_survives_in_the_copies(store: PhotoStore) -> None:
    exif = camera_exif(gps=("N", (0.0, 32.0, 24.0), "E", (123.0, 3.0, 36.0)))
    secret_xmp = b"<x:xmpmeta>SECRET-XMP exif:GPSLatitude</x:xmpmeta>"
    data = encode(scene((640, 480)), "JPEG", exif=exif, comment=b"SECRET-COMMENT", xmp=secret_xmp)

    photo = ingest_photo(data, store, tz=TZ)
    stamp_photo(store, photo.sha256, STAMP)

    assert photo.gps is not None
    for path in (
        store.web_path(photo.sha256),
        store.thumb_path(photo.sha256),
        store.stamped_path(photo.sha256),
    ):
        content = path.read_bytes()
        for secret in (b"Exif", b"SECRET-COMMENT", b"SECRET-XMP", b"Samsung"):
            assert secret not in content, (path.name, secret)


def test_png_with_alpha_is_flattened_on_white(store: PhotoStore) -> None:
    img = Image.new("RGBA", (800, 600), (0, 0, 255, 255))
    img.paste((0, 0, 0, 0), (0, 0, 400, 600))  # left half fully transparent

    photo = ingest_photo(encode(img, "PNG"), store, tz=TZ)

    assert photo.original_format == "png"
    assert store.original_path(photo.sha256).suffix == ".png"
    with Image.open(store.web_path(photo.sha256)) as web:
        assert web.mode == "RGB"
        assert min(rgb_at(web, (100, 300))) > 245
        assert rgb_at(web, (700, 300))[2] > 200


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cmyk jpeg", encode(Image.new("CMYK", (300, 200), (0, 255, 255, 0)), "JPEG")),
        ("16-bit grey png", encode(Image.new("I;16", (300, 200), 40000), "PNG")),
        ("palette png", encode(Image.new("P", (300, 200), 3), "PNG", transparency=0)),
        ("grey+alpha png", encode(Image.new("LA", (300, 200), (90, 255)), "PNG")),
        ("still webp", encode(Image.new("RGB", (300, 200), "navy"), "WEBP")),
        ("still gif", encode(Image.new("RGB", (300, 200), "navy"), "GIF")),
    ],
)
def test_other_modes_end_up_as_rgb(store: PhotoStore, name: str, data: bytes) -> None:
    photo = ingest_photo(data, store, tz=TZ)

    with Image.open(store.web_path(photo.sha256)) as web:
        assert (web.mode, web.size) == ("RGB", (300, 200)), name


def test_sixteen_bit_grey_is_scaled_not_clipped(store: PhotoStore) -> None:
    photo = ingest_photo(encode(Image.new("I;16", (100, 100), 32896), "PNG"), store, tz=TZ)

    with Image.open(store.web_path(photo.sha256)) as web:
        assert rgb_at(web, (50, 50)) == pytest.approx((128, 128, 128), abs=2)


def test_rgb_colour_profile_is_kept_in_every_copy(store: PhotoStore) -> None:
    """Phones tag photos Display P3: keeping the profile keeps the colours."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(scene((300, 200)), "JPEG", icc_profile=profile)

    photo = ingest_photo(data, store, tz=TZ)
    stamp_photo(store, photo.sha256, STAMP)

    for path in (
        store.web_path(photo.sha256),
        store.thumb_path(photo.sha256),
        store.stamped_path(photo.sha256),
    ):
        with Image.open(path) as copy:
            assert copy.info.get("icc_profile") == profile, path.name


def test_garbage_colour_profile_is_dropped(store: PhotoStore) -> None:
    data = encode(
        Image.new("RGB", (300, 200), (200, 30, 30)), "JPEG", icc_profile=b"not a profile" * 20
    )

    photo = ingest_photo(data, store, tz=TZ)

    with Image.open(store.web_path(photo.sha256)) as web:
        assert "icc_profile" not in web.info
        assert rgb_at(web, (150, 100)) == pytest.approx((200, 30, 30), abs=4)


def test_camera_jpeg_with_extra_frames_is_a_jpeg(store: PhotoStore) -> None:
    """Cameras write MPO (main image plus preview/depth frames): not an animation."""
    main = scene((640, 480))
    data = encode(main, "MPO", save_all=True, append_images=[Image.new("RGB", (160, 120))])

    photo = ingest_photo(data, store, tz=TZ)

    assert (photo.original_format, photo.width, photo.height) == ("jpeg", 640, 480)
    assert store.original_path(photo.sha256).suffix == ".jpg"


# --------------------------------------------------------------------------- rejections


def _frames() -> list[Image.Image]:
    return [Image.new("RGB", (100, 100), colour) for colour in ("red", "green", "blue")]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        pytest.param(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "not_image", id="pdf"),
        pytest.param(b"", "not_image", id="empty"),
        pytest.param(encode(Image.new("RGB", (100, 100)), "BMP"), "unsupported", id="bmp"),
        pytest.param(encode(Image.new("RGB", (10, 10)), "PNG"), "too_small", id="10x10"),
        pytest.param(encode(Image.new("RGB", (400, 63)), "JPEG"), "too_small", id="400x63"),
        pytest.param(
            encode(_frames()[0], "GIF", save_all=True, append_images=_frames()[1:]),
            "animated",
            id="gif",
        ),
        pytest.param(
            encode(_frames()[0], "WEBP", save_all=True, append_images=_frames()[1:]),
            "animated",
            id="webp",
        ),
        pytest.param(
            encode(_frames()[0], "PNG", save_all=True, append_images=_frames()[1:]),
            "animated",
            id="apng",
        ),
    ],
)
def test_rejections(store: PhotoStore, data: bytes, problem: str) -> None:
    with pytest.raises(PhotoRejected) as caught:
        ingest_photo(data, store, tz=TZ)

    assert caught.value.reason is PhotoProblem(problem)
    assert not store.root.exists() or not files_in(store.root)


def test_truncated_jpeg_is_refused(store: PhotoStore, telegram_jpeg: bytes) -> None:
    with pytest.raises(PhotoRejected) as caught:
        ingest_photo(telegram_jpeg[: len(telegram_jpeg) // 2], store, tz=TZ)

    assert caught.value.reason is PhotoProblem.TRUNCATED
    assert not store.root.exists() or not files_in(store.root)


@pytest.mark.parametrize(
    "size",
    [
        pytest.param((20000, 20000), id="past-pillow-error-limit"),
        pytest.param((10000, 10000), id="past-pillow-warning-limit"),
        pytest.param((8000, 6000), id="past-our-limit"),
    ],
)
def test_huge_image_refused_from_header_without_decoding(
    store: PhotoStore, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    data = png_header_bomb(*size)
    decoded: list[object] = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self))
    filters_before = list(warnings.filters)

    with pytest.raises(PhotoRejected) as caught:
        ingest_photo(data, store, tz=TZ)

    assert caught.value.reason is PhotoProblem.TOO_LARGE
    assert decoded == []
    assert warnings.filters == filters_before


def test_bomb_warning_cannot_escape_with_production_warning_filters(
    store: PhotoStore,
) -> None:
    """Outside pytest Pillow only *warns* between 89 and 179 MP; we must still refuse."""
    data = png_header_bomb(10000, 10000)

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(PhotoRejected) as caught:
            ingest_photo(data, store, tz=TZ, max_pixels=10**9)

    assert caught.value.reason is PhotoProblem.TOO_LARGE
    assert seen == []


def test_max_pixels_is_configurable(store: PhotoStore, telegram_jpeg: bytes) -> None:
    with pytest.raises(PhotoRejected) as caught:
        ingest_photo(telegram_jpeg, store, tz=TZ, max_jpeg_pixels=1_000_000)

    assert caught.value.reason is PhotoProblem.TOO_LARGE


# -------------------------------------------------------------------------------- EXIF


def _ingest_exif(store: PhotoStore, exif: Image.Exif | bytes) -> IngestedPhoto:
    return ingest_photo(encode(scene((200, 150)), "JPEG", exif=exif), store, tz=TZ)


def test_time_without_offset_is_local_time_in_the_precinct_zone(store: PhotoStore) -> None:
    photo = _ingest_exif(store, camera_exif(taken="2026:11:28 08:15:30"))

    assert photo.taken_at == datetime(2026, 11, 28, 0, 15, 30, tzinfo=UTC)


def test_time_offset_written_by_the_camera_wins(store: PhotoStore) -> None:
    photo = _ingest_exif(store, camera_exif(taken="2026:11:28 08:15:30", offset="+07:00"))

    assert photo.taken_at == datetime(2026, 11, 28, 1, 15, 30, tzinfo=UTC)


def test_plain_datetime_tag_is_the_fallback(store: PhotoStore) -> None:
    exif = camera_exif()
    exif[0x0132] = "2026:11:27 21:00:00"

    photo = _ingest_exif(store, exif)

    assert photo.taken_at == datetime(2026, 11, 27, 13, 0, tzinfo=UTC)


def test_gps_south_and_west_are_negative(store: PhotoStore) -> None:
    exif = camera_exif(gps=("S", (6.0, 12.0, 36.0), "W", (77.0, 30.0, 0.0)))

    photo = _ingest_exif(store, exif)

    assert photo.gps == pytest.approx((-6.21, -77.5))


@pytest.mark.parametrize(
    "exif",
    [
        pytest.param(camera_exif(gps=("N", (0.0, 0.0, 0.0), "E", (0.0, 0.0, 0.0))), id="no-fix"),
        pytest.param(camera_exif(gps=("", (1.0, 2.0, 3.0), "E", (123.0, 0.0, 0.0))), id="no-ref"),
        pytest.param(camera_exif(gps=("N", (91.0, 0.0, 0.0), "E", (1.0, 0.0, 0.0))), id="range"),
        pytest.param(camera_exif(taken="0000:00:00 00:00:00"), id="zero-date"),
        pytest.param(camera_exif(taken="yesterday", offset="+99:99"), id="text-date"),
        pytest.param(b"Exif\x00\x00garbage garbage garbage", id="not-tiff"),
        pytest.param(b"Exif\x00\x00MM\x00\x2a\x00\x00\xff\xff\x00\x00", id="bad-offset"),
        pytest.param(
            b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00"
            b"\x09\x00\x00\x00\x00\x00\x00\x00",
            id="orientation-9",
        ),
    ],
)
def test_garbage_exif_costs_nothing_but_the_metadata(
    store: PhotoStore, exif: Image.Exif | bytes
) -> None:
    photo = _ingest_exif(store, exif)

    assert photo.gps is None
    assert photo.taken_at is None
    assert (photo.width, photo.height) == (200, 150)


# ------------------------------------------------------------------ storage, idempotency


def test_same_bytes_twice_store_one_set_without_decoding_again(
    store: PhotoStore, camera_jpeg: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = ingest_photo(camera_jpeg, store, tz=TZ)
    listing = {p: p.stat().st_mtime_ns for p in files_in(store.root)}

    def no_decoding(*args: object, **kwargs: object) -> None:
        raise AssertionError("decoded again")

    monkeypatch.setattr(Image, "open", no_decoding)
    second = ingest_photo(camera_jpeg, store, tz=TZ)

    assert second == first
    # Nothing rewritten; only the sidecar is touched (used again: not an old orphan).
    sidecar = store.metadata_path(first.sha256)
    after = {p: p.stat().st_mtime_ns for p in files_in(store.root)}
    assert {p: t for p, t in after.items() if p != sidecar} == {
        p: t for p, t in listing.items() if p != sidecar
    }
    assert after[sidecar] >= listing[sidecar]
    names = sorted(p.name.removeprefix(first.sha256) for p in listing)
    assert names == [".json", ".orig.jpg", ".thumb.jpg", ".web.jpg"]
    assert json.loads(store.metadata_path(first.sha256).read_text())["sha256"] == first.sha256


def test_concurrent_ingest_of_the_same_bytes(store: PhotoStore, telegram_jpeg: bytes) -> None:
    results: list[IngestedPhoto] = []

    def worker() -> None:
        results.append(ingest_photo(telegram_jpeg, store, tz=TZ))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 4
    assert len(set(results)) == 1
    assert len(files_in(store.root)) == 4  # no temp files left behind


def test_damaged_sidecar_means_ingest_again(store: PhotoStore, telegram_jpeg: bytes) -> None:
    photo = ingest_photo(telegram_jpeg, store, tz=TZ)
    store.metadata_path(photo.sha256).write_text("{not json")
    store.web_path(photo.sha256).unlink()

    assert not store.exists(photo.sha256)
    assert ingest_photo(telegram_jpeg, store, tz=TZ) == photo
    assert store.exists(photo.sha256)
    assert store.web_path(photo.sha256).is_file()


def test_ensure_stored_writes_pruned_files_again(
    store: PhotoStore, telegram_jpeg: bytes
) -> None:
    photo = ingest_photo(telegram_jpeg, store, tz=TZ)
    assert ensure_stored(telegram_jpeg, photo, store, tz=TZ) is False  # present: only touched
    store.remove(photo.sha256)
    assert ensure_stored(telegram_jpeg, photo, store, tz=TZ) is True
    assert store.get(photo.sha256) == photo
    assert store.verify(photo.sha256)
    other = ingest_photo(encode(scene((320, 240)), "PNG"), store, tz=TZ)
    store.remove(other.sha256)
    with pytest.raises(ValueError, match="not photo"):
        ensure_stored(telegram_jpeg, other, store, tz=TZ)


def test_temp_files_are_listed(store: PhotoStore, telegram_jpeg: bytes) -> None:
    assert store.temp_files() == []
    photo = ingest_photo(telegram_jpeg, store, tz=TZ)
    assert store.temp_files() == []  # every write renamed its own
    left = store.shard_dir(photo.sha256) / ".tmp-abc123.part"
    left.write_bytes(b"half")
    (store.shard_dir(photo.sha256) / "tmp-not-ours.part").write_bytes(b"")
    assert store.temp_files() == [left]


def test_files_are_private(store: PhotoStore, telegram_jpeg: bytes) -> None:
    photo = ingest_photo(telegram_jpeg, store, tz=TZ)
    stamp_photo(store, photo.sha256, STAMP)

    for path in files_in(store.root):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    for directory in (store.root, store.shard_dir(photo.sha256)):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert store.shard_dir(photo.sha256).name == photo.sha256[:2]


def test_verify_and_iter_hashes(store: PhotoStore, telegram_jpeg: bytes) -> None:
    first = ingest_photo(telegram_jpeg, store, tz=TZ)
    second = ingest_photo(encode(scene((300, 300)), "PNG"), store, tz=TZ)

    assert list(store.iter_hashes()) == sorted([first.sha256, second.sha256])
    assert store.verify(first.sha256)

    original = store.original_path(first.sha256)
    original.write_bytes(original.read_bytes()[:-1] + b"\x00")
    assert not store.verify(first.sha256)
    assert not store.verify("f" * 64)
    assert list(PhotoStore(store.root / "nowhere").iter_hashes()) == []


@pytest.mark.parametrize("bad", ["../../etc/passwd", "ABC", "g" * 64, "A" * 64, ""])
def test_paths_only_for_real_hashes(store: PhotoStore, bad: str) -> None:
    with pytest.raises(ValueError, match="sha256"):
        store.web_path(bad)


# ---------------------------------------------------------------------------- stamping


def test_stamp_draws_a_band_on_a_copy_of_the_web_image(
    store: PhotoStore, camera_jpeg: bytes
) -> None:
    photo = ingest_photo(camera_jpeg, store, tz=TZ)
    web_before = store.web_path(photo.sha256).read_bytes()

    path = stamp_photo(store, photo.sha256, STAMP)

    assert path == store.stamped_path(photo.sha256)
    assert store.web_path(photo.sha256).read_bytes() == web_before  # unstamped copy kept
    with Image.open(path) as stamped, Image.open(store.web_path(photo.sha256)) as web:
        assert stamped.size == web.size
        assert not stamped.getexif()
        diff = ImageChops.difference(stamped.convert("RGB"), web.convert("RGB"))
        width, height = web.size
        band = ImageStat.Stat(diff.crop((0, height - 40, width, height))).mean
        top = ImageStat.Stat(diff.crop((0, 0, width, height // 2))).mean
        assert min(band) > 20
        assert max(top) < 3
    assert b"Exif" not in path.read_bytes()


def test_stamp_is_repeatable(store: PhotoStore, telegram_jpeg: bytes) -> None:
    photo = ingest_photo(telegram_jpeg, store, tz=TZ)

    first = stamp_photo(store, photo.sha256, STAMP).read_bytes()
    second = stamp_photo(store, photo.sha256, STAMP).read_bytes()
    changed = stamp_photo(store, photo.sha256, STAMP[:2]).read_bytes()

    assert first == second
    assert changed != first


@pytest.mark.parametrize("lines", [[], ["a", "b", "c", "d", "e"]])
def test_stamp_needs_one_to_four_lines(
    store: PhotoStore, telegram_jpeg: bytes, lines: list[str]
) -> None:
    photo = ingest_photo(telegram_jpeg, store, tz=TZ)

    with pytest.raises(ValueError, match="lines"):
        stamp_photo(store, photo.sha256, lines)


def test_stamp_of_an_unknown_photo(store: PhotoStore) -> None:
    with pytest.raises(FileNotFoundError):
        stamp_photo(store, "a" * 64, STAMP)


def test_long_lines_end_in_an_ellipsis() -> None:
    font = ImageFont.load_default(size=20)
    text = "BRIPKA Budi Santoso · NRP 87654321 · Kel. Limba U Dua, Kota Selatan"

    fitted = imaging._fit_text(text, font, 200)

    assert fitted.endswith("…")
    assert font.getlength(fitted) <= 200
    assert text.startswith(fitted[:-1])
    assert imaging._fit_text("short", font, 200) == "short"


def test_characters_the_bundled_font_lacks_are_replaced() -> None:
    font = ImageFont.load_default(size=20)

    text = imaging._renderable("08:00–09:00 · Désa Ω", font, None)

    assert text == "08:00-09:00 · Desa ?"


# ----------------------------------------------------------------------- contact sheet


def test_contact_sheet(store: PhotoStore, telegram_jpeg: bytes) -> None:
    first = ingest_photo(telegram_jpeg, store, tz=TZ)
    second = ingest_photo(encode(scene((600, 900)), "PNG"), store, tz=TZ)
    items = [
        (first.sha256, "Sabtu 28/11 · POS SAPTA · Kel. Limba U Dua, Kota Selatan, Gorontalo"),
        (second.sha256, "Jumat 27/11 · POS KHIDMAT"),
        ("e" * 64, "file hilang"),
        (first.sha256, "lagi"),
    ]

    data = contact_sheet(store, items, columns=3, tile=300)

    with Image.open(io.BytesIO(data)) as sheet:
        assert sheet.format == "JPEG"
        assert sheet.width > 3 * 300
        assert sheet.height > 2 * 300
        assert not sheet.getexif()


def test_contact_sheet_needs_items(store: PhotoStore) -> None:
    with pytest.raises(ValueError, match="items"):
        contact_sheet(store, [])


STAMP_LINES = [
    "POS SAPTA · LAP/SAPTA/2026/11/0001",
    "Sabtu, 28/11/2026 08.00 WITA",
    "RW 03 Kel. Heledulaa, Kec. Kota Selatan, depan Masjid Al-Huda dekat Pasar Sentral",
    "BRIPKA Budi Santoso · NRP 87654321",
]


@pytest.mark.parametrize("size", [(320, 240), (4000, 300), (300, 4000), (1600, 480)])
def test_the_stamp_stays_legible_and_whole_on_small_and_stretched_images(
    size: tuple[int, int],
) -> None:
    img = Image.new("RGB", size, "gray")
    layout = imaging._draw_stamp(img, STAMP_LINES, imaging.STAMP_FONT)
    width, height = size
    font = ImageFont.truetype(str(imaging.STAMP_FONT), layout.size)

    assert 0 <= layout.top < height
    assert height - layout.top <= imaging.STAMP_SHARE * height  # the photo stays visible
    assert layout.size >= imaging.MIN_STAMP_PX
    _, ink_top, _, ink_bottom = font.getbbox("LAP/SAPTA")
    assert ink_bottom - ink_top >= 7  # capitals at least 7 px tall
    assert all(font.getlength(row) <= width for row in layout.rows)
    shown = " ".join(layout.rows)
    assert "…" not in shown
    for line in STAMP_LINES:  # nothing cut: every word of every line is on the stamp
        assert all(word in shown for word in line.split())
    # The band is drawn where the layout says: dark below its top, untouched above.
    assert img.getpixel((0, height - 1)) != (128, 128, 128)
    if layout.top > 0:
        assert img.getpixel((0, layout.top - 1)) == (128, 128, 128)


def test_a_panorama_stamp_is_not_smaller_than_on_a_photo_of_its_height() -> None:
    wide = imaging._draw_stamp(Image.new("RGB", (1600, 480)), STAMP_LINES, imaging.STAMP_FONT)
    photo = imaging._draw_stamp(Image.new("RGB", (640, 480)), STAMP_LINES, imaging.STAMP_FONT)
    assert wide.size >= photo.size
    assert len(wide.rows) < len(photo.rows)  # lines share rows across the width


def test_a_tiny_image_keeps_most_of_itself_visible() -> None:
    layout = imaging._draw_stamp(Image.new("RGB", (100, 68)), STAMP_LINES, imaging.STAMP_FONT)
    assert 68 - layout.top <= 0.45 * 68
    assert layout.size >= imaging.MIN_STAMP_PX
    assert layout.rows[-1].endswith("…")  # what does not fit says so
