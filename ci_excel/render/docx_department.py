"""A department's monthly report: page 1 (what needs a decision), contents, summary, the problem
register, each problem's pages (`docx_problem`), and the data-quality appendix. Labels come from
the schema; phrases from the text catalogue (`ci_excel.text`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from ci_excel.compute import stage_key
from ci_excel.config import DEFAULT_MATRIX, Config
from ci_excel.model import DepartmentResult, Row
from ci_excel.render import figures as ch
from ci_excel.render.docx_a3 import a3_pages
from ci_excel.render.docx_base import ReportDoc
from ci_excel.render.docx_format import sheet_table
from ci_excel.render.docx_kpi import met_emphasis
from ci_excel.render.docx_problem import ProblemIndex, overdue_emphasis, problem_section
from ci_excel.render.docx_xml import Styled, Xml, runs_xml, sanitize
from ci_excel.render.first_page import department_decisions, opening
from ci_excel.render.style import AMBER, RED
from ci_excel.schema import INFO, PRIORITY, STAGE, STEPS, Lang, column_label
from ci_excel.scoring import priority_key
from ci_excel.text import colon, phrase, pick


def matrix_cells(problems: Sequence[Row], config: Config | None) -> tuple[tuple[str, str, str], ...]:
    """Class of each impact x difficulty cell: the configured matrix, else the default, else what rows say."""
    matrix = {k: dict(v) for k, v in (config.matrix if config else DEFAULT_MATRIX).items()}
    if config is None:
        for p in problems:
            if p.get("impact") in matrix and p.get("difficulty") and p.get("priority"):
                matrix[p["impact"]][str(p["difficulty"])] = str(p["priority"])
    return tuple((i, d, c) for i, row in matrix.items() for d, c in row.items())


def build_department(
    doc: ReportDoc, dept: DepartmentResult, *, generated_on: date, config: Config | None = None
) -> None:
    lang = doc.lang
    contact = dept.info.get("contact") or ""
    problems = sorted(dept.rows("problems"), key=priority_key)
    anchors: dict[Any, str] = {}
    for n, p in enumerate(problems):
        anchors.setdefault(p.get("problem_id"), problem_bookmark(n))
    opening(
        doc,
        phrase("dept_report", lang),
        sanitize(dept.department),
        [
            (phrase("period", lang), dept.period),
            (phrase("date", lang), generated_on.isoformat()),
            (INFO.column("contact").header(lang), sanitize(contact)),
        ],
        department_decisions(dept, anchors, lang),
    )
    doc.frame(f"{sanitize(dept.department)} · {dept.period}")
    summary(doc, dept, problems)
    register(doc, problems, config)
    index = ProblemIndex(dept)
    for n, problem in enumerate(problems):
        problem_section(doc, problem, index, dept.period, config, dept.kpi_history, problem_bookmark(n))
    a3_pages(doc, dept)
    appendix(doc, dept)


def problem_bookmark(n: int) -> str:
    """The bookmark on the n-th problem's section (page 1 links to it)."""
    return f"_Toc_ci_problem{n}"


# ---- summary and register -------------------------------------------------------------------


def summary(doc: ReportDoc, dept: DepartmentResult, problems: Sequence[Row]) -> None:
    lang = doc.lang
    doc.heading(phrase("summary", lang), 1)
    overdue = [a for a in dept.rows("actions") if a.get("overdue")]
    results = dept.rows("results")
    met = sum(1 for r in results if r.get("met"))
    doc.paragraph(
        *_kv_runs(phrase("problems_count", lang), len(problems), lang=lang),
        *_kv_runs(phrase("overdue_actions", lang), len(overdue), RED if overdue else None, lang=lang),
        *_kv_runs(phrase("kpis_met", lang), f"{met}/{len(results)}", lang=lang),
    )
    doc.heading(phrase("by_stage_priority", lang), 2)
    stage_priority_table(doc, stage_priority_counts(problems))
    doc.heading(phrase("overdue_actions", lang), 2)
    if overdue:
        sheet_table(
            doc,
            "actions",
            ["action_id", "what", "who", "due_on", "status", "days_overdue"],
            overdue,
            emphasis=overdue_emphasis,
        )
    else:
        doc.text(phrase("none", lang))
    doc.heading(phrase("kpis_met", lang), 2)
    if results:
        sheet_table(
            doc,
            "results",
            ["problem_id", "kpi", "baseline", "target", "actual", "achievement", "met"],
            results,
            emphasis=met_emphasis(lang),
        )
    else:
        doc.text(phrase("none", lang))


def _kv_runs(label: str, value: Any, color: str | None = None, *, lang: Lang) -> list[Xml]:
    return [runs_xml(label + colon(lang), bold=True), runs_xml(f"{value}    ", color=color, bold=color is not None)]


def stage_priority_counts(problems: Iterable[Row]) -> Counter[tuple[str, str]]:
    """(stage, priority class) -> number of problems."""
    return Counter((stage_key(p.get("stage")), str(p.get("priority"))) for p in problems)


def stage_priority_table(doc: ReportDoc, counts: Mapping[tuple[str, str], int]) -> None:
    """Problems by stage (rows) and priority class (columns), with totals."""
    lang = doc.lang
    priorities = [c.key for c in PRIORITY.choices]
    rows: list[list[Any]] = []
    for stage in STAGE.choices:
        values = [counts.get((stage.key, k), 0) for k in priorities]
        rows.append([stage.label(lang), *(str(v) if v else "·" for v in values), str(sum(values))])
    totals = [sum(counts.get((s.key, k), 0) for s in STAGE.choices) for k in priorities]
    rows.append(
        [
            Styled(phrase("total", lang), bold=True),
            *(Styled(str(v), bold=True) for v in totals),
            Styled(str(sum(totals)), bold=True),
        ]
    )
    head = [
        column_label("problems", "stage", lang),
        *(PRIORITY.label(k, lang) for k in priorities),
        phrase("total", lang),
    ]
    doc.table(head, rows, [16, 12, 12, 12, 12, 8], align=["left", *["center"] * 5])


def register(doc: ReportDoc, problems: Sequence[Row], config: Config | None) -> None:
    """Step 1's deliverable: statement, scope, priority, channel, owner, sorted by priority."""
    lang = doc.lang
    doc.heading(pick(lang, STEPS[1][2], STEPS[1][3]), 1)
    if not problems:
        doc.text(phrase("no_data", lang))
        return
    sheet_table(
        doc, "problems", ["problem_id", "statement", "scope", "priority", "channel", "owner", "stage"], problems
    )
    points = tuple((sanitize(p.get("problem_id")), p.get("impact") or "", p.get("difficulty") or "") for p in problems)
    doc.figure(ch.MatrixData(points, matrix_cells(problems, config)), phrase("priority_matrix", lang))


# ---- appendix -------------------------------------------------------------------------------


def appendix(doc: ReportDoc, dept: DepartmentResult) -> None:
    doc.page_break()
    doc.heading(phrase("appendix_quality", doc.lang), 1)
    issues_table(doc, dept.issues)


def issues_table(doc: ReportDoc, issues: Sequence[Any], *, with_department: bool = False) -> None:
    lang = doc.lang
    if not issues:
        doc.text(phrase("no_issues", lang))
        return
    ordered = sorted(issues, key=lambda i: (not i.is_error, i.file, i.sheet, i.row or 0, i.cell))
    rows = []
    for i in ordered:
        severity = Styled(
            phrase("error" if i.is_error else "warning", lang), color=RED if i.is_error else AMBER, bold=True
        )
        where = " ".join(sanitize(x) for x in (i.sheet, i.cell) if x)
        rows.append(
            [
                *([sanitize(i.department)] if with_department else []),
                severity,
                sanitize(i.file.rsplit("/", 1)[-1]),
                where,
                sanitize(i.column),
                sanitize(i.message(lang)),
            ]
        )
    head = [
        *([INFO.column("department").header(lang)] if with_department else []),
        phrase("severity", lang),
        phrase("file", lang),
        f"{phrase('sheet', lang)}/{phrase('cell', lang)}",
        phrase("column", lang),
        phrase("message", lang),
    ]
    doc.table(head, rows, [*([14] if with_department else []), 8, 18, 14, 12, 44])
