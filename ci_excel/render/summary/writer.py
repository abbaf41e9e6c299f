"""`SummaryWriter`: what goes on which sheet of the summary workbook, and when.

Departments are taken one at a time: their rows stream to disk and only each department's digest
(`compute.department_digest`) is kept; at `close` the digests are folded into the period
(`compute.period_digest`, which ranks them) and the scoreboard and dashboard format that.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from ci_excel import model
from ci_excel.compute import department_digest, most_problems, period_digest
from ci_excel.render.summary.charts import TOP_DEPARTMENTS, matrix_cells, write_chart_data
from ci_excel.render.summary.columns import Table, sheet_name
from ci_excel.render.summary.dashboard import write_dashboard
from ci_excel.render.summary.plumbing import StagedBook, TableSheet
from ci_excel.render.summary.rows import ISSUES, SheetRows, department_rows, entity_tables, issues_spec
from ci_excel.render.summary.sheets import (
    issue_row,
    ranked,
    scoreboard_table,
    trend_row,
    trend_table,
)
from ci_excel.render.summary.style import Styles
from ci_excel.render.xlsx_tables import TablePart
from ci_excel.schema import Lang
from ci_excel.text import phrase


def write_summary(result: model.PeriodResult, out: Path, *, lang: Lang = "zh") -> Path:
    """Write portfolio_summary.xlsx for a whole period, atomically; returns `out`."""
    with SummaryWriter(out, lang=lang) as writer:
        for d in result.departments:
            writer.add(d)
        return writer.close(result.outline)


class SummaryWriter:
    """The summary workbook, fed one department at a time; memory holds a few figures per department.

    `add` streams a department's rows to the entity and issues sheets; `close` writes the
    scoreboard, trend, general issues and dashboard and moves the finished file onto `out`. On an
    exception (or leaving a `with` block without `close`) everything is discarded and `out` is
    left as it was.
    """

    def __init__(self, out: Path, *, lang: Lang = "zh") -> None:
        self.out = Path(out)
        self.lang = lang
        self._staged = StagedBook(self.out, lang)
        self._book = self._staged.book
        self._styles = Styles(self._book, lang)
        self._dashboard = self._book.add_worksheet(sheet_name(phrase("dashboard", lang)))
        self._entities = {sheet: self._table_sheet(sheet, table) for sheet, table in entity_tables(lang).items()}
        self._scoreboard = self._table_sheet("scoreboard", scoreboard_table(lang))
        self._trend = self._table_sheet("trend", trend_table(lang))
        self._issues = self._table_sheet(ISSUES, issues_spec(lang))
        self._digests: list[model.DepartmentDigest] = []  # one per department, in the order added
        self._open = True

    def add(
        self, dept: model.DepartmentResult, digest: model.DepartmentDigest | None = None, rows: SheetRows | None = None
    ) -> None:
        """Append a department's rows to every entity sheet and the issues sheet; keep its digest. The
        digest and the rows (`rows.department_rows`) are usually made in its worker, else here."""
        with self._discard_on_error():
            rows = rows or department_rows(dept, self.lang)
            for sheet, table in self._entities.items():
                table.append(rows[sheet])
            self._issues.append(rows[ISSUES])
            self._digests.append(digest or department_digest(dept))

    def close(self, outline: model.PeriodOutline, period: model.PeriodDigest | None = None) -> Path:
        """Write the period-wide sheets and the dashboard, then the file at `out`; returns `out`.

        period: the departments folded with the outline's general issues (folded here when not given).
        """
        with self._discard_on_error():
            tables = self._finish(outline, period or period_digest(self._digests, general=outline.issues))
            self._staged.publish(self.out, tables)
        self.discard()
        return self.out

    def discard(self) -> None:
        """Drop everything written so far (`out` is not touched)."""
        if self._open:
            self._open = False
            for table in (*self._entities.values(), self._scoreboard, self._trend, self._issues):
                table.close()
            self._staged.discard()

    def _table_sheet(self, key: str, table: Table) -> TableSheet:
        return TableSheet(self._book, table, self._styles, self._staged.scratch(f"{key}.rows.xml"))

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.discard()

    @contextmanager
    def _discard_on_error(self) -> Iterator[None]:
        if not self._open:
            raise ValueError("the summary writer is closed")
        try:
            yield
        except BaseException:
            self.discard()
            raise

    def _finish(self, outline: model.PeriodOutline, period: model.PeriodDigest) -> list[TablePart]:
        lang = self.lang
        self._scoreboard.extend(ranked(period, outline.missing, lang))
        self._trend.extend(trend_row(f) for f in outline.trend)
        self._issues.extend(issue_row(i, outline.period, lang) for i in outline.issues)
        tables = [t.finish() for t in (*self._entities.values(), self._scoreboard, self._trend, self._issues)]
        top = most_problems(period.departments, TOP_DEPARTMENTS)
        data = write_chart_data(self._book, top, len(period.departments), matrix_cells(period), self._styles)
        write_dashboard(self._book, self._dashboard, outline, period, self._styles, trend=self._trend, data=data)
        return tables
