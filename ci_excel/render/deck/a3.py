"""The A3 one-pager of a P1 problem on one slide, in the classic layout: on the left background,
current condition and target, root-cause analysis; on the right countermeasures, plan, follow-up.
Every block is fitted to its box: what does not fit is shortened with "…" or counted ("… N more").
"""

from __future__ import annotations

from ci_excel.render.deck.a3_content import A3Page
from ci_excel.render.deck.layout import BODY_H, BODY_TOP, BODY_W, GREY, MARGIN, RED, Cell, Deck, Rect
from ci_excel.schema import column_label
from ci_excel.text import list_sep, phrase

GAP = 12.0
BAND_H = 18.0
COL_W = (BODY_W - GAP) / 2
SIZE = 10.0
# (phrase key, share of the column's height) top to bottom
LEFT = (("a3_background", 0.22), ("a3_current", 0.30), ("a3_analysis", 0.48))
RIGHT = (("a3_countermeasures", 0.27), ("a3_plan", 0.43), ("a3_followup", 0.30))
STATUS_H = 18.0


def a3_slide(deck: Deck, page: A3Page) -> None:
    lang = deck.lang
    slide = deck.slide(phrase("a3_title", lang, department=page.department, id=page.problem_id))
    joiner = list_sep(lang)
    status = "   ".join(
        f"{column_label('problems', k, lang)}: {v}"
        for k, v in (("owner", page.owner), ("stage", page.stage), ("progress", page.progress))
        if v
    )
    if page.flags:
        status += f"   {column_label('problems', 'flags', lang)}: {joiner.join(page.flags)}"
    deck.text(
        slide,
        Rect(MARGIN, BODY_TOP - 4.0, BODY_W, STATUS_H),
        status,
        size=10.0,
        color=RED if page.off_track else GREY,
        bold=page.off_track,
        max_lines=1,
    )
    top = BODY_TOP + STATUS_H
    height = BODY_H - STATUS_H + 4.0
    for column, blocks in enumerate((LEFT, RIGHT)):
        left, y = MARGIN + column * (COL_W + GAP), top
        for key, share in blocks:
            box = share * height
            deck.band(slide, Rect(left, y, COL_W, BAND_H), phrase(key, lang), size=10.0)
            _BLOCKS[key](deck, slide, Rect(left, y + BAND_H + 2.0, COL_W, box - BAND_H - 6.0), page)
            y += box


def _background(deck: Deck, slide: object, rect: Rect, page: A3Page) -> None:
    deck.lines(
        slide, rect, [Cell(page.statement)] + ([Cell(page.metric, color=GREY)] if page.metric else []), size=SIZE
    )


def _current(deck: Deck, slide: object, rect: Rect, page: A3Page) -> None:
    lang = deck.lang
    head = [column_label("results", k, lang) for k in ("kpi", "baseline", "target", "actual")]
    rows = [[name, baseline, target, actual] for name, baseline, target, actual, *_ in page.kpis]
    deck.grid(slide, rect, head, rows, [40, 20, 20, 20], size=SIZE, max_lines=1, align=["left", *["right"] * 3])


def _analysis(deck: Deck, slide: object, rect: Rect, page: A3Page) -> None:
    lang = deck.lang
    items = []
    for chain in page.whys:  # the root cause first: a long chain is cut, its conclusion is not
        items.append(Cell(f"{phrase('root_cause_n', lang)}: {chain[-1]}", bold=True, color=RED))
        items.append(Cell(f"{phrase('why_chain', lang)}: " + " → ".join(chain[:-1])))
    items += [
        Cell(
            f"[{category}] {cause}" + (f" ({phrase('root_mark', lang)})" if root else ""),
            bold=root,
            color=RED if root else None,
        )
        for category, cause, root in page.causes
    ]
    deck.lines(slide, rect, items, size=SIZE)


def _countermeasures(deck: Deck, slide: object, rect: Rect, page: A3Page) -> None:
    lang = deck.lang
    items = [
        Cell(
            f"{sid} · {phrase('score_n', lang, n=score)} · "  # the score first: a long description is cut
            + phrase("selected_mark" if selected else "recommended_mark", lang)
            + f" · {description}"
        )
        for sid, description, score, selected in page.solutions
    ]
    deck.lines(slide, rect, items, size=SIZE)


def _plan(deck: Deck, slide: object, rect: Rect, page: A3Page) -> None:
    lang = deck.lang
    head = [column_label("actions", k, lang) for k in ("what", "who", "due_on", "status", "percent_done")]
    rows = [
        [what, who, due, Cell(status, bold=late, color=RED if late else None), done]
        for what, who, due, status, done, late in page.actions
    ]
    deck.grid(
        slide,
        rect,
        head,
        rows,
        [40, 15, 17, 15, 13],
        size=SIZE,
        max_lines=1,
        align=["left", "left", "left", "left", "right"],
    )


def _followup(deck: Deck, slide: object, rect: Rect, page: A3Page) -> None:
    lang = deck.lang
    achievement = column_label("results", "achievement", lang)
    items = [
        Cell(
            f"{name}: {achievement} {value or '-'}" + (" ✓" if met else " ✗" if met is False else ""),
            color=None if met is not False else RED,
        )
        for name, *_, value, _measured, met in page.kpis
    ]
    items += [Cell(" · ".join(v for v in standard if v)) for standard in page.standards]
    if page.lessons:
        items.append(Cell(f"{column_label('standards', 'lessons', lang)}: {page.lessons}", color=GREY))
    deck.lines(slide, rect, items, size=SIZE)


_BLOCKS = {
    "a3_background": _background,
    "a3_current": _current,
    "a3_analysis": _analysis,
    "a3_countermeasures": _countermeasures,
    "a3_plan": _plan,
    "a3_followup": _followup,
}
