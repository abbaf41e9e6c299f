"""Grids of cell values: the limits every reader keeps to, sparse grids and A1 letters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ci_excel.sheet_scan import column_number

MAX_COLUMNS = 64  # the widest template sheet has about 20 columns
MAX_ROWS = 100_000  # value rows on one sheet; a register has hundreds
DENSE_LIMIT = 1_000_000  # cells of the grid calamine may build from A1 (about 40 MB)

Grid = list[list[Any]]
_EMPTY_ROW: list[Any] = []  # shared by every missing row of a sparse grid; never written to


@dataclass(frozen=True)
class Outside:
    """The first non-blank cell that lies beyond `MAX_COLUMNS` of a sheet, and how many there are."""

    cell: str
    value: Any
    count: int


class SheetTooLarge(Exception):
    """A sheet holds more value rows than any register (reported as sheet-too-large)."""

    def __init__(self, rows: int) -> None:
        super().__init__(f"{rows} rows")
        self.rows = rows


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
    r, c = int(a1[len(letters) :]) - 1, column_number(letters) - 1
    if r < len(grid) and c < len(grid[r]) and grid[r] is not _EMPTY_ROW:
        grid[r][c] = ""


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
