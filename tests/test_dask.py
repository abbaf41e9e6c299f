"""The dask executor on a real dask.distributed LocalCluster (worker processes): the same outputs
and stored period as the local pools, with a worker killed mid-run, and with a department whose task
fails twice."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dask
import pytest
from click.testing import CliRunner
from distributed import Client, LocalCluster

from ci_excel.cli import main
from ci_excel.config import Config, config_from_dict
from ci_excel.errors import ConfigError
from ci_excel.executors import dask as dask_executor
from ci_excel.pipeline import consolidate
from ci_excel.sessions import default_db_url
from ci_excel.store import Store
from tests.pg import empty_postgres
from tests.pipeline_data import write_register
from tests.test_pipeline import _break_cell

PERIODS = ("2026-10", "2026-11")
CITIES = ("华东", "华南", "华北", "西南", "西北", "东北", "华中", "上海", "北京", "深圳")
DEPARTMENTS = [f"{city}运营部" for city in CITIES]
BROKEN = "华南运营部"  # its register has an error: feedback copy, issues in every output
FAILING = "西南运营部"


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    # Workers start the reading sandboxes (pebble processes): they must not be daemonic (docs/cluster.md).
    with (
        dask.config.set({"distributed.worker.daemon": False}),
        LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None) as found,
    ):
        yield found


@pytest.fixture(scope="module")
def client(cluster: LocalCluster) -> Iterator[Client]:
    with Client(cluster) as found:
        yield found


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dask_in")
    for n, period in enumerate(PERIODS):
        for i, name in enumerate(DEPARTMENTS):
            write_register(
                root / period / name / "ci_register.xlsx", name, period, problems=2 + i % 3, done=min(n + i % 2, 2)
            )
        _break_cell(root / period / BROKEN / "ci_register.xlsx")
    return root


@pytest.fixture(scope="module")
def local_outcome(submissions: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("local") / "output"
    _run_periods(submissions, out)
    return outcome(out, default_db_url(out))


def _run_periods(
    submissions: Path, out: Path, *, progress: Callable[[str, int, int], None] | None = None, **kw: Any
) -> None:
    for period in PERIODS:
        _run_period(submissions, out, period, progress=progress if period == PERIODS[-1] else None, **kw)


def _run_period(submissions: Path, out: Path, period: str, **kw: Any) -> None:
    summary = consolidate(submissions / period, period=period, out=out, config=Config(), jobs=2, **kw)
    assert summary.departments == sorted(DEPARTMENTS)


def outcome(out: Path, db_url: str) -> dict[str, Any]:
    """What the last period's run stored and wrote, read back from the files, without times and run ids."""
    target = out / PERIODS[-1]
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    for volatile in ("generated_at", "timings_seconds", "run_id"):
        manifest.pop(volatile)
    with Store(db_url) as store:
        stored = store.load_period(PERIODS[-1])
    return {
        "files": files,
        "manifest": manifest,
        "validation": json.loads((target / "validation.json").read_text(encoding="utf-8")),
        "reports": {f: _docx_text(target / f) for f in files if f.endswith(".docx")},
        "workbooks": {f: _xlsx_values(target / f, out) for f in files if f.endswith(".xlsx")},
        "stored": {
            "figures": stored.figures,
            "trend": stored.trend,
            "missing": stored.missing,
            "issues": sorted(map(repr, stored.issues)),
            "departments": {d.department: (d.tables, sorted(map(repr, d.issues))) for d in stored.departments},
        },
    }


def _docx_text(path: Path) -> list[str]:
    from docx import Document

    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return [p.text for p in doc.paragraphs] + cells


def _xlsx_values(path: Path, out: Path) -> dict[str, list[tuple[Any, ...]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return {
            ws.title: [
                tuple(str(v).replace(str(out), "<out>") if isinstance(v, str) else v for v in row)
                for row in ws.iter_rows(values_only=True)
            ]
            for ws in book.worksheets
        }
    finally:
        book.close()


def test_dask_run_on_postgres_equals_the_local_run(
    cluster: LocalCluster, submissions: Path, tmp_path: Path, local_outcome: dict[str, Any]
) -> None:
    seen: list[tuple[str, int, int]] = []
    with empty_postgres() as url:
        _run_periods(
            submissions,
            tmp_path / "output",
            executor="dask",
            scheduler=cluster.scheduler_address,
            db_url=url,
            progress=lambda *step: seen.append(step),
        )
        found = outcome(tmp_path / "output", url)
    assert found == local_outcome
    assert f"feedback/{BROKEN}/ci_register.xlsx" in found["files"]
    assert len(found["reports"]) == len(DEPARTMENTS) + 1
    assert ("read", len(DEPARTMENTS), len(DEPARTMENTS)) in seen
    assert seen[-1] == ("departments", len(DEPARTMENTS), len(DEPARTMENTS))


def test_a_worker_killed_during_the_run_changes_nothing(
    cluster: LocalCluster,
    client: Client,
    submissions: Path,
    tmp_path: Path,
    local_outcome: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first worker to read a file, and the one reporting FAILING, kill themselves (SIGKILL) once.
    marker, out, where = (
        tmp_path / "killed",
        tmp_path / "output",
        {"executor": "dask", "scheduler": cluster.scheduler_address},
    )
    _run_period(submissions, out, PERIODS[0], **where)
    before = set(client.run(os.getpid).values())
    faults = {
        "CI_EXCEL_FAULT": f"file-task:kill-once,department-task@{FAILING}:kill-once",
        "CI_EXCEL_FAULT_FILE": str(marker),
    }
    for key, value in faults.items():  # the nannies live here: a restarted worker inherits these
        monkeypatch.setenv(key, value)
    client.run(_set_env, faults)
    try:
        _run_period(submissions, out, PERIODS[1], **where)
    finally:
        client.run(_set_env, {"CI_EXCEL_FAULT": None, "CI_EXCEL_FAULT_FILE": None})
    killed = {
        int((tmp_path / f"killed.{point}").read_text(encoding="ascii"))
        for point in ("file-task", f"department-task@{FAILING}")
    }
    # Two worker processes died mid-task: the first was one of the cluster's, the second may be
    # its restarted successor; never the client.
    assert len(killed) == 2 and os.getpid() not in killed
    assert killed & before
    assert outcome(out, default_db_url(out)) == local_outcome
    client.wait_for_workers(2, timeout=60)  # the nanny restarted them
    assert not killed & set(client.run(os.getpid).values())


def test_a_department_failing_twice_is_output_failed_and_the_run_goes_on(
    cluster: LocalCluster, client: Client, submissions: Path, tmp_path: Path, local_outcome: dict[str, Any]
) -> None:
    hits = tmp_path / "hits"
    client.run(_set_env, {"CI_EXCEL_FAULT": f"department-task@{FAILING}:raise", "CI_EXCEL_FAULT_FILE": str(hits)})
    try:
        out = tmp_path / "output"
        summary = consolidate(
            submissions / PERIODS[-1],
            period=PERIODS[-1],
            out=out,
            config=Config(),
            executor="dask",
            scheduler=cluster.scheduler_address,
        )
    finally:
        client.run(_set_env, {"CI_EXCEL_FAULT": None, "CI_EXCEL_FAULT_FILE": None})
    assert len(hits.read_text(encoding="ascii").split()) == 2  # tried, retried once
    assert summary.departments == sorted(DEPARTMENTS)
    target = out / PERIODS[-1]
    assert not (target / "reports" / f"{FAILING}.docx").exists()
    others = [d for d in DEPARTMENTS if d != FAILING]
    assert all((target / "reports" / f"{d}.docx").is_file() for d in others)
    issues = json.loads((target / "validation.json").read_text(encoding="utf-8"))["issues"]
    failed = [i for i in issues if i["code"] == "output-failed"]
    assert [(i["file"], i["department"]) for i in failed] == [(f"{FAILING}.docx", FAILING)]
    assert "failed twice" in failed[0]["message"] and "fault injected" in failed[0]["message"]
    with Store(default_db_url(out)) as store:
        stored = store.load_period(PERIODS[-1])
    assert sorted(d.department for d in stored.departments) == sorted(DEPARTMENTS)  # its data is kept
    # computed without history here (one period in this store), so compare the tables' shape only
    reference = local_outcome["stored"]["departments"][FAILING][0]
    mine = next(d for d in stored.departments if d.department == FAILING)
    assert {k: len(v) for k, v in mine.tables.items()} == {k: len(v) for k, v in reference.items()}


def _set_env(values: dict[str, str | None]) -> None:
    """On each worker (os.environ itself would be pickled as a copy)."""
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def test_cli_dask_without_scheduler_or_unreachable_exits_2(
    submissions: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["consolidate", str(submissions / PERIODS[-1]), "--period", PERIODS[-1], "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, [*args, "--executor", "dask"])
    assert result.exit_code == 2 and "--scheduler tcp://HOST:8786" in result.output
    result = CliRunner().invoke(main, [*args, "--executor", "dask", "--scheduler", "not-an-address"])
    assert result.exit_code == 2 and "not a dask scheduler address" in result.output
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    # Nothing listens there: the client would retry for its whole connect timeout (20 s) before giving up.
    monkeypatch.setattr(dask_executor, "CONNECT_SECONDS", 2)
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        result = CliRunner().invoke(main, [*args, "--executor", "dask", "--scheduler", f"tcp://127.0.0.1:{port}"])
    assert result.exit_code == 2 and f"cannot reach the dask scheduler at tcp://127.0.0.1:{port}" in result.output
    assert not (tmp_path / "o" / PERIODS[-1]).exists()


def test_cli_runs_on_the_cluster_named_in_the_settings(
    cluster: LocalCluster, submissions: Path, tmp_path: Path
) -> None:
    settings = tmp_path / "ci_excel.toml"
    settings.write_text(f'[run]\nexecutor = "dask"\nscheduler = "{cluster.scheduler_address}"\n', encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "consolidate",
            str(submissions / PERIODS[-1]),
            "--period",
            PERIODS[-1],
            "--out",
            str(tmp_path / "o"),
            "--config",
            str(settings),
        ],
    )
    assert result.exit_code == 1, result.output  # the broken register's error
    assert f"Period {PERIODS[-1]}: {len(DEPARTMENTS)} files, {len(DEPARTMENTS)} departments" in result.output


def test_run_settings_are_checked() -> None:
    run = config_from_dict({"run": {"executor": "dask", "scheduler": "tcp://10.0.0.5:8786"}}).run
    assert (run.executor, run.scheduler) == ("dask", "tcp://10.0.0.5:8786")
    assert config_from_dict({}).run.executor == "local"
    with pytest.raises(ConfigError, match=r"'run\.executor'"):
        config_from_dict({"run": {"executor": "spark"}})
    with pytest.raises(ConfigError, match="not a dask scheduler address"):
        config_from_dict({"run": {"scheduler": "10.0.0.5"}})
    with pytest.raises(ConfigError, match=r"run\.workers"):
        config_from_dict({"run": {"workers": 3}})
