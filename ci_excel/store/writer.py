"""PeriodWriter: one period collected department by department in the private file
`Store.period_writer` opened, before it is copied into the store in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

from ci_excel.compute import period_figures
from ci_excel.issues import Issue
from ci_excel.model import DepartmentResult, KpiHistory, PeriodFigures, Row
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
            insert_rows(self.conn, table, rows)
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
            insert_rows(self.conn, table, rows)
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


def insert_rows(conn: Connection, table: sa.Table, rows: Sequence[Row]) -> None:
    """`rows` into `table` in one executemany through the driver, each value passed through its
    column's bind processor (what SQLAlchemy does for a Core insert, minus the per-row statement
    machinery that took most of the time of storing a period). A column a row lacks is NULL; a
    value its column cannot take fails as SQLAlchemy's own insert fails (a StatementError)."""
    if not rows:
        return
    sql, columns = _insert_plan(table, conn.dialect)
    try:
        params = [
            tuple(row.get(k) if process is None else process(row.get(k)) for k, process in columns) for row in rows
        ]
    except (TypeError, ValueError):
        conn.execute(table.insert(), rows)  # raises, naming the statement, the column and the value
        raise
    conn.exec_driver_sql(sql, params)


@lru_cache(maxsize=64)
def _insert_plan(table: sa.Table, dialect: Dialect) -> tuple[str, list[tuple[str, Callable[[Any], Any] | None]]]:
    """The driver's INSERT for every column but a generated key, and each column's bind processor."""
    columns = [c for c in table.columns if not (c.primary_key and c.autoincrement is True)]
    names = ", ".join(dialect.identifier_preparer.quote(c.name) for c in columns)
    marks = ", ".join(["?" if dialect.paramstyle == "qmark" else "%s"] * len(columns))
    sql = f"INSERT INTO {dialect.identifier_preparer.format_table(table)} ({names}) VALUES ({marks})"
    return sql, [(c.name, c.type.dialect_impl(dialect).bind_processor(dialect)) for c in columns]
