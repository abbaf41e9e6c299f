"""What every store is built on: opening (create, upgrade), the shared lock, and the three ways
in to the database every method uses: `_guard` (any failure a StoreError), `_read`, `_write`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ci_excel.locking import Lock, PathLock
from ci_excel.store.engine import _BEGIN, _engine, _sqlite_file, sqlite_url
from ci_excel.store.errors import StoreError, _failure, _safe_url
from ci_excel.store.files import _check_file, _create_file, _locks_folder
from ci_excel.store.locks import _AdvisoryLock, _file_name, _FreeLock, _lock_id
from ci_excel.store.upgrade import _pending, _upgrade

DEFAULT_PATH = Path("output/ci_history.sqlite")


class _StoreBase:
    """A store's engine, opened (created or upgraded) at construction; Store adds what it holds."""

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

    def __enter__(self) -> Self:
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
                _create_file(self.file, self._guard)
        with self._guard("open"), self.engine.connect() as conn:
            pending = _pending(conn, create=create, where=self._where())
        if pending:
            with self._write("schema", doing="open") as conn:
                _upgrade(conn)

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
    def _write(self, lock: str, *, doing: str = "write to", attach: Path | None = None) -> Iterator[Connection]:
        """A transaction that holds the write lock first: for the whole file on SQLite, for `lock`
        (the schema, a period) on PostgreSQL, so two writers of one thing take turns. An SQLite
        file to `attach` is seen in it as the schema ATTACHED."""
        with self._guard(doing), self.engine.connect() as conn, _attached(conn, attach):
            conn.execution_options(**{_BEGIN: "IMMEDIATE"})
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(CAST(:id AS bigint))"), {"id": _lock_id(lock)})
                yield conn


ATTACHED = "side"  # the schema name of the SQLite file `_write` attaches


@contextmanager
def _attached(conn: Connection, file: Path | None) -> Iterator[None]:
    """`file` attached to the connection around its transaction (SQLite attaches and detaches only
    outside one: on the driver's own connection, which begins no transaction by itself)."""
    if file is None:
        yield
        return
    driver = conn.connection.dbapi_connection
    assert driver is not None
    driver.execute(f"ATTACH DATABASE ? AS {ATTACHED}", (str(file),))
    try:
        yield
    finally:
        driver.execute(f"DETACH DATABASE {ATTACHED}")
