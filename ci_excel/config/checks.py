"""Checks shared with the rest of ci-excel: a history store's URL and the Word reference document.

Both are used for settings and for command-line options (`--db`); nothing is created or connected.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from ci_excel.errors import ConfigError

_URL_EXAMPLES = "e.g. sqlite:///path/store.sqlite or postgresql+psycopg://user:pass@host/db"
_DRIVER_PACKAGES = {"MySQLdb": "mysqlclient", "pymysql": "PyMySQL", "psycopg2": "psycopg2-binary"}
_POSTGRES_EXTRA = "pip install 'ci-excel[postgres]'"


def check_db_url(url: str) -> str:
    """`url` when it can name a history store: it parses, its database driver is installed and an
    SQLite file's folder exists. Nothing is created or connected; else ConfigError (passwords hidden)."""
    parsed = _parse_db_url(url)
    shown = repr(parsed.render_as_string(hide_password=True))
    dialect = _dialect(parsed, shown)
    _check_driver(dialect, parsed.get_backend_name(), shown)
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_folder(parsed, shown)
    return url


def _parse_db_url(url: str) -> Any:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        masked = re.sub(r"(://[^:/@]*:).*@", r"\1***@", url)
        raise ConfigError(f"{masked!r} is not a database URL ({exc}); write {_URL_EXAMPLES}") from exc


def _dialect(parsed: Any, shown: str) -> Any:
    from sqlalchemy.exc import NoSuchModuleError

    try:
        dialect = parsed.get_dialect()
    except NoSuchModuleError as exc:
        raise ConfigError(f"{shown}: unknown database kind {parsed.drivername!r}; write {_URL_EXAMPLES}") from exc
    if getattr(dialect, "is_async", False):
        raise ConfigError(
            f"{shown}: {parsed.drivername} is an asyncio driver, which ci-excel cannot use; write {_URL_EXAMPLES}"
        )
    return dialect


def _check_driver(dialect: Any, backend: str, shown: str) -> None:
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        module = exc.name or str(exc)
        if module == "psycopg":
            hint = _POSTGRES_EXTRA
        else:
            hint = f"pip install {_DRIVER_PACKAGES.get(module, module)}"
            if backend == "postgresql":
                hint += f" (or write postgresql+psycopg://… and {_POSTGRES_EXTRA})"
        raise ConfigError(f"{shown}: the database driver for {backend} ({module}) is not installed: {hint}") from exc


def _check_sqlite_folder(parsed: Any, shown: str) -> None:
    """The SQLite file may be created later, but its folder must be there (in-memory and URI forms pass)."""
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:") or parsed.query.get("uri"):
        return
    folder = Path(database).parent
    if not folder.is_dir():
        raise ConfigError(f"{shown}: the folder {folder.resolve()} does not exist; create it or give another path")


def check_report_template(path: Path) -> Path:
    """`path` when it is a Word document (.docx) the reports can take their styles from; else ConfigError."""
    if not path.exists():
        raise ConfigError(f"'report_template': {path} does not exist")
    reason = _not_docx(path)
    if reason is not None:
        raise ConfigError(
            f"'report_template': {path} is not a Word document (.docx): {reason}; "
            "give a .docx saved by Word or the one `ci-excel templates` writes"
        )
    return path


def _not_docx(path: Path) -> str | None:
    """Why python-docx cannot open `path`, or None when it can."""
    if path.is_dir():
        return "it is a folder"
    if not zipfile.is_zipfile(path):
        return "it is not a zip package"
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    try:
        Document(str(path))
    except KeyError as exc:
        return str(exc.args[0]) if exc.args else "a part is missing"
    except (PackageNotFoundError, zipfile.BadZipFile, ValueError, OSError, etree.XMLSyntaxError) as exc:
        return str(exc)
    return None


_SCHEDULER = re.compile(r"^(tcp|tls|ws|wss|ucx)://[^\s/]+:\d{1,5}$")


def check_scheduler(address: str) -> str:
    """`address` when it names a dask scheduler (`tcp://HOST:PORT`); nothing is connected."""
    if not _SCHEDULER.match(address.strip()):
        raise ConfigError(f"{address!r} is not a dask scheduler address; write tcp://HOST:8786 (or tls://HOST:PORT)")
    return address.strip()
