"""open_book: what the file really is (`sniff`), then the reader for it."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ci_excel.reading.book import RawBook
from ci_excel.reading.calamine import _by_calamine, _calamine_refused, _open_openpyxl
from ci_excel.reading.xls import _open_xls
from ci_excel.sniff import Failure, Kind, reader_failure, reason, sniff


def open_book(path: Path) -> RawBook | Failure:
    """Open a workbook for reading values, or say why it cannot be read."""
    kind = sniff(path)
    if isinstance(kind, Failure):
        return kind
    try:
        return _open(path, kind)
    except MemoryError:
        return Failure("file-limit", "opening it needs more memory than one file may take")
    except BaseException as exc:  # calamine panics are BaseExceptions
        if not reader_failure(exc):
            raise
        return Failure("file-corrupt", reason(exc))


def _open(path: Path, kind: Kind) -> RawBook | Failure:
    if kind.kind == "xls":
        return _open_xls(path, kind)
    if kind.kind in ("xlsx", "xlsm") and _shared_strings_lie(path):
        return _open_openpyxl(path, kind, "")  # calamine would reserve what the count claims, and abort
    return _by_calamine(path, kind, refused=_calamine_refused)


def _shared_strings_lie(path: Path) -> bool:
    """A shared-strings table that declares far more strings than its part could hold."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = next((i for i in zf.infolist() if i.filename.lower().endswith("sharedstrings.xml")), None)
            if info is None:
                return False
            with zf.open(info) as fh:
                head = fh.read(1024)
    except (OSError, zipfile.BadZipFile, ValueError):
        return False
    counts = [int(n) for n in re.findall(rb'(?:count|uniqueCount)="([0-9]{1,19})"', head)]
    return any(n > info.file_size // 7 + 100 for n in counts)  # a string takes at least <si><t/></si>
