"""One period's run (`Run`: where it writes, how, what it measured), and the departments folded into
the portfolio outputs as their workers finish them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ci_excel.config import Config
from ci_excel.departments import DepartmentDone, DepartmentJob
from ci_excel.executors import Executor
from ci_excel.executors.local import LOCAL
from ci_excel.intake import Progress
from ci_excel.model import PeriodOutline
from ci_excel.render.deck.template import deck_template
from ci_excel.render.docx import RenderSettings, use_settings
from ci_excel.render.docx_base import FigureMode
from ci_excel.render.period import PeriodOutputs
from ci_excel.schema import Lang


@dataclass
class Run:
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


def fold_departments(
    run: Run, staging: Path, jobs: Iterable[DepartmentJob], count: int, *, on_done: Callable[[DepartmentDone], None]
) -> PeriodOutputs:
    """Every department's report written by a worker, its result folded into the portfolio outputs."""
    outputs = PeriodOutputs(staging, run.period, lang=run.lang)
    try:
        with (
            timed(run.timings, "departments"),
            closing(run.executor.run_jobs(jobs, settings=run.settings(), workers=run.workers)) as results,
        ):
            for n, done in enumerate(results, 1):  # closing: a failure here stops the workers at once
                on_done(done)
                outputs.add(
                    done.result, done.figures, done.report, digest=done.digest, deck=done.deck, rows=done.summary
                )
                run.progress("departments", n, count)
    except BaseException:
        outputs.discard()  # closes the summary workbook's scratch files before the staging folder goes
        raise
    return outputs


def close_outputs(run: Run, outputs: PeriodOutputs, outline: PeriodOutline) -> None:
    with timed(run.timings, "portfolio"):
        use_settings(run.settings())  # the portfolio report is drawn here
        outputs.close(outline, pdf=run.pdf, jobs=run.workers, final_dir=run.target)


def no_progress(phase: str, done: int, total: int) -> None:
    return None


@contextmanager
def timed(timings: dict[str, float], name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
