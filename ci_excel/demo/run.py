"""The demo: three months of realistic submissions from five departments, consolidated month by month.

Layout under `out` (what `ci-excel demo` prints):

    submissions/<period>/<department>/*.xlsx   what the departments sent (one uses per-step workbooks)
    output/<period>/...                        each month's reports, summary, feedback and JSON
    output/ci_history.sqlite                   the history store the trend is read from

The content is in `demo.content`; this module turns a month's snapshot into workbooks, plants the
typical mistakes listed in `content.MISTAKES`, and runs the consolidation.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ci_excel.demo.content import DEPARTMENTS, MISTAKES
from ci_excel.demo.rows import PERIODS, Department, Mistake, Row
from ci_excel.fileio import safe_filename
from ci_excel.schema import REGISTER, STEP_WORKBOOKS, TABLE_SHEETS, Lang
from ci_excel.templates import write_workbook

if TYPE_CHECKING:
    from ci_excel.pipeline import ConsolidationSummary

SUBMISSIONS = "submissions"
OUTPUT = "output"


def snapshot(department: Department, month: int) -> dict[str, list[Row]]:
    """The department's register as it stands in `month` (0 = first demo month), before mistakes."""
    tables: dict[str, list[Row]] = {s.key: [] for s in TABLE_SHEETS}
    for entry in department.entries:
        row = entry.at(month)
        if row is not None:
            tables[entry.sheet].append(row)
    return tables


def mistakes_in(department: str, month: int) -> list[Mistake]:
    return [m for m in MISTAKES if m.department == department and m.month == month]


def plant(tables: dict[str, list[Row]], mistakes: list[Mistake]) -> bool:
    """Apply the mistakes to `tables` in place; True when the example rows are left in place."""
    example_left = False
    for mistake in mistakes:
        if mistake.kind == "example_left":
            example_left = True
        elif mistake.where is None:
            tables[mistake.sheet].append(dict(mistake.change))
        else:
            target = next(r for r in tables[mistake.sheet] if _matches(r, mistake.where))
            target.update(mistake.change)
    return example_left


def _matches(row: Row, where: Row) -> bool:
    return all(row.get(k) == v for k, v in where.items())


def info(department: Department, month: int) -> dict[str, Any]:
    return {
        "department": department.name,
        "period": PERIODS[month],
        "contact": department.contact,
        "contact_info": department.contact_info,
        "submitted_on": department.submitted_on[month],
    }


def workbooks(department: Department) -> list[tuple[str, tuple[str, ...]]]:
    """(template stem, sheet keys) of each file the department sends every month."""
    if department.per_step:
        return list(STEP_WORKBOOKS.items())
    return [(REGISTER, tuple(s.key for s in TABLE_SHEETS))]


def write_department_month(folder: Path, department: Department, month: int, *, lang: Lang = "zh") -> list[Path]:
    """Write one department's submission for one month into `folder`; returns the files."""
    tables = snapshot(department, month)
    example_left = plant(tables, mistakes_in(department.name, month))
    prefix = f"{safe_filename(department.name)}_{PERIODS[month]}"
    return [
        write_workbook(
            folder / f"{prefix}_{stem}.xlsx",
            sheets,
            lang=lang,
            info=info(department, month),
            rows={key: tables[key] for key in sheets},
            with_example=example_left,
            workbook=stem,
        )
        for stem, sheets in workbooks(department)
    ]


def submits(department: Department, month: int) -> bool:
    return department.submitted_on[month] is not None


def write_demo_submissions(out: Path, *, lang: Lang = "zh") -> dict[str, Path]:
    """Write every month's submissions under out/submissions/<period>/<department>/; period -> folder."""
    folders: dict[str, Path] = {}
    for month, period in enumerate(PERIODS):
        folder = out / SUBMISSIONS / period
        for department in DEPARTMENTS:
            if submits(department, month):
                write_department_month(folder / safe_filename(department.name), department, month, lang=lang)
        folders[period] = folder
    return folders


def run_demo(
    out: Path, *, lang: Lang = "zh", progress: Callable[[str], None] | None = None, jobs: int | None = None
) -> list[ConsolidationSummary]:
    """Write the submissions, then consolidate each month in order into out/output (history included).

    The history store is out/output/ci_history.sqlite, so the last month's trend spans all three
    months and the department that stops submitting shows as missing.
    """
    from ci_excel.config import Config
    from ci_excel.pipeline import consolidate

    report = progress or (lambda _message: None)
    report(f"writing submissions to {out / SUBMISSIONS}")
    folders = write_demo_submissions(out, lang=lang)
    summaries = []
    for period, folder in folders.items():
        report(f"consolidating {period}")
        summaries.append(consolidate(folder, period=period, out=out / OUTPUT, jobs=jobs, lang=lang, config=Config()))
    return summaries


def where_to_look(out: Path, summaries: list[ConsolidationSummary]) -> list[tuple[str, Path]]:
    """(what, path) pairs the CLI prints after the demo: the latest month first, then the feedback."""
    latest = summaries[-1].out_dir
    items = [
        ("Portfolio report (latest month)", latest / "reports" / "portfolio.docx"),
        ("Monthly review deck (PowerPoint)", latest / "reports" / "portfolio.pptx"),
        ("Department reports", latest / "reports"),
        ("Portfolio summary workbook", latest / "portfolio_summary.xlsx"),
        ("Who gets which report", latest / "distribution.xlsx"),
    ]
    items += [
        (f"Feedback to fix, {s.period}", s.out_dir / "feedback") for s in summaries if (s.out_dir / "feedback").is_dir()
    ]
    items += [
        ("Every finding, as JSON", latest / "validation.json"),
        ("What the departments sent", out / SUBMISSIONS),
        ("History store (the trend)", out / OUTPUT / "ci_history.sqlite"),
    ]
    return [(label, path) for label, path in items if path.exists()]
