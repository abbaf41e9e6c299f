"""A department's monthly report: cover, contents, summary, the manual's deliverables per problem,
and the data-quality appendix. Labels come from the schema; report phrases from phrases.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from ci_excel.compute import period_end
from ci_excel.config import DEFAULT_MATRIX, Config
from ci_excel.model import DepartmentResult, KpiHistory, Row
from ci_excel.render import figures as ch
from ci_excel.render.docx_base import ReportDoc
from ci_excel.render.docx_format import fmt, headers, sheet_table, weights
from ci_excel.render.docx_xml import GREEN, RED, Styled, Xml, runs_xml, sanitize
from ci_excel.render.first_page import department_decisions, opening
from ci_excel.render.phrases import colon, list_sep, phrase
from ci_excel.schema import FISHBONE, INFO, PRIORITY, STAGE, STEPS, Lang, column_label, enum_label
from ci_excel.scoring import flag_label, group_by, priority_key


def stage_key(value: Any) -> str:
    """Stages arrive as 1..6 or "1".."6": the STAGE enum key."""
    return "" if value is None else str(value)


def matrix_cells(problems: Sequence[Row], config: Config | None) -> tuple[tuple[str, str, str], ...]:
    """Class of each impact x difficulty cell: the configured matrix, else the default, else what rows say."""
    matrix = {k: dict(v) for k, v in (config.matrix if config else DEFAULT_MATRIX).items()}
    if config is None:
        for p in problems:
            if p.get("impact") in matrix and p.get("difficulty") and p.get("priority"):
                matrix[p["impact"]][str(p["difficulty"])] = str(p["priority"])
    return tuple((i, d, c) for i, row in matrix.items() for d, c in row.items())


def build_department(doc: ReportDoc, dept: DepartmentResult, *, generated_on: date,
                     config: Config | None = None) -> None:
    lang = doc.lang
    contact = dept.info.get("contact") or ""
    problems = sorted(dept.rows("problems"), key=priority_key)
    anchors: dict[Any, str] = {}
    for n, p in enumerate(problems):
        anchors.setdefault(p.get("problem_id"), problem_bookmark(n))
    opening(doc, phrase("dept_report", lang), sanitize(dept.department), [
        (phrase("period", lang), dept.period),
        (phrase("date", lang), generated_on.isoformat()),
        (INFO.column("contact").header(lang), sanitize(contact)),
    ], department_decisions(dept, anchors, lang))
    doc.frame(f"{sanitize(dept.department)} · {dept.period}")
    summary(doc, dept, problems)
    register(doc, problems, config)
    index = _Index(dept)
    for n, problem in enumerate(problems):
        problem_section(doc, problem, index, dept.period, config, dept.kpi_history, problem_bookmark(n))
    appendix(doc, dept)


def problem_bookmark(n: int) -> str:
    """The bookmark on the n-th problem's section (page 1 links to it)."""
    return f"_Toc_ci_problem{n}"


class _Index:
    """The department's rows grouped by problem (and actions by solution)."""

    def __init__(self, dept: DepartmentResult) -> None:
        self.by: dict[str, dict[Any, list[Row]]] = {}
        for sheet in ("why_chains", "fishbone", "solutions", "results", "standards", "root_causes"):
            self.by[sheet] = group_by(dept.rows(sheet), "problem_id")
        solution_problem = {s.get("solution_id"): s.get("problem_id") for s in dept.rows("solutions")}
        self.by["actions"] = group_by([{**a, "problem_id": solution_problem.get(a.get("solution_id"))}
                                       for a in dept.rows("actions")], "problem_id")
        self.verification = group_by(dept.rows("verification"), "root_cause_id")
        self.progress = {p.get("action_id"): p for p in dept.rows("progress")}

    def rows(self, sheet: str, problem_id: Any) -> list[Row]:
        return self.by[sheet].get(problem_id, [])


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
        *_kv_runs(phrase("kpis_met", lang), f"{met}/{len(results)}", lang=lang))
    doc.heading(phrase("by_stage_priority", lang), 2)
    stage_priority_table(doc, stage_priority_counts(problems))
    doc.heading(phrase("overdue_actions", lang), 2)
    if overdue:
        sheet_table(doc, "actions", ["action_id", "what", "who", "due_on", "status", "days_overdue"], overdue,
                    emphasis=_overdue_emphasis)
    else:
        doc.text(phrase("none", lang))
    doc.heading(phrase("kpis_met", lang), 2)
    if results:
        sheet_table(doc, "results", ["problem_id", "kpi", "baseline", "target", "actual", "achievement", "met"],
                    results, emphasis=_met_emphasis(lang))
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
    rows.append([Styled(phrase("total", lang), bold=True), *(Styled(str(v), bold=True) for v in totals),
                 Styled(str(sum(totals)), bold=True)])
    head = [column_label("problems", "stage", lang), *(PRIORITY.label(k, lang) for k in priorities),
            phrase("total", lang)]
    doc.table(head, rows, [16, 12, 12, 12, 12, 8], align=["left", *["center"] * 5])


def register(doc: ReportDoc, problems: Sequence[Row], config: Config | None) -> None:
    """Step 1's deliverable: statement, scope, priority, channel, owner, sorted by priority."""
    lang = doc.lang
    doc.heading(STEPS[1][2 if lang == "zh" else 3], 1)
    if not problems:
        doc.text(phrase("no_data", lang))
        return
    sheet_table(doc, "problems", ["problem_id", "statement", "scope", "priority", "channel", "owner", "stage"],
                problems)
    points = tuple((sanitize(p.get("problem_id")), p.get("impact") or "", p.get("difficulty") or "") for p in problems)
    doc.figure(ch.MatrixData(points, matrix_cells(problems, config)), phrase("priority_matrix", lang))


# ---- one problem ----------------------------------------------------------------------------


def problem_section(doc: ReportDoc, problem: Row, index: _Index, period: str, config: Config | None,
                    history: KpiHistory, bookmark: str) -> None:
    lang = doc.lang
    pid = problem.get("problem_id")
    doc.page_break()  # each problem starts a page: it can be handed on by itself
    doc.heading(phrase("problem_heading", lang, id=sanitize(pid)) + " " + sanitize(problem.get("issue") or ""), 1,
                bookmark=bookmark)
    overview(doc, problem)
    root_cause_report(doc, problem, index)
    plan(doc, problem, index, config)
    progress(doc, problem, index, period)
    results(doc, problem, index, history, period)
    standards(doc, problem, index)


def overview(doc: ReportDoc, problem: Row) -> None:
    lang = doc.lang
    flags = problem.get("flags") or []
    rows: list[list[Any]] = [[column_label("problems", k, lang), fmt("problems", k, problem.get(k), lang)]
            for k in ("statement", "trigger", "scope", "priority", "stage", "owner", "identified_on", "progress")]
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
    doc.text(phrase("not_yet", doc.lang, stage=stage), color="7F8C8D")


def _step_heading(doc: ReportDoc, step: int) -> None:
    lang = doc.lang
    name, deliverable = (STEPS[step][0], STEPS[step][2]) if lang == "zh" else (STEPS[step][1], STEPS[step][3])
    doc.heading(f"{phrase('step_n', lang, n=step)} {name} {deliverable}" if lang == "zh"
                else f"{phrase('step_n', lang, n=step)}: {deliverable}", 2)


def root_cause_report(doc: ReportDoc, problem: Row, index: _Index) -> None:
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
        doc.label_value(enum_label("fishbone", "category", cause.get("category"), lang),
                        " / ".join(sanitize(cause.get(k)) for k in ("cause", "sub_cause") if cause.get(k)))
    elif causes:
        effect = f"{sanitize(pid)} {sanitize(problem.get('issue') or problem.get('statement') or '')}"
        data = ch.FishboneData(effect, tuple(ch.Cause(c.get("category") or "", sanitize(c.get("cause")),
                                                      sanitize(c.get("sub_cause") or ""), bool(c.get("is_root")))
                                             for c in causes if c.get("category") in FISHBONE.by_key))
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
    runs = [runs_xml(f"{sanitize(chain.get('root_cause_id'))}  ", bold=True),
            runs_xml(sanitize(problem.get("issue") or ""), color="1F4E79")]
    for n, step in enumerate(steps, 1):
        runs += [runs_xml("  →  ", color="7F8C8D"), runs_xml(f"{column_label('why_chains', f'why_{n}', lang)}: "),
                 runs_xml(step)]
    runs += [runs_xml("  ⇒  ", color=RED, bold=True),
             runs_xml(f"{column_label('why_chains', 'root_cause', lang)}: {sanitize(chain.get('root_cause'))}",
                      bold=True, color=RED)]
    doc.paragraph(*runs, extra=Xml('<w:ind w:left="284"/>'))


def verification(doc: ReportDoc, roots: Sequence[Row], index: _Index) -> None:
    lang = doc.lang
    doc.text(phrase("verification", lang), bold=True)
    rows = []
    for root in roots:
        checks = index.verification.get(root.get("root_cause_id")) or [{}]
        for check in checks:
            rows.append({**check, "root_cause_id": root.get("root_cause_id"), "root_cause": root.get("root_cause"),
                         "conclusion": check.get("conclusion") or root.get("verified")})
    keys = ["root_cause_id", "method", "evidence", "sample_size", "support_share", "conclusion"]
    body = [[fmt("root_causes", "root_cause_id", r["root_cause_id"], lang) + "\n" + sanitize(r.get("root_cause")),
             *(_conclusion(r, k, lang) for k in keys[1:])] for r in rows]
    head = [column_label("root_causes", "root_cause", lang), *(column_label("verification", k, lang) for k in keys[1:])]
    doc.table(head, body, [26, 11, 30, 9, 9, 11], align=["left", "left", "left", "right", "right", "left"])


def _conclusion(row: Row, key: str, lang: Lang) -> Any:
    text = fmt("verification", key, row.get(key), lang)
    if key == "conclusion":
        color = {"confirmed": GREEN, "rejected": RED}.get(row.get(key) or "")
        return Styled(text or "—", color=color or ("7F8C8D" if not text else None), bold=bool(color))
    return text


def plan(doc: ReportDoc, problem: Row, index: _Index, config: Config | None) -> None:
    lang = doc.lang
    pid = problem.get("problem_id")
    _step_heading(doc, 3)
    solutions = sorted(index.rows("solutions", pid), key=lambda s: s.get("rank") or 99)
    threshold = f"{(config or Config()).threshold:g}"
    if not solutions:
        _not_yet(doc, problem)
        return
    doc.text(phrase("candidates", lang) + " — " + phrase("threshold_note", lang, threshold=threshold), bold=True)
    keys = ["solution_id", "description", "category", "effectiveness", "feasibility", "cost", "risk", "score",
            "passes", "rank", "selected"]
    sheet_table(doc, "solutions", keys, solutions, emphasis=_solution_emphasis)
    best = next((s for s in solutions if s.get("recommended")), None)
    if best:
        doc.label_value(phrase("recommendation", lang),
                        f"{sanitize(best.get('solution_id'))} {sanitize(best.get('description'))}"
                        f" ({fmt('solutions', 'score', best.get('score'), lang)})")
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


def _overdue_emphasis(row: Row, key: str) -> Styled | None:
    if key == "days_overdue" and row.get("overdue"):
        return Styled(str(row.get("days_overdue") or ""), color=RED, bold=True)
    return None


def progress(doc: ReportDoc, problem: Row, index: _Index, period: str) -> None:
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
            bars.append(ch.GanttBar(f"{sanitize(a.get('action_id'))} {sanitize(a.get('what'))}", a["start_on"],
                                    a["due_on"], finished if isinstance(finished, date) else None,
                                    a.get("percent_done"), a.get("status"),
                                    a.get("days_overdue") if a.get("overdue") else None))
    if len(bars) >= 2:  # a single action's dates are in the table below; a chart adds nothing
        doc.figure(ch.GanttData(tuple(bars), period_end(period)), f"{phrase('gantt', lang)} · "
                   f"{sanitize(problem.get('problem_id'))}")
    rows = [{**a, **{k: v for k, v in (index.progress.get(a.get("action_id")) or {}).items()
                     if k in ("finished_on", "blockers")}} for a in actions]
    keys = ["action_id", "status", "percent_done", "due_on", "days_overdue", "days_late"]
    body = [[*(_progress_cell(r, k, lang) for k in keys), fmt("progress", "finished_on", r.get("finished_on"), lang),
             sanitize(r.get("blockers") or "")] for r in rows]
    head = [*headers("actions", keys, lang), column_label("progress", "finished_on", lang),
            column_label("progress", "blockers", lang)]
    doc.table(head, body, [*weights("actions", keys), 12, 24],
              align=["left", "left", "right", "left", "right", "right", "left", "left"])


def _progress_cell(row: Row, key: str, lang: Lang) -> Any:
    if key == "days_overdue":
        return Styled(str(row.get("days_overdue")), color=RED, bold=True) if row.get("overdue") else ""
    if key == "days_late":
        return str(row.get("days_late")) if row.get("late") else ""
    return fmt("actions", key, row.get(key), lang)


def kpi_runs(problem: Row, kpis: Sequence[Row], history: KpiHistory, period: str) -> tuple[ch.KpiRun, ...]:
    """Each KPI measured in an earlier stored period, over those periods and this one."""
    slipped = "gain_not_held" in (problem.get("flags") or ())
    runs = []
    for k in kpis:
        earlier = [p for p in history.get((str(problem.get("problem_id")), str(k.get("kpi"))), ()) if p.period < period]
        if not any(p.actual is not None for p in earlier):
            continue
        periods = (*(p.period for p in earlier), period)
        actual = (*(p.actual for p in earlier), _num(k.get("actual")))
        target = (*(p.target for p in earlier), _num(k.get("target")))
        runs.append(ch.KpiRun(sanitize(k.get("kpi")), sanitize(k.get("unit") or ""), periods, actual, target,
                              slipped and k.get("met") is False))
    return tuple(runs)


def results(doc: ReportDoc, problem: Row, index: _Index, history: KpiHistory, period: str) -> None:
    lang = doc.lang
    _step_heading(doc, 5)
    kpis = index.rows("results", problem.get("problem_id"))
    if not kpis:
        _not_yet(doc, problem)
        return
    data = ch.KpiData(tuple(ch.KpiBar(sanitize(k.get("kpi")), sanitize(k.get("unit") or ""), _num(k.get("baseline")),
                                      _num(k.get("target")), _num(k.get("actual")), _num(k.get("achievement")),
                                      k.get("met")) for k in kpis))
    doc.figure(data, f"{phrase('kpi_chart', lang)} · {sanitize(problem.get('problem_id'))}")
    runs = kpi_runs(problem, kpis, history, period)
    if runs:
        doc.figure(ch.KpiRunsData(runs), f"{phrase('kpi_history', lang)} · {sanitize(problem.get('problem_id'))}")
    keys = ["kpi", "unit", "direction", "baseline", "target", "actual", "achievement", "improvement", "met",
            "annual_benefit"]
    sheet_table(doc, "results", keys, kpis, emphasis=_met_emphasis(lang))


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _met_emphasis(lang: Lang) -> Any:
    def emphasis(row: Row, key: str) -> Styled | None:
        if key == "met" and row.get("met") is not None:
            return Styled(fmt("results", "met", row.get("met"), lang), color=GREEN if row["met"] else RED, bold=True)
        return None

    return emphasis


def standards(doc: ReportDoc, problem: Row, index: _Index) -> None:
    lang = doc.lang
    _step_heading(doc, 6)
    rows = index.rows("standards", problem.get("problem_id"))
    if not rows:
        _not_yet(doc, problem)
        return
    sheet_table(doc, "standards", ["kind", "document", "effective_on", "rollout_scope", "closed"], rows)
    lessons = [sanitize(r.get("lessons")) for r in rows if r.get("lessons")]
    if lessons:
        doc.label_value(phrase("lessons", lang), ";".join(lessons) if lang == "zh" else "; ".join(lessons))


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
        severity = Styled(phrase("error" if i.is_error else "warning", lang), color=RED if i.is_error else "B9770E",
                          bold=True)
        where = " ".join(sanitize(x) for x in (i.sheet, i.cell) if x)
        rows.append([*([sanitize(i.department)] if with_department else []), severity,
                     sanitize(i.file.rsplit("/", 1)[-1]), where, sanitize(i.column), sanitize(i.message(lang))])
    head = [*([INFO.column("department").header(lang)] if with_department else []), phrase("severity", lang),
            phrase("file", lang), f"{phrase('sheet', lang)}/{phrase('cell', lang)}",
            phrase("column", lang), phrase("message", lang)]
    doc.table(head, rows, [*([14] if with_department else []), 8, 18, 14, 12, 44])

