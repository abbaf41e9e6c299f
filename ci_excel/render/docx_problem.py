"""One problem's pages in a department's report: its overview and the manual's deliverables for
steps 2-6 (root-cause report with 5-Why chains, fishbone and Pareto; scored solutions and plan;
progress with its Gantt chart; KPIs with their run charts over the stored periods; standards)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from ci_excel.compute import period_end, stage_key
from ci_excel.config import Config
from ci_excel.model import DepartmentResult, KpiHistory, Row
from ci_excel.render import figures as ch
from ci_excel.render.docx_base import ReportDoc
from ci_excel.render.docx_format import fmt, headers, sheet_table, weights
from ci_excel.render.docx_kpi import kpi_bars, kpi_runs, met_emphasis
from ci_excel.render.docx_xml import Styled, Xml, runs_xml, sanitize
from ci_excel.render.style import GREEN, GREY, NAVY, RED
from ci_excel.schema import FISHBONE, STEPS, Lang, column_label, enum_label
from ci_excel.scoring import flag_label, group_by
from ci_excel.text import clause_sep, list_sep, phrase, pick


class ProblemIndex:
    """The department's rows grouped by problem (and actions by solution)."""

    def __init__(self, dept: DepartmentResult) -> None:
        self.by: dict[str, dict[Any, list[Row]]] = {}
        for sheet in ("why_chains", "fishbone", "solutions", "results", "standards", "root_causes"):
            self.by[sheet] = group_by(dept.rows(sheet), "problem_id")
        solution_problem = {s.get("solution_id"): s.get("problem_id") for s in dept.rows("solutions")}
        self.by["actions"] = group_by(
            [{**a, "problem_id": solution_problem.get(a.get("solution_id"))} for a in dept.rows("actions")],
            "problem_id",
        )
        self.verification = group_by(dept.rows("verification"), "root_cause_id")
        self.progress = {p.get("action_id"): p for p in dept.rows("progress")}

    def rows(self, sheet: str, problem_id: Any) -> list[Row]:
        return self.by[sheet].get(problem_id, [])


def problem_section(
    doc: ReportDoc,
    problem: Row,
    index: ProblemIndex,
    period: str,
    config: Config | None,
    history: KpiHistory,
    bookmark: str,
) -> None:
    lang = doc.lang
    pid = problem.get("problem_id")
    doc.page_break()  # each problem starts a page: it can be handed on by itself
    doc.heading(
        phrase("problem_heading", lang, id=sanitize(pid)) + " " + sanitize(problem.get("issue") or ""),
        1,
        bookmark=bookmark,
    )
    overview(doc, problem)
    root_cause_report(doc, problem, index)
    plan(doc, problem, index, config)
    progress(doc, problem, index, period)
    results(doc, problem, index, history, period)
    standards(doc, problem, index)


def overview(doc: ReportDoc, problem: Row) -> None:
    lang = doc.lang
    flags = problem.get("flags") or []
    rows: list[list[Any]] = [
        [column_label("problems", k, lang), fmt("problems", k, problem.get(k), lang)]
        for k in ("statement", "trigger", "scope", "priority", "stage", "owner", "identified_on", "progress")
    ]
    if problem.get("metric"):
        current = fmt("problems", "current_value", problem.get("current_value"), lang)
        benchmark = fmt("problems", "benchmark_value", problem.get("benchmark_value"), lang)
        metric = f"{sanitize(problem['metric'])}: {current} → {benchmark}"
        rows.append([column_label("problems", "metric", lang), metric])
    if flags:
        joined = list_sep(lang).join(_flag(f, lang) for f in flags)
        rows.append([column_label("problems", "flags", lang), Styled(joined, color=RED, bold=True)])
    doc.table([phrase("overview", lang), sanitize(problem.get("problem_id"))], rows, [22, 78])


def _flag(key: str, lang: Lang) -> str:
    try:
        return flag_label(key, lang)
    except KeyError:
        return sanitize(key)


def _not_yet(doc: ReportDoc, problem: Row) -> None:
    stage = enum_label("problems", "stage", stage_key(problem.get("stage")), doc.lang)
    doc.text(phrase("not_yet", doc.lang, stage=stage), color=GREY)


def _step_heading(doc: ReportDoc, step: int) -> None:
    lang = doc.lang
    zh, _, deliverable_zh, deliverable_en = STEPS[step]
    label = phrase("step_n", lang, n=step)
    doc.heading(pick(lang, f"{label} {zh} {deliverable_zh}", f"{label}: {deliverable_en}"), 2)


def root_cause_report(doc: ReportDoc, problem: Row, index: ProblemIndex) -> None:
    lang = doc.lang
    pid = problem.get("problem_id")
    _step_heading(doc, 2)
    chains, causes = index.rows("why_chains", pid), index.rows("fishbone", pid)
    roots = index.rows("root_causes", pid)
    methods = [phrase(m, lang) for m, rows in (("method_5why", chains), ("method_fishbone", causes)) if rows]
    if not methods:
        _not_yet(doc, problem)
        return
    doc.label_value(phrase("method", lang), " + ".join(methods))
    for chain in chains:
        why_chain(doc, problem, chain)
    if len(causes) == 1:  # one cause is a sentence, not a diagram
        cause = causes[0]
        doc.label_value(
            enum_label("fishbone", "category", cause.get("category"), lang),
            " / ".join(sanitize(cause.get(k)) for k in ("cause", "sub_cause") if cause.get(k)),
        )
    elif causes:
        effect = f"{sanitize(pid)} {sanitize(problem.get('issue') or problem.get('statement') or '')}"
        data = ch.FishboneData(
            effect,
            tuple(
                ch.Cause(
                    c.get("category") or "",
                    sanitize(c.get("cause")),
                    sanitize(c.get("sub_cause") or ""),
                    bool(c.get("is_root")),
                )
                for c in causes
                if c.get("category") in FISHBONE.by_key
            ),
        )
        doc.figure(data, f"{phrase('fishbone', lang)} · {sanitize(pid)}")
        freq = [(sanitize(c.get("cause")), float(c["frequency"])) for c in causes if c.get("frequency")]
        if len(freq) >= 3:  # ranking fewer than three causes tells a manager nothing the table does not
            doc.figure(ch.ParetoData(tuple(freq)), f"{phrase('pareto', lang)} · {sanitize(pid)}")
    if roots:
        verification(doc, roots, index)


def why_chain(doc: ReportDoc, problem: Row, chain: Row) -> None:
    """The 5-Why chain as a chain: problem → why 1 → … → root cause."""
    lang = doc.lang
    steps = [sanitize(chain.get(f"why_{i}")) for i in range(1, 6) if chain.get(f"why_{i}")]
    runs = [
        runs_xml(f"{sanitize(chain.get('root_cause_id'))}  ", bold=True),
        runs_xml(sanitize(problem.get("issue") or ""), color=NAVY),
    ]
    for n, step in enumerate(steps, 1):
        runs += [
            runs_xml("  →  ", color=GREY),
            runs_xml(f"{column_label('why_chains', f'why_{n}', lang)}: "),
            runs_xml(step),
        ]
    runs += [
        runs_xml("  ⇒  ", color=RED, bold=True),
        runs_xml(
            f"{column_label('why_chains', 'root_cause', lang)}: {sanitize(chain.get('root_cause'))}",
            bold=True,
            color=RED,
        ),
    ]
    doc.paragraph(*runs, extra=Xml('<w:ind w:left="284"/>'))


def verification(doc: ReportDoc, roots: Sequence[Row], index: ProblemIndex) -> None:
    lang = doc.lang
    doc.text(phrase("verification", lang), bold=True)
    rows = []
    for root in roots:
        checks = index.verification.get(root.get("root_cause_id")) or [{}]
        for check in checks:
            rows.append(
                {
                    **check,
                    "root_cause_id": root.get("root_cause_id"),
                    "root_cause": root.get("root_cause"),
                    "conclusion": check.get("conclusion") or root.get("verified"),
                }
            )
    keys = ["root_cause_id", "method", "evidence", "sample_size", "support_share", "conclusion"]
    body = [
        [
            fmt("root_causes", "root_cause_id", r["root_cause_id"], lang) + "\n" + sanitize(r.get("root_cause")),
            *(_conclusion(r, k, lang) for k in keys[1:]),
        ]
        for r in rows
    ]
    head = [column_label("root_causes", "root_cause", lang), *(column_label("verification", k, lang) for k in keys[1:])]
    doc.table(head, body, [26, 11, 30, 9, 9, 11], align=["left", "left", "left", "right", "right", "left"])


def _conclusion(row: Row, key: str, lang: Lang) -> Any:
    text = fmt("verification", key, row.get(key), lang)
    if key == "conclusion":
        color = {"confirmed": GREEN, "rejected": RED}.get(row.get(key) or "")
        return Styled(text or "—", color=color or (GREY if not text else None), bold=bool(color))
    return text


def plan(doc: ReportDoc, problem: Row, index: ProblemIndex, config: Config | None) -> None:
    lang = doc.lang
    pid = problem.get("problem_id")
    _step_heading(doc, 3)
    solutions = sorted(index.rows("solutions", pid), key=lambda s: s.get("rank") or 99)
    threshold = f"{(config or Config()).threshold:g}"
    if not solutions:
        _not_yet(doc, problem)
        return
    doc.text(phrase("candidates", lang) + " — " + phrase("threshold_note", lang, threshold=threshold), bold=True)
    keys = [
        "solution_id",
        "description",
        "category",
        "effectiveness",
        "feasibility",
        "cost",
        "risk",
        "score",
        "passes",
        "rank",
        "selected",
    ]
    sheet_table(doc, "solutions", keys, solutions, emphasis=_solution_emphasis)
    best = next((s for s in solutions if s.get("recommended")), None)
    if best:
        doc.label_value(
            phrase("recommendation", lang),
            f"{sanitize(best.get('solution_id'))} {sanitize(best.get('description'))}"
            f" ({fmt('solutions', 'score', best.get('score'), lang)})",
        )
    else:
        doc.text(phrase("no_recommendation", lang, threshold=threshold), color=RED)
    actions = index.rows("actions", pid)
    if actions:
        doc.text(phrase("plan", lang), bold=True)
        sheet_table(doc, "actions", ["action_id", "what", "who", "how", "start_on", "due_on", "deliverable"], actions)


def _solution_emphasis(row: Row, key: str) -> Styled | None:
    if key == "passes":
        passed = bool(row.get("passes"))
        return Styled("✓" if passed else "✗", color=GREEN if passed else RED, bold=True)
    if key == "solution_id" and row.get("recommended"):
        return Styled(f"{sanitize(row.get('solution_id'))} ★", bold=True, color=GREEN)
    return None


def overdue_emphasis(row: Row, key: str) -> Styled | None:
    if key == "days_overdue" and row.get("overdue"):
        return Styled(str(row.get("days_overdue") or ""), color=RED, bold=True)
    return None


def progress(doc: ReportDoc, problem: Row, index: ProblemIndex, period: str) -> None:
    lang = doc.lang
    _step_heading(doc, 4)
    actions = index.rows("actions", problem.get("problem_id"))
    if not actions:
        _not_yet(doc, problem)
        return
    bars = []
    for a in actions:
        if isinstance(a.get("start_on"), date) and isinstance(a.get("due_on"), date):
            finished = (index.progress.get(a.get("action_id")) or {}).get("finished_on")
            bars.append(
                ch.GanttBar(
                    f"{sanitize(a.get('action_id'))} {sanitize(a.get('what'))}",
                    a["start_on"],
                    a["due_on"],
                    finished if isinstance(finished, date) else None,
                    a.get("percent_done"),
                    a.get("status"),
                    a.get("days_overdue") if a.get("overdue") else None,
                )
            )
    if len(bars) >= 2:  # a single action's dates are in the table below; a chart adds nothing
        doc.figure(
            ch.GanttData(tuple(bars), period_end(period)),
            f"{phrase('gantt', lang)} · {sanitize(problem.get('problem_id'))}",
        )
    rows = [
        {
            **a,
            **{
                k: v
                for k, v in (index.progress.get(a.get("action_id")) or {}).items()
                if k in ("finished_on", "blockers")
            },
        }
        for a in actions
    ]
    keys = ["action_id", "status", "percent_done", "due_on", "days_overdue", "days_late"]
    body = [
        [
            *(_progress_cell(r, k, lang) for k in keys),
            fmt("progress", "finished_on", r.get("finished_on"), lang),
            sanitize(r.get("blockers") or ""),
        ]
        for r in rows
    ]
    head = [
        *headers("actions", keys, lang),
        column_label("progress", "finished_on", lang),
        column_label("progress", "blockers", lang),
    ]
    doc.table(
        head,
        body,
        [*weights("actions", keys), 12, 24],
        align=["left", "left", "right", "left", "right", "right", "left", "left"],
    )


def _progress_cell(row: Row, key: str, lang: Lang) -> Any:
    if key == "days_overdue":
        return Styled(str(row.get("days_overdue")), color=RED, bold=True) if row.get("overdue") else ""
    if key == "days_late":
        return str(row.get("days_late")) if row.get("late") else ""
    return fmt("actions", key, row.get(key), lang)


def results(doc: ReportDoc, problem: Row, index: ProblemIndex, history: KpiHistory, period: str) -> None:
    lang = doc.lang
    _step_heading(doc, 5)
    kpis = index.rows("results", problem.get("problem_id"))
    if not kpis:
        _not_yet(doc, problem)
        return
    doc.figure(kpi_bars(kpis), f"{phrase('kpi_chart', lang)} · {sanitize(problem.get('problem_id'))}")
    runs = kpi_runs(problem, kpis, history, period)
    if runs:
        doc.figure(ch.KpiRunsData(runs), f"{phrase('kpi_history', lang)} · {sanitize(problem.get('problem_id'))}")
    keys = [
        "kpi",
        "unit",
        "direction",
        "baseline",
        "target",
        "actual",
        "achievement",
        "improvement",
        "met",
        "annual_benefit",
    ]
    sheet_table(doc, "results", keys, kpis, emphasis=met_emphasis(lang))


def standards(doc: ReportDoc, problem: Row, index: ProblemIndex) -> None:
    lang = doc.lang
    _step_heading(doc, 6)
    rows = index.rows("standards", problem.get("problem_id"))
    if not rows:
        _not_yet(doc, problem)
        return
    sheet_table(doc, "standards", ["kind", "document", "effective_on", "rollout_scope", "closed"], rows)
    lessons = [sanitize(r.get("lessons")) for r in rows if r.get("lessons")]
    if lessons:
        doc.label_value(phrase("lessons", lang), clause_sep(lang).join(lessons))
