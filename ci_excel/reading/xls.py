"""Legacy .xls (and WPS .et) through xlrd, with ragged rows: memory follows the cells actually stored."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ci_excel.reading.book import RawBook, _Reader
from ci_excel.reading.calamine import _by_calamine
from ci_excel.reading.grid import MAX_ROWS, Grid, Outside, SheetTooLarge, _a1, _sparse
from ci_excel.sheet_scan import NO_BAD_CELLS, BadCells
from ci_excel.sniff import Failure, Kind, reason


def _open_xls(path: Path, kind: Kind) -> RawBook | Failure:
    import xlrd

    try:
        book = xlrd.open_workbook(
            file_contents=path.read_bytes(), on_demand=True, ragged_rows=True, logfile=io.StringIO()
        )  # xlrd's warnings, not the terminal
    except Exception as exc:  # xlrd.XLRDError, CompDocError, struct errors on damaged files
        if "encrypted" in str(exc).lower():
            return Failure("file-encrypted")
        return _xls_by_calamine(path, kind, reason(exc))
    names = book.sheet_names()
    visibility = getattr(book, "_sheet_visibility", [0] * len(names))
    hidden = {n for n, v in zip(names, visibility, strict=False) if v}
    return RawBook(path, kind, names, hidden, _XlsReader(book))


def _xls_by_calamine(path: Path, kind: Kind, why: str) -> RawBook | Failure:
    """A legacy file xlrd refuses (a damaged OLE directory) that calamine may still read; its memory is
    bounded by the reading worker's cap. Refused by both, it is corrupt for xlrd's reason."""
    return _by_calamine(path, kind, refused=lambda _path, _kind, _why: Failure("file-corrupt", why))


class _XlsReader(_Reader):
    """xlrd's cells as calamine would give them: text, floats, booleans, datetimes; errors blank."""

    def __init__(self, book: Any) -> None:
        self._book = book
        self._bad: dict[str, BadCells] = {}

    def grid(self, name: str) -> tuple[Grid, Outside | None]:
        import xlrd

        sheet = self._book.sheet_by_name(name)
        if sheet.nrows > MAX_ROWS:
            raise SheetTooLarge(sheet.nrows)
        errors: dict[str, str] = {}
        cells = (cell for r in range(sheet.nrows) for cell in self._row(sheet, r, errors, xlrd))
        grid, outside = _sparse(cells)
        self._bad[name] = BadCells(errors=errors) if errors else NO_BAD_CELLS
        return grid, outside

    def _row(self, sheet: Any, r: int, errors: dict[str, str], xlrd: Any) -> Iterator[tuple[int, int, Any]]:
        for c, (typ, value) in enumerate(zip(sheet.row_types(r), sheet.row_values(r), strict=True)):
            if typ == xlrd.XL_CELL_ERROR:
                errors[_a1(r, c)] = xlrd.error_text_from_code.get(value, "#N/A")
            elif typ == xlrd.XL_CELL_DATE:
                yield r, c, _xls_date(value, self._book.datemode)
            elif typ == xlrd.XL_CELL_BOOLEAN:
                yield r, c, bool(value)
            elif typ in (xlrd.XL_CELL_TEXT, xlrd.XL_CELL_NUMBER):
                yield r, c, value

    def bad(self, name: str) -> BadCells:
        return self._bad.get(name, NO_BAD_CELLS)

    def close(self) -> None:
        self._book.release_resources()


def _xls_date(value: float, datemode: int) -> datetime | float:
    import xlrd

    try:
        return xlrd.xldate.xldate_as_datetime(value, datemode)  # type: ignore[no-any-return]
    except (ValueError, OverflowError, xlrd.xldate.XLDateError):
        return value
