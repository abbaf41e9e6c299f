"""Where feedback copies go: one path per submitted file, never the same twice.

Names: a feedback copy keeps its source's name when that already ends in what is written
(.xlsx, or .xlsm for an annotated macro workbook); otherwise that suffix is appended, so the old
one stays visible: `X.xls` -> `X.xls.xlsx`, `X.ods` -> `X.ods.xlsx`, and a stand-alone copy of
`X.xlsm` is `X.xlsm.xlsx`. `FeedbackNames` gives names that collide (once made safe, or compared
case-insensitively) a number, in claim order: `a:b.xlsx` then `a_b.xlsx` -> `a_b.xlsx`, `a_b (2).xlsx`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from itertools import count
from pathlib import Path

from ci_excel.fileio import safe_filename

_SUFFIX_KIND = {".xlsx": "xlsx", ".xlsm": "xlsm", ".xls": "xls", ".ods": "ods", ".xlsb": "xlsb"}


def source_kind(source: Path) -> str | None:
    """The kind a file's suffix claims (None for one ci-excel does not know)."""
    return _SUFFIX_KIND.get(source.suffix.lower())


class FeedbackNames:
    """Feedback paths under `folder`, never the same twice, compared as a case-insensitive disk would.

    Deterministic for one claim order. Each claim also reserves the name of its stand-alone
    fallback (`X.xlsm` -> `X.xlsm.xlsx`), so no copy can land on another's path.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._taken: set[str] = set()

    def claim(self, label: str, *, kind: str | None = None) -> Path:
        """The path of the feedback copy of the file labelled `label` (its path as the run names it)."""
        base = safe_relative(label)
        kind = kind or source_kind(base)
        for n in count(1):
            path = final_path(self.folder / _numbered(base, n), ".xlsm" if kind == "xlsm" else ".xlsx")
            keys = {_key(path), _key(final_path(path, ".xlsx"))}
            if not keys & self._taken:
                self._taken |= keys
                return path
        raise AssertionError("unreachable")


def feedback_paths(folder: Path, files: Iterable[tuple[str, str | None]]) -> dict[str, Path]:
    """Label -> feedback path for every (label, kind) in order: one allocation for a whole run."""
    names = FeedbackNames(folder)
    return {label: names.claim(label, kind=kind) for label, kind in files}


def safe_relative(label: str) -> Path:
    """A file's label as a path that stays inside the folder it is joined to (no root, no ..)."""
    parts = [p for p in Path(label).parts if p not in ("", ".", "..", "/")]
    *folders, name = parts or ["unnamed.xlsx"]
    suffix = Path(name).suffix
    return Path(*(safe_filename(f) for f in folders), safe_filename(Path(name).stem) + suffix)


def final_path(path: Path, suffix: str) -> Path:
    """`path` if it already ends in `suffix`, else with `suffix` appended."""
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


def _numbered(path: Path, n: int) -> Path:
    return path if n == 1 else path.with_name(f"{path.stem} ({n}){path.suffix}")


def _key(path: Path) -> str:
    return unicodedata.normalize("NFC", path.as_posix()).casefold()
