"""Fault injection: real `ci-excel` runs killed at every phase boundary, a disk that fills up, a
read-only output folder, two runs of one period at once (SQLite and PostgreSQL), `report` racing
`consolidate`. Each test checks what a PMO relies on: the store's rows of a period equal a single
clean run's, the outputs show the stored run and list exactly their files, and no process, run
folder or lock of the run is left behind.

Runs stop deterministically at `ci_excel.faults` checkpoints (CI_EXCEL_FAULT), never by sleeping.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ci_excel.faults import POINTS
from ci_excel.sessions import default_db_url
from ci_excel.store import METADATA, Store
from tests.built_once import built_once
from tests.pg import empty_postgres
from tests.pipeline_data import write_register

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals, mounts and /proc")

PERIOD, OTHER = "2026-11", "2026-10"
_VOLATILE = {"stored_at", "id", "run_id", "sha256", "size"}  # each test writes its own copies


# -- running the real CLI -------------------------------------------------------------------------


class Run:
    """A `ci-excel` process in its own session, its stderr in a file we can watch."""

    def __init__(self, tmp: Path, *args: str, fault: str | None = None) -> None:
        self.flag = tmp / f"pause-{time.monotonic_ns()}"
        self.err_path = tmp / f"stderr-{time.monotonic_ns()}"
        env = os.environ | {"CI_EXCEL_FAULT_FILE": str(self.flag)}
        env.pop("CI_EXCEL_FAULT", None)
        if fault:
            env["CI_EXCEL_FAULT"] = fault
        with self.err_path.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ci_excel.cli", *args],
                env=env,
                stdout=subprocess.PIPE,
                stderr=err,
                start_new_session=True,
            )

    def paused(self, timeout: float = 120) -> None:
        """Wait until the run stops at its `pause` checkpoint."""
        deadline = time.monotonic() + timeout
        while not self.flag.exists():
            assert self.process.poll() is None, self.stderr
            assert time.monotonic() < deadline, "the run never reached its checkpoint"
            time.sleep(0.02)

    def resume(self) -> None:
        self.flag.unlink()

    def wait(self, timeout: float = 300) -> int:
        self.process.communicate(timeout=timeout)
        return self.process.returncode

    def says(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.stderr:
            assert self.process.poll() is None or text in self.stderr, self.stderr
            assert time.monotonic() < deadline, f"never said {text!r}: {self.stderr}"
            time.sleep(0.05)

    @property
    def stderr(self) -> str:
        return self.err_path.read_text(encoding="utf-8", errors="replace")

    def leftovers(self, timeout: float = 20) -> list[str]:
        """Processes of the run's session still alive after `timeout` (workers, forkserver, tracker)."""
        deadline = time.monotonic() + timeout
        while True:
            alive = _session_members(self.process.pid)
            if not alive or time.monotonic() > deadline:
                return alive
            time.sleep(0.1)


def _session_members(sid: int) -> list[str]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[3]) == sid and fields[0] != "Z":  # field 6 of stat: the session
            found.append(text[: text.rindex(")") + 1])
    return found


def consolidate(
    tmp: Path, submissions: Path, out: Path, *extra: str, fault: str | None = None, period: str = PERIOD
) -> Run:
    return Run(
        tmp, "consolidate", str(submissions), "--period", period, "--out", str(out), "--jobs", "2", *extra, fault=fault
    )


def submissions(folder: Path, *, closed: int, period: str = PERIOD) -> Path:
    for n, name in enumerate(("电商运营部", "客户服务部", "物流部")):
        write_register(folder / name / "ci_register.xlsx", name, period, problems=3, done=min(closed + n, 3))
    return folder


# -- what must hold after every run ---------------------------------------------------------------


def stored_rows(url: str, period: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the period, in every table, without what differs between equal runs."""
    engine = sa.create_engine(url)
    found = {}
    with engine.connect() as conn:
        for table in METADATA.sorted_tables:
            if "period" not in table.c:
                continue
            columns = [c for c in table.c if c.name not in _VOLATILE]
            rows = conn.execute(sa.select(*columns).where(table.c.period == period)).all()
            found[table.name] = sorted(tuple(map(repr, r)) for r in rows)
    engine.dispose()
    return found


def assert_consistent(out: Path, url: str, period: str = PERIOD) -> dict[str, Any]:
    """The outputs show the stored run, list exactly their files, and nothing of killed runs is left."""
    target = out / period
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    with Store(url) as store:
        assert manifest["run_id"] == store.run_id(period)
        departments = store.department_names(period)
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert manifest["outputs"] == files
    assert sorted(manifest["departments"]) == sorted(departments)
    runs = sorted(p.name for p in (out / ".runs").iterdir() if p.name.startswith(period))
    assert runs == [target.resolve().name], runs
    return manifest


def _clean_runs(folder: Path) -> None:
    """A clean run of the inputs before (0) and of the inputs after (1) the change, at once."""
    runs = [
        consolidate(folder, submissions(folder / f"in{closed}", closed=closed), folder / f"out{closed}")
        for closed in (0, 1)
    ]
    assert [run.wait() for run in runs] == [0, 0], [run.stderr for run in runs]


@pytest.fixture(scope="module")
def clean_runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folders of the clean runs, made once for every worker (tests copy what they change)."""
    return built_once(tmp_path_factory, "faults_clean_runs", _clean_runs)


@pytest.fixture(scope="module")
def clean(clean_runs: Path) -> dict[int, dict[str, list[tuple[Any, ...]]]]:
    """The store's rows of a single clean run, for the inputs before (0) and after (1) the change."""
    return {closed: stored_rows(default_db_url(clean_runs / f"out{closed}"), PERIOD) for closed in (0, 1)}


@pytest.fixture(scope="module")
def clean_output(clean_runs: Path) -> Path:
    """An output folder holding one clean run of the period (tests get copies)."""
    return clean_runs / "out0"


@pytest.fixture
def previous(tmp_path: Path, clean_output: Path) -> Iterator[tuple[Path, Path]]:
    """A copy of the clean output folder (its links to `.runs/` are relative); the inputs changed since."""
    out = tmp_path / "out"
    shutil.copytree(clean_output, out, symlinks=True)
    yield out, submissions(tmp_path / "after", closed=1)


# -- killed runs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("point", POINTS)
def test_killed_at_every_phase(tmp_path: Path, previous: tuple[Path, Path], clean: dict[int, Any], point: str) -> None:
    out, changed = previous
    url = default_db_url(out)
    killed = consolidate(tmp_path, changed, out, fault=f"{point}:kill")
    assert killed.wait() == -signal.SIGKILL
    assert killed.leftovers() == []
    committed = POINTS.index(point) >= POINTS.index("stored")
    assert stored_rows(url, PERIOD) == clean[1 if committed else 0]
    if point != "stored":  # killed between the commit and the swap: the next writer finishes the swap
        assert_consistent_outputs_only(out, url)
    again = consolidate(tmp_path, changed, out)
    assert again.wait() == 0, again.stderr
    assert stored_rows(url, PERIOD) == clean[1]
    assert_consistent(out, url)
    assert again.leftovers() == []


def assert_consistent_outputs_only(out: Path, url: str) -> None:
    """Right after a kill: what `output/<period>` shows is the stored run (the killed run's folder may
    still be there, for the next run to remove)."""
    manifest = json.loads((out / PERIOD / "manifest.json").read_text(encoding="utf-8"))
    with Store(url) as store:
        assert manifest["run_id"] == store.run_id(PERIOD)


def test_swap_interrupted_after_commit_is_finished_by_the_next_run_of_any_period(
    tmp_path: Path, previous: tuple[Path, Path]
) -> None:
    out, changed = previous
    url = default_db_url(out)
    killed = consolidate(tmp_path, changed, out, fault="stored:kill")
    assert killed.wait() == -signal.SIGKILL
    with Store(url) as store:
        stored = store.run_id(PERIOD)
    assert json.loads((out / PERIOD / "manifest.json").read_text(encoding="utf-8"))["run_id"] != stored
    other = consolidate(tmp_path, submissions(tmp_path / "october", closed=0, period=OTHER), out, period=OTHER)
    assert other.wait() == 0, other.stderr
    assert (out / PERIOD).resolve().name == stored
    assert_consistent(out, url)
    assert_consistent(out, url, OTHER)


@pytest.mark.parametrize("point", ["read", "department", "portfolio"])
def test_sigterm_stops_workers_and_removes_the_run_folder(
    tmp_path: Path, previous: tuple[Path, Path], clean: dict[int, Any], point: str
) -> None:
    out, changed = previous
    url = default_db_url(out)
    stopped = consolidate(tmp_path, changed, out, fault=f"{point}:term")
    assert stopped.wait() == 128 + signal.SIGTERM
    assert "Stopped (SIGTERM)" in stopped.stderr and "Traceback" not in stopped.stderr
    assert stopped.leftovers() == []
    assert stored_rows(url, PERIOD) == clean[0]
    assert_consistent(out, url)  # nothing of the stopped run is left, not even its run folder


# -- a disk that fills up, a read-only folder ------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 48 MB filesystem (tmpfs), mounted for the test."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path, *, leave: int) -> Path:
    """A ballast file that leaves about `leave` bytes free on `folder`'s disk."""
    ballast = folder / "ballast"
    with ballast.open("wb") as fh:
        free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
        fh.write(b"\0" * max(free - leave, 0))
    return ballast


def test_disk_full_mid_run_is_one_sentence_and_changes_nothing(
    tmp_path: Path, small_disk: Path, clean_output: Path, clean: dict[int, Any]
) -> None:
    out = small_disk / "out"
    shutil.copytree(clean_output, out, symlinks=True)  # a clean run of the period, on the small disk
    url = default_db_url(out)
    run = consolidate(tmp_path, submissions(tmp_path / "after", closed=1), out, fault="read:pause")
    run.paused()
    ballast = _fill(small_disk, leave=64 << 10)
    run.resume()
    assert run.wait() == 3, run.stderr
    assert "the disk is full" in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert run.leftovers() == []
    assert stored_rows(url, PERIOD) == clean[0]
    assert_consistent(out, url)
    ballast.unlink()
    again = consolidate(tmp_path, submissions(tmp_path / "after", closed=1), out)
    assert again.wait() == 0, again.stderr
    assert stored_rows(url, PERIOD) == clean[1]
    assert_consistent(out, url)


def test_too_little_free_space_is_refused_before_anything_is_written(tmp_path: Path, small_disk: Path) -> None:
    _fill(small_disk, leave=4 << 20)
    out = small_disk / "out"
    run = consolidate(tmp_path, submissions(tmp_path / "in", closed=0), out)
    assert run.wait() == 3
    assert "not enough free space" in run.stderr and "Nothing was written" in run.stderr, run.stderr
    assert not out.exists()


def test_read_only_output_folder(tmp_path: Path, small_disk: Path, clean_output: Path, clean: dict[int, Any]) -> None:
    out = small_disk / "out"
    shutil.copytree(clean_output, out, symlinks=True)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    run = consolidate(tmp_path, submissions(tmp_path / "after", closed=1), out)
    assert run.wait() == 3, run.stderr
    assert "read-only" in run.stderr and "Traceback" not in run.stderr, run.stderr
    subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert stored_rows(default_db_url(out), PERIOD) == clean[0]
    assert_consistent(out, default_db_url(out))


# -- two people at once -----------------------------------------------------------------------------


def _store_args(url: str | None) -> tuple[str, ...]:
    return ("--db", url) if url else ()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """None: the default SQLite store in the output folder; else a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield None
        return
    with empty_postgres() as pg:
        yield pg


def test_second_run_of_a_period_waits_then_replaces_both(
    tmp_path: Path, store_url: str | None, clean: dict[int, Any]
) -> None:
    out = tmp_path / "out"
    url = store_url or default_db_url(out)
    first = consolidate(
        tmp_path, submissions(tmp_path / "a", closed=0), out, *_store_args(store_url), fault="locked:pause"
    )
    first.paused()
    second = consolidate(tmp_path, submissions(tmp_path / "b", closed=1), out, *_store_args(store_url))
    second.says("Waiting for the run started at")
    assert f"by pid {first.process.pid}" in second.stderr
    first.resume()
    assert first.wait() == 0, first.stderr
    assert second.wait() == 0, second.stderr
    assert stored_rows(url, PERIOD) == clean[1]  # the second run's, stored after the first
    assert_consistent(out, url)


def test_no_wait_refuses_with_its_own_exit_code(tmp_path: Path, store_url: str | None) -> None:
    out = tmp_path / "out"
    first = consolidate(
        tmp_path, submissions(tmp_path / "a", closed=0), out, *_store_args(store_url), fault="locked:pause"
    )
    first.paused()
    second = consolidate(tmp_path, submissions(tmp_path / "b", closed=1), out, "--no-wait", *_store_args(store_url))
    assert second.wait() == 4
    assert f"pid {first.process.pid}" in second.stderr and "Traceback" not in second.stderr
    first.resume()
    assert first.wait() == 0, first.stderr


def test_two_periods_at_once_on_a_new_store(tmp_path: Path, store_url: str | None) -> None:
    """Two periods' runs start together on a store neither has made (both create it), both hold their
    locks at one moment (each waits at its `locked` checkpoint until both are there), then both
    finish at once. Racing store creation alone, many times over, is test_store_concurrency's."""
    out = tmp_path / "out"
    url = store_url or default_db_url(out)
    runs = [
        consolidate(
            tmp_path,
            submissions(tmp_path / f"in-{p}", closed=0, period=p),
            out,
            *_store_args(store_url),
            period=p,
            fault="locked:pause",
        )
        for p in (OTHER, PERIOD)
    ]
    for run in runs:
        run.paused()
    for run in runs:
        run.resume()
    assert [r.wait() for r in runs] == [0, 0], [r.stderr for r in runs]
    for period in (OTHER, PERIOD):
        assert_consistent(out, url, period)


def test_report_started_during_consolidate_waits_and_shows_the_new_period(
    tmp_path: Path, previous: tuple[Path, Path]
) -> None:
    out, changed = previous
    url = default_db_url(out)
    running = consolidate(tmp_path, changed, out, fault="read:pause")
    running.paused()
    report = Run(tmp_path, "report", "--period", PERIOD, "--out", str(out))
    report.says("Waiting for the run started at")
    running.resume()
    assert running.wait() == 0, running.stderr
    assert report.wait() == 0, report.stderr
    manifest = assert_consistent(out, url)
    assert "rendered_at" in manifest  # the report ran last, over the new period


def test_history_never_waits_for_a_writer(tmp_path: Path, previous: tuple[Path, Path]) -> None:
    out, changed = previous
    running = consolidate(tmp_path, changed, out, fault="department:pause")
    running.paused()
    history = Run(tmp_path, "history", "--out", str(out))
    assert history.wait(timeout=60) == 0, history.stderr
    running.resume()
    assert running.wait() == 0, running.stderr


def test_history_with_a_mistyped_folder_creates_nothing(tmp_path: Path) -> None:
    run = Run(tmp_path, "history", "--out", str(tmp_path / "outptu"))
    assert run.wait() == 2
    assert "no history store" in run.stderr
    assert not (tmp_path / "outptu").exists()


def test_long_department_name_keeps_its_report(tmp_path: Path, store_url: str | None) -> None:
    name = "客户服务与体验提升中心" * 30  # 330 characters, about 1 KB of UTF-8
    folder = tmp_path / "in"
    write_register(folder / "long" / "ci_register.xlsx", name, PERIOD, problems=2)
    out = tmp_path / "out"
    run = consolidate(tmp_path, folder, out, *_store_args(store_url))
    assert run.wait() == 0, run.stderr
    url = store_url or default_db_url(out)
    with Store(url) as store:
        assert store.department_names(PERIOD) == [name]
    reports = [p.name for p in (out / PERIOD / "reports").iterdir()]
    assert len(reports) == 3 and all(len(r.encode()) <= 255 for r in reports)  # its own, portfolio .docx and .pptx
    assert_consistent(out, url)


@pytest.mark.parametrize(
    "url, says",
    [
        ("mysql://pmo@db/ci", "not installed"),
        ("nosuchdb://x", "sqlite:///"),
        ("sqlite:////no/such/folder/store.sqlite", "does not exist"),
    ],
)
def test_a_store_url_that_cannot_work_exits_2_and_creates_nothing(tmp_path: Path, url: str, says: str) -> None:
    out = tmp_path / "out"
    run = consolidate(tmp_path, submissions(tmp_path / "in", closed=0), out, "--db", url)
    assert run.wait() == 2
    assert says in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert not out.exists()
