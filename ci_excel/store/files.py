"""The SQLite file of a store: refused when empty, made beside its place and renamed into it
under a lock, so no process ever sees a half-made store."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from ci_excel.locking import PathLock, hold
from ci_excel.store.engine import _engine, sqlite_url
from ci_excel.store.errors import StoreError, _absent, _advice
from ci_excel.store.upgrade import _upgrade


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
        raise StoreError(
            f"the history store {path} is empty (0 bytes): restore it from a backup, or delete it to start a new store"
        )


def _locks_folder(path: Path) -> Path:
    return path.with_name(f".{path.name}.locks")


def _create_sqlite(path: Path) -> None:
    engine = _engine(sqlite_url(path))
    try:
        with engine.begin() as conn:
            _upgrade(conn)
    finally:
        engine.dispose()


def _create_file(path: Path, guard: Callable[[str], AbstractContextManager[None]]) -> None:
    """A new SQLite store, built beside its place and renamed into it (one creator at a time);
    `guard` turns a database failure into a StoreError (Store._guard)."""
    locks = _locks_folder(path)
    if not path.parent.is_dir():
        raise StoreError(
            f"cannot open the history store {path}: its folder {path.parent} does not exist; "
            "check the path, or create the folder"
        )
    try:
        with hold([PathLock(locks / ".create.lock", f"creating {path}")], wait=True):
            if path.exists():  # another process made it meanwhile
                _check_file(path, create=True)
                return
            draft = path.with_name(f".{path.name}.{os.getpid()}.new")
            try:
                with guard("create"):
                    _create_sqlite(draft)
                os.replace(draft, path)
            finally:
                draft.unlink(missing_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the history store {path}: {exc.strerror or exc}; "
            f"{_advice(str(exc)) or 'check that its folder exists and may be written'}"
        ) from exc
