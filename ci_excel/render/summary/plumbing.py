"""What writing the summary workbook in constant memory takes, apart from what it shows.

xlsxwriter's constant_memory mode writes each row to disk as soon as the next one starts, cannot
make Excel tables and leaves chart caches empty. So: the workbook is staged beside its output
(`StagedBook`) and its tables, with their data rows kept in files beside it, are added after
xlsxwriter is done (`xlsx_tables.add_tables`, from the `TablePart` each `TableSheet` returns);
small sheets replay their writes in row order and keep their values (`SmallSheet`) so that
`add_series` can fill the charts' caches.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ci_excel.fileio import atomic_path
from ci_excel.render.summary.columns import Row, Table
from ci_excel.render.summary.rows import ROW, rows_xml
from ci_excel.render.summary.style import FONT, Styles
from ci_excel.render.xlsx_tables import TablePart, add_tables
from ci_excel.schema import Lang


def new_book(path: Path, lang: Lang) -> Workbook:
    """A workbook in constant_memory mode, its row files beside `path`; strings stay strings."""
    return xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": True,
            "tmpdir": str(path.parent),
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": True,
            "default_format_properties": {"font_name": FONT[lang], "font_size": 10},
        },
    )


class StagedBook:
    """An xlsxwriter workbook in constant memory, staged in a scratch directory beside `out` (on the
    same disk): xlsxwriter's row files and the staged file live there until `publish` or `discard`."""

    def __init__(self, out: Path, lang: Lang) -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        self._scratch = tempfile.TemporaryDirectory(prefix=f".{out.stem}.", dir=out.parent)
        self._staged = Path(self._scratch.name) / "staged.xlsx"
        self.book = new_book(self._staged, lang)

    def scratch(self, name: str) -> Path:
        """A file in the scratch directory, removed with it."""
        return Path(self._scratch.name) / name

    def publish(self, out: Path, tables: list[TablePart]) -> None:
        """Close the workbook, add its Excel tables and move the result onto `out` atomically."""
        self.book.close()
        with atomic_path(out) as tmp:
            add_tables(self._staged, tmp, tables)

    def discard(self) -> None:
        """Close xlsxwriter's row files (open until its close()) and remove the scratch directory."""
        for ws in self.book.worksheets():
            ws._opt_close()
        self._scratch.cleanup()


class TableSheet:
    """A worksheet holding one Excel table: xlsxwriter writes its header row, and its data rows (XML
    made by `rows.rows_xml`, often in a worker) are appended to a file beside the workbook and put
    into the sheet when it is published."""

    def __init__(self, book: Workbook, spec: Table, styles: Styles, rows_file: Path) -> None:
        self.spec = spec
        self.rows = 0
        self._styles = styles
        self._rows_file = rows_file
        self._out = rows_file.open("w", encoding="utf-8")
        self.ws = ws = book.add_worksheet(spec.name)
        for c, col in enumerate(spec.columns):
            ws.set_column(c, c, col.width)
            ws.write_string(0, c, col.header, styles.header)
        ws.freeze_panes(1, spec.freeze_cols)
        ws.set_landscape()
        ws.repeat_rows(0)

    def extend(self, rows: Iterable[Row]) -> None:
        """Append rows of values (formatted here)."""
        self.append(rows_xml(self.spec, rows, self._styles.lang))

    def append(self, rows: Iterable[str]) -> None:
        """Append rows as `rows_xml` made them, numbering each."""
        out = self._out
        for row in rows:
            self.rows += 1
            out.write(row.replace(ROW, str(self.rows + 1)))  # row 1 is the header

    def finish(self) -> TablePart:
        """Add the conditional formats over the rows written; the table to add to the finished file."""
        self._out.close()
        last = max(self.rows, 1)  # a table needs a data row: an empty one when there is none
        _conditions(self.ws, self.spec, self._styles, last)
        ref = f"A1:{xl_rowcol_to_cell(last, len(self.spec.columns) - 1)}"
        headers = tuple(col.header for col in self.spec.columns)
        return TablePart(self.ws.index + 1, self.spec.table, ref, headers, rows=self._rows_file)

    def close(self) -> None:
        self._out.close()


def _conditions(ws: Worksheet, spec: Table, styles: Styles, last: int) -> None:
    index = {col.key: c for c, col in enumerate(spec.columns)}
    for cond in spec.conditions:
        c = index[cond.column]
        options = dict(cond.options)
        if cond.style.startswith("priority:"):
            options["format"] = styles.priority[cond.style.split(":")[1]]
        elif cond.style:
            options["format"] = getattr(styles, cond.style)
        ws.conditional_format(1, c, last, c, options)


class SmallSheet:
    """A small sheet's cells (dashboard, chart data): writes are replayed in row order, as constant_memory
    needs, and their values kept to fill the charts' caches (xlsxwriter cannot read them back in that mode)."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.name = ws.get_name()
        self._values: dict[tuple[int, int], Any] = {}
        self._writes: list[tuple[int, Callable[[], object]]] = []

    def write_string(self, row: int, col: int, value: str, fmt: Format | None = None) -> None:
        self._values[row, col] = value
        self._writes.append((row, partial(self.ws.write_string, row, col, value, fmt)))

    def write_number(self, row: int, col: int, value: float, fmt: Format | None = None) -> None:
        self._values[row, col] = value
        self._writes.append((row, partial(self.ws.write_number, row, col, value, fmt)))

    def merge_range(self, row: int, first: int, last: int, value: str, fmt: Format) -> None:
        """Merge `first`..`last` columns of one row."""
        self._values[row, first] = value
        self._writes.append((row, partial(self.ws.merge_range, row, first, row, last, value, fmt)))

    def flush(self) -> None:
        for _, write in sorted(self._writes, key=lambda w: w[0]):  # stable: a row's writes keep their order
            write()
        self._writes.clear()

    def ref(
        self, first_row: int, first_col: int, last_row: int | None = None, last_col: int | None = None
    ) -> dict[str, Any]:
        """A chart range on this sheet with its cached values (row by row; None where blank)."""
        last_row, last_col = first_row if last_row is None else last_row, first_col if last_col is None else last_col
        values = [
            self._values.get((r, c)) for r in range(first_row, last_row + 1) for c in range(first_col, last_col + 1)
        ]
        return {"ref": [self.name, first_row, first_col, last_row, last_col], "data": values}


def add_series(chart: Any, options: dict[str, Any], **ranges: dict[str, Any]) -> None:
    """chart.add_series, with each range ("name", "categories", "values") as a `SmallSheet.ref`: its
    values go in the chart's cache, which xlsxwriter leaves empty in constant_memory mode."""
    for key, ref in ranges.items():
        options |= {key: ref["ref"], f"{key}_data": ref["data"]}
    chart.add_series(options)
