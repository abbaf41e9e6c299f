"""The PMO's portfolio report across departments: headline figures, distributions, trend, overdue
actions, P1 problems, KPIs, solution mix, ranking, data quality, missing and late submissions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from ci_excel.config import Config
from ci_excel.model import DepartmentResult, PeriodFigures, PeriodResult, Row
from ci_excel.render import charts as ch
from ci_excel.render.docx_base import RED, ReportDoc, Styled, fmt, sanitize
from ci_excel.render.docx_department import cover, issues_table, matrix_cells, stage_key, stage_priority_table
from ci_excel.render.phrases import phrase
from ci_excel.schema import INFO, SOLUTION_CATEGORY, STAGE, column_label
from ci_excel.scoring import priority_key


def build_portfolio(doc: ReportDoc, result: PeriodResult, *, generated_on: date, config: Config | None = None) -> None:
    lang = doc.lang
    cover(doc, phrase("portfolio_report", lang), result.period, [
        (phrase("period", lang), result.period), (phrase("date", lang), generated_on.isoformat()),
        (phrase("departments", lang), str(len(result.departments)))])
    doc.frame(f"{phrase('portfolio_report', lang)} · {result.period}")
    problems = [(d, p) for d in result.departments for p in d.rows("problems")]
    headline(doc, result)
    distribution(doc, result, [p for _, p in problems], config)
    trend(doc, result.trend)
    overdue(doc, result.departments)
    p1_problems(doc, problems)
    kpis(doc, result.departments)
    category_mix(doc, result.departments)
    ranking(doc, result.departments)
    quality(doc, result)
    submissions(doc, result)


def _figures(result: PeriodResult) -> tuple[PeriodFigures | None, PeriodFigures | None]:
    earlier = [f for f in result.trend if f.period < result.period]
    return result.figures, (earlier[-1] if earlier else None)


def headline(doc: ReportDoc, result: PeriodResult) -> None:
    lang = doc.lang
    doc.heading(phrase("headline", lang), 1)
    now, before = _figures(result)
    if now is None:
        doc.text(phrase("no_data", lang))
        return
    items = [("departments", "departments"), ("problems_count", "problems"), ("new", "new"), ("closed", "closed"),
             ("open", "open"), ("overdue", "overdue_actions"), ("kpi_total", "kpis"), ("kpis_met", "kpis_met"),
             ("benefit", "benefit")]
    rows = []
    for label, attr in items:
        value = getattr(now, attr)
        prev = getattr(before, attr) if before else None
        delta = "" if prev is None else f"{value - prev:+,.0f}"
        rows.append([phrase(label, lang), f"{value:,.0f}", "" if prev is None else f"{prev:,.0f}", delta])
    doc.table([phrase("headline", lang), phrase("this_period", lang), phrase("previous", lang), phrase("change", lang)],
              rows, [40, 20, 20, 20], align=["left", "right", "right", "right"])


def distribution(doc: ReportDoc, result: PeriodResult, problems: Sequence[Row], config: Config | None) -> None:
    lang = doc.lang
    doc.heading(phrase("by_stage_priority", lang), 1)
    stage_priority_table(doc, problems)
    per_stage = [Counter(str(p.get("priority")) for p in problems if stage_key(p.get("stage")) == s.key)
                 for s in STAGE.choices]
    doc.figure(ch.StackedBarsData(tuple(s.label(lang) for s in STAGE.choices),
                                  ch.priority_series([dict(c) for c in per_stage], lang)),
               phrase("stage_priority_chart", lang))
    doc.heading(phrase("priority_matrix", lang), 2)
    points = tuple(("", p.get("impact") or "", p.get("difficulty") or "") for p in problems)
    doc.figure(ch.MatrixData(points, matrix_cells(problems, config), counts_only=True), phrase("priority_matrix", lang))
    doc.heading(phrase("stage_by_dept", lang), 2)
    head = [INFO.column("department").header(lang), *(s.label(lang) for s in STAGE.choices), phrase("total", lang)]
    rows = []
    for d in result.departments:
        c = Counter(stage_key(p.get("stage")) for p in d.rows("problems"))
        rows.append([sanitize(d.department), *(str(c.get(s.key, 0) or "·") for s in STAGE.choices),
                     str(sum(c.values()))])
    doc.table(head, rows, [20, 11, 11, 11, 11, 11, 13, 8], align=["left", *["center"] * 7])


def trend(doc: ReportDoc, figures: Sequence[PeriodFigures]) -> None:
    lang = doc.lang
    doc.heading(phrase("trend", lang), 1)
    if not figures:
        doc.text(phrase("no_data", lang))
        return
    keys = (("new", "new"), ("closed", "closed"), ("open", "open"), ("overdue", "overdue_actions"))
    data = ch.TrendData(tuple(f.period for f in figures),
                        tuple((k, tuple(float(getattr(f, attr)) for f in figures)) for k, attr in keys))
    doc.figure(data, phrase("trend", lang))
    rows = [[f.period, *(f"{getattr(f, attr):,.0f}" for _, attr in keys)] for f in figures]
    doc.table([phrase("period", lang), *(phrase(k, lang) for k, _ in keys)], rows, [20, 20, 20, 20, 20],
              align=["left", "right", "right", "right", "right"])


def overdue(doc: ReportDoc, departments: Sequence[DepartmentResult]) -> None:
    lang = doc.lang
    doc.heading(phrase("overdue_actions", lang), 1)
    rows = [(d, a) for d in departments for a in d.rows("actions") if a.get("overdue")]
    rows.sort(key=lambda da: -(da[1].get("days_overdue") or 0))
    if not rows:
        doc.text(phrase("none", lang))
        return
    keys = ["action_id", "what", "who", "due_on", "status"]
    body = [[sanitize(d.department), *(fmt("actions", k, a.get(k), lang) for k in keys),
             Styled(str(a.get("days_overdue") or ""), color=RED, bold=True)] for d, a in rows]
    head = [INFO.column("department").header(lang), *(column_label("actions", k, lang) for k in keys),
            column_label("actions", "days_overdue", lang)]
    doc.table(head, body, [14, 11, 28, 10, 12, 10, 9], align=[*["left"] * 6, "right"])


def p1_problems(doc: ReportDoc, problems: Sequence[tuple[DepartmentResult, Row]]) -> None:
    lang = doc.lang
    doc.heading(phrase("p1_problems", lang), 1)
    rows = sorted(((d, p) for d, p in problems if p.get("priority") == "P1"), key=lambda dp: priority_key(dp[1]))
    if not rows:
        doc.text(phrase("none", lang))
        return
    keys = ["problem_id", "statement", "stage", "owner", "progress"]
    body = [[sanitize(d.department), *(fmt("problems", k, p.get(k), lang) for k in keys)] for d, p in rows]
    head = [INFO.column("department").header(lang), *(column_label("problems", k, lang) for k in keys)]
    doc.table(head, body, [13, 10, 45, 14, 9, 8], align=[*["left"] * 5, "right"])


def kpis(doc: ReportDoc, departments: Sequence[DepartmentResult]) -> None:
    lang = doc.lang
    doc.heading(phrase("kpi_achievement", lang), 1)
    rows = []
    for d in departments:
        results = d.rows("results")
        if not results:
            continue
        met = sum(1 for r in results if r.get("met"))
        achieved = [r["achievement"] for r in results if isinstance(r.get("achievement"), int | float)]
        mean = sum(achieved) / len(achieved) if achieved else None
        benefit = sum(r.get("annual_benefit") or 0 for r in results)
        rate = met / len(results)
        rows.append([sanitize(d.department), str(len(results)), str(met),
                     Styled(f"{rate:.0%}", color=RED if rate < 0.5 else None, bold=rate < 0.5),
                     "" if mean is None else f"{mean:.0%}", f"{benefit:,.0f}"])
    if not rows:
        doc.text(phrase("none", lang))
        return
    head = [INFO.column("department").header(lang), phrase("kpi_total", lang), phrase("kpis_met", lang),
            phrase("kpi_rate", lang), column_label("results", "achievement", lang), phrase("benefit", lang)]
    doc.table(head, rows, [24, 12, 12, 14, 14, 18], align=["left", *["right"] * 5])


def category_mix(doc: ReportDoc, departments: Sequence[DepartmentResult]) -> None:
    lang = doc.lang
    doc.heading(phrase("category_mix", lang), 1)
    solutions = [s for d in departments for s in d.rows("solutions")]
    every = Counter(s.get("category") for s in solutions)
    chosen = Counter(s.get("category") for s in solutions if s.get("selected"))
    cats = [c.key for c in SOLUTION_CATEGORY.choices]
    labels = tuple(SOLUTION_CATEGORY.label(c, lang) for c in cats)
    doc.figure(ch.StackedBarsData(labels, (
        (phrase("selected_n", lang), ch.BLUE, tuple(float(chosen.get(c, 0)) for c in cats)),
        (phrase("all_candidates", lang) + " − " + phrase("selected_n", lang), ch.LIGHT_BLUE,
         tuple(float(every.get(c, 0) - chosen.get(c, 0)) for c in cats))), horizontal=True),
        phrase("category_mix", lang))
    rows = [[label, str(every.get(c, 0)), str(chosen.get(c, 0))] for c, label in zip(cats, labels, strict=True)]
    doc.table([column_label("solutions", "category", lang), phrase("all_candidates", lang), phrase("selected_n", lang)],
              rows, [40, 30, 30], align=["left", "right", "right"])


def _rank_row(d: DepartmentResult) -> tuple[float, float, int, float]:
    problems = d.rows("problems")
    closed = sum(1 for p in problems if stage_key(p.get("stage")) == "6")
    results = d.rows("results")
    met = sum(1 for r in results if r.get("met"))
    progress = [p["progress"] for p in problems if isinstance(p.get("progress"), int | float)]
    return (closed / len(problems) if problems else 0.0, met / len(results) if results else 0.0,
            sum(1 for a in d.rows("actions") if a.get("overdue")), sum(progress) / len(progress) if progress else 0.0)


def ranking(doc: ReportDoc, departments: Sequence[DepartmentResult]) -> None:
    lang = doc.lang
    doc.heading(phrase("ranking", lang), 1)
    doc.text(phrase("ranking_note", lang), style="Caption")
    scored = sorted(((d, _rank_row(d)) for d in departments), key=lambda x: (-x[1][0], -x[1][1], x[1][2], -x[1][3]))
    rows = [[str(n), sanitize(d.department), str(len(d.rows("problems"))), f"{c:.0%}", f"{k:.0%}",
             Styled(str(o), color=RED, bold=True) if o else "0", f"{p:.0%}"]
            for n, (d, (c, k, o, p)) in enumerate(scored, 1)]
    head = [phrase("rank", lang), INFO.column("department").header(lang), phrase("problems_count", lang),
            phrase("closure_rate", lang), phrase("kpi_rate", lang), phrase("overdue", lang),
            phrase("avg_progress", lang)]
    doc.table(head, rows, [8, 24, 12, 14, 14, 14, 14], align=["right", "left", *["right"] * 5])


def quality(doc: ReportDoc, result: PeriodResult) -> None:
    lang = doc.lang
    doc.heading(phrase("quality_by_dept", lang), 1)
    rows: list[list[Any]] = []
    for d in sorted(result.departments, key=lambda d: -sum(i.is_error for i in d.issues)):
        errors = sum(1 for i in d.issues if i.is_error)
        rows.append([sanitize(d.department), str(len(d.files)), Styled(str(errors), color=RED, bold=True) if errors
                     else "0", str(len(d.issues) - errors)])
    head = [INFO.column("department").header(lang), phrase("file", lang), phrase("errors", lang),
            phrase("warnings", lang)]
    doc.table(head, rows, [40, 20, 20, 20], align=["left", "right", "right", "right"])
    if result.issues:
        doc.heading(phrase("general_issues", lang), 2)
        issues_table(doc, result.issues)


def submissions(doc: ReportDoc, result: PeriodResult) -> None:
    lang = doc.lang
    doc.heading(phrase("submissions", lang), 1)
    rows: list[list[Any]] = [[sanitize(name), Styled(phrase("missing", lang), color=RED, bold=True), ""]
                             for name in result.missing]
    for d in result.departments:
        if d.late:
            rows.append([sanitize(d.department), Styled(phrase("late", lang), color="B9770E", bold=True),
                         fmt("info", "submitted_on", d.info.get("submitted_on"), lang)])
    if not rows:
        doc.text(phrase("none", lang))
        return
    doc.table([INFO.column("department").header(lang), phrase("status", lang),
               INFO.column("submitted_on").header(lang)], rows, [40, 30, 30])

