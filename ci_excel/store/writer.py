"""PeriodWriter: one period collected department by department in the private file
`Store.period_writer` opened, before it is copied into the store in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from ci_excel.compute import period_figures
from ci_excel.issues import Issue
from ci_excel.model import DepartmentResult, KpiHistory, PeriodFigures
from ci_excel.store.rows import _department_rows, _issue_rows, _period_head
from ci_excel.store.tables import ISSUES, MISSING, PERIODS

if TYPE_CHECKING:
    from ci_excel.store import Store


class PeriodWriter:
    """Collects one period in the private file `Store.period_writer` opened; the history it needs
    (earlier periods, untouched by the rewrite) is read from the store itself."""

    def __init__(self, conn: Connection, period: str, generated_on: date | None, store: Store) -> None:
        self.conn, self.period, self.store, self.seq, self.finished = conn, period, store, 0, False
        empty = period_figures(period, [], previous_problem_ids=None)
        conn.execute(PERIODS.insert(), [_period_head(empty, generated_on)])

    def add(self, dept: DepartmentResult) -> None:
        """One department's submission, files, issues and every entity row."""
        for table, rows in _department_rows(dept, self.seq):
            if rows:
                self.conn.execute(table.insert(), rows)
        self.seq += 1

    def finish(
        self, figures: PeriodFigures, *, missing: Sequence[str], issues: Iterable[Issue], run_id: str | None = None
    ) -> None:
        """The period's headline figures, its missing departments, the issues tied to none, and the
        run folder whose outputs will show it."""
        head = _period_head(figures, None) | {"run_id": run_id}
        del head["generated_on"]
        self.conn.execute(PERIODS.update().where(PERIODS.c.period == self.period).values(head))
        for table, rows in (
            (MISSING, [{"period": self.period, "department": d, "seq": i} for i, d in enumerate(missing)]),
            (ISSUES, _issue_rows(self.period, None, issues)),
        ):
            if rows:
                self.conn.execute(table.insert(), rows)
        self.finished = True

    def stage_history(self, department: str) -> dict[str, list[int]]:
        """problem_id -> its stages in the periods stored before this one."""
        return self.store.stage_history(department, self.period)

    def kpi_history(self, department: str) -> KpiHistory:
        """Its KPIs in the periods stored before this one (compute's `gain_not_held`, the run charts)."""
        return self.store.kpi_history(department, self.period)

    def problem_ids(self, period: str, department: str) -> set[str]:
        """The problem ids one department had in a stored period."""
        return {p for d, p in self.store.problem_ids(period, department=department)}

    def previous_period(self) -> str | None:
        return self.store.previous_period(self.period)
