"""The PMO's monthly run: discover -> read and validate in parallel -> one department at a time:
merge, compute, store, report -> portfolio outputs -> swap into place.

Reading spills each checked workbook's rows to disk; then every department is merged, computed
and reported in a worker process and handed back to this process, which writes it to the period
being stored and folds it into the portfolio outputs before dropping it. So memory holds a few
departments and a few figures per department, whatever their number.

Outputs are built in a run folder (run_folders.py) and swapped into `output/<period>` only when
complete, so a failed or killed run leaves the previous outputs in place; the store takes the
period in one short transaction after every output is written and before the swap, naming the
run folder, so the next writer finishes a swap a kill interrupted. One writer of a period at a
time: a run holds the period's lock on the output folder and on the store (locking.py) from
before it writes anything until its outputs are in place.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ci_excel import __version__, fileio, run_folders
from ci_excel.config import Config, check_db_url, load_config
from ci_excel.departments import DepartmentDone, DepartmentJob, run_jobs
from ci_excel.errors import UsageError
from ci_excel.faults import checkpoint
from ci_excel.feedback_run import FeedbackWriter, names_for, plan
from ci_excel.intake import Progress, read_checks, spill_path
from ci_excel.issues import Issue
from ci_excel.locking import hold, run_lock
from ci_excel.model import PeriodOutline, SheetStats, SourceFile
from ci_excel.render.charts import prune_cache
from ci_excel.render.docx import RenderSettings, report_paths, use_settings
from ci_excel.render.period import PeriodOutputs
from ci_excel.schema import Lang
from ci_excel.store import DEFAULT_PATH, PeriodWriter, Store, sqlite_url
from ci_excel.validation import FileCheck, group_checks

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_SPILL, _FEEDBACK = "spill", "feedback"
SPACE_PER_FILE = 256 << 10  # outputs per input file, when no earlier run tells: report, feedback, summary share
SPACE_MARGIN = 16 << 20


@dataclass(frozen=True)
class ConsolidationSummary:
    """What a run did, for the CLI to print and the demo to chain."""

    period: str
    out_dir: Path
    departments: list[str]
    files: int
    errors: int
    warnings: int
    missing: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    other_period: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def check_period(period: str) -> str:
    if not _PERIOD.match(period):
        raise UsageError(f"--period must be YYYY-MM, e.g. 2026-11 (got {period!r})")
    return period


def default_db_url(out: Path) -> str:
    return sqlite_url((out / DEFAULT_PATH.name).resolve())


def open_store(db_url: str | None, out: Path, *, create: bool = True) -> Store:
    """The store at `db_url` (checked first: nothing is made for a URL that cannot work), else the
    default SQLite file in `out`; with `create=False` a store that does not exist is an error."""
    url = check_db_url(db_url) if db_url else default_db_url(out)
    if not create and not db_url and not (out / DEFAULT_PATH.name).is_file():
        raise UsageError(f"no history store in {out}: give the --out folder of your consolidate runs, or --db")
    if create:
        with fileio.writing(out):
            out.mkdir(parents=True, exist_ok=True)
    return Store(url, create=create)


@contextmanager
def period_session(out: Path, period: str, db_url: str | None, *, create: bool = True, wait: bool = True,
                   on_wait: Callable[[str], None] | None = None) -> Iterator[Store]:
    """The store, with the period's locks held for the block: one writer of `out/<period>` and of the
    stored period at a time. A swap a kill interrupted is finished and killed runs' folders removed
    before the block starts."""
    store = open_store(db_url, out, create=create)
    try:
        with fileio.writing(out):
            out.mkdir(parents=True, exist_ok=True)
            with hold([run_lock(out, period), store.lock(f"period-{period}")], wait=wait, on_wait=on_wait):
                _tidy(out, period, store)
                checkpoint("locked")
                yield store
    finally:
        store.close()


def _tidy(out: Path, period: str, store: Store) -> None:
    """Finish interrupted swaps and remove killed runs' folders: this period's (its lock is held) and
    those of other periods whose lock is free (taken while tidying them)."""
    for each in sorted({period, *run_folders.periods_with_runs(out)}):
        lock = None if each == period else run_lock(out, each)
        if lock is not None and not lock.try_acquire():
            continue
        try:
            stored = store.run_id(each)
            run_folders.finish_interrupted_swap(out / each, stored)
            run_folders.remove_stale(out, each, keep=stored)
        finally:
            if lock is not None:
                lock.release()


def consolidate(
    submissions_dir: Path,
    *,
    period: str,
    out: Path = Path("output"),
    db_url: str | None = None,
    jobs: int | None = None,
    lang: Lang = "zh",
    config: Config | None = None,
    pdf: bool = False,
    progress: Progress | None = None,
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
) -> ConsolidationSummary:
    """Validate every workbook under `submissions_dir` for `period`, store it and write all outputs.

    Another run of the period (same output folder or same store) is waited for, or with
    `wait=False` raises Busy. A full disk or an unwritable folder raises OutputError, with the
    previous outputs and store as they were."""
    check_period(period)
    config = config or load_config()
    fileio.check_free_space(_nearest_folder(out), space_needed(submissions_dir, out))
    with period_session(out, period, db_url or config.db_url, wait=wait, on_wait=on_wait) as store, \
            fileio.writing(out / period):
        run = _Run(period, out / period, lang, config, pdf, jobs or os.cpu_count() or 1, progress or _no_progress)
        summary = _consolidate(submissions_dir, run, store)
    prune_cache(run.chart_cache)
    return summary


def _consolidate(submissions_dir: Path, run: _Run, store: Store) -> ConsolidationSummary:
    period = run.period
    earlier = [f for f in store.history() if f.period < period]
    expected = run.config.roster_names() or store.departments_seen(before=period)
    with run_folders.staging_dir(run.target) as staging:
        work = run_folders.work_dir(staging)
        with _timed(run.timings, "read_validate"):
            reading = read_submissions(submissions_dir, period, run, spill_dir=work / _SPILL)
        checkpoint("read")
        record = reading.record
        names = names_for(staging / _FEEDBACK, record.sources)
        with store.period_writer(period, generated_on=run.today, workdir=work) as writer, \
                FeedbackWriter(max(1, run.workers // 2)) as feedback:
            def keep(done: DepartmentDone) -> None:
                writer.add(done.result)
                record.took(done)
                for task in plan(done.result.files, done.result.issues, names, root=submissions_dir, lang=run.lang):
                    feedback.add(task)
                if len(record.rows) == 1:
                    checkpoint("department")

            reports = report_paths(reading.departments, staging)
            outputs = _fold_departments(run, staging, reading.jobs(writer, reports), len(reports), on_done=keep)
            for task in plan(record.sources, reading.general, names, root=submissions_dir, lang=run.lang):
                feedback.add(task)
            with _timed(run.timings, "feedback"):
                record.feedback, failed = feedback.close()
            checkpoint("feedback")
            shutil.rmtree(work / _SPILL, ignore_errors=True)
            present = {d.department for d in outputs.departments}
            general = [*reading.general, *failed]
            _close_outputs(run, outputs, PeriodOutline(
                period, [*earlier, outputs.figures], sorted(set(expected) - present), general, run.today))
            _write_run_files(staging, record, outputs, run, run_id=staging.name)
            writer.finish(outputs.figures, missing=outputs.outline.missing, issues=general, run_id=staging.name)
            checkpoint("portfolio")
        checkpoint("stored")
        files = run_folders.listing(staging)
        run_folders.swap_into(staging, run.target)
        checkpoint("swapped")
    return summarize(outputs, run.target, record, [run.target / p for p in files], run.timings)


def render_from_store(
    *, period: str, out: Path = Path("output"), db_url: str | None = None, lang: Lang = "zh",
    config: Config | None = None, pdf: bool = False, jobs: int | None = None, wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
) -> list[Path]:
    """Re-render a stored period's reports and summary without re-reading any workbook (departments are
    loaded from the store one at a time, as consolidate handles them). It writes `out/<period>`, so
    it takes the period's locks as consolidate does."""
    check_period(period)
    config = config or load_config()
    with period_session(out, period, db_url or config.db_url, create=False, wait=wait, on_wait=on_wait) as store, \
            fileio.writing(out / period):
        if period not in store.periods():
            raise UsageError(f"period {period} is not in the history store; stored: "
                             f"{', '.join(store.periods()) or 'none'}")
        outline = store.load_outline(period)
        run = _Run(period, out / period, lang, config, pdf, jobs or os.cpu_count() or 1, _no_progress,
                   today=outline.generated_on or date.today())
        with run_folders.staging_dir(run.target) as staging:
            if run.target.exists():
                shutil.copytree(run.target, staging, dirs_exist_ok=True, symlinks=False)
            reports = report_paths(store.department_names(period), staging)
            jobs_ = (DepartmentJob(d.department, period, reports[d.department], stored=d)
                     for d in store.iter_departments(period))
            outputs = _fold_departments(run, staging, jobs_, len(reports), on_done=lambda _done: None)
            _close_outputs(run, outputs, outline)
            _refresh_manifest(staging, period, store.run_id(period))
            files = run_folders.listing(staging)
            run_folders.swap_into(staging, run.target)
    return [run.target / p for p in files]


def space_needed(submissions_dir: Path, out: Path) -> int:
    """Bytes a run needs free before it starts: a copy of every input and its rows, and outputs the
    size of the largest earlier run (or SPACE_PER_FILE an input when there is none)."""
    inputs = [entry.stat().st_size for entry in _walk(submissions_dir)]
    runs = out / run_folders.RUNS
    earlier = [sum(f.stat().st_size for f in _walk(folder)) for folder in runs.iterdir()] if runs.is_dir() else []
    return 2 * sum(inputs) + max([*earlier, len(inputs) * SPACE_PER_FILE]) + SPACE_MARGIN


def _nearest_folder(path: Path) -> Path:
    """`path`, or the nearest folder above it that exists (where it would be made)."""
    path = path.absolute()
    while not path.is_dir() and path != path.parent:
        path = path.parent
    return path


def _walk(folder: Path) -> Iterator[os.DirEntry[str]]:
    """The files under `folder`, not following links."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        elif entry.is_file(follow_symlinks=False):
            yield entry


def history_table(store: Store, lang: Lang) -> tuple[list[str], list[list[str]]]:
    """The stored periods as a table of headline figures, for `ci-excel history`."""
    from ci_excel.render.phrases import phrase

    keys = ("period_col", "departments", "problems_n", "new", "closed", "open", "overdue", "kpis_met_of",
            "stages", "missing", "late")
    rows = [[row["period"], str(row["departments"]), str(row["problems"]), str(row["new"]), str(row["closed"]),
             str(row["open"]), str(row["overdue_actions"]), f"{row['kpis_met']}/{row['kpis']}",
             " ".join(str(row["by_stage"].get(s, 0)) for s in range(1, 7)),
             ", ".join(row["missing"]), ", ".join(row["late"])]
            for row in store.history_rows()]
    return [phrase(k, lang) for k in keys], rows


# --- running ---------------------------------------------------------------------------------


@dataclass
class _Run:
    """One period's run: where it writes, how, and what it measured."""

    period: str
    target: Path  # output/<period>
    lang: Lang
    config: Config
    pdf: bool
    workers: int
    progress: Progress
    today: date = field(default_factory=date.today)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def chart_cache(self) -> Path:
        """Figures are cached beside the period folders: a re-run re-draws only those whose data changed."""
        return self.target.parent / ".cache" / "charts"

    def settings(self) -> RenderSettings:
        return RenderSettings.of(lang=self.lang, template=self.config.report_template_path(),
                                 cache_dir=self.chart_cache, config=self.config, generated_on=self.today)


def _fold_departments(run: _Run, staging: Path, jobs: Iterable[DepartmentJob], count: int, *,
                      on_done: Callable[[DepartmentDone], None]) -> PeriodOutputs:
    """Every department's report written by a worker, its result folded into the portfolio outputs."""
    outputs = PeriodOutputs(staging, run.period, lang=run.lang)
    try:
        with _timed(run.timings, "departments"), \
                closing(run_jobs(jobs, settings=run.settings(), workers=run.workers)) as results:
            for n, done in enumerate(results, 1):  # closing: a failure here stops the workers at once
                on_done(done)
                outputs.add(done.result, done.figures, done.report, digest=done.digest)
                run.progress("departments", n, count)
    except BaseException:
        outputs.discard()  # closes the summary workbook's scratch files before the staging folder goes
        raise
    return outputs


def _close_outputs(run: _Run, outputs: PeriodOutputs, outline: PeriodOutline) -> None:
    with _timed(run.timings, "portfolio"):
        use_settings(run.settings())  # the portfolio report is drawn here
        outputs.close(outline, pdf=run.pdf, jobs=run.workers, final_dir=run.target)


def _no_progress(phase: str, done: int, total: int) -> None:
    return None


# --- reading ---------------------------------------------------------------------------------


@dataclass
class RunRecord:
    """What the manifest keeps of the reading, once the rows themselves have moved on."""

    sources: list[SourceFile]
    other_period: set[str]
    rows: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # department -> sheet -> counts
    feedback: list[Path] = field(default_factory=list)

    def took(self, done: DepartmentDone) -> None:
        self.rows[done.result.department] = _stats_table(done.stats)


@dataclass
class Reading:
    """The reading phase's outcome: the record, each department's spilled files, the loose issues."""

    record: RunRecord
    spills: dict[str, list[Path]]  # department -> its checked files on disk
    general: list[Issue]  # tied to no department of the period: other periods, no department named

    @property
    def departments(self) -> list[str]:
        return sorted(self.spills)

    def jobs(self, writer: PeriodWriter, reports: dict[str, Path]) -> Iterator[DepartmentJob]:
        """One job per department, with its history read from the store as the job is handed out."""
        previous = writer.previous_period()
        for department in self.departments:
            yield DepartmentJob(
                department, writer.period, reports[department], spills=tuple(self.spills[department]),
                stage_history=writer.stage_history(department),
                previous_ids=frozenset(writer.problem_ids(previous, department)) if previous else frozenset())


def read_submissions(root: Path, period: str, run: _Run, *, spill_dir: Path) -> Reading:
    """Check every file under `root` (each in a bounded worker), keeping their rows and the copies read
    on disk, grouped by department."""
    checks = read_checks([root], root=root, workers=run.workers, work_dir=spill_dir, spill=True,
                         progress=run.progress)
    spilled = {c.source.path: spill_path(spill_dir, n) for n, c in enumerate(checks)}
    current, other = split_by_period(checks, period)
    groups, loose = group_checks(current, canonical_department=run.config.canonical_department)
    return Reading(RunRecord([c.source for c in checks], {i.file for i in other}),
                   {dep: [spilled[current[n].source.path] for n in found] for (dep, _), found in groups.items()},
                   [*(i for n in loose for i in current[n].issues), *other])


def split_by_period(checks: Sequence[FileCheck], period: str) -> tuple[list[FileCheck], list[Issue]]:
    """Checks for this period (or with no readable period, which validation reports) and notes on the rest."""
    current, other = [], []
    for check in checks:
        found = check.source.period
        if found and found != period:
            other.append(Issue("other-period", file=check.source.path, value=found,
                               params={"period": period}, department=check.source.department or ""))
        else:
            current.append(check)
    return current, other


# --- the run's own files ---------------------------------------------------------------------


def _write_run_files(folder: Path, record: RunRecord, outputs: PeriodOutputs, run: _Run, *, run_id: str) -> None:
    """validation.json and manifest.json: the record of what was read."""
    issues = [*outputs.outline.issues, *outputs.issues]
    _write_json(folder / "validation.json", validation_json(outputs.outline.period, issues, run.lang))
    _write_json(folder / run_folders.MANIFEST, manifest(outputs, record, folder, run.timings) | {"run_id": run_id})


def _refresh_manifest(folder: Path, period: str, run_id: str | None) -> None:
    """After a re-render: the manifest names the stored run shown and lists the files there now."""
    path = folder / run_folders.MANIFEST
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        found = {"period": period}
    found |= {"run_id": run_id, "rendered_at": datetime.now().isoformat(timespec="seconds"),
              "outputs": _outputs(folder)}
    _write_json(path, found)


def _outputs(folder: Path) -> list[str]:
    """The run's files as the manifest lists them (itself included, written last)."""
    return sorted({*(p.as_posix() for p in run_folders.listing(folder)), run_folders.MANIFEST})


def validation_json(period: str, issues: Sequence[Issue], lang: Lang) -> dict[str, Any]:
    found = [i.as_dict(lang) for i in issues]
    return {
        "period": period,
        "valid": not any(i["severity"] == "error" for i in found),
        "stats": {"errors": sum(i["severity"] == "error" for i in found),
                  "warnings": sum(i["severity"] == "warning" for i in found)},
        "issues": found,
    }


def manifest(outputs: PeriodOutputs, record: RunRecord, folder: Path, timings: dict[str, float]) -> dict[str, Any]:
    return {
        "period": outputs.outline.period,
        "generated_at": datetime.now().isoformat(timespec="seconds"),
        "versions": _versions(),
        "inputs": [_input_entry(s, s.path in record.other_period) for s in record.sources],
        "rows": record.rows,
        "departments": [d.department for d in outputs.departments],
        "missing": outputs.outline.missing,
        "late": outputs.late,
        "feedback": sorted(str(p.relative_to(folder)) for p in record.feedback),
        "outputs": _outputs(folder),
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
    }


def _input_entry(source: SourceFile, other_period: bool) -> dict[str, Any]:
    return {"file": source.path, "sha256": source.sha256, "size": source.size, "department": source.department,
            "period": source.period, "template_version": source.template_version,
            "outcome": "other_period" if other_period else source.outcome}


def _stats_table(stats: dict[str, SheetStats]) -> dict[str, dict[str, int]]:
    return {sheet: {"read": s.read, "used": s.used, "rejected": s.rejected, "ignored": s.ignored}
            for sheet, s in stats.items()}


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"ci-excel": __version__, "python": platform.python_version()}
    for package in ("openpyxl", "xlsxwriter", "python-docx", "python-calamine", "sqlalchemy", "matplotlib"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            continue
    return found


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")


def summarize(outputs: PeriodOutputs, out_dir: Path, record: RunRecord, written: list[Path],
              timings: dict[str, float]) -> ConsolidationSummary:
    issues = [*outputs.outline.issues, *outputs.issues]
    return ConsolidationSummary(
        period=outputs.outline.period, out_dir=out_dir, departments=[d.department for d in outputs.departments],
        files=len(record.sources), errors=sum(i.is_error for i in issues),
        warnings=sum(not i.is_error for i in issues), missing=outputs.outline.missing, late=outputs.late,
        other_period=sorted(record.other_period), outputs=written, timings=timings,
    )


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
