"""The PMO's portfolio report across departments: headline figures, distributions, trend, overdue
actions, P1 problems, KPIs, solution mix, ranking, data quality, missing and late submissions.

Departments are folded into a `PortfolioDigest` (portfolio_digest.py) one at a time and then
dropped. The report folds their digests with `compute.period_digest` and formats that: the ranking
is `compute.rank_departments`, the same as the summary workbook's scoreboard; nothing here counts,
averages or ranks departments.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from ci_excel.compute import most_errors
from ci_excel.config import Config
from ci_excel.model import DepartmentDigest, PeriodDigest, PeriodFigures, PeriodOutline
from ci_excel.render import figures as ch
from ci_excel.render.docx_base import ReportDoc
from ci_excel.render.docx_department import issues_table, stage_priority_table
from ci_excel.render.docx_format import fmt
from ci_excel.render.docx_xml import Styled, sanitize
from ci_excel.render.first_page import opening, portfolio_decisions
from ci_excel.render.portfolio_digest import ACTION_KEYS, PROBLEM_KEYS, PortfolioDigest, Top
from ci_excel.render.ranking import OVERDUE_COLUMN, ranking_head, ranking_rows
from ci_excel.render.style import AMBER, RED
from ci_excel.schema import INFO, SHEETS, SOLUTION_CATEGORY, STAGE, column_label
from ci_excel.text import HEADLINE, phrase

ANCHORS = {s: f"_Toc_ci_{s}" for s in ("overdue", "p1", "kpis", "submissions")}  # sections page 1 links to


def build_portfolio(
    doc: ReportDoc, digest: PortfolioDigest, outline: PeriodOutline, *, generated_on: date, config: Config | None = None
) -> None:
    lang = doc.lang
    departments, period = digest.departments, digest.period()
    decisions = portfolio_decisions(
        digest.p1_off.items(),
        digest.most_overdue.items(),
        [(d.department, d.gains_not_held, d.kpis_missed) for d in departments],
        outline.missing,
        period.late,
        ANCHORS,
        lang,
    )
    opening(
        doc,
        phrase("portfolio_report", lang),
        outline.period,
        [
            (phrase("period", lang), outline.period),
            (phrase("date", lang), generated_on.isoformat()),
            (phrase("departments", lang), str(len(digest.digests))),
        ],
        decisions,
    )
    doc.frame(f"{phrase('portfolio_report', lang)} · {outline.period}")
    headline(doc, outline)
    distribution(doc, digest, period, departments, config)
    trend(doc, outline.trend)
    overdue(doc, digest.overdue)
    p1_problems(doc, digest.p1)
    kpis(doc, departments)
    category_mix(doc, period)
    ranking(doc, period)
    quality(doc, departments, outline)
    submissions(doc, departments, outline)


def headline(doc: ReportDoc, outline: PeriodOutline) -> None:
    lang = doc.lang
    doc.heading(phrase("headline", lang), 1)
    now, before = outline.figures, outline.previous_figures
    if now is None:
        doc.text(phrase("no_data", lang))
        return
    rows = []
    for label, attr in HEADLINE:
        value = getattr(now, attr)
        prev = getattr(before, attr) if before else None
        delta = "" if prev is None else f"{value - prev:+,.0f}"
        rows.append([phrase(label, lang), f"{value:,.0f}", "" if prev is None else f"{prev:,.0f}", delta])
    doc.table(
        [phrase("headline", lang), phrase("this_period", lang), phrase("previous", lang), phrase("change", lang)],
        rows,
        [40, 20, 20, 20],
        align=["left", "right", "right", "right"],
    )


def distribution(
    doc: ReportDoc,
    digest: PortfolioDigest,
    period: PeriodDigest,
    departments: Sequence[DepartmentDigest],
    config: Config | None,
) -> None:
    lang = doc.lang
    doc.heading(phrase("by_stage_priority", lang), 1)
    stage_priority_table(doc, period.stage_priority)
    per_stage = [
        {p: float(n) for (s, p), n in period.stage_priority.items() if s == stage.key} for stage in STAGE.choices
    ]
    doc.figure(
        ch.StackedBarsData(tuple(s.label(lang) for s in STAGE.choices), ch.priority_series(per_stage, lang)),
        phrase("stage_priority_chart", lang),
    )
    doc.heading(phrase("priority_matrix", lang), 2)
    counts = tuple((i, d, n) for (i, d), n in sorted(period.cells.items()))
    doc.figure(
        ch.MatrixData((), digest.matrix_classes(config), counts_only=True, counts=counts),
        phrase("priority_matrix", lang),
    )
    doc.heading(phrase("stage_by_dept", lang), 2)
    head = [INFO.column("department").header(lang), *(s.label(lang) for s in STAGE.choices), phrase("total", lang)]
    rows = [[sanitize(d.department), *(str(n or "·") for n in d.stages), str(d.problems)] for d in departments]
    doc.table(head, rows, [20, 11, 11, 11, 11, 11, 13, 8], align=["left", *["center"] * 7])


def trend(doc: ReportDoc, figures: Sequence[PeriodFigures]) -> None:
    lang = doc.lang
    doc.heading(phrase("trend", lang), 1)
    if not figures:
        doc.text(phrase("no_data", lang))
        return
    keys = (("new", "new"), ("closed", "closed"), ("open", "open"), ("overdue", "overdue_actions"))
    data = ch.TrendData(
        tuple(f.period for f in figures),
        tuple((k, tuple(float(getattr(f, attr)) for f in figures)) for k, attr in keys),
    )
    doc.figure(data, phrase("trend", lang))
    rows = [[f.period, *(f"{getattr(f, attr):,.0f}" for _, attr in keys)] for f in figures]
    doc.table(
        [phrase("period", lang), *(phrase(k, lang) for k, _ in keys)],
        rows,
        [20, 20, 20, 20, 20],
        align=["left", "right", "right", "right", "right"],
    )


def overdue(doc: ReportDoc, top: Top[tuple[Any, ...]]) -> None:
    """The most overdue actions first; when there are more than TOP_ROWS, says where the rest are."""
    lang = doc.lang
    doc.heading(phrase("overdue_actions", lang), 1, bookmark=ANCHORS["overdue"])
    if not top.total:
        doc.text(phrase("none", lang))
        return
    body = [
        [
            sanitize(name),
            *(fmt("actions", k, v, lang) for k, v in zip(ACTION_KEYS, values, strict=True)),
            Styled(str(days or ""), color=RED, bold=True),
        ]
        for name, *values, days in top.items()
    ]
    head = [
        INFO.column("department").header(lang),
        *(column_label("actions", k, lang) for k in ACTION_KEYS),
        column_label("actions", "days_overdue", lang),
    ]
    doc.table(head, body, [14, 11, 28, 10, 12, 10, 9], align=[*["left"] * 6, "right"])
    _capped(doc, top, "actions")


def p1_problems(doc: ReportDoc, top: Top[tuple[Any, ...]]) -> None:
    """P1 problems in priority order; when there are more than TOP_ROWS, says where the rest are."""
    lang = doc.lang
    doc.heading(phrase("p1_problems", lang), 1, bookmark=ANCHORS["p1"])
    if not top.total:
        doc.text(phrase("none", lang))
        return
    body = [
        [sanitize(name), *(fmt("problems", k, v, lang) for k, v in zip(PROBLEM_KEYS, values, strict=True))]
        for name, *values in top.items()
    ]
    head = [INFO.column("department").header(lang), *(column_label("problems", k, lang) for k in PROBLEM_KEYS)]
    doc.table(head, body, [13, 10, 45, 14, 9, 8], align=[*["left"] * 5, "right"])
    _capped(doc, top, "problems")


def _capped(doc: ReportDoc, top: Top[Any], sheet: str) -> None:
    if top.total > top.size:
        doc.text(
            phrase("capped_rows", doc.lang, total=f"{top.total:,}", shown=top.size, sheet=SHEETS[sheet].name(doc.lang)),
            style="Caption",
        )


def kpis(doc: ReportDoc, departments: Sequence[DepartmentDigest]) -> None:
    lang = doc.lang
    doc.heading(phrase("kpi_achievement", lang), 1, bookmark=ANCHORS["kpis"])
    rows = []
    for d in departments:
        if d.kpi_rate is None:
            continue
        rate = d.kpi_rate
        rows.append(
            [
                sanitize(d.department),
                str(d.kpis),
                str(d.kpis_met),
                Styled(f"{rate:.0%}", color=RED if rate < 0.5 else None, bold=rate < 0.5),
                "" if d.achievement is None else f"{d.achievement:.0%}",
                f"{d.benefit or 0:,.0f}",
            ]
        )
    if not rows:
        doc.text(phrase("none", lang))
        return
    head = [
        INFO.column("department").header(lang),
        phrase("kpi_total", lang),
        phrase("kpis_met", lang),
        phrase("kpi_rate", lang),
        column_label("results", "achievement", lang),
        phrase("benefit", lang),
    ]
    doc.table(head, rows, [24, 12, 12, 14, 14, 18], align=["left", *["right"] * 5])


def category_mix(doc: ReportDoc, period: PeriodDigest) -> None:
    lang = doc.lang
    doc.heading(phrase("category_mix", lang), 1)
    every = {c: n for c, (n, _) in period.categories.items()}
    chosen = {c: n for c, (_, n) in period.categories.items()}
    cats = [c.key for c in SOLUTION_CATEGORY.choices]
    labels = tuple(SOLUTION_CATEGORY.label(c, lang) for c in cats)
    doc.figure(
        ch.StackedBarsData(
            labels,
            (
                (phrase("selected_n", lang), ch.BLUE, tuple(float(chosen.get(c, 0)) for c in cats)),
                (
                    phrase("all_candidates", lang) + " − " + phrase("selected_n", lang),
                    ch.LIGHT_BLUE,
                    tuple(float(every.get(c, 0) - chosen.get(c, 0)) for c in cats),
                ),
            ),
            horizontal=True,
        ),
        phrase("category_mix", lang),
    )
    rows = [[label, str(every.get(c, 0)), str(chosen.get(c, 0))] for c, label in zip(cats, labels, strict=True)]
    doc.table(
        [column_label("solutions", "category", lang), phrase("all_candidates", lang), phrase("selected_n", lang)],
        rows,
        [40, 30, 30],
        align=["left", "right", "right"],
    )


def ranking(doc: ReportDoc, period: PeriodDigest) -> None:
    """The departments in the period's rank order (compute.rank_departments, which `ranking_note` words)."""
    lang = doc.lang
    doc.heading(phrase("ranking", lang), 1)
    doc.text(phrase("ranking_note", lang), style="Caption")
    rows: list[list[Any]] = []
    for d, cells in ranking_rows(period):
        if d.overdue_actions:
            cells[OVERDUE_COLUMN] = Styled(cells[OVERDUE_COLUMN], color=RED, bold=True)
        rows.append(cells)
    head = ranking_head(lang)
    doc.table(head, rows, [8, 24, 12, 14, 14, 14, 14], align=["right", "left", *["right"] * 5])


def quality(doc: ReportDoc, departments: Sequence[DepartmentDigest], outline: PeriodOutline) -> None:
    lang = doc.lang
    doc.heading(phrase("quality_by_dept", lang), 1)
    rows: list[list[Any]] = [
        [
            sanitize(d.department),
            str(d.files),
            Styled(str(d.errors), color=RED, bold=True) if d.errors else "0",
            str(d.warnings),
        ]
        for d in most_errors(departments)
    ]
    head = [
        INFO.column("department").header(lang),
        phrase("file", lang),
        phrase("errors", lang),
        phrase("warnings", lang),
    ]
    doc.table(head, rows, [40, 20, 20, 20], align=["left", "right", "right", "right"])
    if outline.issues:
        doc.heading(phrase("general_issues", lang), 2)
        issues_table(doc, outline.issues)


def submissions(doc: ReportDoc, departments: Sequence[DepartmentDigest], outline: PeriodOutline) -> None:
    lang = doc.lang
    doc.heading(phrase("submissions", lang), 1, bookmark=ANCHORS["submissions"])
    rows: list[list[Any]] = [
        [sanitize(name), Styled(phrase("missing", lang), color=RED, bold=True), ""] for name in outline.missing
    ]
    rows += [
        [
            sanitize(d.department),
            Styled(phrase("late", lang), color=AMBER, bold=True),
            fmt("info", "submitted_on", d.submitted_on, lang),
        ]
        for d in departments
        if d.late
    ]
    if not rows:
        doc.text(phrase("none", lang))
        return
    doc.table(
        [INFO.column("department").header(lang), phrase("status", lang), INFO.column("submitted_on").header(lang)],
        rows,
        [40, 30, 30],
    )
