"""The history store, on SQLite always and on PostgreSQL when CI_EXCEL_TEST_PG_URL is set."""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from benchmarks.sample_submissions import problem_tables, submission
from ci_excel.compute import compute_department, period_end
from ci_excel.config import Config
from ci_excel.issues import Issue
from ci_excel.model import DepartmentResult, PeriodResult
from ci_excel.schema import SHEETS
from ci_excel.store import ENTITY_TABLES, STORE_VERSION, Store, StoreError, sqlite_url
from tests.pg import empty_postgres

CONFIG = Config()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'history.sqlite'}"
        return
    with empty_postgres() as pg:
        yield pg


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    with Store(url) as opened:
        yield opened


def _department(
    name: str,
    period: str,
    *,
    problems: int = 2,
    done: int = 0,
    late: bool = False,
    stages: dict[str, list[int]] | None = None,
) -> DepartmentResult:
    issue = Issue(
        "file-unreadable",
        file=f"{name}/ci_register.xlsx",
        sheet="1-问题识别",
        cell="K2",
        column="影响程度",
        value="很高",
        params={"reason": "坏值", "allowed": ["高", "中", "低"], "n": 3},
        department=name,
        period=period,
        row=2,
    )
    sub = submission(
        name,
        period,
        tables=problem_tables(problems, done=done),
        issues=[issue],
        submitted_on=period_end(period) + timedelta(days=9 if late else 1),
    )
    return compute_department(sub, config=CONFIG, stage_history=stages)


def _period(period: str = "2026-11", *, departments: list[DepartmentResult] | None = None) -> PeriodResult:
    general = Issue("file-unreadable", file="notes.xlsx", params={"reason": "不是工作簿"})
    return PeriodResult(
        period,
        departments
        if departments is not None
        else [_department("电商运营部", period, problems=3, done=1), _department("客户服务部", period, late=True)],
        trend=[],
        missing=["财务部", "物流部"],
        issues=[general],
        generated_on=date(2026, 12, 10),
    )


def _same(loaded: PeriodResult, saved: PeriodResult) -> None:
    assert loaded.period == saved.period and loaded.missing == saved.missing
    assert loaded.generated_on == saved.generated_on
    assert [(i, i.params) for i in loaded.issues] == [(i, i.params) for i in saved.issues]
    assert len(loaded.departments) == len(saved.departments)
    for got, want in zip(loaded.departments, saved.departments, strict=True):
        assert (got.department, got.period, got.info, got.files, got.late) == (
            want.department,
            want.period,
            want.info,
            want.files,
            want.late,
        )
        assert [(i, i.params) for i in got.issues] == [(i, i.params) for i in want.issues]
        assert got.tables == want.tables


def test_round_trip_keeps_everything_the_renderers_use(store: Store) -> None:
    saved = _period()
    saved.departments[0].info["template_version"] = "0.9"  # info keys beyond the schema survive too
    store.save_period(saved)
    loaded = store.load_period("2026-11")
    _same(loaded, saved)
    assert loaded.late == ["客户服务部"]
    problem = loaded.departments[0].rows("problems")[1]
    assert problem["flags"] == ["overdue", "kpi_missed"] and problem["stage"] == "3"
    assert isinstance(loaded.departments[0].rows("actions")[0]["due_on"], date)
    assert [f.period for f in loaded.trend] == ["2026-11"]


def test_saving_again_is_idempotent(store: Store) -> None:
    saved = _period()
    store.save_period(saved)
    store.save_period(saved)
    _same(store.load_period("2026-11"), saved)
    assert store.periods() == ["2026-11"]


def test_replacing_a_period_leaves_other_periods_untouched(store: Store) -> None:
    october, november = _period("2026-10"), _period("2026-11")
    store.save_period(october)
    store.save_period(november)
    smaller = _period("2026-11", departments=[_department("物流部", "2026-11", problems=1)])
    store.save_period(smaller)
    _same(store.load_period("2026-11"), smaller)
    _same(store.load_period("2026-10"), october)
    assert store.problem_ids("2026-11") == {("物流部", "P-001")}


def test_a_failed_save_leaves_the_stored_period_intact(store: Store) -> None:
    saved = _period()
    store.save_period(saved)
    # the same department twice breaks the submissions key halfway through the save
    broken = _period(departments=[_department("物流部", "2026-11"), _department("物流部", "2026-11")])
    with pytest.raises(StoreError, match="cannot store period 2026-11 in the history store"):
        store.save_period(broken)
    _same(store.load_period("2026-11"), saved)


def test_a_failed_entity_insert_rolls_back_too(store: Store) -> None:
    saved = _period()
    store.save_period(saved)
    bad = _department("物流部", "2026-11")
    bad.tables["problems"][0]["identified_on"] = "not a date at all"  # cannot be stored as a date
    with pytest.raises(StoreError):
        store.save_period(_period(departments=[_department("财务部", "2026-11"), bad]))
    _same(store.load_period("2026-11"), saved)


def test_migration_table_is_created_once(url: str) -> None:
    Store(url).close()
    with Store(url) as store, store.engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT version, applied_on FROM schema_version")).all()
    assert [v for v, _ in versions] == list(range(1, STORE_VERSION + 1))
    assert all(applied is not None for _, applied in versions)


def test_a_newer_store_is_refused(url: str) -> None:
    with Store(url) as store, store.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO schema_version (version, applied_on) VALUES (99, CURRENT_TIMESTAMP)"))
    with pytest.raises(StoreError, match="version 99, newer"):
        Store(url)


def test_columns_the_schema_gained_are_added_on_open(url: str) -> None:
    with Store(url) as store, store.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE problems DROP COLUMN flags"))
    with Store(url) as store:
        columns = {c["name"] for c in sa.inspect(store.engine).get_columns("problems")}
        assert "flags" in columns
        store.save_period(_period())
        assert store.load_period("2026-11").departments[0].rows("problems")[1]["flags"] == ["overdue", "kpi_missed"]


def test_foreign_keys_are_enforced(store: Store) -> None:
    store.save_period(_period())
    problems = ENTITY_TABLES["problems"]
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(problems.insert().values(period="2026-11", department="无此部门", row_no=0, problem_id="P-1"))
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO submissions (period, department, seq, late) VALUES ('2030-01', 'x', 0, false)")
        )


def test_history_figures_missing_and_late(store: Store) -> None:
    store.save_period(_period("2026-10", departments=[_department("电商运营部", "2026-10", problems=2)]))
    store.save_period(_period("2026-11"))
    assert store.periods() == ["2026-10", "2026-11"]
    figures = store.history()
    assert [(f.period, f.departments, f.problems, f.new, f.closed) for f in figures] == [
        ("2026-10", 1, 2, 2, 0),
        ("2026-11", 2, 5, 3, 1),
    ]
    assert figures[1].by_stage[6] == 1 and figures[1].by_priority["P1"] == 1
    rows = store.history_rows()
    assert rows[1]["missing"] == ["财务部", "物流部"] and rows[1]["late"] == ["客户服务部"]
    assert rows[0]["late"] == [] and rows[1]["benefit"] == 600000.0
    assert [f.period for f in store.load_period("2026-10").trend] == ["2026-10"]
    assert [f.period for f in store.load_period("2026-11").trend] == ["2026-10", "2026-11"]


def test_figures_given_by_the_run_are_kept(store: Store) -> None:
    saved = _period()
    given = replace(store._figures(saved), new=42)
    store.save_period(replace(saved, trend=[given]))
    assert store.history() == [given]


def test_stage_history_departments_and_problem_ids(store: Store) -> None:
    for period in ("2026-09", "2026-10", "2026-11"):
        store.save_period(
            _period(
                period,
                departments=[_department("电商运营部", period, problems=2, done=1 if period == "2026-11" else 0)],
            )
        )
    store.save_period(
        _period(
            "2026-10", departments=[_department("电商运营部", "2026-10", problems=2), _department("物流部", "2026-10")]
        )
    )
    assert store.stage_history("电商运营部", "2026-12") == {"P-001": [3, 3, 6], "P-002": [3, 3, 3]}
    assert store.stage_history("电商运营部", "2026-11") == {"P-001": [3, 3], "P-002": [3, 3]}
    assert store.stage_history("电商运营部", "2026-09") == {}
    assert store.departments_seen("2026-11") == ["物流部", "电商运营部"]
    assert store.departments_seen("2026-10") == ["电商运营部"]
    assert store.problem_ids("2026-10") == {
        ("电商运营部", "P-001"),
        ("电商运营部", "P-002"),
        ("物流部", "P-001"),
        ("物流部", "P-002"),
    }
    assert store.previous_period("2026-11") == "2026-10" and store.previous_period("2026-09") is None


def test_unknown_period_names_what_is_stored(store: Store) -> None:
    store.save_period(_period("2026-10"))
    with pytest.raises(StoreError, match="period 2026-11 is not in the history store; stored: 2026-10"):
        store.load_period("2026-11")


def test_default_is_an_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "out" / "ci_history.sqlite"
    with Store(path_default=path) as store:
        store.save_period(_period())
    assert path.is_file()
    with Store(f"sqlite:///{path}") as store:
        assert store.periods() == ["2026-11"]


def test_an_unusable_url_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open the history store"):
        Store(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'h.sqlite'}")


def test_entity_tables_are_generated_from_the_schema(store: Store) -> None:
    inspector = sa.inspect(store.engine)
    for sheet, table in ENTITY_TABLES.items():
        spec = SHEETS[sheet]
        stored = [c["name"] for c in inspector.get_columns(table.name)]
        assert stored == ["period", "department", "row_no", *(c.key for c in (*spec.columns, *spec.computed))]
        keys = {fk["referred_table"] for fk in inspector.get_foreign_keys(table.name)}
        assert keys == {"submissions"}, sheet
    kinds = {c["name"]: c["type"] for c in inspector.get_columns("actions")}
    assert isinstance(kinds["due_on"], sa.Date) and isinstance(kinds["days_overdue"], sa.Integer)
    assert isinstance(kinds["overdue"], sa.Boolean | sa.Integer)  # SQLite reflects booleans loosely


def test_a_period_writer_stores_nothing_until_finished(store: Store) -> None:
    saved = _period()
    store.save_period(saved)
    with (
        pytest.raises(StoreError, match="was not finished"),
        store.period_writer("2026-11", generated_on=date(2026, 12, 11)) as writer,
    ):
        writer.add(_department("物流部", "2026-11"))
    _same(store.load_period("2026-11"), saved)


def test_a_period_writer_reads_history_from_the_store(store: Store) -> None:
    store.save_period(_period("2026-10", departments=[_department("电商运营部", "2026-10", problems=2)]))
    figures = store._figures(_period("2026-11"))
    with store.period_writer("2026-11", generated_on=date(2026, 12, 10)) as writer:
        assert writer.previous_period() == "2026-10"
        assert writer.stage_history("电商运营部") == {"P-001": [3], "P-002": [3]}
        assert writer.problem_ids("2026-10", "电商运营部") == {"P-001", "P-002"}
        for dept in _period("2026-11").departments:
            writer.add(dept)
        writer.finish(figures, missing=["财务部"], issues=[])
    assert store.history()[-1] == figures
    assert store.load_period("2026-11").missing == ["财务部"]


def test_departments_load_one_at_a_time_as_the_whole_period_does(store: Store) -> None:
    saved = _period()
    store.save_period(saved)
    whole = store.load_period("2026-11")
    assert store.department_names("2026-11") == [d.department for d in saved.departments]
    assert list(store.iter_departments("2026-11")) == whole.departments
    outline = store.load_outline("2026-11")
    assert (outline.missing, outline.issues, outline.trend) == (whole.missing, whole.issues, whole.trend)


def test_the_store_stays_usable_while_a_period_is_written(store: Store, url: str) -> None:
    saved = _period()
    store.save_period(saved)
    written = [_department(f"部门{n:02}", "2026-11", problems=4) for n in range(30)]
    with store.period_writer("2026-11", generated_on=date(2026, 12, 10)) as writer:
        for dept in written:
            writer.add(dept)
        other = Store(url)  # another command during a long run
        _same(other.load_period("2026-11"), saved)  # sees the previous version
        other.save_period(_period("2026-10"))  # and may store another period
        writer.finish(store._figures(_period(departments=written)), missing=[], issues=[])
    assert [d.department for d in store.load_period("2026-11").departments] == [d.department for d in written]
    assert store.periods() == ["2026-10", "2026-11"]
    other.close()


# -- a damaged, empty, missing, full or read-only store ---------------------------------------------

_READS: dict[str, Callable[[Store], object]] = {
    "periods": lambda s: s.periods(),
    "previous_period": lambda s: s.previous_period("2026-12"),
    "load_period": lambda s: s.load_period("2026-11"),
    "load_outline": lambda s: s.load_outline("2026-11"),
    "department_names": lambda s: s.department_names("2026-11"),
    "iter_departments": lambda s: list(s.iter_departments("2026-11")),
    "history": lambda s: s.history(),
    "history_rows": lambda s: s.history_rows(),
    "stage_history": lambda s: s.stage_history("电商运营部", "2026-12"),
    "departments_seen": lambda s: s.departments_seen(),
    "problem_ids": lambda s: s.problem_ids("2026-11"),
    "run_id": lambda s: s.run_id("2026-11"),
    "save_period": lambda s: s.save_period(_period("2026-12")),
    "delete_period": lambda s: s.delete_period("2026-10"),
}


def _damaged(tmp_path: Path) -> Path:
    """A real store with three periods, overwritten with random bytes from its second page on."""
    path = tmp_path / "history.sqlite"
    with Store(sqlite_url(path)) as store:
        for period in ("2026-09", "2026-10", "2026-11"):
            store.save_period(_period(period))
    size = path.stat().st_size
    assert size > 4 * 4096
    with path.open("r+b") as file:
        file.seek(4096)
        file.write(random.Random(20261210).randbytes(size - 4096))
    return path


@pytest.mark.parametrize("method", list(_READS))
def test_every_method_on_a_damaged_store_raises_a_store_error(tmp_path: Path, method: str) -> None:
    store = Store(sqlite_url(tmp_path / "history.sqlite"))  # opened while sound
    _damaged(tmp_path)
    store.engine.dispose()  # no page cached from before
    with pytest.raises(
        StoreError,
        match=r"^cannot (read|write to|store period 2026-12 in) the history store "
        r".*: .*; the store file is damaged: restore it from a backup$",
    ):
        _READS[method](store)
    store.close()


def test_opening_a_damaged_store_is_a_store_error(tmp_path: Path) -> None:
    path = _damaged(tmp_path)
    with pytest.raises(
        StoreError,
        match=f"^cannot open the history store sqlite:///{path}: .*"
        "; the store file is damaged: restore it from a backup$",
    ):
        Store(sqlite_url(path))


def test_a_text_file_is_not_a_store(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    path.write_text("部门,问题\n" * 500, encoding="utf-8")
    with pytest.raises(StoreError, match="file is not a database; the store file is damaged: restore it from a backup"):
        Store(sqlite_url(path))


def test_an_empty_store_file_is_refused_not_taken_as_new(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    path.touch()
    for create in (True, False):
        with pytest.raises(
            StoreError,
            match=re.escape(
                f"the history store {path} is empty (0 bytes): restore it from a backup, "
                "or delete it to start a new store"
            ),
        ):
            Store(sqlite_url(path), create=create)
    assert path.stat().st_size == 0


def test_a_missing_store_is_an_error_when_not_created(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    with pytest.raises(
        StoreError, match=re.escape(f"no history store at {path}; run 'ci-excel consolidate' first or give --db/--out")
    ):
        Store(sqlite_url(path), create=False)
    assert list(tmp_path.iterdir()) == []  # nothing made, not even the lock folder
    Store(sqlite_url(path)).close()  # made when opened for writing
    with Store(sqlite_url(path), create=False) as store:
        assert store.periods() == []


def test_an_empty_database_is_no_store_when_not_created(url: str) -> None:
    if url.startswith("sqlite"):
        with sa.create_engine(url).begin() as conn:  # an SQLite file, but not a history store
            conn.execute(sa.text("CREATE TABLE notes (text TEXT)"))
    with pytest.raises(StoreError, match=r"^no history store at .*; run 'ci-excel consolidate' first"):
        Store(url, create=False)


def test_a_full_disk_says_so(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    store = Store(sqlite_url(path))
    store.save_period(_period("2026-10"))
    pages = path.stat().st_size // 4096
    # SQLite's own page limit gives the very error a full disk does (SQLITE_FULL)
    sa.event.listen(store.engine, "connect", lambda dbapi, _r: dbapi.execute(f"PRAGMA max_page_count = {pages}"))
    store.engine.dispose()
    full = "database or disk is full; the disk is full: free some space, then run again"
    with pytest.raises(StoreError, match=full):
        store.save_period(_period("2026-11"))
    assert store.periods() == ["2026-10"]
    store.close()


def test_a_read_only_store_reads_and_says_why_it_cannot_be_written(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    with Store(sqlite_url(path)) as store:
        store.save_period(_period("2026-10"))
    with Store(f"sqlite:///file:{path}?mode=ro&uri=true") as store:
        assert store.periods() == ["2026-10"]
        with pytest.raises(StoreError, match="readonly database; it is read-only for this user"):
            store.save_period(_period("2026-11"))
        with pytest.raises(StoreError, match=r"^cannot write to the history store .*readonly database"):
            store.delete_period("2026-10")


def test_an_unreachable_server_says_what_to_check_and_hides_the_password() -> None:
    with pytest.raises(StoreError) as raised:
        Store("postgresql+psycopg://pmo:s3cret@127.0.0.1:1/history")
    message = str(raised.value)
    assert message.startswith("cannot open the history store postgresql+psycopg://pmo:***@127.0.0.1:1/history: ")
    assert message.endswith("; check that the database server is running and the URL's host and port")
    assert "s3cret" not in message


# -- long names, versions, run ids ----------------------------------------------------------------

LONG_NAME = "华东区域供应链与物流运营管理中心" * 19 + "部门"  # 306 characters


def test_long_department_names_and_template_versions_store(store: Store) -> None:
    dept = _department(LONG_NAME, "2026-11")
    dept.files[:] = [replace(f, template_version="v" + "2026.12-pmo-custom-" * 2 + "x") for f in dept.files]
    assert len(LONG_NAME) > 300 and len(dept.files[0].template_version or "") == 40
    saved = _period(departments=[dept, _department("客户服务部", "2026-11")])
    saved.missing.append(LONG_NAME + "二")
    store.save_period(saved)
    _same(store.load_period("2026-11"), saved)
    assert store.departments_seen() == sorted([LONG_NAME, "客户服务部"])


def test_the_run_id_is_stored_with_its_period(store: Store) -> None:
    saved = _period()
    with store.period_writer("2026-11", generated_on=saved.generated_on) as writer:
        for dept in saved.departments:
            writer.add(dept)
        writer.finish(store._figures(saved), missing=[], issues=[], run_id="2026-11.run-20261210-100200")
    assert store.run_id("2026-11") == "2026-11.run-20261210-100200"
    assert store.run_id("2026-10") is None  # not stored
    store.save_period(_period("2026-10"))
    assert store.run_id("2026-10") is None  # stored without one
    store.save_period(_period("2026-10"), run_id="2026-10.run-1")
    assert store.run_id("2026-10") == "2026-10.run-1"


_V1_LENGTHS = {"department": 255, "template_version": 32, "cell": 32}  # VARCHAR lengths of store version 1


def _make_v1(url: str) -> None:
    """Turn a current store back into a version 1 one: bounded text columns, no run_id, version 1."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            for table in sa.inspect(conn).get_table_names():
                for column in sa.inspect(conn).get_columns(table):
                    if column["name"] in _V1_LENGTHS:
                        length = _V1_LENGTHS[column["name"]]
                        conn.execute(
                            sa.text(f'ALTER TABLE {table} ALTER COLUMN "{column["name"]}" TYPE VARCHAR({length})')
                        )
        conn.execute(sa.text("ALTER TABLE periods DROP COLUMN run_id"))
        conn.execute(sa.text("DELETE FROM schema_version WHERE version > 1"))
    engine.dispose()


def test_a_version_1_store_upgrades(url: str) -> None:
    saved = _period("2026-10")
    with Store(url) as store:
        store.save_period(saved)
    _make_v1(url)
    if url.startswith("postgresql"):
        kinds = {c["name"]: c["type"] for c in sa.inspect(sa.create_engine(url)).get_columns("submissions")}
        assert isinstance(kinds["department"], sa.VARCHAR) and kinds["department"].length == 255
    with Store(url) as store:
        with store.engine.connect() as conn:
            assert list(conn.scalars(sa.text("SELECT version FROM schema_version ORDER BY version"))) == [1, 2]
            inspector = sa.inspect(conn)
            for table in ("submissions", "source_files", "issues", "problems", "missing_departments"):
                for column in inspector.get_columns(table):
                    if column["name"] in _V1_LENGTHS:
                        assert getattr(column["type"], "length", None) is None, (table, column)
        _same(store.load_period("2026-10"), saved)
        assert store.run_id("2026-10") is None
        long = _period(departments=[_department(LONG_NAME, "2026-11")])
        store.save_period(long, run_id="2026-11.run-1")
        _same(store.load_period("2026-11"), long)
        assert store.run_id("2026-11") == "2026-11.run-1"


def test_an_in_memory_store_has_locks_that_are_always_free() -> None:
    with Store("sqlite://") as store:
        first, second = store.lock("period-2026-11"), store.lock("period-2026-11")
        assert first.try_acquire() and second.try_acquire()
        first.release()
        second.release()


def test_a_file_store_keeps_its_locks_beside_it(tmp_path: Path) -> None:
    with Store(sqlite_url(tmp_path / "history.sqlite")) as store:
        first, second = store.lock("period-2026-11"), store.lock("period-2026-11")
        assert first.try_acquire()
        assert not second.try_acquire()
        holder = second.holder()
        assert f"pid {os.getpid()}" in holder and "holding period-2026-11 on the history store" in holder
        first.release()
        assert second.try_acquire()
        second.release()
        odd = store.lock("报表/2026:11")  # any key, even one that is no file name
        assert odd.try_acquire()
        odd.release()
    assert (tmp_path / ".history.sqlite.locks" / "period-2026-11.lock").exists()


def test_sent_messages_survive_storing_the_period_again(store: Store) -> None:
    store.save_period(_period())
    store.record_sent(
        "2026-11",
        "电商运营部",
        recipients=["a@example.com"],
        attachments=[{"name": "电商运营部.docx", "sha256": "0" * 64, "size": 10}],
        digest="d" * 64,
        message_id="<1@example.com>",
    )
    store.record_sent(
        "2026-11", "", recipients=["pmo@example.com"], attachments=[], digest="e" * 64, message_id="<2@example.com>"
    )
    store.save_period(_period())  # a re-run consolidation replaces the period's rows, not what was sent
    sent = store.sent("2026-11")
    assert [(r.department, r.recipients, r.message_id) for r in sent] == [
        ("电商运营部", ("a@example.com",), "<1@example.com>"),
        ("", ("pmo@example.com",), "<2@example.com>"),
    ]
    assert sent[0].attachments[0]["name"] == "电商运营部.docx" and store.sent("2026-10") == []


def test_the_driver_insert_stores_what_sqlalchemy_would(tmp_path: Path) -> None:
    """PeriodWriter's executemany through the driver writes the very values (and SQLite types) a Core
    insert writes, None and JSON and dates included."""
    from ci_excel.store.rows import _department_rows
    from ci_excel.store.tables import METADATA
    from ci_excel.store.writer import insert_rows

    dept = _department("物流部", "2026-11", problems=3, done=1)
    dept.tables["problems"][0]["flags"] = None
    stored = {}
    for how in ("core", "driver"):
        engine = sa.create_engine(sqlite_url(tmp_path / f"{how}.sqlite"))
        with engine.begin() as conn:
            METADATA.create_all(conn)
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
            for table, rows in _department_rows(dept, 0):
                if how == "driver":
                    insert_rows(conn, table, rows)
                elif rows:
                    conn.execute(table.insert(), rows)
            stored[how] = {t.name: _raw_rows(conn, t) for t, _ in _department_rows(dept, 0)}
        engine.dispose()
    assert stored["driver"] == stored["core"]
    assert sum(map(len, stored["core"].values())) > 20


def _raw_rows(conn: sa.Connection, table: sa.Table) -> list[tuple[object, ...]]:
    """Every stored value of `table` as SQLite holds it, with its storage class."""
    types = ", ".join(f'typeof("{c.name}")' for c in table.columns)
    return list(conn.exec_driver_sql(f'SELECT *, {types} FROM "{table.name}" ORDER BY rowid').all())
