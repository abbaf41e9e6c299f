"""Finding files: discover walks the given files and folders and says which it does not read, and why."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

LOCK_PREFIX = "~$"


@dataclass(frozen=True)
class Found:
    """What `discover` found: the files to read, and those it did not read with the reason why."""

    files: list[Path]
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def discover(paths: Sequence[Path]) -> Found:
    """Every file under the given files and folders, recursively, sorted, and those not read.

    Whatever their extension, files are read (so a wrong one gets its verdict); not read, and
    named with the reason: hidden files and folders, Office lock files (~$...), links that lead
    outside the folder or nowhere, and linked folders. A file named explicitly is always read.
    """
    files: set[Path] = set()
    skipped: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            for found, why in _walk(path):
                if why is None:
                    files.add(found)
                else:
                    skipped.append((found, why))
        elif path.is_file():
            files.add(path)
    return Found(sorted(files), sorted(skipped))


def _walk(root: Path) -> Iterator[tuple[Path, str | None]]:
    base = root.resolve()
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        for name in sorted(dirs):
            if name.startswith(".") or (here / name).is_symlink():
                yield here / name, "hidden folder" if name.startswith(".") else "linked folder"
        dirs[:] = [d for d in dirs if not d.startswith(".") and not (here / d).is_symlink()]
        for name in names:
            yield here / name, _skip_reason(here / name, name, base)


def _skip_reason(path: Path, name: str, base: Path) -> str | None:
    if name.startswith(LOCK_PREFIX):
        return "Office lock file"
    if name.startswith("."):
        return "hidden file"
    if path.is_symlink():
        target = path.resolve()
        if not target.exists():
            return "link to a file that does not exist"
        if not target.is_relative_to(base):
            return "link to a file outside the submissions folder"
        if not target.is_file():
            return "link to something that is not a file"
    elif not path.is_file():
        return "not a regular file"
    return None
