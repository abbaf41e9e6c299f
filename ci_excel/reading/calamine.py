"""The calamine path: .xlsx/.xlsm, .ods and .xlsb opened by python-calamine; for .xlsx/.xlsm, the sheets
(and books) calamine should not or cannot read go to openpyxl's streaming parser."""

from __future__ import annotations

import tempfile
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import python_calamine as pc

from ci_excel.reading.book import RawBook, _Reader
from ci_excel.reading.grid import (
    DENSE_LIMIT,
    MAX_COLUMNS,
    MAX_ROWS,
    Grid,
    Outside,
    SheetTooLarge,
    _blank,
    _clip,
    _sparse,
)
from ci_excel.reading.streaming import _parsed_cells, _tolerant_parser
from ci_excel.sheet_scan import BadCells, SheetScan, scan_sheet, sheet_parts
from ci_excel.sniff import Failure, Kind, reader_failure, reason

Refusal = Callable[[Path, Kind, str], "RawBook | Failure"]  # what to do when calamine cannot open a file


def _by_calamine(path: Path, kind: Kind, *, refused: Refusal) -> RawBook | Failure:
    """The book opened by calamine, or `refused(path, kind, why)` when calamine cannot open it."""
    try:
        book = _calamine(path, kind)
        meta = book.sheets_metadata
    except pc.PasswordError:
        return Failure("file-encrypted")
    except BaseException as exc:  # calamine's errors, and its panics (BaseExceptions)
        if not reader_failure(exc) or isinstance(exc, MemoryError):
            raise
        return refused(path, kind, reason(exc))
    hidden = {m.name for m in meta if m.visible != pc.SheetVisibleEnum.Visible}
    reader: _Reader = _OoxmlReader(path, book) if kind.kind in ("xlsx", "xlsm") else _CalamineReader(book)
    return RawBook(path, kind, [m.name for m in meta], hidden, reader)


def _calamine(path: Path, kind: Kind) -> Any:
    """calamine's workbook, told the real format: through a link named for it when the name lies
    (calamine picks its reader by extension; its guess from content misses some valid files)."""
    if path.suffix.lower() == f".{kind.kind}":
        return pc.CalamineWorkbook.from_path(str(path))
    with tempfile.TemporaryDirectory(prefix="ci-excel-") as folder:
        link = Path(folder) / f"book.{kind.kind}"
        link.symlink_to(path.resolve())
        return pc.CalamineWorkbook.from_path(str(link))  # the file stays open once the link is gone


def _calamine_refused(path: Path, kind: Kind, why: str) -> RawBook | Failure:
    """calamine cannot open a file that another reader may: openpyxl for .xlsx/.xlsm (macro sheets,
    odd packages); for .xlsb there is no other reader."""
    if kind.kind in ("xlsx", "xlsm"):
        return _open_openpyxl(path, kind, why)
    if kind.kind == "xlsb":
        return Failure("file-unsupported", why, kind=f"{kind.name} ({why})")
    if "limit exceeded" in why.lower():
        return Failure("file-limit", why)
    return Failure("file-corrupt", why)


def _open_openpyxl(path: Path, kind: Kind, why: str) -> RawBook | Failure:
    try:
        reader = _OoxmlReader(path, None)
        book = reader.openpyxl()
        names = list(book.sheetnames)
        hidden = {ws.title for ws in book.worksheets if ws.sheet_state != "visible"}
    except Exception as exc:
        return Failure("file-corrupt", why or reason(exc))
    return RawBook(path, kind, names, hidden, reader)


class _CalamineReader(_Reader):
    def __init__(self, book: Any) -> None:
        self._book = book

    def grid(self, name: str) -> tuple[Grid, Outside | None]:
        grid: Grid = self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        return _clip(grid)

    def close(self) -> None:
        if self._book is not None:
            self._book.close()


class _OoxmlReader(_CalamineReader):
    """calamine for sheets whose values stay near the table; openpyxl's streaming parser for the others,
    for a sheet calamine fails on, and for a whole book calamine cannot open (`book` None)."""

    def __init__(self, path: Path, book: Any | None) -> None:
        super().__init__(book)
        self._path = path
        self._zip = zipfile.ZipFile(path)
        self._parts = sheet_parts(self._zip)
        self._scans: dict[str, SheetScan] = {}
        self._sparse: Any = None  # an openpyxl read-only workbook, opened when first needed

    def scan(self, name: str) -> SheetScan:
        if name not in self._scans:
            part = self._parts.get(name)
            self._scans[name] = scan_sheet(self._zip, part, exact_over=MAX_ROWS) if part else SheetScan()
        return self._scans[name]

    def grid(self, name: str) -> tuple[Grid, Outside | None]:
        scan = self.scan(name)
        if scan.rows > MAX_ROWS:
            raise SheetTooLarge(scan.rows)
        near = self._book is not None and scan.area <= DENSE_LIMIT and scan.last_col <= MAX_COLUMNS
        grid, outside = (near and self._dense(name)) or self._sparse_grid(name)
        for a1 in scan.bad.corrupt:  # calamine reads a damaged shared-string index as string 0
            _blank(grid, a1)
        return grid, outside

    def _dense(self, name: str) -> tuple[Grid, Outside | None] | None:
        """calamine's grid, or None when calamine fails on the sheet (openpyxl then reads it)."""
        try:
            return super().grid(name)
        except BaseException as exc:  # calamine panics are BaseExceptions
            if not reader_failure(exc) or isinstance(exc, MemoryError):
                raise
            return None

    def bad(self, name: str) -> BadCells:
        return self.scan(name).bad

    def _sparse_grid(self, name: str) -> tuple[Grid, Outside | None]:
        book = self.openpyxl()
        ws = book[name]
        with ws._get_source() as src:
            parser = _tolerant_parser()(
                src,
                ws._shared_strings,
                data_only=True,
                epoch=book.epoch,
                date_formats=book._date_formats,
                timedelta_formats=book._timedelta_formats,
            )
            return _sparse(_parsed_cells(parser.parse()))

    def openpyxl(self) -> Any:
        if self._sparse is None:
            import openpyxl

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._sparse = openpyxl.load_workbook(self._path, read_only=True, data_only=True)
        return self._sparse

    def close(self) -> None:
        super().close()
        self._zip.close()
        if self._sparse is not None:
            self._sparse.close()
