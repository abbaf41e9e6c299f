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
time: a run holds the period's lock on the output folder and on the store (sessions.py) from
before it writes anything until its outputs are in place; run_files.py writes its manifest.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ci_excel import fileio, run_folders
from ci_excel.config import Config, RunSettings, check_scheduler, load_config
from ci_excel.config.model import Executor as ExecutorName
from ci_excel.departments import DepartmentDone, DepartmentJob
from ci_excel.errors import UsageError
from ci_excel.executors import Executor, open_executor
from ci_excel.executors.local import LOCAL
from ci_excel.faults import checkpoint
from ci_excel.feedback_run import FeedbackWriter, names_for, plan
from ci_excel.intake import Progress, read_checks, spill_path
from ci_excel.issues import Issue
from ci_excel.model import PeriodOutline
from ci_excel.render.charts import prune_cache
from ci_excel.render.deck.template import deck_template
from ci_excel.render.docx import RenderSettings, report_paths, use_settings
from ci_excel.render.docx_base import FigureMode
from ci_excel.render.period import PeriodOutputs
from ci_excel.run_files import RunRecord, refresh_manifest, write_run_files
from ci_excel.schema import Lang
from ci_excel.sessions import check_period, nearest_folder, period_session, space_needed
from ci_excel.store import PeriodWriter, Store
from ci_excel.validation import FileCheck, group_checks

_SPILL, _FEEDBACK = "spill", "feedback"


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
    figures: FigureMode = "native",
    executor: ExecutorName | None = None,
    scheduler: str | None = None,
) -> ConsolidationSummary:
    """Validate every workbook under `submissions_dir` for `period`, store it and write all outputs.

    Reading and the departments run on `executor` ("local" pools, or "dask" workers of the cluster
    at `scheduler`; default: the [run] settings), the rest here. Another run of the period (same
    output folder or same store) is waited for, or with `wait=False` raises Busy. A full disk or an
    unwritable folder raises OutputError, with the previous outputs and store as they were."""
    check_period(period)
    config = config or load_config()
    where = RunSettings(
        executor or config.run.executor, check_scheduler(scheduler) if scheduler else config.run.scheduler
    )
    if where.executor != "local":  # workers see the same paths, not the same working folder
        submissions_dir, out = submissions_dir.absolute(), out.absolute()
    fileio.check_free_space(nearest_folder(out), space_needed(submissions_dir, out))
    with (
        open_executor(where) as pools,
        period_session(out, period, db_url or config.db_url, wait=wait, on_wait=on_wait) as store,
        fileio.writing(out / period),
    ):
        run = _Run(
            period,
            out / period,
            lang,
            config,
            pdf,
            jobs or os.cpu_count() or 1,
            progress or _no_progress,
            figures=figures,
            executor=pools,
        )
        summary = _consolidate(submissions_dir, run, store)
    prune_cache(run.chart_cache)
    return summary


def _consolidate(submissions_dir: Path, run: _Run, store: Store) -> ConsolidationSummary:
    period = run.period
    earlier = [f for f in store.history() if f.period < period]
    expected = run.config.roster_names() or store.departments_seen(before=period)
    with run_folders.staging_dir(run.target) as staging:
        work = run_folders.work_dir(staging)
        run.executor.check_shared(submissions_dir, staging)
        with _timed(run.timings, "read_validate"):
            reading = read_submissions(submissions_dir, period, run, spill_dir=work / _SPILL)
        checkpoint("read")
        record = reading.record
        names = names_for(staging / _FEEDBACK, record.sources)
        with (
            store.period_writer(period, generated_on=run.today, workdir=work) as writer,
            FeedbackWriter(max(1, run.workers // 2)) as feedback,
        ):

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
            _close_outputs(
                run,
                outputs,
                PeriodOutline(period, [*earlier, outputs.figures], sorted(set(expected) - present), general, run.today),
            )
            write_run_files(staging, record, outputs, lang=run.lang, timings=run.timings, run_id=staging.name)
            writer.finish(outputs.figures, missing=outputs.outline.missing, issues=general, run_id=staging.name)
            checkpoint("portfolio")
        checkpoint("stored")
        files = run_folders.listing(staging)
        run_folders.swap_into(staging, run.target)
        checkpoint("swapped")
    return summarize(outputs, run.target, record, [run.target / p for p in files], run.timings)


def render_from_store(
    *,
    period: str,
    out: Path = Path("output"),
    db_url: str | None = None,
    lang: Lang = "zh",
    config: Config | None = None,
    pdf: bool = False,
    jobs: int | None = None,
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
    figures: FigureMode = "native",
) -> list[Path]:
    """Re-render a stored period's reports and summary without re-reading any workbook (departments are
    loaded from the store one at a time, as consolidate handles them). It writes `out/<period>`, so
    it takes the period's locks as consolidate does."""
    check_period(period)
    config = config or load_config()
    with (
        period_session(out, period, db_url or config.db_url, create=False, wait=wait, on_wait=on_wait) as store,
        fileio.writing(out / period),
    ):
        if period not in store.periods():
            raise UsageError(
                f"period {period} is not in the history store; stored: {', '.join(store.periods()) or 'none'}"
            )
        outline = store.load_outline(period)
        run = _Run(
            period,
            out / period,
            lang,
            config,
            pdf,
            jobs or os.cpu_count() or 1,
            _no_progress,
            today=outline.generated_on or date.today(),
            figures=figures,
        )
        with run_folders.staging_dir(run.target) as staging:
            if run.target.exists():
                shutil.copytree(run.target, staging, dirs_exist_ok=True, symlinks=False)
            reports = report_paths(store.department_names(period), staging)
            jobs_ = (
                DepartmentJob(
                    d.department,
                    period,
                    reports[d.department],
                    stored=replace(d, kpi_history=store.kpi_history(d.department, period)),
                )
                for d in store.iter_departments(period)
            )
            outputs = _fold_departments(run, staging, jobs_, len(reports), on_done=lambda _done: None)
            _close_outputs(run, outputs, outline)
            refresh_manifest(staging, period, store.run_id(period))
            files = run_folders.listing(staging)
            run_folders.swap_into(staging, run.target)
    return [run.target / p for p in files]


def history_table(store: Store, lang: Lang) -> tuple[list[str], list[list[str]]]:
    """The stored periods as a table of headline figures, for `ci-excel history`."""
    from ci_excel.text import phrase

    keys = (
        "period_col",
        "departments",
        "problems_n",
        "new",
        "closed",
        "open",
        "overdue",
        "kpis_met_of",
        "stages",
        "missing",
        "late",
    )
    rows = [
        [
            row["period"],
            str(row["departments"]),
            str(row["problems"]),
            str(row["new"]),
            str(row["closed"]),
            str(row["open"]),
            str(row["overdue_actions"]),
            f"{row['kpis_met']}/{row['kpis']}",
            " ".join(str(row["by_stage"].get(s, 0)) for s in range(1, 7)),
            ", ".join(row["missing"]),
            ", ".join(row["late"]),
        ]
        for row in store.history_rows()
    ]
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
    figures: FigureMode = "native"
    executor: Executor = LOCAL
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def chart_cache(self) -> Path:
        """Figures are cached beside the period folders: a re-run re-draws only those whose data changed."""
        return self.target.parent / ".cache" / "charts"

    def settings(self) -> RenderSettings:
        return RenderSettings.of(
            lang=self.lang,
            template=self.config.report_template_path(),
            cache_dir=self.chart_cache,
            config=self.config,
            generated_on=self.today,
            figures=self.figures,
            deck_template=deck_template(self.config),
        )


def _fold_departments(
    run: _Run, staging: Path, jobs: Iterable[DepartmentJob], count: int, *, on_done: Callable[[DepartmentDone], None]
) -> PeriodOutputs:
    """Every department's report written by a worker, its result folded into the portfolio outputs."""
    outputs = PeriodOutputs(staging, run.period, lang=run.lang)
    try:
        with (
            _timed(run.timings, "departments"),
            closing(run.executor.run_jobs(jobs, settings=run.settings(), workers=run.workers)) as results,
        ):
            for n, done in enumerate(results, 1):  # closing: a failure here stops the workers at once
                on_done(done)
                outputs.add(done.result, done.figures, done.report, digest=done.digest, deck=done.deck)
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
                department,
                writer.period,
                reports[department],
                spills=tuple(self.spills[department]),
                stage_history=writer.stage_history(department),
                kpi_history=writer.kpi_history(department),
                previous_ids=frozenset(writer.problem_ids(previous, department)) if previous else frozenset(),
            )


def read_submissions(root: Path, period: str, run: _Run, *, spill_dir: Path) -> Reading:
    """Check every file under `root` (each in a bounded worker), keeping their rows and the copies read
    on disk, grouped by department."""
    checks = read_checks(
        [root],
        root=root,
        workers=run.workers,
        work_dir=spill_dir,
        spill=True,
        progress=run.progress,
        map_files=run.executor.map_files,
    )
    spilled = {c.source.path: spill_path(spill_dir, n) for n, c in enumerate(checks)}
    current, other = split_by_period(checks, period)
    groups, loose = group_checks(current, canonical_department=run.config.canonical_department)
    return Reading(
        RunRecord([c.source for c in checks], {i.file for i in other}),
        {dep: [spilled[current[n].source.path] for n in found] for (dep, _), found in groups.items()},
        [*(i for n in loose for i in current[n].issues), *other],
    )


def split_by_period(checks: Sequence[FileCheck], period: str) -> tuple[list[FileCheck], list[Issue]]:
    """Checks for this period (or with no readable period, which validation reports) and notes on the rest."""
    current, other = [], []
    for check in checks:
        found = check.source.period
        if found and found != period:
            other.append(
                Issue(
                    "other-period",
                    file=check.source.path,
                    value=found,
                    params={"period": period},
                    department=check.source.department or "",
                )
            )
        else:
            current.append(check)
    return current, other


def summarize(
    outputs: PeriodOutputs, out_dir: Path, record: RunRecord, written: list[Path], timings: dict[str, float]
) -> ConsolidationSummary:
    issues = [*outputs.outline.issues, *outputs.issues]
    return ConsolidationSummary(
        period=outputs.outline.period,
        out_dir=out_dir,
        departments=[d.department for d in outputs.departments],
        files=len(record.sources),
        errors=sum(i.is_error for i in issues),
        warnings=sum(not i.is_error for i in issues),
        missing=outputs.outline.missing,
        late=outputs.late,
        other_period=sorted(record.other_period),
        outputs=written,
        timings=timings,
    )


@contextmanager
def _timed(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
