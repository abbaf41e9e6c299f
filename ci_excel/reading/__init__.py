"""File -> raw cell values with locations; no judgement about the data (that is validation.py).

`open_book` first asks `sniff` what the file really is (its content, not its name) and whether it
is safe to parse, then reads it in memory and time proportional to its data, never to its used
range:
- .xlsx/.xlsm: each sheet's XML is scanned first (`sheet_scan`); python-calamine (fast, never runs
  macros) reads a sheet whose values stay within a table-sized area; a sheet whose values reach far
  beyond (a stray character in XFD1048576) is read sparsely by openpyxl's streaming parser, up to
  `MAX_COLUMNS`, and what lies beyond is reported; a sheet with more value rows than any register
  has (`MAX_ROWS`) is refused.
- .xls (and WPS .et): xlrd with ragged rows, whose memory follows the cells actually stored.
- .ods, .xlsb: python-calamine; the reading worker's memory cap (sandbox.py) bounds them.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import python_calamine as pc

from ci_excel.sheet_scan import NO_BAD_CELLS, BadCells, SheetScan, column_number, scan_sheet, sheet_parts
from ci_excel.sniff import Failure, Kind, reader_failure, reason, sniff

MAX_COLUMNS = 64  # the widest template sheet has about 20 columns
MAX_ROWS = 100_000  # value rows on one sheet; a register has hundreds
DENSE_LIMIT = 1_000_000  # cells of the grid calamine may build from A1 (about 40 MB)
LOCK_PREFIX = "~$"

Grid = list[list[Any]]
_EMPTY_ROW: list[Any] = []  # shared by every missing row of a sparse grid; never written to


@dataclass(frozen=True)
class Found:
    """What `discover` found: the files to read, and those it did not read with the reason why."""

    files: list[Path]
    skipped: list[tuple[Path, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Outside:
    """The first non-blank cell that lies beyond `MAX_COLUMNS` of a sheet, and how many there are."""

    cell: str
    value: Any
    count: int


@dataclass
class RawBook:
    """An opened workbook: sheet names and, per sheet, its values from A1 (rows of cells)."""

    path: Path
    kind: Kind
    sheet_names: list[str]
    hidden: set[str]
    _reader: _Reader = field(repr=False)
    outside: dict[str, Outside] = field(default_factory=dict)  # sheet name -> cells beyond the table

    def values(self, name: str) -> Grid | Failure:
        """Cell values of a sheet, row-major from A1; blanks are "" (rows may be ragged)."""
        try:
            grid, outside = self._reader.grid(name)
        except SheetTooLarge as exc:
            return Failure("sheet-too-large", params={"rows": exc.rows, "limit": MAX_ROWS})
        except MemoryError:
            return Failure("sheet-unreadable", "the sheet needs more memory than one file may take")
        except BaseException as exc:  # calamine panics are BaseExceptions; a broken sheet fails alone
            if not reader_failure(exc):
                raise
            return Failure("sheet-unreadable", reason(exc))
        if outside is not None:
            self.outside[name] = outside
        return grid

    def bad_cells(self, names: Iterable[str]) -> dict[str, BadCells]:
        """Per sheet name: cells the reader cannot give (formulas without a cached value, errors,
        damaged values), by A1 reference."""
        return {n: found for n in names if (found := self._reader.bad(n))}

    def close(self) -> None:
        self._reader.close()


class _Reader:
    """One format's way to give a sheet's grid."""

    def grid(self, name: str) -> tuple[Grid, Outside | None]:
        raise NotImplementedError

    def bad(self, name: str) -> BadCells:
        return NO_BAD_CELLS

    def close(self) -> None:
        return None


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
            parser = _tolerant_parser()(src, ws._shared_strings, data_only=True, epoch=book.epoch,
                                        date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
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


@lru_cache(maxsize=1)
def _tolerant_parser() -> Any:
    """openpyxl's streaming sheet parser (read-only mode's), reading a cell it cannot convert (a
    shared-string index of -1 or abc) as blank: the scan reports it."""
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.worksheet._reader import WorkSheetParser

    class TolerantParser(WorkSheetParser):  # type: ignore[misc]
        def parse_cell(self, element: Any) -> dict[str, Any]:
            try:
                return super().parse_cell(element)  # type: ignore[no-any-return]
            except (IndexError, ValueError, KeyError, TypeError):
                ref = element.get("r")
                row, column = coordinate_to_tuple(ref) if ref else (self.row_counter, self.col_counter)
                return {"row": row, "column": column, "value": None, "data_type": "n", "style_id": 0}

    return TolerantParser


class SheetTooLarge(Exception):
    """A sheet holds more value rows than any register (reported as sheet-too-large)."""

    def __init__(self, rows: int) -> None:
        super().__init__(f"{rows} rows")
        self.rows = rows


def _parsed_cells(rows: Iterator[tuple[int, list[dict[str, Any]]]]) -> Iterator[tuple[int, int, Any]]:
    """(0-based row, 0-based column, value) of every cell openpyxl's parser gives; errors read as blank
    (their text is reported from the scan), as calamine does."""
    for _, cells in rows:
        for cell in cells:
            value = cell["value"]
            if value is not None and cell["data_type"] != "e":
                yield cell["row"] - 1, cell["column"] - 1, value


def _sparse(cells: Iterable[tuple[int, int, Any]]) -> tuple[Grid, Outside | None]:
    """A grid of the non-blank cells within MAX_COLUMNS; missing rows share one empty row."""
    rows: dict[int, dict[int, Any]] = {}
    first: tuple[int, int, Any] | None = None
    outside = 0
    for r, c, value in cells:
        if _blank_value(value):
            continue
        if c >= MAX_COLUMNS:
            outside += 1
            first = first or (r, c, value)
            continue
        rows.setdefault(r, {})[c] = value
    grid: Grid = [_EMPTY_ROW] * (max(rows) + 1 if rows else 0)
    for r, found in rows.items():
        row = [""] * (max(found) + 1)
        for c, value in found.items():
            row[c] = value
        grid[r] = row
    note = Outside(_a1(first[0], first[1]), first[2], outside) if first is not None else None
    return grid, note


def _clip(grid: Grid) -> tuple[Grid, Outside | None]:
    """A calamine grid cut to MAX_COLUMNS, noting what lay beyond (calamine grids are rectangular)."""
    if not grid or len(grid[0]) <= MAX_COLUMNS:
        return grid, None
    cells = ((r, c, v) for r, row in enumerate(grid) for c, v in enumerate(row) if c >= MAX_COLUMNS)
    kept = [row[:MAX_COLUMNS] for row in grid]
    _, outside = _sparse(cells)
    return kept, outside


def _blank_value(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def _blank(grid: Grid, a1: str) -> None:
    letters = a1.rstrip("0123456789")
    r, c = int(a1[len(letters):]) - 1, column_number(letters) - 1
    if r < len(grid) and c < len(grid[r]) and grid[r] is not _EMPTY_ROW:
        grid[r][c] = ""


# --- legacy .xls through xlrd ------------------------------------------------------------------


def _open_xls(path: Path, kind: Kind) -> RawBook | Failure:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=path.read_bytes(), on_demand=True, ragged_rows=True,
                                  logfile=io.StringIO())  # xlrd's warnings, not the terminal
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


# --- finding files ----------------------------------------------------------------------------


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


def _a1(r: int, c: int) -> str:
    return f"{column_letter(c)}{r + 1}"


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


__all__ = ["DENSE_LIMIT", "MAX_COLUMNS", "MAX_ROWS", "NO_BAD_CELLS", "BadCells", "Failure", "Found", "Kind",
           "Outside", "RawBook", "SheetTooLarge", "column_letter", "discover", "open_book"]
