"""The PostgreSQL test database (CI_EXCEL_TEST_PG_URL; `.ci/run` sets it), emptied around each use."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get("CI_EXCEL_TEST_PG_URL")


def drop_all(url: str) -> None:
    """Drop every table of the database at `url`."""
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine)
    meta.drop_all(engine)
    engine.dispose()


@contextmanager
def empty_postgres() -> Iterator[str]:
    """The test database's URL, with no table in it for the block; skips the test without one."""
    if not PG_URL:
        pytest.skip("CI_EXCEL_TEST_PG_URL is not set")
    drop_all(PG_URL)
    yield PG_URL
    drop_all(PG_URL)
