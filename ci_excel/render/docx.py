"""Word reports: one per department and the portfolio report, each written atomically.

The monthly run renders one department at a time with `render_department` in a `worker_pool`
(see ci_excel.departments) and the portfolio with `render_portfolio` from a digest folded as the
departments went by; `render_all()` does the same for a whole PeriodResult at once (tests,
benchmarks). Each process takes the run's `RenderSettings` once: it loads the reference document
once and keeps one chart cache for all the reports it builds (the pictures: fishbones, and every
figure when `RenderSettings.figures` is "png"): PNG bytes in memory, and on disk under `cache_dir`
when one is given (a folder outside the period's output, so re-renders reuse the figures).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ci_excel import worker_server
from ci_excel.config import Config
from ci_excel.fileio import safe_filename
from ci_excel.model import DepartmentResult, PeriodOutline, PeriodResult
from ci_excel.render.charts import Charts, ChartStats
from ci_excel.render.docx_base import FigureMode, ReportDoc, Timings
from ci_excel.render.reference_doc import template_path
from ci_excel.sandbox import watch_parent
from ci_excel.schema import Lang

if TYPE_CHECKING:
    from ci_excel.render.portfolio_digest import PortfolioDigest

REPORTS_DIR = "reports"
PORTFOLIO = "portfolio"


@dataclass
class RenderRun:
    """What a render produced and where its time went."""

    paths: list[Path]
    timings: Timings = field(default_factory=Timings)
    charts: ChartStats = field(default_factory=ChartStats)


def report_paths(departments: Iterable[str], out_dir: Path) -> dict[str, Path]:
    """Department -> out_dir/reports/<safe name>.docx; names that collide once made safe get _2, _3 …"""
    used = {PORTFOLIO.casefold()}
    paths: dict[str, Path] = {}
    for department in departments:
        base = safe_filename(department, default="department")
        name, n = base, 2
        while name.casefold() in used:
            name, n = f"{base}_{n}", n + 1
        used.add(name.casefold())
        paths[department] = out_dir / REPORTS_DIR / f"{name}.docx"
    return paths


def portfolio_path(out_dir: Path) -> Path:
    return out_dir / REPORTS_DIR / f"{PORTFOLIO}.docx"


def render_reports(
    result: PeriodResult,
    out_dir: Path,
    *,
    lang: Lang = "zh",
    template: Path | None = None,
    jobs: int = 1,
    config: Config | None = None,
    cache_dir: Path | None = None,
    figures: FigureMode = "native",
) -> list[Path]:
    """Write every department's report and the portfolio report; department paths first, portfolio last."""
    return render_all(
        result, out_dir, lang=lang, template=template, jobs=jobs, config=config, cache_dir=cache_dir, figures=figures
    ).paths


def render_all(
    result: PeriodResult,
    out_dir: Path,
    *,
    lang: Lang = "zh",
    template: Path | None = None,
    jobs: int = 1,
    config: Config | None = None,
    cache_dir: Path | None = None,
    reuse_figures: bool = True,
    figures: FigureMode = "native",
) -> RenderRun:
    settings = RenderSettings.of(
        lang=lang,
        template=template,
        cache_dir=cache_dir,
        config=config,
        generated_on=result.generated_on,
        reuse_figures=reuse_figures,
        figures=figures,
    )
    targets = report_paths((d.department for d in result.departments), out_dir)
    tasks = [(dept, targets[dept.department]) for dept in result.departments]
    portfolio = portfolio_path(out_dir)
    run = RenderRun(paths=[*(targets[d.department] for d in result.departments), portfolio])
    if jobs > 1 and len(tasks) > 1:
        chunk = max(1, min(16, len(tasks) // (jobs * 8)))
        with worker_pool(settings, jobs) as pool:
            departments = pool.map(_render_task, tasks, chunksize=chunk)
            # The portfolio needs every department: drawn here, where the data already is, rather
            # than pickled whole into a worker (which doubled peak memory).
            use_settings(settings)
            _merge(run, *_render_portfolio(result, portfolio))
            for timings, stats in departments:
                _merge(run, timings, stats)
    else:
        use_settings(settings)
        for task in tasks:
            _merge(run, *render_department(*task))
        _merge(run, *_render_portfolio(result, portfolio))
    return run


def worker_pool(settings: RenderSettings, jobs: int) -> ProcessPoolExecutor:
    """Processes ready to render reports with `settings` (see `render_department`), forked from the
    worker server (its modules already imported)."""
    return ProcessPoolExecutor(
        max_workers=jobs,
        initializer=_start_worker,
        initargs=(settings, os.getpid()),
        mp_context=worker_server.clean_context(),
    )


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Drop the queued jobs and end the workers now: an interrupted run does not wait for their reports.
    (Python 3.14 has `terminate_workers()`; before it the pool's own `_processes` are the only handle.)"""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)


def _start_worker(settings: RenderSettings, run_pid: int) -> None:
    watch_parent(run_pid)
    use_settings(settings)


def _merge(run: RenderRun, timings: Timings, stats: ChartStats) -> None:
    run.timings.add(timings)
    run.charts.rendered += stats.rendered
    run.charts.cached += stats.cached
    run.charts.seconds += stats.seconds


@dataclass(frozen=True)
class RenderSettings:
    """What every report of a run shares; each process takes it once (`use_settings`)."""

    template: bytes
    lang: Lang
    cache_dir: Path | None
    config: Config | None
    generated_on: date
    reuse_figures: bool = True
    figures: FigureMode = "native"  # "png": every figure a matplotlib picture (readers that cannot show charts)
    deck_template: bytes | None = None  # the PMO's reference deck (None: the package's own)

    @classmethod
    def of(
        cls,
        *,
        lang: Lang,
        template: Path | None,
        cache_dir: Path | None,
        config: Config | None,
        generated_on: date | None,
        reuse_figures: bool = True,
        figures: FigureMode = "native",
        deck_template: Path | None = None,
    ) -> RenderSettings:
        return cls(
            template_path(template).read_bytes(),
            lang,
            cache_dir,
            config,
            generated_on or date.today(),
            reuse_figures,
            figures,
            deck_template.read_bytes() if deck_template is not None else None,
        )


@dataclass
class RenderContext:
    """What a process renders reports with: the run's settings and the process's chart cache."""

    settings: RenderSettings
    charts: Charts

    def new_doc(self) -> ReportDoc:
        return ReportDoc(self.settings.template, self.settings.lang, self.charts, figures=self.settings.figures)

    def department(self, dept: DepartmentResult, target: Path) -> tuple[Timings, ChartStats]:
        from ci_excel.render.docx_department import build_department

        before = self._snapshot()
        doc = self.new_doc()
        build_department(doc, dept, generated_on=self.settings.generated_on, config=self.settings.config)
        doc.save(target)
        return doc.timings, self._since(before)

    def portfolio(self, digest: PortfolioDigest, outline: PeriodOutline, target: Path) -> tuple[Timings, ChartStats]:
        from ci_excel.render.docx_portfolio import build_portfolio

        before = self._snapshot()
        doc = self.new_doc()
        build_portfolio(doc, digest, outline, generated_on=self.settings.generated_on, config=self.settings.config)
        doc.save(target)
        return doc.timings, self._since(before)

    def _snapshot(self) -> ChartStats:
        stats = self.charts.stats
        return ChartStats(stats.rendered, stats.cached, stats.seconds)

    def _since(self, before: ChartStats) -> ChartStats:
        now = self.charts.stats
        return ChartStats(now.rendered - before.rendered, now.cached - before.cached, now.seconds - before.seconds)


_PROCESS: list[RenderContext] = []  # the context this process took (`use_settings`): one per worker process
_CHARTS: dict[tuple[str, Path | None], Charts] = {}


def use_settings(settings: RenderSettings) -> RenderContext:
    """This process's render context: the run's settings and one chart cache kept across calls."""
    if settings.reuse_figures:
        charts = _CHARTS.setdefault(
            (settings.lang, settings.cache_dir), Charts(lang=settings.lang, cache_dir=settings.cache_dir)
        )
    else:
        charts = Charts(lang=settings.lang, reuse=False)
    _PROCESS[:] = [RenderContext(settings, charts)]
    return _PROCESS[0]


def context() -> RenderContext:
    """The render context this process took with `use_settings`."""
    if not _PROCESS:
        raise RuntimeError("no render settings in this process: call use_settings first")
    return _PROCESS[0]


def render_department(dept: DepartmentResult, target: Path) -> tuple[Timings, ChartStats]:
    """One department's report, with this process's render context."""
    return context().department(dept, target)


def _render_task(task: tuple[DepartmentResult, Path]) -> tuple[Timings, ChartStats]:
    return render_department(*task)


def _render_portfolio(result: PeriodResult, target: Path) -> tuple[Timings, ChartStats]:
    from ci_excel.render.portfolio_digest import PortfolioDigest

    return render_portfolio(PortfolioDigest.of(result.departments), result.outline, target)


def render_portfolio(digest: PortfolioDigest, outline: PeriodOutline, target: Path) -> tuple[Timings, ChartStats]:
    """The portfolio report, with this process's render context."""
    return context().portfolio(digest, outline, target)


def has_settings() -> bool:
    """Whether this process took settings with `use_settings`."""
    return bool(_PROCESS)


def current_settings() -> RenderSettings:
    """The settings this process took with `use_settings`."""
    return context().settings
