"""StoreError, and the one sentence it says: what failed, the database's reason, what to do."""

from __future__ import annotations

import sqlalchemy as sa

from ci_excel.errors import CiExcelError
from ci_excel.store.engine import SQLITE_WAIT_SECONDS


class StoreError(CiExcelError):
    """The history store cannot be opened, read or written."""


def _absent(where: str) -> str:
    return f"no history store at {where}; run 'ci-excel consolidate' first or give --db/--out"


# (words in the database's reason, lower case) -> what to do about it
_ADVICE: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("file is not a database", "disk image is malformed", "malformed database schema"),
        "the store file is damaged: restore it from a backup",
    ),
    (
        ("database or disk is full", "no space left on device", "could not extend file", "disk full"),
        "the disk is full: free some space, then run again",
    ),
    (
        ("readonly database", "read-only", "permission denied"),
        "it is read-only for this user: make it writable, or give another --db/--out",
    ),
    (
        ("database is locked",),
        f"another command kept it busy for over {SQLITE_WAIT_SECONDS} seconds: try again when that one ends",
    ),
    (("unable to open database file",), "check that its folder exists and may be written"),
    (
        ("connection refused", "could not translate host name", "timeout expired", "no route to host"),
        "check that the database server is running and the URL's host and port",
    ),
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
