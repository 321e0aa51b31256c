"""The photo files: content-addressed, private, replaced atomically, fsync'd.

What the files hold (ingest, EXIF, stamping) is ``domain/imaging.py``; this is the keeping.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from domain.imaging import IngestedPhoto, check_sha, is_sha

_FILE_MODE = 0o600
_DIR_MODE = 0o700
_TEMP_PREFIX, _TEMP_SUFFIX = ".tmp-", ".part"
_TEMP_GLOB = f"{_TEMP_PREFIX}*{_TEMP_SUFFIX}"
_EXTENSIONS = ("jpg", "png", "webp", "gif", "heic", "tif")


class PhotoStore:
    """Content-addressed photo files under ``root/ab/`` (first two hex digits).

    Per photo: ``{sha}.orig.{ext}`` (the bytes as received), ``{sha}.web.jpg``,
    ``{sha}.thumb.jpg``, ``{sha}.json`` (metadata, written last: its presence marks a
    complete ingest) and, once the report is submitted, ``{sha}.stamped.jpg``.
    Files are private (0600, dirs 0700) and replaced atomically, so a crash never
    leaves a half-written photo under its final name.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._held: Counter[str] = Counter()

    def shard_dir(self, sha256: str) -> Path:
        """Directory holding the files of ``sha256``."""
        return self.root / check_sha(sha256)[:2]

    def metadata_path(self, sha256: str) -> Path:
        """Path of the JSON sidecar."""
        return self.shard_dir(sha256) / f"{sha256}.json"

    def web_path(self, sha256: str) -> Path:
        """Path of the unstamped web copy."""
        return self.shard_dir(sha256) / f"{sha256}.web.jpg"

    def thumb_path(self, sha256: str) -> Path:
        """Path of the thumbnail."""
        return self.shard_dir(sha256) / f"{sha256}.thumb.jpg"

    def stamped_path(self, sha256: str) -> Path:
        """Path of the stamped copy (exists only after :func:`stamp_photo`)."""
        return self.shard_dir(sha256) / f"{sha256}.stamped.jpg"

    def original_path(self, sha256: str) -> Path:
        """Path of the stored original, whatever its extension.

        Raises:
            FileNotFoundError: no original is stored for this hash.
        """
        shard = self.shard_dir(sha256)
        for ext in _EXTENSIONS:
            path = shard / f"{sha256}.orig.{ext}"
            if path.exists():
                return path
        raise FileNotFoundError(f"no original stored for {sha256}")

    def get(self, sha256: str) -> IngestedPhoto | None:
        """The stored photo, or None when it is missing or incomplete."""
        try:
            raw = json.loads(self.metadata_path(sha256).read_bytes())
            photo = IngestedPhoto.from_json(raw)
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None
        if photo.sha256 != sha256:
            return None
        shard = self.shard_dir(sha256)
        needed = (
            shard / f"{sha256}.orig.{photo.extension}",
            self.web_path(sha256),
            self.thumb_path(sha256),
        )
        return photo if all(p.is_file() for p in needed) else None

    def exists(self, sha256: str) -> bool:
        """Whether a complete ingest of ``sha256`` is stored."""
        return self.get(sha256) is not None

    def verify(self, sha256: str) -> bool:
        """Whether the stored original still hashes to its name (integrity check)."""
        try:
            path = self.original_path(sha256)
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
        except OSError:
            return False
        return digest.hexdigest() == sha256

    def iter_hashes(self) -> Iterator[str]:
        """Hashes of every stored original, complete ingest or not, in sorted order."""
        if not self.root.is_dir():
            return
        for shard in sorted(self.root.iterdir()):
            if not shard.is_dir() or len(shard.name) != 2:
                continue
            found = {p.name.split(".", 1)[0] for p in shard.glob("*.orig.*")}
            yield from sorted(h for h in found if is_sha(h) and h[:2] == shard.name)

    def files_of(self, sha256: str) -> list[Path]:
        """Every file stored for ``sha256`` (original, copies, sidecar; not temp files)."""
        shard = self.shard_dir(sha256)
        if not shard.is_dir():
            return []
        return sorted(p for p in shard.glob(f"{sha256}.*") if p.is_file())

    def last_modified(self, sha256: str) -> float | None:
        """Newest modification time (epoch seconds) of the photo's files; None if none."""
        times = []
        for path in self.files_of(sha256):
            with contextlib.suppress(FileNotFoundError):
                times.append(path.stat().st_mtime)
        return max(times) if times else None

    def temp_files(self) -> list[Path]:
        """Temporary files of :meth:`_write` (``.tmp-*.part``) still lying in the store.

        A write renames its temp file within milliseconds; one that stays was left by a
        crash (or a full disk) halfway through, and nothing refers to it.
        """
        if not self.root.is_dir():
            return []
        found = [p for p in self.root.glob(_TEMP_GLOB) if p.is_file()]
        for shard in self.root.iterdir():
            if shard.is_dir() and len(shard.name) == 2:
                found.extend(p for p in shard.glob(_TEMP_GLOB) if p.is_file())
        return sorted(found)

    @contextlib.contextmanager
    def hold(self, sha256: str) -> Iterator[None]:
        """Keep :meth:`remove` off this photo while it is being added to a draft.

        The files are written (or found) before the row that refers to them commits; an
        identical photo discarded elsewhere in that window must not take them away. Holds
        live in this object only: a prune in another process cannot see them, which is why
        the upload also checks the files again inside its transaction (:func:`ensure_stored`)
        and a prune deletes only under the database's write lock. Here, the hold spares that
        check from having to store the photo again.
        """
        self._held[sha256] += 1
        try:
            yield
        finally:
            self._held[sha256] -= 1
            if self._held[sha256] <= 0:
                del self._held[sha256]

    def is_held(self, sha256: str) -> bool:
        """Whether an upload of this photo is between ingest and commit (see :meth:`hold`)."""
        return self._held[sha256] > 0

    def remove(self, sha256: str) -> tuple[int, int]:
        """Delete the photo's files; returns (files, bytes) removed.

        The sidecar goes first (the ingest is incomplete from then on, so an upload of the
        same bytes stores them again) and the original last, so that an interrupted removal
        leaves an orphan that ``check`` lists, never an invisible remainder.
        """
        files = self.files_of(sha256)
        files.sort(key=lambda p: (".orig." in p.name, p.name != self.metadata_path(sha256).name))
        count = size = 0
        for path in files:
            try:
                length = path.stat().st_size
                path.unlink()
            except FileNotFoundError:
                continue
            count, size = count + 1, size + length
        return count, size

    def touch(self, sha256: str) -> bool:
        """Mark a stored photo as used now (its sidecar's mtime); False when it is gone."""
        try:
            os.utime(self.metadata_path(sha256))
        except FileNotFoundError:
            return False
        return True

    def _write(self, path: Path, data: bytes, *, sync_dir: bool = True) -> None:
        """Atomically write ``data`` to ``path``, mode 0600.

        Temp file in the same directory, fsync, then ``os.replace``: readers see the
        old file or the new one, never a torn one.
        """
        self._ensure_dir(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX, suffix=_TEMP_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(handle.fileno(), _FILE_MODE)
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        if sync_dir:
            _fsync_dir(path.parent)

    def _ensure_dir(self, path: Path) -> None:
        """Create the root and shard directories as 0700 (not the umask default)."""
        for directory in (self.root, path):
            if directory.is_dir():
                continue
            directory.parent.mkdir(parents=True, exist_ok=True)
            try:
                directory.mkdir(mode=_DIR_MODE)
            except FileExistsError:
                continue
            os.chmod(directory, _DIR_MODE)

    def save(self, photo: IngestedPhoto, original: bytes, web: bytes, thumb: bytes) -> None:
        """Write all files of one ingest; the sidecar last, as the completion mark."""
        sha = photo.sha256
        original_path = self.shard_dir(sha) / f"{sha}.orig.{photo.extension}"
        self._write(original_path, original, sync_dir=False)
        self._write(self.web_path(sha), web, sync_dir=False)
        self._write(self.thumb_path(sha), thumb, sync_dir=False)
        sidecar = json.dumps(photo.to_json(), sort_keys=True).encode()
        self._write(self.metadata_path(sha), sidecar)

    def write_stamped(self, sha256: str, data: bytes) -> Path:
        """Write the stamped copy (after the report is submitted); returns its path."""
        out = self.stamped_path(sha256)
        self._write(out, data)
        return out


def _fsync_dir(path: Path) -> None:
    """Persist a rename (os.replace) across power loss."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


