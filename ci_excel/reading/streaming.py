"""openpyxl's streaming sheet parser, made tolerant of cells it cannot convert."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any


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


def _parsed_cells(rows: Iterator[tuple[int, list[dict[str, Any]]]]) -> Iterator[tuple[int, int, Any]]:
    """(0-based row, 0-based column, value) of every cell openpyxl's parser gives; errors read as blank
    (their text is reported from the scan), as calamine does."""
    for _, cells in rows:
        for cell in cells:
            value = cell["value"]
            if value is not None and cell["data_type"] != "e":
                yield cell["row"] - 1, cell["column"] - 1, value
