"""Small file helpers every writer uses: atomic writes, safe file names, and what a failed write says."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import BinaryIO

from ci_excel.errors import OutputError

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_FIXES = {
    **dict.fromkeys(_FULL, ("the disk is full", "free some space on it and run again")),
    errno.EROFS: ("the disk is read-only", "choose another output folder (--out) or make this one writable"),
    **dict.fromkeys(
        (errno.EACCES, errno.EPERM),
        ("permission denied", "choose another output folder (--out) or get write access to this one"),
    ),
    errno.EIO: ("the disk reported an input/output error", "check the disk, then run again"),
}
MAX_NAME_BYTES = 160  # of a file name's stem in UTF-8: room for a suffix within the usual 255-byte limit


def safe_filename(name: str, *, default: str = "unnamed", max_length: int = 80) -> str:
    """A file name (without extension) safe on Windows, macOS and Linux, from whatever was typed:
    at most `max_length` characters and MAX_NAME_BYTES bytes of UTF-8."""
    text = unicodedata.normalize("NFKC", str(name))
    text = _UNSAFE.sub("_", text).strip(" ._")
    text = re.sub(r"\s+", " ", text)[:max_length]
    while len(text.encode("utf-8")) > MAX_NAME_BYTES:
        text = text[:-1]
    text = text.rstrip(" ._")
    if not text or text.upper() in _WINDOWS_RESERVED:
        return default if not text else f"_{text}"
    return text


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; it replaces `target` only when the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        tmp_path.chmod(0o666 & ~umask())  # mkstemp makes files private; outputs are shared
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def umask() -> int:
    """The process's file-creation mask (read without changing it for good)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(target: Path, write: Callable[[Path], object]) -> Path:
    """Call `write(tmp_path)` and move the result onto `target` in one step."""
    with atomic_path(target) as tmp:
        write(tmp)
    return target


def sha256_of(path: Path, *, copy_to: Path | None = None) -> str:
    """The file's SHA-256; with `copy_to`, the bytes hashed are also written there (one read)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh, _opened(copy_to) if copy_to is not None else nullcontext() as out:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            if out is not None:
                with writing(copy_to):  # type: ignore[arg-type]
                    out.write(chunk)
    return digest.hexdigest()


@contextmanager
def _opened(path: Path) -> Iterator[BinaryIO]:
    """`path` open for writing; failing to open, write or close it is an OutputError."""
    with writing(path):
        fh = path.open("wb")
    try:
        yield fh
    finally:
        with writing(path):
            fh.close()


def is_disk_failure(exc: BaseException) -> bool:
    """An OSError that says the place written to cannot take it (full, read-only, forbidden, failing),
    as opposed to a fault of what was being written."""
    return isinstance(exc, OSError) and exc.errno in _FIXES


def stop_on_disk_failure(exc: BaseException, where: Path) -> None:
    """Raise the OutputError that `exc` means when it says the disk failed; else return, for the caller
    to treat `exc` as a fault of what was being written."""
    if isinstance(exc, OSError) and is_disk_failure(exc):
        raise output_error(exc, where) from exc


def output_error(exc: OSError, where: Path) -> OutputError:
    """One sentence: what could not be written, why, and what to do."""
    what = Path(exc.filename) if isinstance(exc.filename, str | os.PathLike) else where
    why, fix = _FIXES.get(exc.errno or 0, (exc.strerror or str(exc), "check it, then run again"))
    verb = "cannot write" if exc.errno in _FIXES else "stopped at"
    return OutputError(f"{verb} {what}: {why}; {fix}. The previous outputs and the history store are unchanged.")


@contextmanager
def writing(where: Path) -> Iterator[None]:
    """Turn an OSError of the block into the OutputError naming `where` (unless it names its own file)."""
    try:
        yield
    except OSError as exc:
        raise output_error(exc, where) from exc


def check_free_space(folder: Path, needed: int) -> None:
    """Refuse to start when `folder`'s disk has less than `needed` bytes free."""
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise OutputError(
            f"not enough free space for {folder}: {free / 1e6:.1f} MB free, the run needs about "
            f"{needed / 1e6:.1f} MB; free some space or choose another output folder (--out). "
            "Nothing was written."
        )
