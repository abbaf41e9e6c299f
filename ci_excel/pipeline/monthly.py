"""`consolidate`, the PMO's monthly run, and the summary of what it did (see the package docstring)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ci_excel import fileio, run_folders
from ci_excel.config import Config, RunSettings, check_scheduler, load_config
from ci_excel.config.model import Executor as ExecutorName
from ci_excel.departments import DepartmentDone
from ci_excel.executors import open_executor
from ci_excel.faults import checkpoint
from ci_excel.feedback_run import FeedbackWriter, names_for, plan
from ci_excel.intake import Progress
from ci_excel.model import PeriodOutline
from ci_excel.pipeline.read_phase import read_submissions
from ci_excel.pipeline.running import Run, close_outputs, fold_departments, no_progress, timed
from ci_excel.render.charts import prune_cache
from ci_excel.render.docx import report_paths
from ci_excel.render.docx_base import FigureMode
from ci_excel.render.period import PeriodOutputs
from ci_excel.run_files import RunRecord, write_run_files
from ci_excel.schema import Lang
from ci_excel.sessions import check_period, nearest_folder, period_session, space_needed
from ci_excel.store import Store

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
        run = Run(
            period,
            out / period,
            lang,
            config,
            pdf,
            jobs or os.cpu_count() or 1,
            progress or no_progress,
            figures=figures,
            executor=pools,
        )
        summary = _consolidate(submissions_dir, run, store)
    prune_cache(run.chart_cache)
    return summary


def _consolidate(submissions_dir: Path, run: Run, store: Store) -> ConsolidationSummary:
    period = run.period
    earlier = [f for f in store.history() if f.period < period]
    expected = run.config.roster_names() or store.departments_seen(before=period)
    with run_folders.staging_dir(run.target) as staging:
        work = run_folders.work_dir(staging)
        run.executor.check_shared(submissions_dir, staging)
        run.executor.prepare(workers=run.workers, figures=run.figures)
        with timed(run.timings, "read_validate"):
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
            outputs = fold_departments(run, staging, reading.jobs(writer, reports), len(reports), on_done=keep)
            for task in plan(record.sources, reading.general, names, root=submissions_dir, lang=run.lang):
                feedback.add(task)
            with timed(run.timings, "feedback"):
                record.feedback, failed = feedback.close()
            checkpoint("feedback")
            shutil.rmtree(work / _SPILL, ignore_errors=True)
            present = {d.department for d in outputs.departments}
            general = [*reading.general, *failed]
            close_outputs(
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
