"""Page 1 of every report: a title block, then the few facts that need a manager's decision, each
with a link to the section that explains it; the contents follow on page 2.

What needs a decision (SPEC section 5, chosen here where it is silent): P1 problems not on track
(`scoring.off_track`), gains not held, the most overdue actions with owner and days, KPIs missed,
and, in the portfolio, departments missing or late. The list is capped so it fits the page; the
sections it links to hold every item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ci_excel.model import DepartmentResult, Row
from ci_excel.render.docx_base import ReportDoc
from ci_excel.render.docx_format import fmt
from ci_excel.render.docx_xml import LINK, Styled, Xml, sanitize
from ci_excel.render.style import GREEN, RED
from ci_excel.schema import Lang
from ci_excel.scoring import FLAGS, flag_label, off_track, priority_key
from ci_excel.text import list_sep, phrase

FIRST_PAGE_ROWS = 12  # what fits under the title block on an A4 page


@dataclass(frozen=True)
class Decision:
    """One fact that needs a decision: its kind (a phrase key), what, who, the figure, and the
    bookmark of the section that explains it."""

    kind: str
    what: str
    owner: str
    detail: str
    anchor: str


def opening(
    doc: ReportDoc, title: str, subtitle: str, lines: Sequence[tuple[str, str]], decisions: Sequence[Decision]
) -> None:
    """Page 1 (title block and decisions), then the contents on page 2; the body starts on page 3."""
    doc.text(title, style="Title")
    doc.text(subtitle, style="Subtitle")
    last = len(lines) - 1
    runs = [doc.label_runs(label, value, "" if n == last else "    ") for n, (label, value) in enumerate(lines)]
    doc.paragraph(*(run for pair in runs for run in pair), style="Caption")
    decisions_block(doc, decisions)
    doc.text(phrase("generated_by", doc.lang), style="Caption")
    doc.page_break()
    doc.toc()
    doc.page_break()


def decisions_block(doc: ReportDoc, decisions: Sequence[Decision]) -> None:
    lang = doc.lang
    doc.paragraph(
        doc.run(phrase("for_decision", lang), bold=True, size=13, color=LINK),
        extra=Xml('<w:keepNext/><w:spacing w:before="360" w:after="120"/>'),
    )
    if not decisions:
        doc.text(phrase("nothing_to_decide", lang), color=GREEN, bold=True)
        return
    shown = decisions[:FIRST_PAGE_ROWS]
    rows = [
        [
            Styled(phrase(d.kind, lang), color=RED, bold=True),
            d.what,
            d.owner,
            d.detail,
            Styled(phrase("see_section", lang, section=doc.section_ref(d.anchor)), color=LINK, link=d.anchor),
        ]
        for d in shown
    ]
    head = [
        phrase("decision_kind", lang),
        phrase("decision_what", lang),
        phrase("owner", lang),
        phrase("decision_detail", lang),
        phrase("see", lang),
    ]
    doc.table(head, rows, [16, 40, 12, 20, 12])
    if len(decisions) > len(shown):
        doc.text(phrase("more_n", lang, n=len(decisions) - len(shown)), style="Caption")


# ---- a department's decisions ------------------------------------------------------------------


def department_decisions(dept: DepartmentResult, anchors: Mapping[Any, str], lang: Lang) -> list[Decision]:
    """P1 problems not on track, gains not held, overdue actions (most days first), KPIs missed."""
    problems = {p.get("problem_id"): p for p in dept.rows("problems")}
    solution_problem = {s.get("solution_id"): s.get("problem_id") for s in dept.rows("solutions")}
    out: list[Decision] = []
    for p in sorted(problems.values(), key=priority_key):
        if p.get("priority") == "P1" and off_track(p):
            out.append(
                Decision(
                    "p1_off_track",
                    _problem_text(p),
                    sanitize(p.get("owner")),
                    _flags(p, lang),
                    anchors.get(p.get("problem_id"), ""),
                )
            )
    missed = [r for r in dept.rows("results") if r.get("met") is False]
    lost = [r for r in missed if "gain_not_held" in (problems.get(r.get("problem_id")) or {}).get("flags", ())]
    for r in lost:
        out.append(_kpi_decision("gain_not_held", r, problems, anchors, lang))
    overdue = sorted(
        (a for a in dept.rows("actions") if a.get("overdue")),
        key=lambda a: (-(a.get("days_overdue") or 0), str(a.get("action_id"))),
    )
    for a in overdue:
        out.append(
            Decision(
                "overdue_action",
                f"{sanitize(a.get('action_id'))} {sanitize(a.get('what'))}",
                sanitize(a.get("who")),
                phrase("days_overdue_n", lang, n=a.get("days_overdue") or 0),
                anchors.get(solution_problem.get(a.get("solution_id")), ""),
            )
        )
    for r in missed:
        if r not in lost:
            out.append(_kpi_decision("kpi_missed", r, problems, anchors, lang))
    return out


def _flags(p: Row, lang: Lang) -> str:
    return list_sep(lang).join(flag_label(f, lang) for f in p.get("flags") or () if f in FLAGS)


def _problem_text(p: Row) -> str:
    return f"{sanitize(p.get('problem_id'))} {sanitize(p.get('issue') or p.get('statement') or '')}"


def _kpi_decision(
    kind: str, r: Row, problems: Mapping[object, Row], anchors: Mapping[Any, str], lang: Lang
) -> Decision:
    problem = problems.get(r.get("problem_id")) or {}
    actual = fmt("results", "actual", r.get("actual"), lang)
    target = fmt("results", "target", r.get("target"), lang)
    unit = sanitize(r.get("unit") or "")
    return Decision(
        kind,
        f"{sanitize(r.get('problem_id'))} {sanitize(r.get('kpi'))}",
        sanitize(problem.get("owner")),
        phrase("actual_vs_target", lang, actual=f"{actual}{unit}", target=f"{target}{unit}"),
        anchors.get(r.get("problem_id"), ""),
    )


# ---- the portfolio's decisions -----------------------------------------------------------------


def portfolio_decisions(
    p1_off: Iterable[tuple[str, Row]],
    overdue: Iterable[tuple[str, Row]],
    departments: Iterable[tuple[str, int, int]],
    missing: Sequence[str],
    late: Sequence[str],
    anchors: Mapping[Any, str],
    lang: Lang,
) -> list[Decision]:
    """P1 problems not on track, the most overdue actions, departments with gains not held or KPIs
    missed (department, gains not held, KPIs missed), departments missing or late."""
    out = [
        Decision(
            "p1_off_track",
            f"{sanitize(dept)} · {_problem_text(p)}",
            sanitize(p.get("owner")),
            _flags(p, lang),
            anchors["p1"],
        )
        for dept, p in p1_off
    ]
    for dept, lost, _ in departments:
        if lost:
            out.append(
                Decision("gain_not_held", sanitize(dept), "", phrase("n_problems", lang, n=lost), anchors["kpis"])
            )
    out += [
        Decision(
            "overdue_action",
            f"{sanitize(dept)} · {sanitize(a.get('action_id'))} {sanitize(a.get('what'))}",
            sanitize(a.get("who")),
            phrase("days_overdue_n", lang, n=a.get("days_overdue") or 0),
            anchors["overdue"],
        )
        for dept, a in overdue
    ]
    for dept, _, missed in departments:
        if missed:
            out.append(Decision("kpi_missed", sanitize(dept), "", phrase("n_kpis", lang, n=missed), anchors["kpis"]))
    out += [Decision("missing", sanitize(d), "", "", anchors["submissions"]) for d in missing]
    out += [Decision("late", sanitize(d), "", "", anchors["submissions"]) for d in late]
    return out
