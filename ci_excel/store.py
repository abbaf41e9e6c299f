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
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ci_excel.compute import period_figures
from ci_excel.errors import CiExcelError
from ci_excel.issues import Issue
from ci_excel.locking import Lock, PathLock, hold
from ci_excel.model import DepartmentResult, PeriodFigures, PeriodOutline, PeriodResult, Row, SourceFile
from ci_excel.schema import INFO, SHEETS, TABLE_SHEETS, ColType, ColumnSpec

STORE_VERSION = 2
ENTITIES: tuple[str, ...] = (*(s.key for s in TABLE_SHEETS), "root_causes")
DEFAULT_PATH = Path("output/ci_history.sqlite")
_JSON_COLUMNS = {("problems", "flags")}  # list-valued computed columns
_COPY_BATCH = 5000  # rows per insert when a written period is copied into the store
SQLITE_WAIT_SECONDS = 60  # how long a command waits for another one's write (a period's copy: seconds)
_BEGIN = "ci_excel_begin"  # execution option: how an SQLite transaction begins ("IMMEDIATE": write lock first)


class StoreError(CiExcelError):
    """The history store cannot be opened, read or written."""


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


# -- the tables ---------------------------------------------------------------------------------

_TYPES: dict[ColType, Callable[[], sa.types.TypeEngine[Any]]] = {
    ColType.TEXT: sa.Text, ColType.INT: sa.Integer, ColType.NUMBER: sa.Float, ColType.PERCENT: sa.Float,
    ColType.MONEY: sa.Float, ColType.DATE: sa.Date, ColType.PERIOD: lambda: sa.String(7),
    ColType.ENUM: lambda: sa.String(64), ColType.BOOL: sa.Boolean,
}  # enums and periods hold our own keys (validation normalises what was typed), so they stay bounded

METADATA = sa.MetaData()


def _column(sheet: str, spec: ColumnSpec, *, prefix: str = "") -> sa.Column[Any]:
    kind = sa.JSON() if (sheet, spec.key) in _JSON_COLUMNS else _TYPES[spec.type]()
    return sa.Column(prefix + spec.key, kind, nullable=True)


def _submission_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["period", "department"], ["submissions.period", "submissions.department"],
                                   ondelete="CASCADE")


SCHEMA_VERSION = sa.Table(
    "schema_version", METADATA,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_on", sa.DateTime, nullable=False),
)
PERIODS = sa.Table(
    "periods", METADATA,
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("stored_at", sa.DateTime, nullable=False),
    sa.Column("generated_on", sa.Date),
    *(sa.Column(f.name, sa.Integer, nullable=False) for f in fields(PeriodFigures)
      if f.name not in ("period", "benefit", "by_stage", "by_priority")),
    sa.Column("benefit", sa.Float, nullable=False),
    sa.Column("by_stage", sa.JSON, nullable=False),
    sa.Column("by_priority", sa.JSON, nullable=False),
    sa.Column("run_id", sa.Text),  # the run folder whose outputs show this stored period
)
SUBMISSIONS = sa.Table(
    "submissions", METADATA,
    sa.Column("period", sa.String(7), sa.ForeignKey("periods.period", ondelete="CASCADE"), primary_key=True),
    sa.Column("department", sa.Text, primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("late", sa.Boolean, nullable=False),
    *(_column("info", c, prefix="info_") for c in INFO.columns),
    sa.Column("info_extra", sa.JSON),  # info keys the schema does not declare, if any
)
FILES = sa.Table(
    "source_files", METADATA,
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("department", sa.Text, primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("claimed_department", sa.Text),
    sa.Column("claimed_period", sa.Text),
    sa.Column("template_version", sa.Text),
    sa.Column("sheets", sa.JSON, nullable=False),
    sa.Column("outcome", sa.String(32), nullable=False),
    _submission_fk(),
)
MISSING = sa.Table(
    "missing_departments", METADATA,
    sa.Column("period", sa.String(7), sa.ForeignKey("periods.period", ondelete="CASCADE"), primary_key=True),
    sa.Column("department", sa.Text, primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),
)
ISSUES = sa.Table(
    "issues", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("period", sa.String(7), sa.ForeignKey("periods.period", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("department", sa.Text),  # the submission it belongs to; NULL: period-level
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("sheet", sa.Text, nullable=False),
    sa.Column("cell", sa.Text, nullable=False),
    sa.Column("column", sa.Text, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("issue_department", sa.Text, nullable=False),
    sa.Column("issue_period", sa.Text, nullable=False),
    sa.Column("row", sa.Integer),
    _submission_fk(),
)
ENTITY_TABLES: dict[str, sa.Table] = {
    sheet: sa.Table(
        sheet, METADATA,
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("department", sa.Text, primary_key=True),
        sa.Column("row_no", sa.Integer, primary_key=True, autoincrement=False),
        *(_column(sheet, c) for c in (*SHEETS[sheet].columns, *SHEETS[sheet].computed)),
        _submission_fk(),
    )
    for sheet in ENTITIES
}
sa.Index("ix_problems_department", ENTITY_TABLES["problems"].c.department, ENTITY_TABLES["problems"].c.period)
# Messages `ci-excel send` handed to the SMTP server: kept when a period is stored again (no FK to
# periods, not one of _PERIOD_CHILDREN), so a re-run consolidation resends only what changed.
SENT = sa.Table(
    "sent_messages", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("period", sa.String(7), nullable=False, index=True),
    sa.Column("department", sa.Text, nullable=False),  # "": the PMO's message
    sa.Column("recipients", sa.JSON, nullable=False),  # the addresses the server accepted
    sa.Column("attachments", sa.JSON, nullable=False),  # [{name, sha256, size}]
    sa.Column("digest", sa.String(64), nullable=False),  # of the attachments: what a resend compares
    sa.Column("message_id", sa.Text, nullable=False),
    sa.Column("sent_at", sa.DateTime, nullable=False),
)

# Child tables first: the order periods are deleted in.
_PERIOD_CHILDREN: tuple[sa.Table, ...] = (*ENTITY_TABLES.values(), ISSUES, FILES, MISSING, SUBMISSIONS)

# -- the store ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentRecord:
    """One message the SMTP server accepted, as `Store.sent` gives it back."""

    period: str
    department: str  # "": the PMO's message
    recipients: tuple[str, ...]
    attachments: tuple[dict[str, Any], ...]
    digest: str
    message_id: str
    sent_at: datetime


class Store:
    """A history store at an SQLAlchemy URL (default: an SQLite file), created or upgraded on open.

    With `create=False` a store that does not exist yet is an error rather than made (commands
    that only read it); a zero-byte SQLite file is always refused, never taken for a new store.
    """

    _errors: tuple[type[Exception], ...] = (sa.exc.SQLAlchemyError,)

    def __init__(self, url: str | None = None, *, path_default: Path = DEFAULT_PATH, create: bool = True) -> None:
        if url is None:
            path_default.parent.mkdir(parents=True, exist_ok=True)
            url = sqlite_url(path_default)
        self.url = url
        with self._guard("open"):
            self.file = _sqlite_file(url)
            self.engine = _engine(url)
        self._errors = (sa.exc.SQLAlchemyError, self.engine.dialect.loaded_dbapi.Error)
        try:
            self._open(create=create)
        except BaseException:
            self.engine.dispose()
            raise

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def lock(self, key: str) -> Lock:
        """An exclusive lock named `key` that every process using this store shares.

        SQLite file: a file lock beside the store; PostgreSQL: a session advisory lock on a
        connection of its own. Either is freed when its process dies, `kill -9` included. Any
        other store (in memory) has no other process to share with: its lock always succeeds.
        """
        if self.file is not None:
            what = f"holding {key} on the history store {self.file}"
            return PathLock(_locks_folder(self.file) / f"{_file_name(key)}.lock", what)
        if self.engine.dialect.name == "postgresql":
            return _AdvisoryLock(self, key)
        return _FreeLock()

    # -- opening --------------------------------------------------------------------------------

    def _open(self, *, create: bool) -> None:
        """Check the SQLite file, create the store if need be, then upgrade it if it is behind."""
        if self.file is not None:
            _check_file(self.file, create=create)
            if not self.file.exists():
                self._create_file()
        with self._guard("open"), self.engine.connect() as conn:
            pending = _pending(conn, create=create, where=self._where())
        if pending:
            with self._write("schema", doing="open") as conn:
                _upgrade(conn)

    def _create_file(self) -> None:
        """A new SQLite store, built beside its place and renamed into it (one creator at a time)."""
        assert self.file is not None
        path, locks = self.file, _locks_folder(self.file)
        if not path.parent.is_dir():
            raise StoreError(f"cannot open the history store {path}: its folder {path.parent} does not exist; "
                             "check the path, or create the folder")
        try:
            with hold([PathLock(locks / ".create.lock", f"creating {path}")], wait=True):
                if path.exists():  # another process made it meanwhile
                    _check_file(path, create=True)
                    return
                draft = path.with_name(f".{path.name}.{os.getpid()}.new")
                try:
                    with self._guard("create"):
                        _create_sqlite(draft)
                    os.replace(draft, path)
                finally:
                    draft.unlink(missing_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the history store {path}: {exc.strerror or exc}; "
                             f"{_advice(str(exc)) or 'check that its folder exists and may be written'}") from exc

    def _where(self) -> str:
        return str(self.file) if self.file is not None else _safe_url(self.url)

    # -- every database call goes through these -------------------------------------------------

    @contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        """Turn any database failure into a StoreError: what failed, the database's reason, what to do."""
        try:
            yield
        except self._errors as exc:
            raise StoreError(_failure(doing, self.url, exc)) from exc

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._guard("read"), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def _write(self, lock: str, *, doing: str = "write to") -> Iterator[Connection]:
        """A transaction that holds the write lock first: for the whole file on SQLite, for `lock`
        (the schema, a period) on PostgreSQL, so two writers of one thing take turns."""
        with self._guard(doing), self.engine.connect() as conn:
            conn.execution_options(**{_BEGIN: "IMMEDIATE"})
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(CAST(:id AS bigint))"),
                                 {"id": _lock_id(lock)})
                yield conn

    # -- writing --------------------------------------------------------------------------------

    def save_period(self, result: PeriodResult, *, run_id: str | None = None) -> None:
        """Store a period, replacing what was stored for it, in one transaction (all or nothing)."""
        figures = self._figures(result)
        with self.period_writer(result.period, generated_on=result.generated_on) as writer:
            for dept in result.departments:
                writer.add(dept)
            writer.finish(figures, missing=result.missing, issues=result.issues, run_id=run_id)

    @contextmanager
    def period_writer(self, period: str, *, generated_on: date | None,
                      workdir: Path | None = None) -> Iterator[PeriodWriter]:
        """Replace a period, written department by department, in one short transaction at the end.

        Departments go to a private SQLite file (in `workdir`, else the temp folder) while the run
        lasts, so the store stays readable, and writable for other periods, however long the run
        takes. When the block ends without an exception, after `finish()`, the period is copied
        into the store in one transaction; until then the store shows its previous version, and a
        failure or kill leaves it so.
        """
        doing = f"store period {period} in"
        with tempfile.TemporaryDirectory(prefix="period.", dir=workdir) as folder, self._guard(doing):
            side = _engine(sqlite_url(Path(folder) / "period.sqlite"))
            try:
                with side.begin() as conn:
                    METADATA.create_all(conn)
                    writer = PeriodWriter(conn, period, generated_on, self)
                    yield writer
                if not writer.finished:
                    raise StoreError(f"period {period} was not finished; nothing stored")
                self._copy_period(side, period, doing=doing)
            finally:
                side.dispose()

    def _copy_period(self, side: Engine, period: str, *, doing: str) -> None:
        """The period as written in `side` replaces the stored one, in one transaction, in batches.

        The write lock comes first, so two copies of one period take turns: the second deletes
        what the first stored.
        """
        with side.connect() as src, self._write(f"period {period}", doing=doing) as dst:
            _delete_period(dst, period)
            for table in (PERIODS, *reversed(_PERIOD_CHILDREN)):  # parents first
                columns = [c for c in table.columns if c is not ISSUES.c.id]  # the store numbers its issues
                query = sa.select(*columns).where(table.c.period == period).order_by(*table.primary_key.columns)
                for batch in src.execute(query).mappings().partitions(_COPY_BATCH):
                    dst.execute(table.insert(), [dict(row) for row in batch])

    def record_sent(self, period: str, department: str, *, recipients: Sequence[str],
                    attachments: Sequence[dict[str, Any]], digest: str, message_id: str) -> None:
        """Note a message the SMTP server accepted (for `recipients`), at once: a killed send resumes."""
        row = {"period": period, "department": department, "recipients": list(recipients),
               "attachments": list(attachments), "digest": digest, "message_id": message_id, "sent_at": _now()}
        with self._write(f"send {period}", doing="record a sent message in") as conn:
            conn.execute(SENT.insert(), [row])

    def sent(self, period: str) -> list[SentRecord]:
        """Every message recorded as sent for a period, oldest first."""
        query = sa.select(SENT).where(SENT.c.period == period).order_by(SENT.c.id)
        with self._read() as conn:
            return [SentRecord(r["period"], r["department"], tuple(r["recipients"]), tuple(r["attachments"]),
                               r["digest"], r["message_id"], r["sent_at"]) for r in conn.execute(query).mappings()]

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
            return conn.scalar(sa.select(sa.func.max(PERIODS.c.period)).where(PERIODS.c.period < before))

    def load_period(self, period: str) -> PeriodResult:
        """Everything stored for a period, with the trend of every stored period up to it."""
        outline = self.load_outline(period)
        with self._read() as conn:
            departments = _load_departments(conn, period, _load_issues(conn, period))
        return PeriodResult(period=period, departments=departments, trend=outline.trend, missing=outline.missing,
                            issues=outline.issues, generated_on=outline.generated_on)

    def load_outline(self, period: str) -> PeriodOutline:
        """A stored period without its departments: trend, missing departments, general issues."""
        with self._read() as conn:
            head = conn.execute(sa.select(PERIODS).where(PERIODS.c.period == period)).mappings().first()
            if head is None:
                raise StoreError(f"period {period} is not in the history store; stored: "
                                 f"{', '.join(self.periods()) or 'none'}")
            general = _load_issues(conn, period, department=None).get(None, [])
            missing = list(conn.scalars(sa.select(MISSING.c.department).where(MISSING.c.period == period)
                                        .order_by(MISSING.c.seq)))
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
            missing = _group(conn.execute(sa.select(MISSING.c.period, MISSING.c.department)
                                          .order_by(MISSING.c.period, MISSING.c.seq)))
            late = _group(conn.execute(sa.select(SUBMISSIONS.c.period, SUBMISSIONS.c.department)
                                       .where(SUBMISSIONS.c.late.is_(True))
                                       .order_by(SUBMISSIONS.c.period, SUBMISSIONS.c.seq)))
            stored = {p: at for p, at in conn.execute(sa.select(PERIODS.c.period, PERIODS.c.stored_at))}
        return [asdict(f) | {"missing": missing.get(f.period, []), "late": late.get(f.period, []),
                             "stored_at": stored[f.period]} for f in self.history()]

    def stage_history(self, department: str, before: str) -> dict[str, list[int]]:
        """problem_id -> its stages in stored periods before `before`, oldest first."""
        table = ENTITY_TABLES["problems"]
        query = (sa.select(table.c.problem_id, table.c.stage)
                 .where(table.c.department == department, table.c.period < before)
                 .order_by(table.c.period, table.c.row_no))
        stages: dict[str, list[int]] = defaultdict(list)
        with self._read() as conn:
            for problem_id, stage in conn.execute(query):
                if stage:
                    stages[problem_id].append(int(stage))
        return dict(stages)

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

    def finish(self, figures: PeriodFigures, *, missing: Sequence[str], issues: Iterable[Issue],
               run_id: str | None = None) -> None:
        """The period's headline figures, its missing departments, the issues tied to none, and the
        run folder whose outputs will show it."""
        head = _period_head(figures, None) | {"run_id": run_id}
        del head["generated_on"]
        self.conn.execute(PERIODS.update().where(PERIODS.c.period == self.period).values(head))
        for table, rows in ((MISSING, [{"period": self.period, "department": d, "seq": i}
                                       for i, d in enumerate(missing)]),
                            (ISSUES, _issue_rows(self.period, None, issues))):
            if rows:
                self.conn.execute(table.insert(), rows)
        self.finished = True

    def stage_history(self, department: str) -> dict[str, list[int]]:
        """problem_id -> its stages in the periods stored before this one."""
        return self.store.stage_history(department, self.period)

    def problem_ids(self, period: str, department: str) -> set[str]:
        """The problem ids one department had in a stored period."""
        return {p for d, p in self.store.problem_ids(period, department=department)}

    def previous_period(self) -> str | None:
        return self.store.previous_period(self.period)


# -- opening ------------------------------------------------------------------------------------


def _sqlite_file(url: str) -> Path | None:
    """The file of an SQLite store (also given as a `file:` URI); None for memory or another database."""
    parsed = sa.engine.make_url(url)
    name = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or name in ("", ":memory:") or parsed.query.get("mode") == "memory":
        return None
    return Path(name.removeprefix("file:") if parsed.query.get("uri") else name)


def _check_file(path: Path, *, create: bool) -> None:
    """Refuse an empty store file, and a missing one unless it may be created."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        if not create:
            raise StoreError(_absent(str(path))) from None
        return
    except OSError:
        return  # SQLite says why when it opens it
    if size == 0:
        raise StoreError(f"the history store {path} is empty (0 bytes): restore it from a backup, "
                         "or delete it to start a new store")


def _absent(where: str) -> str:
    return f"no history store at {where}; run 'ci-excel consolidate' first or give --db/--out"


def _locks_folder(path: Path) -> Path:
    return path.with_name(f".{path.name}.locks")


def _create_sqlite(path: Path) -> None:
    engine = _engine(sqlite_url(path))
    try:
        with engine.begin() as conn:
            _upgrade(conn)
    finally:
        engine.dispose()


def _engine(url: str) -> Engine:
    backend = sa.engine.make_url(url).get_backend_name()
    engine = sa.create_engine(url, json_serializer=_json_dumps, insertmanyvalues_page_size=5000,
                              connect_args={"timeout": SQLITE_WAIT_SECONDS} if backend == "sqlite" else {})
    if backend == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
    elif backend == "postgresql":
        sa.event.listen(engine, "do_connect", _name_connection)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on; transactions begun by SQLAlchemy, not by pysqlite (see _sqlite_begin)."""
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA foreign_keys=ON")


def _sqlite_begin(conn: Connection) -> None:
    """SQLAlchemy's documented pysqlite recipe: every transaction starts with a real BEGIN, so
    reads share one snapshot and DDL is transactional; a write begins IMMEDIATE (see Store._write),
    taking the write lock, waited for, before it reads anything."""
    conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get(_BEGIN, 'DEFERRED')}")


def _name_connection(_dialect: Any, _record: Any, _cargs: Any, cparams: dict[str, Any]) -> None:
    """Name each PostgreSQL connection after this process, for a lock's holder() to show."""
    cparams.setdefault("application_name", f"ci-excel pid {os.getpid()} on {socket.gethostname()}"[:63])


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


# -- upgrading ----------------------------------------------------------------------------------


def _pending(conn: Connection, *, create: bool, where: str) -> bool:
    """Whether the store must be created or upgraded; read only, so a current store opens without
    waiting for the write lock (and opens read-only)."""
    inspector = sa.inspect(conn)
    present = set(inspector.get_table_names())
    if SCHEMA_VERSION.name not in present:
        if not create:
            raise StoreError(_absent(where))
        return True
    if _version(conn) != STORE_VERSION:
        return True
    return any(t.name not in present or _missing_columns(inspector, t) for t in METADATA.sorted_tables)


def _version(conn: Connection) -> int | None:
    version = conn.scalar(sa.select(sa.func.max(SCHEMA_VERSION.c.version)))
    if version is not None and version > STORE_VERSION:
        raise StoreError(f"the history store has version {version}, newer than this ci-excel ({STORE_VERSION}); "
                         "upgrade ci-excel")
    return version


def _upgrade(conn: Connection) -> None:
    """Create missing tables, run pending migrations, add columns the schema gained."""
    METADATA.create_all(conn)
    version = _version(conn)
    for step in range(1 if version is None else version + 1, STORE_VERSION + 1):
        if step in MIGRATIONS and version is not None:
            MIGRATIONS[step](conn)
        conn.execute(SCHEMA_VERSION.insert().values(version=step, applied_on=_now()))
    _add_columns(conn)


def _missing_columns(inspector: sa.Inspector, table: sa.Table) -> list[sa.Column[Any]]:
    present = {c["name"] for c in inspector.get_columns(table.name)}
    return [c for c in table.columns if c.name not in present]


def _add_columns(conn: Connection) -> None:
    """Columns declared now but missing from an older store's tables (nullable, so always addable)."""
    inspector = sa.inspect(conn)
    for table in METADATA.sorted_tables:
        for column in _missing_columns(inspector, table):
            kind = column.type.compile(dialect=conn.dialect)
            name = conn.dialect.identifier_preparer.quote(column.name)
            conn.execute(sa.text(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}"))


def _widen_to_text(conn: Connection) -> None:
    """v2: department names, template versions and cells were VARCHAR(255 or 32); any length a
    department types must store. SQLite ignores lengths, so only PostgreSQL alters."""
    if conn.dialect.name != "postgresql":
        return
    inspector, quote = sa.inspect(conn), conn.dialect.identifier_preparer.quote
    for table in METADATA.sorted_tables:
        stored = {c["name"]: c["type"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if isinstance(column.type, sa.Text) and _bounded(stored.get(column.name)):
                conn.execute(sa.text(f"ALTER TABLE {quote(table.name)} ALTER COLUMN {quote(column.name)} TYPE TEXT"))


def _bounded(kind: Any) -> bool:
    return isinstance(kind, sa.String) and not isinstance(kind, sa.Text) and kind.length is not None


# version -> upgrade step from version - 1. Columns added to the schema need no step: see _add_columns.
MIGRATIONS: dict[int, Callable[[Connection], None]] = {2: _widen_to_text}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


# -- failures -----------------------------------------------------------------------------------

# (words in the database's reason, lower case) -> what to do about it
_ADVICE: tuple[tuple[tuple[str, ...], str], ...] = (
    (("file is not a database", "disk image is malformed", "malformed database schema"),
     "the store file is damaged: restore it from a backup"),
    (("database or disk is full", "no space left on device", "could not extend file", "disk full"),
     "the disk is full: free some space, then run again"),
    (("readonly database", "read-only", "permission denied"),
     "it is read-only for this user: make it writable, or give another --db/--out"),
    (("database is locked",),
     f"another command kept it busy for over {SQLITE_WAIT_SECONDS} seconds: try again when that one ends"),
    (("unable to open database file",), "check that its folder exists and may be written"),
    (("connection refused", "could not translate host name", "timeout expired", "no route to host"),
     "check that the database server is running and the URL's host and port"),
    (("password authentication failed", "no password supplied"), "check the user and password in the URL"),
)


def _failure(doing: str, url: str, exc: BaseException) -> str:
    """One sentence: what failed, the database's reason, and (when known) what to do."""
    reason = _reason(exc)
    advice = _advice(reason)
    return f"cannot {doing} the history store {_safe_url(url)}: {reason}" + (f"; {advice}" if advice else "")


def _advice(reason: str) -> str | None:
    low = reason.lower()
    return next((advice for words, advice in _ADVICE if any(w in low for w in words)), None)


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return (str(orig if orig is not None else exc).strip().splitlines() or [type(exc).__name__])[0]


def _safe_url(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


# -- locks --------------------------------------------------------------------------------------


def _lock_id(name: str) -> int:
    """A stable signed 64-bit id for a PostgreSQL advisory lock ("schema", "period 2026-11", "lock <key>")."""
    digest = hashlib.blake2b(f"ci-excel {name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _file_name(key: str) -> str:
    """`key` as a lock file's name: itself when plainly safe, else a digest of it."""
    if re.fullmatch(r"[\w-][\w.-]{0,99}", key):
        return key
    return "key-" + hashlib.sha256(key.encode()).hexdigest()[:16]


_HOLDER = sa.text(
    "SELECT a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND l.classid::bigint = :high AND l.objid::bigint = :low")


class _AdvisoryLock:
    """A PostgreSQL session advisory lock, held on a connection of its own: the server frees it
    when that connection ends, so a holder killed with `kill -9` is never in the way."""

    def __init__(self, store: Store, key: str) -> None:
        self.store, self.id = store, _lock_id(f"lock {key}")
        self.what = f"holding {key} on the PostgreSQL history store {_safe_url(store.url)}"
        self._conn: Connection | None = None

    def try_acquire(self) -> bool:
        with self.store._guard("take a lock on"):
            conn = self.store.engine.connect()
            try:
                taken = conn.scalar(sa.text("SELECT pg_try_advisory_lock(CAST(:id AS bigint))"), {"id": self.id})
                conn.commit()
            except BaseException:
                conn.close()
                raise
        if not taken:
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        with self.store._guard("release a lock on"):
            try:
                conn.execute(sa.text("SELECT pg_advisory_unlock(CAST(:id AS bigint))"), {"id": self.id})
                conn.commit()
            finally:
                conn.invalidate()  # closes the connection itself, not back to the pool
                conn.close()

    def holder(self) -> str:
        high, low = divmod(self.id % 2**64, 2**32)
        try:
            with self.store._read() as conn:
                found = conn.execute(_HOLDER, {"high": high, "low": low}).first()
        except StoreError:
            found = None
        if found is None or found.backend_start is None:
            return f"another run ({self.what})"
        since = found.backend_start.astimezone().strftime("%Y-%m-%d %H:%M")
        return f"{found.application_name or 'another run'} since {since} ({self.what})"


class _FreeLock:
    """The lock of a store no other process can reach (in memory): always free."""

    def try_acquire(self) -> bool:
        return True

    def release(self) -> None:
        return None

    def holder(self) -> str:
        return "nobody (the store is in memory)"


# -- rows in --------------------------------------------------------------------------------------


def _delete_period(conn: Connection, period: str) -> None:
    for table in _PERIOD_CHILDREN:
        conn.execute(table.delete().where(table.c.period == period))
    conn.execute(PERIODS.delete().where(PERIODS.c.period == period))


def _period_head(figures: PeriodFigures, generated_on: date | None) -> Row:
    head = asdict(figures) | {"stored_at": _now(), "generated_on": generated_on}
    head["by_stage"] = {str(k): v for k, v in figures.by_stage.items()}
    return head


def _department_rows(dept: DepartmentResult, seq: int) -> Iterator[tuple[sa.Table, list[Row]]]:
    """(table, rows) of one department in insertion order: parents before children."""
    yield SUBMISSIONS, [_submission_row(dept, seq)]
    yield FILES, [_file_row(dept, i, f) for i, f in enumerate(dept.files)]
    yield ISSUES, _issue_rows(dept.period, dept.department, dept.issues)
    for sheet, table in ENTITY_TABLES.items():
        columns = [c.name for c in table.columns]
        yield table, [{k: row.get(k) for k in columns} | {"period": dept.period, "department": dept.department,
                                                          "row_no": i}
                      for i, row in enumerate(dept.rows(sheet))]


def _submission_row(dept: DepartmentResult, seq: int) -> Row:
    info = {f"info_{c.key}": dept.info.get(c.key) for c in INFO.columns}
    extra = {k: v for k, v in dept.info.items() if k not in INFO.by_key}
    return info | {"period": dept.period, "department": dept.department, "seq": seq, "late": dept.late,
                   "info_extra": extra or None}


def _file_row(dept: DepartmentResult, seq: int, source: SourceFile) -> Row:
    return {"period": dept.period, "department": dept.department, "seq": seq, "file": source.path,
            "sha256": source.sha256, "size": source.size, "claimed_department": source.department,
            "claimed_period": source.period, "template_version": source.template_version,
            "sheets": list(source.sheets), "outcome": source.outcome}


def _issue_rows(period: str, department: str | None, issues: Iterable[Issue]) -> list[Row]:
    return [{"period": period, "department": department, "code": i.code, "severity": i.severity, "file": i.file,
             "sheet": i.sheet, "cell": i.cell, "column": i.column, "value": i.value, "params": i.params,
             "issue_department": i.department, "issue_period": i.period, "row": i.row} for i in issues]


# -- rows out -------------------------------------------------------------------------------------


def _figures_of(row: sa.RowMapping) -> PeriodFigures:
    values = {f.name: row[f.name] for f in fields(PeriodFigures)}
    values["by_stage"] = {int(k): v for k, v in row["by_stage"].items()}
    return PeriodFigures(**values)


_ALL = object()  # no department filter


def _of(table: sa.Table, period: str, department: object) -> list[Any]:
    """Where-clauses: the period's rows, of one department (None: the period's own) unless _ALL."""
    found = [table.c.period == period]
    if department is not _ALL:
        found.append(table.c.department.is_(None) if department is None else table.c.department == department)
    return found


def _load_issues(conn: Connection, period: str, department: object = _ALL) -> dict[str | None, list[Issue]]:
    found: dict[str | None, list[Issue]] = defaultdict(list)
    for r in conn.execute(sa.select(ISSUES).where(*_of(ISSUES, period, department)).order_by(ISSUES.c.id)).mappings():
        found[r["department"]].append(Issue(
            code=r["code"], file=r["file"], sheet=r["sheet"], cell=r["cell"], column=r["column"], value=r["value"],
            params=r["params"], department=r["issue_department"], period=r["issue_period"], row=r["row"]))
    return found


def _load_departments(conn: Connection, period: str, issues: dict[str | None, list[Issue]],
                      department: object = _ALL) -> list[DepartmentResult]:
    files = _load_files(conn, period, department)
    tables = _load_tables(conn, period, department)
    query = sa.select(SUBMISSIONS).where(*_of(SUBMISSIONS, period, department)).order_by(SUBMISSIONS.c.seq)
    return [DepartmentResult(
        department=r["department"], period=period,
        info={c.key: r[f"info_{c.key}"] for c in INFO.columns} | (r["info_extra"] or {}),
        tables={sheet: tables[r["department"]][sheet] for sheet in ENTITIES}, issues=issues.get(r["department"], []),
        files=files.get(r["department"], []), late=r["late"],
    ) for r in conn.execute(query).mappings()]


def _load_files(conn: Connection, period: str, department: object) -> dict[str, list[SourceFile]]:
    found: dict[str, list[SourceFile]] = defaultdict(list)
    query = sa.select(FILES).where(*_of(FILES, period, department)).order_by(FILES.c.department, FILES.c.seq)
    for r in conn.execute(query).mappings():
        found[r["department"]].append(SourceFile(
            path=r["file"], sha256=r["sha256"], size=r["size"], department=r["claimed_department"],
            period=r["claimed_period"], template_version=r["template_version"], sheets=tuple(r["sheets"]),
            outcome=r["outcome"]))
    return found


def _load_tables(conn: Connection, period: str, department: object) -> dict[str, dict[str, list[Row]]]:
    """department -> sheet -> rows (schema columns, in stored order)."""
    found: dict[str, dict[str, list[Row]]] = defaultdict(lambda: {s: [] for s in ENTITIES})
    for sheet, table in ENTITY_TABLES.items():
        spec = SHEETS[sheet]
        keys = [c.key for c in (*spec.columns, *spec.computed)]
        query = sa.select(table).where(*_of(table, period, department)).order_by(table.c.department, table.c.row_no)
        for r in conn.execute(query).mappings():
            found[r["department"]][sheet].append({k: r[k] for k in keys})
    return found


def _group(rows: Iterable[Any]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for key, value in rows:
        grouped[key].append(value)
    return grouped
