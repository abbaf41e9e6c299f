"""File -> raw cell values with locations; no judgement about the data (that is validation/).

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

Modules:
  opening    open_book: sniff, then the reader for the format
  book       RawBook, an opened workbook, and the reader interface behind it
  calamine   .xlsx/.xlsm, .ods, .xlsb through python-calamine, openpyxl where calamine should not read
  streaming  openpyxl's streaming sheet parser, tolerant of cells it cannot convert
  xls        legacy .xls through xlrd
  grid       limits, sparse grids, A1 letters
  files      discover: the files to read and those skipped
"""

from __future__ import annotations

from ci_excel.reading.book import RawBook
from ci_excel.reading.files import LOCK_PREFIX, Found, discover
from ci_excel.reading.grid import DENSE_LIMIT, MAX_COLUMNS, MAX_ROWS, Grid, Outside, SheetTooLarge, column_letter
from ci_excel.reading.opening import open_book
from ci_excel.sheet_scan import NO_BAD_CELLS, BadCells
from ci_excel.sniff import Failure, Kind

__all__ = [
    "DENSE_LIMIT",
    "LOCK_PREFIX",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "NO_BAD_CELLS",
    "BadCells",
    "Failure",
    "Found",
    "Grid",
    "Kind",
    "Outside",
    "RawBook",
    "SheetTooLarge",
    "column_letter",
    "discover",
    "open_book",
]
