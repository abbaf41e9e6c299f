"""The history store: every consolidated period, in SQLite (default) or PostgreSQL.

Tables are generated from the schema: one per entity (input and computed columns, typed) keyed by
(period, department, row_no) and referencing the submission row of that department and period.
`save_period` (or `period_writer`, department by department) replaces one period in a single
short transaction; `load_period` gives back a PeriodResult that re-renders exactly. A
`schema_version` table records migrations; columns the schema gained since a store was created
are added on open.

Several commands may use one store at once. Every write transaction takes the store's write lock
first (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a transaction advisory lock on the schema or on the
period written), so first use, upgrades and two copies of one period are serialized. A new SQLite
file is built beside its place and renamed into it, so no process ever sees a half-made store.
`Store.lock(key)` gives a lock every process using the store shares. Any database failure, in any
method, is a StoreError saying what failed, why, and what to do.

Modules, from the bottom up:
  tables   the tables, generated from the schema (METADATA, ENTITY_TABLES, ...)
  engine   SQLAlchemy engines and SQLite's recipe (pragmas, BEGIN IMMEDIATE, waiting)
  errors   StoreError and its wording: what failed, why, what to do
  upgrade  STORE_VERSION, MIGRATIONS: creating and upgrading a store's tables
  files    the SQLite file: refused when empty, created under a lock and renamed into place
  locks    Store.lock's locks, and the advisory lock ids of the write transactions
  rows     rows in and out: a period's results as rows, stored rows as the model's values
  base     opening, and every database call: _guard, _read, _write
  writer   PeriodWriter: a period written department by department
  this     Store: writing and reading periods, and the messages sent
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ci_excel.compute import period_figures
from ci_excel.model import DepartmentResult, KpiHistory, KpiPoint, PeriodFigures, PeriodOutline, PeriodResult
from ci_excel.store.base import ATTACHED, DEFAULT_PATH, _StoreBase
from ci_excel.store.engine import SQLITE_WAIT_SECONDS, _engine, sqlite_url
from ci_excel.store.errors import StoreError
from ci_excel.store.rows import (
    SentRecord,
    _delete_period,
    _figures_of,
    _group,
    _load_departments,
    _load_issues,
)
from ci_excel.store.tables import (
    _PERIOD_CHILDREN,
    ENTITIES,
    ENTITY_TABLES,
    FILES,
    ISSUES,
    METADATA,
    MISSING,
    PERIODS,
    SCHEMA_VERSION,
    SENT,
    SUBMISSIONS,
    _now,
)
from ci_excel.store.upgrade import MIGRATIONS, STORE_VERSION
from ci_excel.store.writer import PeriodWriter

__all__ = [
    "DEFAULT_PATH",
    "ENTITIES",
    "ENTITY_TABLES",
    "FILES",
    "ISSUES",
    "METADATA",
    "MIGRATIONS",
    "MISSING",
    "PERIODS",
    "SCHEMA_VERSION",
    "SENT",
    "SQLITE_WAIT_SECONDS",
    "STORE_VERSION",
    "SUBMISSIONS",
    "_PERIOD_CHILDREN",
    "PeriodWriter",
    "SentRecord",
    "Store",
    "StoreError",
    "sqlite_url",
]

_COPY_BATCH = 5000  # rows per insert when a written period is copied into the store


class Store(_StoreBase):
    """A history store at an SQLAlchemy URL (default: an SQLite file), created or upgraded on open.

    With `create=False` a store that does not exist yet is an error rather than made (commands
    that only read it); a zero-byte SQLite file is always refused, never taken for a new store.
    """

    # -- writing --------------------------------------------------------------------------------

    def save_period(self, result: PeriodResult, *, run_id: str | None = None) -> None:
        """Store a period, replacing what was stored for it, in one transaction (all or nothing)."""
        figures = self._figures(result)
        with self.period_writer(result.period, generated_on=result.generated_on) as writer:
            for dept in result.departments:
                writer.add(dept)
            writer.finish(figures, missing=result.missing, issues=result.issues, run_id=run_id)

    @contextmanager
    def period_writer(
        self, period: str, *, generated_on: date | None, workdir: Path | None = None
    ) -> Iterator[PeriodWriter]:
        """Replace a period, written department by department, in one short transaction at the end.

        Departments go to a private SQLite file (in `workdir`, else the temp folder) while the run
        lasts, so the store stays readable, and writable for other periods, however long the run
        takes. When the block ends without an exception, after `finish()`, the period is copied
        into the store in one transaction; until then the store shows its previous version, and a
        failure or kill leaves it so.
        """
        doing = f"store period {period} in"
        with tempfile.TemporaryDirectory(prefix="period.", dir=workdir) as folder, self._guard(doing):
            side_file = Path(folder) / "period.sqlite"
            side = _engine(sqlite_url(side_file))
            try:
                with side.begin() as conn:
                    METADATA.create_all(conn)
                    writer = PeriodWriter(conn, period, generated_on, self)
                    yield writer
                if not writer.finished:
                    raise StoreError(f"period {period} was not finished; nothing stored")
                self._copy_period(side, side_file, period, doing=doing)
            finally:
                side.dispose()

    def _copy_period(self, side: Engine, side_file: Path, period: str, *, doing: str) -> None:
        """The period as written in `side` replaces the stored one, in one transaction: into an
        SQLite file by INSERT ... SELECT from `side_file` attached, into another database in batches.

        The write lock comes first, so two copies of one period take turns: the second deletes
        what the first stored.
        """
        attach = side_file if self.file is not None else None
        with self._write(f"period {period}", doing=doing, attach=attach) as dst:
            _delete_period(dst, period)
            if attach is not None:  # SQLite into SQLite: copied inside the database, not through Python
                for table in _COPIED:
                    _copy_attached(dst, table, period)
                return
            with side.connect() as src:
                for table in _COPIED:
                    query = sa.select(*_copied_columns(table)).where(table.c.period == period)
                    query = query.order_by(*table.primary_key.columns)
                    for batch in src.execute(query).mappings().partitions(_COPY_BATCH):
                        dst.execute(table.insert(), [dict(row) for row in batch])

    def record_sent(
        self,
        period: str,
        department: str,
        *,
        recipients: Sequence[str],
        attachments: Sequence[dict[str, Any]],
        digest: str,
        message_id: str,
    ) -> None:
        """Note a message the SMTP server accepted (for `recipients`), at once: a killed send resumes."""
        row = {
            "period": period,
            "department": department,
            "recipients": list(recipients),
            "attachments": list(attachments),
            "digest": digest,
            "message_id": message_id,
            "sent_at": _now(),
        }
        with self._write(f"send {period}", doing="record a sent message in") as conn:
            conn.execute(SENT.insert(), [row])

    def sent(self, period: str) -> list[SentRecord]:
        """Every message recorded as sent for a period, oldest first."""
        query = sa.select(SENT).where(SENT.c.period == period).order_by(SENT.c.id)
        with self._read() as conn:
            return [
                SentRecord(
                    r["period"],
                    r["department"],
                    tuple(r["recipients"]),
                    tuple(r["attachments"]),
                    r["digest"],
                    r["message_id"],
                    r["sent_at"],
                )
                for r in conn.execute(query).mappings()
            ]

    def delete_period(self, period: str) -> None:
        with self._write(f"period {period}") as conn:
            _delete_period(conn, period)

    def _figures(self, result: PeriodResult) -> PeriodFigures:
        """The period's figures as the run computed them, else computed against the stored history."""
        given = result.figures
        if given is not None:
            return given
        previous = self.previous_period(result.period)
        ids = self.problem_ids(previous) if previous else None
        return period_figures(result.period, result.departments, previous_problem_ids=ids)

    # -- reading --------------------------------------------------------------------------------

    def periods(self) -> list[str]:
        with self._read() as conn:
            return list(conn.scalars(sa.select(PERIODS.c.period).order_by(PERIODS.c.period)))

    def previous_period(self, before: str) -> str | None:
        """The latest stored period before `before`."""
        with self._read() as conn:
            latest: str | None = conn.scalar(sa.select(sa.func.max(PERIODS.c.period)).where(PERIODS.c.period < before))
        return latest

    def load_period(self, period: str) -> PeriodResult:
        """Everything stored for a period, with the trend of every stored period up to it."""
        outline = self.load_outline(period)
        with self._read() as conn:
            departments = _load_departments(conn, period, _load_issues(conn, period))
        return PeriodResult(
            period=period,
            departments=departments,
            trend=outline.trend,
            missing=outline.missing,
            issues=outline.issues,
            generated_on=outline.generated_on,
        )

    def load_outline(self, period: str) -> PeriodOutline:
        """A stored period without its departments: trend, missing departments, general issues."""
        with self._read() as conn:
            head = conn.execute(sa.select(PERIODS).where(PERIODS.c.period == period)).mappings().first()
            if head is None:
                raise StoreError(
                    f"period {period} is not in the history store; stored: {', '.join(self.periods()) or 'none'}"
                )
            general = _load_issues(conn, period, department=None).get(None, [])
            missing = list(
                conn.scalars(sa.select(MISSING.c.department).where(MISSING.c.period == period).order_by(MISSING.c.seq))
            )
        return PeriodOutline(period, self.history(until=period), missing, general, head["generated_on"])

    def department_names(self, period: str) -> list[str]:
        """The departments stored for a period, in stored order."""
        query = sa.select(SUBMISSIONS.c.department).where(SUBMISSIONS.c.period == period).order_by(SUBMISSIONS.c.seq)
        with self._read() as conn:
            return list(conn.scalars(query))

    def iter_departments(self, period: str) -> Iterator[DepartmentResult]:
        """A stored period's departments in stored order, loaded one at a time.

        Each in a short read of its own: a consumer that renders for minutes holds no read
        transaction meanwhile (on SQLite that would keep every writer waiting).
        """
        for name in self.department_names(period):
            with self._read() as conn:
                found = _load_departments(conn, period, _load_issues(conn, period, department=name), name)
            yield from found

    def load_department(self, period: str, department: str) -> DepartmentResult | None:
        """One stored department of a period (None: it did not submit then)."""
        with self._read() as conn:
            found = _load_departments(conn, period, _load_issues(conn, period, department=department), department)
        return found[0] if found else None

    def history(self, *, until: str | None = None) -> list[PeriodFigures]:
        """Headline figures of every stored period (up to `until`), oldest first."""
        query = sa.select(PERIODS).order_by(PERIODS.c.period)
        if until is not None:
            query = query.where(PERIODS.c.period <= until)
        with self._read() as conn:
            return [_figures_of(row) for row in conn.execute(query).mappings()]

    def history_rows(self) -> list[dict[str, Any]]:
        """history() as dicts, each with the period's `missing` and `late` departments and `stored_at`."""
        with self._read() as conn:
            missing = _group(
                conn.execute(
                    sa.select(MISSING.c.period, MISSING.c.department).order_by(MISSING.c.period, MISSING.c.seq)
                )
            )
            late = _group(
                conn.execute(
                    sa.select(SUBMISSIONS.c.period, SUBMISSIONS.c.department)
                    .where(SUBMISSIONS.c.late.is_(True))
                    .order_by(SUBMISSIONS.c.period, SUBMISSIONS.c.seq)
                )
            )
            stored = {p: at for p, at in conn.execute(sa.select(PERIODS.c.period, PERIODS.c.stored_at))}
        return [
            asdict(f)
            | {"missing": missing.get(f.period, []), "late": late.get(f.period, []), "stored_at": stored[f.period]}
            for f in self.history()
        ]

    def stage_history(self, department: str, before: str) -> dict[str, list[int]]:
        """problem_id -> its stages in stored periods before `before`, oldest first."""
        table = ENTITY_TABLES["problems"]
        query = (
            sa.select(table.c.problem_id, table.c.stage)
            .where(table.c.department == department, table.c.period < before)
            .order_by(table.c.period, table.c.row_no)
        )
        stages: dict[str, list[int]] = defaultdict(list)
        with self._read() as conn:
            for problem_id, stage in conn.execute(query):
                if stage:
                    stages[problem_id].append(int(stage))
        return dict(stages)

    def kpi_history(self, department: str, before: str) -> KpiHistory:
        """(problem_id, kpi) -> the KPI in stored periods before `before`, oldest first, with its
        problem's stage in each (a KPI named twice in a period keeps its first row)."""
        results, problems = ENTITY_TABLES["results"], ENTITY_TABLES["problems"]
        joined = results.outerjoin(
            problems,
            sa.and_(
                problems.c.period == results.c.period,
                problems.c.department == results.c.department,
                problems.c.problem_id == results.c.problem_id,
            ),
        )
        query = (
            sa.select(
                results.c.period,
                results.c.problem_id,
                results.c.kpi,
                results.c.actual,
                results.c.target,
                results.c.met,
                problems.c.stage,
            )
            .select_from(joined)
            .where(results.c.department == department, results.c.period < before)
            .order_by(results.c.period, results.c.row_no)
        )
        points: dict[tuple[str, str], dict[str, KpiPoint]] = defaultdict(dict)
        with self._read() as conn:
            for period, problem_id, kpi, actual, target, met, stage in conn.execute(query):
                if problem_id is not None and kpi is not None:
                    points[(problem_id, kpi)].setdefault(
                        period, KpiPoint(period, actual, target, met, str(stage or ""))
                    )
        return {key: tuple(by_period.values()) for key, by_period in points.items()}

    def departments_seen(self, before: str | None = None) -> list[str]:
        """Every department that submitted in a stored period (before `before`), sorted."""
        query = sa.select(SUBMISSIONS.c.department).distinct().order_by(SUBMISSIONS.c.department)
        if before is not None:
            query = query.where(SUBMISSIONS.c.period < before)
        with self._read() as conn:
            return list(conn.scalars(query))

    def run_id(self, period: str) -> str | None:
        """The run folder whose outputs show the stored period (None: no such period, or not said)."""
        with self._read() as conn:
            return conn.scalar(sa.select(PERIODS.c.run_id).where(PERIODS.c.period == period))

    def problem_ids(self, period: str, *, department: str | None = None) -> set[tuple[str, str]]:
        """(department, problem_id) of every problem stored for a period (of one department)."""
        table = ENTITY_TABLES["problems"]
        query = sa.select(table.c.department, table.c.problem_id).where(table.c.period == period)
        if department is not None:
            query = query.where(table.c.department == department)
        with self._read() as conn:
            return {(d, p) for d, p in conn.execute(query)}


_COPIED = (PERIODS, *reversed(_PERIOD_CHILDREN))  # parents first


def _copied_columns(table: sa.Table) -> list[sa.Column[Any]]:
    return [c for c in table.columns if c is not ISSUES.c.id]  # the store numbers its issues


def _copy_attached(dst: sa.Connection, table: sa.Table, period: str) -> None:
    """One table's rows of `period`, from the attached private file into the store's own table."""
    names = ", ".join(f'"{c.name}"' for c in _copied_columns(table))
    order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
    select = f'SELECT {names} FROM {ATTACHED}."{table.name}" WHERE period = ? ORDER BY {order}'
    dst.exec_driver_sql(f'INSERT INTO main."{table.name}" ({names}) {select}', (period,))
