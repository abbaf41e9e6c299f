"""The appendix: one slide per department (in name order) with its figures, its stage and priority mix
and its most overdue actions, from its digest and its DeckPart.

Each department's slide is made where its digest is, in its worker (`appendix_xml`, on a scratch
deck of the run's reference deck kept by the process), and waits as XML in the deck's spool; the
deck takes it with its number when it is written (`Deck.finished_slide`)."""

from __future__ import annotations

import hashlib
from typing import Any

from ci_excel.model import DepartmentDigest
from ci_excel.render.deck.a3_content import DeckPart
from ci_excel.render.deck.layout import (
    BODY_H,
    BODY_TOP,
    BODY_W,
    MARGIN,
    RED,
    Cell,
    Deck,
    Rect,
    drop_slides,
    line_rows_height,
)
from ci_excel.render.docx_format import fmt
from ci_excel.render.docx_xml import sanitize
from ci_excel.schema import INFO, PRIORITY, STAGE, Lang, column_label
from ci_excel.text import phrase

SIZE = 10.0
SLIDE_NUMBER = "\u27e6slide-number\u27e7"  # the slide's number, filled in by the deck
_SCRATCH: dict[tuple[str, str, str], Deck] = {}  # (language, footer, reference deck's digest) -> its deck


def appendix_xml(
    digest: DepartmentDigest, part: DeckPart | None, *, lang: Lang, period: str, template: bytes | None
) -> bytes:
    """The department's appendix slide as XML, its number a stand-in (SLIDE_NUMBER)."""
    footer = deck_footer(lang, period)
    key = (lang, footer, hashlib.sha1(template or b"").hexdigest())
    deck = _SCRATCH.get(key) or _SCRATCH.setdefault(key, Deck(lang, footer, template))
    slide = department_slide(deck, digest, part, number=SLIDE_NUMBER)
    xml: bytes = slide.part.blob
    drop_slides(deck.prs)  # the scratch deck keeps no slide
    return xml


def numbered(xml: bytes, number: int) -> bytes:
    return xml.replace(SLIDE_NUMBER.encode(), str(number).encode())


def deck_footer(lang: Lang, period: str) -> str:
    return f"{phrase('deck_title', lang)} · {period}"


def department_slide(deck: Deck, digest: DepartmentDigest, part: DeckPart | None, *, number: str | None = None) -> Any:
    lang = deck.lang
    slide = deck.slide(f"{phrase('appendix_departments', lang)} · {sanitize(digest.department)}", number=number)
    half = (BODY_W - 16.0) / 2
    rate = digest.kpi_rate
    figures = [
        (phrase("problems_count", lang), str(digest.problems)),
        (phrase("closed", lang), str(digest.closed)),
        (phrase("p1_problems", lang), str(digest.priorities[0])),
        (
            phrase("overdue", lang),
            Cell(
                str(digest.overdue_actions),
                bold=bool(digest.overdue_actions),
                color=RED if digest.overdue_actions else None,
            ),
        ),
        (phrase("kpis_met_of", lang), f"{digest.kpis_met}/{digest.kpis}" + ("" if rate is None else f" ({rate:.0%})")),
        (column_label("results", "achievement", lang), _percent(digest.achievement)),
        (phrase("avg_progress", lang), _percent(digest.progress)),
        (phrase("benefit", lang), f"{digest.benefit or 0:,.0f}"),
        (phrase("errors", lang), str(digest.errors)),
        (phrase("warnings", lang), str(digest.warnings)),
        (INFO.column("contact").header(lang), sanitize(digest.contact or "")),
        (
            INFO.column("submitted_on").header(lang),
            fmt("info", "submitted_on", digest.submitted_on, lang)
            + (f" ({phrase('late', lang)})" if digest.late else ""),
        ),
    ]
    deck.grid(
        slide,
        Rect(MARGIN, BODY_TOP, half, BODY_H),
        [phrase("summary", lang), ""],
        [[label, value] for label, value in figures],
        [55, 45],
        size=SIZE,
        max_lines=1,
        align=["left", "right"],
    )
    right = MARGIN + half + 16.0
    mix = [[s.label(lang), str(n)] for s, n in zip(STAGE.choices, digest.stages, strict=True)]
    mix += [[p.label(lang), str(n)] for p, n in zip(PRIORITY.choices, digest.priorities, strict=True)]
    stage_h = line_rows_height(1 + len(mix), SIZE) + 2.0
    deck.grid(
        slide,
        Rect(right, BODY_TOP, half, stage_h),
        [phrase("by_stage_priority", lang), phrase("count", lang)],
        mix,
        [75, 25],
        size=SIZE,
        max_lines=1,
        align=["left", "right"],
    )
    head = [column_label("actions", k, lang) for k in ("what", "who", "due_on", "days_overdue")]
    overdue = part.overdue if part else ()
    rows = [[what, who, due, Cell(days, bold=True, color=RED)] for what, who, due, days in overdue]
    top = BODY_TOP + stage_h + 8.0
    deck.text(slide, Rect(right, top, half, 18.0), phrase("overdue_actions", lang), size=SIZE, bold=True)
    deck.grid(
        slide,
        Rect(right, top + 18.0, half, BODY_TOP + BODY_H - top - 18.0),
        head,
        rows,
        [46, 18, 20, 16],
        size=SIZE,
        max_lines=1,
        align=["left", "left", "left", "right"],
    )
    return slide


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"
