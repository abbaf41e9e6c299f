"""The department ranking table both portfolio outputs show (the Word portfolio and the deck): its
columns, and each department's cells in the period's rank order (`compute.rank_departments`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ci_excel.model import DepartmentDigest, PeriodDigest
from ci_excel.render.docx_xml import sanitize
from ci_excel.schema import INFO
from ci_excel.text import Lang, phrase

OVERDUE_COLUMN = 5  # the cell an output emphasises when a department has overdue actions


def ranking_head(lang: Lang) -> list[str]:
    return [
        phrase("rank", lang),
        INFO.column("department").header(lang),
        phrase("problems_count", lang),
        phrase("closure_rate", lang),
        phrase("kpi_rate", lang),
        phrase("overdue", lang),
        phrase("avg_progress", lang),
    ]


def ranking_rows(period: PeriodDigest) -> Iterator[tuple[DepartmentDigest, list[Any]]]:
    """Each department, ranked, with its cells as text (an output may replace a cell by a styled one)."""
    for n, d in enumerate(period.departments, 1):
        yield (
            d,
            [
                str(n),
                sanitize(d.department),
                str(d.problems),
                f"{d.closure_rate:.0%}",
                f"{d.kpi_rate or 0.0:.0%}",
                str(d.overdue_actions),
                f"{d.progress or 0.0:.0%}",
            ],
        )
