"""Shared, session-scoped fixtures for expensive things that many tests read, and xdist support.

- `demo_run`: `ci-excel demo` run once through the CLI (three months consolidated, about 30 s);
  tests only read it, and a test that changes it copies the folder first.
- The suite runs on two xdist workers (pyproject's addopts: `-n 2`; `-n 0` for one process). Each
  worker gets its own PostgreSQL database beside CI_EXCEL_TEST_PG_URL's, named for the worker and
  the run (`<name>_gw0_<run id>` ...), because the PostgreSQL tests empty their database around each
  use and other runs may share the server; it is dropped when the worker ends. This runs before any
  test module imports tests/pg.py.

Template-shaped workbooks are cached per session in tests/workbooks.py (the builders use it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ci_excel.cli import main

_SHARED_URL = "CI_EXCEL_TEST_PG_URL_SHARED"  # the URL named by the user, kept for the clean-up


def pytest_configure(config: pytest.Config) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("CI_EXCEL_TEST_PG_URL")
    if worker and url:
        run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8]
        os.environ[_SHARED_URL] = url
        os.environ["CI_EXCEL_TEST_PG_URL"] = _worker_database(url, f"{worker}_{run}" if run else worker)


def pytest_unconfigure(config: pytest.Config) -> None:
    shared, own = os.environ.get(_SHARED_URL), os.environ.get("CI_EXCEL_TEST_PG_URL")
    if shared and own and own != shared:
        _drop_database(shared, sa.engine.make_url(own).database or "")


def _worker_database(url: str, suffix: str) -> str:
    """The URL of this worker's own database beside the one named in `url`, created when absent."""
    base = sa.engine.make_url(url)
    name = f"{base.database}_{suffix}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _drop_database(url: str, name: str) -> None:
    """Drop the database `name` on the server of `url` (connected through `url`'s own database)."""
    engine = sa.create_engine(sa.engine.make_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The folder `ci-excel demo --out` wrote (submissions/ and output/) and what it printed."""
    out = tmp_path_factory.mktemp("demo_cli") / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output
