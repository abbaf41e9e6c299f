"""What is done from the history store alone: a stored period re-rendered (`render_from_store`, the
`report` command) and the stored periods' headline figures (`history_table`).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

from ci_excel import fileio, run_folders
from ci_excel.config import Config, load_config
from ci_excel.departments import DepartmentJob
from ci_excel.errors import UsageError
from ci_excel.pipeline.running import Run, close_outputs, fold_departments, no_progress
from ci_excel.render.docx import report_paths
from ci_excel.render.docx_base import FigureMode
from ci_excel.run_files import refresh_manifest
from ci_excel.schema import Lang
from ci_excel.sessions import check_period, period_session
from ci_excel.store import Store


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
        run = Run(
            period,
            out / period,
            lang,
            config,
            pdf,
            jobs or os.cpu_count() or 1,
            no_progress,
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
            outputs = fold_departments(run, staging, jobs_, len(reports), on_done=lambda _done: None)
            close_outputs(run, outputs, outline)
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
