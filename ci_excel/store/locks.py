"""Locks every process using a store shares: a file lock beside an SQLite store, a session
advisory lock on PostgreSQL (ids also used by the write transactions), none in memory."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ci_excel.store.errors import StoreError, _safe_url

if TYPE_CHECKING:
    from ci_excel.store.base import _StoreBase


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
    "AND l.classid::bigint = :high AND l.objid::bigint = :low"
)


class _AdvisoryLock:
    """A PostgreSQL session advisory lock, held on a connection of its own: the server frees it
    when that connection ends, so a holder killed with `kill -9` is never in the way."""

    def __init__(self, store: _StoreBase, key: str) -> None:
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
