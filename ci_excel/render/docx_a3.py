"""The A3 one-pager of each P1 problem as a page of the department's Word report: the same A3Page
values as the review deck's A3 slide (render/deck/a3_content.py), in a two-column table of the six
blocks (background, current condition and target, root-cause analysis | countermeasures, plan,
follow-up)."""

from __future__ import annotations

from ci_excel.model import DepartmentResult
from ci_excel.render.deck.a3_content import A3Page, deck_part
from ci_excel.render.docx_base import ReportDoc
from ci_excel.render.docx_xml import Styled
from ci_excel.render.style import RED
from ci_excel.schema import Lang, column_label
from ci_excel.text import phrase

BAND = "1F4E79"
MAX_ITEMS = 8  # lines per list in a block: the page stays one page


def a3_pages(doc: ReportDoc, dept: DepartmentResult) -> None:
    """A chapter of one page per P1 problem (none when the department has no P1 problem)."""
    for n, page in enumerate(deck_part(dept, doc.lang).a3):
        doc.page_break()
        if n == 0:
            doc.heading(phrase("a3_pages", doc.lang), 1)
        a3_page(doc, page)


def a3_page(doc: ReportDoc, page: A3Page) -> None:
    lang = doc.lang
    doc.heading(phrase("a3_heading", lang, id=page.problem_id), 2)  # the report is the department's
    status = "   ".join(
        f"{column_label('problems', k, lang)}: {v}"
        for k, v in (("owner", page.owner), ("stage", page.stage), ("progress", page.progress))
        if v
    )
    if page.flags:
        status += f"   {column_label('problems', 'flags', lang)}: {('、' if lang == 'zh' else ', ').join(page.flags)}"
    doc.text(status, bold=page.off_track, color=RED if page.off_track else None)
    left = [
        ("a3_background", _background(page)),
        ("a3_current", _current(page, lang)),
        ("a3_analysis", _analysis(page, lang)),
    ]
    right = [
        ("a3_countermeasures", _countermeasures(page, lang)),
        ("a3_plan", _plan(page, lang)),
        ("a3_followup", _followup(page, lang)),
    ]
    rows: list[list[str | Styled]] = []
    for (lkey, ltext), (rkey, rtext) in zip(left[1:], right[1:], strict=True):
        rows.append([_band(phrase(lkey, lang)), _band(phrase(rkey, lang))])
        rows.append([ltext or phrase("none", lang), rtext or phrase("none", lang)])
    doc.table(
        [phrase(left[0][0], lang), phrase(right[0][0], lang)],
        [[left[0][1], right[0][1] or phrase("none", lang)], *rows],
        [50, 50],
    )


def _band(text: str) -> Styled:
    return Styled(text, color="FFFFFF", bold=True, fill=BAND)


def _lines(items: list[str], lang: Lang) -> str:
    shown = items[:MAX_ITEMS]
    if len(items) > MAX_ITEMS:
        shown.append(phrase("more_n", lang, n=len(items) - MAX_ITEMS))
    return "\n".join(shown)


def _background(page: A3Page) -> str:
    return "\n".join(t for t in (page.statement, page.metric) if t)


def _current(page: A3Page, lang: Lang) -> str:
    names = [column_label("results", k, lang) for k in ("baseline", "target", "actual")]
    return _lines(
        [
            f"{kpi}: " + ", ".join(f"{n} {v or '-'}" for n, v in zip(names, values, strict=True))
            for kpi, *values, _ach, _on, _met in page.kpis
        ],
        lang,
    )


def _analysis(page: A3Page, lang: Lang) -> str:
    items = [
        f"{phrase('root_cause_n', lang)}: {chain[-1]}\n{phrase('why_chain', lang)}: " + " → ".join(chain[:-1])
        for chain in page.whys
    ]
    items += [
        f"[{category}] {cause}" + (f" ({phrase('root_mark', lang)})" if root else "")
        for category, cause, root in page.causes
    ]
    return _lines(items, lang)


def _countermeasures(page: A3Page, lang: Lang) -> str:
    return _lines(
        [
            f"{sid} · {phrase('score_n', lang, n=score)} · "
            + phrase("selected_mark" if selected else "recommended_mark", lang)
            + f" · {description}"
            for sid, description, score, selected in page.solutions
        ],
        lang,
    )


def _plan(page: A3Page, lang: Lang) -> str:
    return _lines(
        [
            " · ".join(v for v in (what, who, due, status, done) if v)
            + (f" ({phrase('legend_overdue', lang)})" if late else "")
            for what, who, due, status, done, late in page.actions
        ],
        lang,
    )


def _followup(page: A3Page, lang: Lang) -> str:
    achievement = column_label("results", "achievement", lang)
    items = [
        f"{kpi}: {achievement} {value or '-'}" + (" ✓" if met else " ✗" if met is False else "")
        for kpi, *_, value, _measured, met in page.kpis
    ]
    items += [" · ".join(v for v in standard if v) for standard in page.standards]
    if page.lessons:
        items.append(f"{column_label('standards', 'lessons', lang)}: {page.lessons}")
    return _lines(items, lang)
