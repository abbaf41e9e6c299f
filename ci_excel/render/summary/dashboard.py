"""The dashboard sheet: headline figures, breakdowns by stage and priority, missing and late
departments, then the charts (`charts.insert_charts`); the figures are the period digest's, formatted.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ci_excel import model, schema
from ci_excel.compute import department_digest, period_digest
from ci_excel.render.summary.charts import ChartData, Dash, insert_charts
from ci_excel.render.summary.columns import write_text
from ci_excel.render.summary.plumbing import SmallSheet, TableSheet
from ci_excel.render.summary.sheets import LABELS, trend_row
from ci_excel.render.summary.style import Styles
from ci_excel.schema import Lang
from ci_excel.text import list_sep, phrase

# Headline figures in two groups of label/value columns, then the two breakdowns, then notes.
_HEADLINE_GROUPS = (
    (0, ("departments", "expected", "problems", "new", "open", "closed", "p1_open", "actions", "overdue_actions")),
    (
        3,
        (
            "kpis",
            "kpis_met",
            "kpi_rate",
            "benefit",
            "solutions",
            "passing",
            "failing",
            "pass_rate",
            "errors",
            "warnings",
        ),
    ),
)
_PERCENT_ROWS = frozenset({"kpi_rate", "pass_rate"})
_DASH_WIDTHS = (22, 11, 2, 20, 14, 2, 22, 8, 2, 22, 8, 16)
_DASH_TOP = 3  # first row of the figures block
_CHARTS_TOP = 15  # first row of the charts


def headline(result: model.PeriodResult) -> dict[str, Any]:
    """The dashboard's headline figures for the period (None when not recorded)."""
    period = period_digest([department_digest(d) for d in result.departments], general=result.issues)
    return _figures(period, result.outline)


def _figures(period: model.PeriodDigest, outline: model.PeriodOutline) -> dict[str, Any]:
    current = outline.figures
    departments = len(period.departments)
    return {
        "departments": departments,
        "expected": departments + len(outline.missing),
        "problems": period.problems,
        "new": current.new if current else None,
        "open": period.open,
        "closed": period.closed,
        "p1_open": period.p1_open,
        "actions": period.actions,
        "overdue_actions": period.overdue_actions,
        "kpis": period.kpis,
        "kpis_met": period.kpis_met,
        "kpi_rate": period.kpi_rate,
        "benefit": period.benefit,
        "solutions": period.solutions,
        "passing": period.passing,
        "failing": period.failing,
        "pass_rate": period.pass_rate,
        "errors": period.errors,
        "warnings": period.warnings,
        "by_stage": dict(zip(schema.STAGE.by_key, period.stages, strict=True)),
        "by_priority": dict(zip(schema.PRIORITY.by_key, period.priorities, strict=True)),
    }


def write_dashboard(
    book: Workbook,
    ws: Worksheet,
    outline: model.PeriodOutline,
    period: model.PeriodDigest,
    styles: Styles,
    *,
    trend: TableSheet,
    data: ChartData,
) -> None:
    """The first sheet: headline figures, breakdowns, missing and late departments, then the charts."""
    lang = styles.lang
    figures = _figures(period, outline)
    ws.hide_gridlines(2)
    for c, width in enumerate(_DASH_WIDTHS):
        ws.set_column(c, c, width)
    ws.set_row(0, 26)
    cells = SmallSheet(ws)
    cells.write_string(0, 0, f"{phrase('title', lang)} {outline.period}", styles.title)
    cells.write_string(1, 0, _subtitle(outline, lang), styles.subtitle)
    dash = Dash(cells)
    _write_headline(cells, figures, styles, dash, top=_DASH_TOP)
    _write_breakdown(cells, figures, styles, dash, top=_DASH_TOP)
    _write_notes(cells, outline.missing, period.late, styles, top=_DASH_TOP + 6, col=9)
    cells.flush()
    trend_rows = [trend_row(f) for f in outline.trend]
    last_row = insert_charts(book, ws, dash, data, (trend, trend_rows), figures, styles, top=_CHARTS_TOP)
    ws.print_area(0, 0, last_row, len(_DASH_WIDTHS) - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.fit_to_pages(1, 0)
    ws.activate()


def _subtitle(outline: model.PeriodOutline, lang: Lang) -> str:
    made = outline.generated_on or date.today()
    period = schema.column_label("info", "period", lang)
    return f"{period}: {outline.period}    {phrase('generated', lang)}: {made.isoformat()}"


def _write_headline(ws: SmallSheet, figures: dict[str, Any], styles: Styles, dash: Dash, *, top: int) -> None:
    lang = styles.lang
    for col, keys in _HEADLINE_GROUPS:
        ws.write_string(top, col, phrase("figure", lang), styles.heading)
        ws.write_string(top, col + 1, phrase("value", lang), styles.heading)
        for i, key in enumerate(keys, start=top + 1):
            ws.write_string(i, col, phrase(LABELS.get(key, key), lang), styles.label)
            value = figures[key]
            if value is None:
                ws.write_string(i, col + 1, "—", styles.figure_text)
            else:
                ws.write_number(i, col + 1, value, styles.figure_pct if key in _PERCENT_ROWS else styles.figure)
            dash.cells[key] = (i, col + 1)


def _write_breakdown(ws: SmallSheet, figures: dict[str, Any], styles: Styles, dash: Dash, *, top: int) -> None:
    lang = styles.lang
    for col, key, enum, counts in (
        (6, "by_stage", schema.STAGE, figures["by_stage"]),
        (9, "by_priority", schema.PRIORITY, figures["by_priority"]),
    ):
        ws.write_string(top, col, phrase(key, lang), styles.heading)
        ws.write_string(top, col + 1, phrase("count", lang), styles.heading)
        for i, choice in enumerate(enum.choices, start=top + 1):
            ws.write_string(i, col, choice.label(lang), styles.label)
            ws.write_number(i, col + 1, counts[choice.key], styles.figure)
        if key == "by_priority":
            dash.priority_at = (top + 1, top + len(enum.choices), col)


def _write_notes(ws: SmallSheet, missing: list[str], late: list[str], styles: Styles, *, top: int, col: int) -> None:
    """Missing and late departments, named."""
    lang = styles.lang
    sep = list_sep(lang)
    for i, (key, names) in enumerate((("missing", missing), ("late", late))):
        ws.merge_range(top + 2 * i, col, col + 2, phrase(key, lang), styles.heading)
        ws.merge_range(top + 2 * i + 1, col, col + 2, "", styles.label)
        write_text(ws, top + 2 * i + 1, col, sep.join(names) or "—", styles)
