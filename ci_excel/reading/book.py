"""RawBook, an opened workbook, and `_Reader`, what each format gives it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ci_excel.reading.grid import MAX_ROWS, Grid, Outside, SheetTooLarge
from ci_excel.sheet_scan import NO_BAD_CELLS, BadCells
from ci_excel.sniff import Failure, Kind, reader_failure, reason


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
