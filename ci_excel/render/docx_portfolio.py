"""The PMO's portfolio report across departments: headline figures, distributions, trend, overdue
actions, P1 problems, KPIs, solution mix, ranking, data quality, missing and late submissions.

Departments are folded into a `PortfolioDigest` one at a time and then dropped: the digest keeps a
short line of counts per department, whole-period counters, and only the TOP_ROWS most overdue
actions and first P1 problems (every one of them is in portfolio_summary.xlsx). What it keeps is
independent of the order departments are added in; ties go by department name.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from ci_excel.config import Config
from ci_excel.model import DepartmentResult, PeriodFigures, PeriodOutline, Row
from ci_excel.render import charts as ch
from ci_excel.render.docx_base import RED, ReportDoc, Styled, fmt, sanitize
from ci_excel.render.docx_department import cover, issues_table, matrix_cells, stage_key, stage_priority_table
from ci_excel.render.phrases import phrase
from ci_excel.schema import INFO, SHEETS, SOLUTION_CATEGORY, STAGE, column_label
from ci_excel.scoring import priority_key

TOP_ROWS = 40  # overdue actions and P1 problems listed in the report; the summary workbook has them all

ACTION_KEYS = ("action_id", "what", "who", "due_on", "status")
PROBLEM_KEYS = ("problem_id", "statement", "stage", "owner", "progress")
CLOSED_STAGE = "6"

T = TypeVar("T")
Key = tuple[Any, ...]


@dataclass(frozen=True)
class DepartmentLine:
    """One department as the portfolio report shows it: counts and rates, none of its rows."""

    department: str
    late: bool
    submitted_on: Any
    files: int
    errors: int
    warnings: int
    stages: tuple[int, ...]  # problems per STAGE choice, in schema order
    problems: int  # all problems, including any whose stage is blank
    overdue: int  # overdue actions
    progress: float | None  # mean progress of the problems that give one
    kpis: int
    kpis_met: int
    achievement: float | None  # mean achievement of the KPIs that give one
    benefit: float

    @classmethod
    def of(cls, dept: DepartmentResult) -> DepartmentLine:
        problems, results = dept.rows("problems"), dept.rows("results")
        stages = Counter(stage_key(p.get("stage")) for p in problems)
        errors = sum(1 for i in dept.issues if i.is_error)
        return cls(department=dept.department, late=dept.late, submitted_on=dept.info.get("submitted_on"),
                   files=len(dept.files), errors=errors, warnings=len(dept.issues) - errors,
                   stages=tuple(stages.get(s.key, 0) for s in STAGE.choices), problems=len(problems),
                   overdue=sum(1 for a in dept.rows("actions") if a.get("overdue")),
                   progress=_mean(p.get("progress") for p in problems),
                   kpis=len(results), kpis_met=sum(1 for r in results if r.get("met")),
                   achievement=_mean(r.get("achievement") for r in results),
                   benefit=sum(r.get("annual_benefit") or 0 for r in results))

    @property
    def closure_rate(self) -> float:
        closed = self.stages[[s.key for s in STAGE.choices].index(CLOSED_STAGE)]
        return closed / self.problems if self.problems else 0.0

    @property
    def kpi_rate(self) -> float:
        return self.kpis_met / self.kpis if self.kpis else 0.0

    def rank_key(self) -> tuple[float, float, int, float, str]:
        """Closure rate, KPI hit rate (high first), overdue actions (few first), progress, name."""
        return (-self.closure_rate, -self.kpi_rate, self.overdue, -(self.progress or 0.0), self.department)


def _mean(values: Iterable[Any]) -> float | None:
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return sum(numbers) / len(numbers) if numbers else None


class _Last:
    """Heap entry ordered backwards, so the heap's root is the largest key kept."""

    __slots__ = ("key",)

    def __init__(self, key: Key) -> None:
        self.key = key

    def __lt__(self, other: _Last) -> bool:
        return other.key < self.key


class Top(Generic[T]):
    """The `size` items with the smallest keys offered so far, and how many were offered."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.total = 0
        self._heap: list[tuple[_Last, int, T]] = []

    def offer(self, key: Key, item: T) -> None:
        self.total += 1
        entry = (_Last(key), self.total, item)  # items never compare: _Last entries are never equal
        if len(self._heap) < self.size:
            heapq.heappush(self._heap, entry)
        elif key < self._heap[0][0].key:
            heapq.heapreplace(self._heap, entry)

    def items(self) -> list[T]:
        """What is kept, smallest key first."""
        return [item for _, _, item in sorted(self._heap, key=lambda e: (e[0].key, e[1]))]  # exact ties: first offered


@dataclass
class PortfolioDigest:
    """What the portfolio report needs of the departments, folded in one at a time."""

    lines: list[DepartmentLine] = field(default_factory=list)
    stage_priority: Counter[tuple[str, str]] = field(default_factory=Counter)  # (stage, priority) -> problems
    cells: Counter[tuple[str, str]] = field(default_factory=Counter)  # (impact, difficulty) -> problems
    classes: dict[tuple[str, str], tuple[str, int, str]] = field(default_factory=dict)  # cell -> (dept, row, class)
    candidates: Counter[Any] = field(default_factory=Counter)  # solution category -> candidates
    selected: Counter[Any] = field(default_factory=Counter)  # solution category -> selected
    overdue: Top[tuple[Any, ...]] = field(default_factory=lambda: Top(TOP_ROWS))  # (department, *ACTION_KEYS, days)
    p1: Top[tuple[Any, ...]] = field(default_factory=lambda: Top(TOP_ROWS))  # (department, *PROBLEM_KEYS)

    @classmethod
    def of(cls, departments: Iterable[DepartmentResult]) -> PortfolioDigest:
        digest = cls()
        for dept in departments:
            digest.add(dept)
        return digest

    def add(self, dept: DepartmentResult) -> None:
        self.lines.append(DepartmentLine.of(dept))
        name = dept.department
        for n, p in enumerate(dept.rows("problems")):
            self._problem(name, n, p)
        for n, a in enumerate(dept.rows("actions")):
            if a.get("overdue"):
                self.overdue.offer((-(a.get("days_overdue") or 0), name, n),
                                   (name, *(a.get(k) for k in ACTION_KEYS), a.get("days_overdue")))
        for s in dept.rows("solutions"):
            self.candidates[s.get("category")] += 1
            if s.get("selected"):
                self.selected[s.get("category")] += 1

    def _problem(self, name: str, n: int, p: Row) -> None:
        self.stage_priority[stage_key(p.get("stage")), str(p.get("priority"))] += 1
        impact, difficulty, cls = p.get("impact"), p.get("difficulty"), p.get("priority")
        self.cells[str(impact or ""), str(difficulty or "")] += 1
        if impact and difficulty and cls:  # the class rows give a cell: the last department by name wins
            cell = (str(impact), str(difficulty))
            if cell not in self.classes or (name, n) >= self.classes[cell][:2]:
                self.classes[cell] = (name, n, str(cls))
        if cls == "P1":
            self.p1.offer((priority_key(p), name, n), (name, *(p.get(k) for k in PROBLEM_KEYS)))

    @property
    def departments(self) -> list[DepartmentLine]:
        """One line per department, by name."""
        return sorted(self.lines, key=lambda d: d.department)

    def matrix_classes(self, config: Config | None) -> tuple[tuple[str, str, str], ...]:
        rows = [{"impact": i, "difficulty": d, "priority": c} for (i, d), (_, _, c) in sorted(self.classes.items())]
        return matrix_cells(rows, config)


def build_portfolio(doc: ReportDoc, digest: PortfolioDigest, outline: PeriodOutline, *, generated_on: date,
                    config: Config | None = None) -> None:
    lang = doc.lang
    cover(doc, phrase("portfolio_report", lang), outline.period, [
        (phrase("period", lang), outline.period), (phrase("date", lang), generated_on.isoformat()),
        (phrase("departments", lang), str(len(digest.lines)))])
    doc.frame(f"{phrase('portfolio_report', lang)} · {outline.period}")
    departments = digest.departments
    headline(doc, outline)
    distribution(doc, digest, departments, config)
    trend(doc, outline.trend)
    overdue(doc, digest.overdue)
    p1_problems(doc, digest.p1)
    kpis(doc, departments)
    category_mix(doc, digest)
    ranking(doc, departments)
    quality(doc, departments, outline)
    submissions(doc, departments, outline)


def _figures(outline: PeriodOutline) -> tuple[PeriodFigures | None, PeriodFigures | None]:
    earlier = [f for f in outline.trend if f.period < outline.period]
    return outline.figures, (earlier[-1] if earlier else None)


def headline(doc: ReportDoc, outline: PeriodOutline) -> None:
    lang = doc.lang
    doc.heading(phrase("headline", lang), 1)
    now, before = _figures(outline)
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


def distribution(doc: ReportDoc, digest: PortfolioDigest, departments: Sequence[DepartmentLine],
                 config: Config | None) -> None:
    lang = doc.lang
    doc.heading(phrase("by_stage_priority", lang), 1)
    stage_priority_table(doc, digest.stage_priority)
    per_stage = [{p: float(n) for (s, p), n in digest.stage_priority.items() if s == stage.key}
                 for stage in STAGE.choices]
    doc.figure(ch.StackedBarsData(tuple(s.label(lang) for s in STAGE.choices), ch.priority_series(per_stage, lang)),
               phrase("stage_priority_chart", lang))
    doc.heading(phrase("priority_matrix", lang), 2)
    counts = tuple((i, d, n) for (i, d), n in sorted(digest.cells.items()))
    doc.figure(ch.MatrixData((), digest.matrix_classes(config), counts_only=True, counts=counts),
               phrase("priority_matrix", lang))
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
    data = ch.TrendData(tuple(f.period for f in figures),
                        tuple((k, tuple(float(getattr(f, attr)) for f in figures)) for k, attr in keys))
    doc.figure(data, phrase("trend", lang))
    rows = [[f.period, *(f"{getattr(f, attr):,.0f}" for _, attr in keys)] for f in figures]
    doc.table([phrase("period", lang), *(phrase(k, lang) for k, _ in keys)], rows, [20, 20, 20, 20, 20],
              align=["left", "right", "right", "right", "right"])


def overdue(doc: ReportDoc, top: Top[tuple[Any, ...]]) -> None:
    """The most overdue actions first; when there are more than TOP_ROWS, says where the rest are."""
    lang = doc.lang
    doc.heading(phrase("overdue_actions", lang), 1)
    if not top.total:
        doc.text(phrase("none", lang))
        return
    body = [[sanitize(name), *(fmt("actions", k, v, lang) for k, v in zip(ACTION_KEYS, values, strict=True)),
             Styled(str(days or ""), color=RED, bold=True)] for name, *values, days in top.items()]
    head = [INFO.column("department").header(lang), *(column_label("actions", k, lang) for k in ACTION_KEYS),
            column_label("actions", "days_overdue", lang)]
    doc.table(head, body, [14, 11, 28, 10, 12, 10, 9], align=[*["left"] * 6, "right"])
    _capped(doc, top, "actions")


def p1_problems(doc: ReportDoc, top: Top[tuple[Any, ...]]) -> None:
    """P1 problems in priority order; when there are more than TOP_ROWS, says where the rest are."""
    lang = doc.lang
    doc.heading(phrase("p1_problems", lang), 1)
    if not top.total:
        doc.text(phrase("none", lang))
        return
    body = [[sanitize(name), *(fmt("problems", k, v, lang) for k, v in zip(PROBLEM_KEYS, values, strict=True))]
            for name, *values in top.items()]
    head = [INFO.column("department").header(lang), *(column_label("problems", k, lang) for k in PROBLEM_KEYS)]
    doc.table(head, body, [13, 10, 45, 14, 9, 8], align=[*["left"] * 5, "right"])
    _capped(doc, top, "problems")


def _capped(doc: ReportDoc, top: Top[Any], sheet: str) -> None:
    if top.total > top.size:
        doc.text(phrase("capped_rows", doc.lang, total=f"{top.total:,}", shown=top.size,
                        sheet=SHEETS[sheet].name(doc.lang)), style="Caption")


def kpis(doc: ReportDoc, departments: Sequence[DepartmentLine]) -> None:
    lang = doc.lang
    doc.heading(phrase("kpi_achievement", lang), 1)
    rows = []
    for d in departments:
        if not d.kpis:
            continue
        rate = d.kpi_rate
        rows.append([sanitize(d.department), str(d.kpis), str(d.kpis_met),
                     Styled(f"{rate:.0%}", color=RED if rate < 0.5 else None, bold=rate < 0.5),
                     "" if d.achievement is None else f"{d.achievement:.0%}", f"{d.benefit:,.0f}"])
    if not rows:
        doc.text(phrase("none", lang))
        return
    head = [INFO.column("department").header(lang), phrase("kpi_total", lang), phrase("kpis_met", lang),
            phrase("kpi_rate", lang), column_label("results", "achievement", lang), phrase("benefit", lang)]
    doc.table(head, rows, [24, 12, 12, 14, 14, 18], align=["left", *["right"] * 5])


def category_mix(doc: ReportDoc, digest: PortfolioDigest) -> None:
    lang = doc.lang
    doc.heading(phrase("category_mix", lang), 1)
    every, chosen = digest.candidates, digest.selected
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


def ranking(doc: ReportDoc, departments: Sequence[DepartmentLine]) -> None:
    lang = doc.lang
    doc.heading(phrase("ranking", lang), 1)
    doc.text(phrase("ranking_note", lang), style="Caption")
    rows = [[str(n), sanitize(d.department), str(d.problems), f"{d.closure_rate:.0%}", f"{d.kpi_rate:.0%}",
             Styled(str(d.overdue), color=RED, bold=True) if d.overdue else "0", f"{d.progress or 0.0:.0%}"]
            for n, d in enumerate(sorted(departments, key=DepartmentLine.rank_key), 1)]
    head = [phrase("rank", lang), INFO.column("department").header(lang), phrase("problems_count", lang),
            phrase("closure_rate", lang), phrase("kpi_rate", lang), phrase("overdue", lang),
            phrase("avg_progress", lang)]
    doc.table(head, rows, [8, 24, 12, 14, 14, 14, 14], align=["right", "left", *["right"] * 5])


def quality(doc: ReportDoc, departments: Sequence[DepartmentLine], outline: PeriodOutline) -> None:
    lang = doc.lang
    doc.heading(phrase("quality_by_dept", lang), 1)
    rows: list[list[Any]] = [
        [sanitize(d.department), str(d.files), Styled(str(d.errors), color=RED, bold=True) if d.errors else "0",
         str(d.warnings)] for d in sorted(departments, key=lambda d: (-d.errors, d.department))]
    head = [INFO.column("department").header(lang), phrase("file", lang), phrase("errors", lang),
            phrase("warnings", lang)]
    doc.table(head, rows, [40, 20, 20, 20], align=["left", "right", "right", "right"])
    if outline.issues:
        doc.heading(phrase("general_issues", lang), 2)
        issues_table(doc, outline.issues)


def submissions(doc: ReportDoc, departments: Sequence[DepartmentLine], outline: PeriodOutline) -> None:
    lang = doc.lang
    doc.heading(phrase("submissions", lang), 1)
    rows: list[list[Any]] = [[sanitize(name), Styled(phrase("missing", lang), color=RED, bold=True), ""]
                             for name in outline.missing]
    rows += [[sanitize(d.department), Styled(phrase("late", lang), color="B9770E", bold=True),
              fmt("info", "submitted_on", d.submitted_on, lang)] for d in departments if d.late]
    if not rows:
        doc.text(phrase("none", lang))
        return
    doc.table([INFO.column("department").header(lang), phrase("status", lang),
               INFO.column("submitted_on").header(lang)], rows, [40, 30, 30])
