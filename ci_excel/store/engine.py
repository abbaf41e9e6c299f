"""SQLAlchemy engines for the store, and what SQLite needs of them: foreign keys on, a real BEGIN
for every transaction (IMMEDIATE for a write), a wait for another command's write."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

SQLITE_WAIT_SECONDS = 60  # how long a command waits for another one's write (a period's copy: seconds)
_BEGIN = "ci_excel_begin"  # execution option: how an SQLite transaction begins ("IMMEDIATE": write lock first)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def _sqlite_file(url: str) -> Path | None:
    """The file of an SQLite store (also given as a `file:` URI); None for memory or another database."""
    parsed = sa.engine.make_url(url)
    name = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or name in ("", ":memory:") or parsed.query.get("mode") == "memory":
        return None
    return Path(name.removeprefix("file:") if parsed.query.get("uri") else name)


def _engine(url: str) -> Engine:
    backend = sa.engine.make_url(url).get_backend_name()
    engine = sa.create_engine(
        url,
        json_serializer=_json_dumps,
        insertmanyvalues_page_size=5000,
        connect_args={"timeout": SQLITE_WAIT_SECONDS} if backend == "sqlite" else {},
    )
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
