"""One department's share of a monthly run, done in a worker process, one department at a time.

A `DepartmentJob` names the department's checked files (spilled to disk by the reading phase) or,
when re-rendering from the store, carries its stored result. `run_job` merges and computes the
department, writes its Word report, and hands back the computed
`DepartmentResult`; `run_jobs` keeps a few jobs in flight and yields their results in job order, so
the main process only ever holds a handful of departments.
"""

from __future__ import annotations

import pickle
from collections import deque
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path

from ci_excel.compute import compute_department, department_digest, period_figures
from ci_excel.fileio import stop_on_disk_failure
from ci_excel.issues import Issue
from ci_excel.model import DepartmentDigest, DepartmentResult, KpiHistory, PeriodFigures, SheetStats
from ci_excel.render import docx
from ci_excel.render.deck import DeckPart, deck_part
from ci_excel.render.deck.appendix import appendix_xml
from ci_excel.render.summary.rows import SheetRows, department_rows
from ci_excel.validation import merge_group

IN_FLIGHT_PER_WORKER = 3  # jobs queued per worker: keeps workers busy, bounds what waits in memory


@dataclass(frozen=True)
class DepartmentJob:
    department: str
    period: str
    report: Path
    spills: tuple[Path, ...] = ()  # pickled FileChecks of its files (consolidate)
    stored: DepartmentResult | None = None  # its result as stored (re-rendering)
    stage_history: Mapping[str, Sequence[int]] = field(default_factory=dict)
    previous_ids: frozenset[str] = frozenset()  # its problem ids in the previous stored period
    kpi_history: KpiHistory = field(default_factory=dict)  # its KPIs in earlier stored periods


@dataclass
class DepartmentDone:
    result: DepartmentResult
    figures: PeriodFigures  # its share of the period's headline figures
    digest: DepartmentDigest | None = None  # what the portfolio outputs show of it, counted here in the worker
    stats: dict[str, SheetStats] = field(default_factory=dict)
    report: Path | None = None  # None when it could not be written (see the department's issues)
    deck: DeckPart | None = None  # its A3 pages and most overdue actions for the review deck, made here
    summary: SheetRows | None = None  # its rows in the summary workbook, as XML made here


def run_jobs(
    jobs: Iterable[DepartmentJob], *, settings: docx.RenderSettings, workers: int
) -> Generator[DepartmentDone, None, None]:
    """Each job's outcome, in job order; with workers > 1, from a pool fed a few jobs ahead."""
    if workers <= 1:
        docx.use_settings(settings)
        yield from map(run_job, jobs)
        return
    pool = docx.worker_pool(settings, workers)
    try:
        waiting: deque[Future[DepartmentDone]] = deque()
        for job in jobs:
            waiting.append(pool.submit(run_job, job))
            if len(waiting) >= workers * IN_FLIGHT_PER_WORKER:
                yield waiting.popleft().result()
        while waiting:
            yield waiting.popleft().result()
    except BaseException:  # a failure, an interrupt, or the caller closing this early: stop the workers now
        docx.stop_pool(pool)
        raise
    pool.shutdown()


def run_job(job: DepartmentJob) -> DepartmentDone:
    """In a process that took the run's render settings: compute and report (the main process has its
    files' feedback written, in bounded workers: feedback_run.py).

    A report that cannot be written (a renderer bug on odd data) becomes an issue of the department,
    whose data is still stored and summarized: the run goes on.
    """
    settings = docx.current_settings()
    done = _stored(job) if job.stored is not None else _computed(job, settings)
    done.digest = department_digest(done.result)
    done.deck = _deck_part(done.result, done.digest, settings)
    done.summary = department_rows(done.result, settings.lang)
    if _attempt(done, job.report.name, lambda: docx.render_department(done.result, job.report)):
        done.report = job.report
    return done


def _deck_part(dept: DepartmentResult, digest: DepartmentDigest, settings: docx.RenderSettings) -> DeckPart:
    """Its share of the review deck: A3 pages, most overdue actions and its appendix slide."""
    part = deck_part(dept, settings.lang)
    xml = appendix_xml(digest, part, lang=settings.lang, period=dept.period, template=settings.deck_template)
    return replace(part, appendix=xml)


def without_report(job: DepartmentJob, settings: docx.RenderSettings, reason: str) -> DepartmentDone:
    """The department computed in this process, its report given up as an output-failed issue: for a
    job whose worker failed (the dask executor). Its data is still stored and summarized."""
    done = _stored(job) if job.stored is not None else _computed(job, settings)
    done.digest = department_digest(done.result)
    _output_failed(done, job.report.name, reason)
    return done


def _attempt(done: DepartmentDone, output: str, write: Callable[[], object]) -> bool:
    try:
        write()
    except Exception as exc:  # reported as the department's issue; the run goes on, unless the disk failed
        stop_on_disk_failure(exc, Path(output))
        _output_failed(done, output, f"{type(exc).__name__}: {exc}")
        return False
    return True


def _output_failed(done: DepartmentDone, output: str, reason: str) -> None:
    dept = done.result
    dept.issues.append(
        Issue(
            "output-failed",
            file=output,
            department=dept.department,
            period=dept.period,
            params={"output": output, "reason": reason},
        )
    )


def _stored(job: DepartmentJob) -> DepartmentDone:
    assert job.stored is not None
    return DepartmentDone(job.stored, period_figures(job.period, [job.stored], previous_problem_ids=None))


def _computed(job: DepartmentJob, settings: docx.RenderSettings) -> DepartmentDone:
    config = settings.config
    assert config is not None
    checks = [pickle.loads(path.read_bytes()) for path in job.spills]
    submission = merge_group(job.department, job.period, checks, config=config)
    del checks
    result = compute_department(
        submission, config=config, stage_history=job.stage_history, kpi_history=job.kpi_history, lang=settings.lang
    )
    previous = {(result.department, p) for p in job.previous_ids}
    return DepartmentDone(
        result, period_figures(job.period, [result], previous_problem_ids=previous), stats=submission.stats
    )
