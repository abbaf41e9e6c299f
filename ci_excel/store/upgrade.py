"""Creating and upgrading a store: the `schema_version` table, migrations, and the columns the
schema gained since a store was created (added on open)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ci_excel.store.errors import StoreError, _absent
from ci_excel.store.tables import METADATA, SCHEMA_VERSION, _now

STORE_VERSION = 2


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
    version: int | None = conn.scalar(sa.select(sa.func.max(SCHEMA_VERSION.c.version)))
    if version is not None and version > STORE_VERSION:
        raise StoreError(
            f"the history store has version {version}, newer than this ci-excel ({STORE_VERSION}); upgrade ci-excel"
        )
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
