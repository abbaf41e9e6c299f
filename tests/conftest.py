"""Shared, session-scoped fixtures for expensive things that many tests read, and xdist support.

- `demo_run`: `ci-excel demo` run once through the CLI (three months consolidated, about 30 s);
  tests only read it, and a test that changes it copies the folder first.
- The suite runs on two xdist workers (pyproject's addopts: `-n 2`; `-n 0` for one process). Each
  worker gets its own PostgreSQL database beside CI_EXCEL_TEST_PG_URL's, named for the worker and
  the run (`<name>_gw0_<run id>` ...), because the PostgreSQL tests empty their database around each
  use and other runs may share the server; it is dropped when the worker ends. This runs before any
  test module imports tests/pg.py.
- Workers are handed tests one by one (xdist's `load`), except the modules in `_SHARED_BUILDS`:
  each goes whole to one worker (with any module it shares a build with), because it builds
  something expensive once for all its tests (module fixtures; `demo_run`), and split across the
  workers each would build it again. Those go first, the biggest first, then the rest one by one.
  (xdist's own `--dist loadgroup` does not group on pytest 9.2: pytest-xdist issue #1386.)
  tests/test_faults.py is not grouped: its tests are minutes in all (on one worker they were the
  suite's critical path), and its two clean CLI runs are made once for both workers
  (tests/built_once.py: the first worker to need a build makes it while the other waits).

Template-shaped workbooks are cached per session in tests/workbooks.py (the builders use it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ci_excel.cli import main

_SHARED_URL = "CI_EXCEL_TEST_PG_URL_SHARED"  # the URL named by the user, kept for the clean-up

# module -> its group: the modules whose tests share a build that takes a while (seconds, measured
# in one process), so all run on one xdist worker.
_SHARED_BUILDS = {
    "tests/test_demo.py": "demo_run",  # demo_run (30 s), with test_report_opening
    "tests/test_report_opening.py": "demo_run",
    "tests/test_corpus.py": "corpus",  # the corpus, its validate run and its consolidate run (55 s)
    "tests/test_dask.py": "dask",  # the cluster and the local run of two periods (20 s)
    "tests/test_deck.py": "deck",  # a consolidated run (6 s)
    "tests/test_digest.py": "digest",  # a consolidated run (6 s)
    "tests/test_api.py": "api",  # a consolidated run (6 s)
    "tests/test_native_charts.py": "native_charts",  # a consolidated run (3 s)
}


def pytest_configure(config: pytest.Config) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("CI_EXCEL_TEST_PG_URL")
    if worker and url:
        run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8]
        os.environ[_SHARED_URL] = url
        os.environ["CI_EXCEL_TEST_PG_URL"] = _worker_database(url, f"{worker}_{run}" if run else worker)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With `--dist load` (the default here): xdist's scheduler by scope, a scope being the group of
    a module in `_SHARED_BUILDS`, and each other test on its own."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedBuilds(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return _SHARED_BUILDS.get(nodeid.split("::", 1)[0], nodeid)

    return SharedBuilds(config, log)


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
