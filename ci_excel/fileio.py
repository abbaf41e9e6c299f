"""Small file helpers every writer uses: atomic writes and safe file names."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_filename(name: str, *, default: str = "unnamed", max_length: int = 80) -> str:
    """A file name (without extension) safe on Windows, macOS and Linux, from whatever was typed."""
    text = unicodedata.normalize("NFKC", str(name))
    text = _UNSAFE.sub("_", text).strip(" ._")
    text = re.sub(r"\s+", " ", text)[:max_length].rstrip(" ._")
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
    with path.open("rb") as fh, (copy_to.open("wb") if copy_to is not None else nullcontext()) as out:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            if out is not None:
                out.write(chunk)
    return digest.hexdigest()
