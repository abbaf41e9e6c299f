"""Shared, session-scoped fixtures for expensive things that many tests read, and xdist support.

- `demo_run`: `ci-excel demo` run once through the CLI (three months consolidated, about 30 s);
  tests only read it, and a test that changes it copies the folder first.
- Under pytest-xdist (`pytest -n 2`) each worker gets its own PostgreSQL database, derived
  from CI_EXCEL_TEST_PG_URL (`<name>_gw0`, `<name>_gw1` ...), because the PostgreSQL tests empty
  their database around each use. This runs before any test module imports tests/pg.py.

Template-shaped workbooks are cached per session in tests/workbooks.py (the builders use it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ci_excel.cli import main


def pytest_configure(config: pytest.Config) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("CI_EXCEL_TEST_PG_URL")
    if worker and url:
        os.environ["CI_EXCEL_TEST_PG_URL"] = _worker_database(url, worker)


def _worker_database(url: str, worker: str) -> str:
    """The URL of this worker's own database beside the one named in `url`, created when absent."""
    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The folder `ci-excel demo --out` wrote (submissions/ and output/) and what it printed."""
    out = tmp_path_factory.mktemp("demo_cli") / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output
