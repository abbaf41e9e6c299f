"""The deck's portfolio slides: title, headline figures with their month-over-month change, the stage
and priority charts, the trend, P1 problems not on track, overdue actions, KPIs met and missed,
the department ranking, data quality and missing or late departments.

Every figure comes from the period's digest (`compute.period_digest`, departments ranked by
`compute.rank_departments`), the trend (`PeriodOutline.trend`), the portfolio digest's kept rows or
the departments' A3 pages; the slides only format them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ci_excel.compute import most_errors, most_problems
from ci_excel.model import DepartmentDigest, PeriodDigest, PeriodOutline
from ci_excel.render import figures as ch
from ci_excel.render.deck.a3_content import A3Page
from ci_excel.render.deck.layout import BODY_H, BODY_TOP, BODY_W, GREY, MARGIN, RED, Cell, Deck, Rect
from ci_excel.render.docx_format import fmt
from ci_excel.render.docx_xml import sanitize
from ci_excel.render.native_charts import chart_specs
from ci_excel.render.ranking import OVERDUE_COLUMN, ranking_head, ranking_rows
from ci_excel.schema import INFO, SHEETS, STAGE, column_label
from ci_excel.text import HEADLINE, list_sep, phrase

if TYPE_CHECKING:  # portfolio_digest imports docx_department, which imports the A3 content of this package
    from ci_excel.render.portfolio_digest import PortfolioDigest

STAGE_CHART_DEPARTMENTS = 12  # departments in the stage x department chart (the most problems first)


@dataclass(frozen=True)
class DeckInputs:
    """What the portfolio slides show: the period's outline and digests."""

    outline: PeriodOutline
    period: PeriodDigest
    portfolio: PortfolioDigest
    generated_on: date


def title(deck: Deck, data: DeckInputs) -> None:
    lang = deck.lang
    count = len(data.period.departments)
    deck.title_slide(
        phrase("deck_title", lang),
        f"{data.outline.period}  ·  {phrase('date', lang)} "
        f"{data.generated_on.isoformat()}  ·  {phrase('departments', lang)} {count}",
    )


def headline(deck: Deck, data: DeckInputs) -> None:
    """Nine figures as cards: this period's value and its change since the previous period."""
    lang = deck.lang
    slide = deck.slide(phrase("headline", lang))
    now, before = data.outline.figures, data.outline.previous_figures
    if now is None:
        return _no_data(deck, slide)
    width, height, gap = (BODY_W - 2 * 16.0) / 3, (BODY_H - 2 * 14.0) / 3, 16.0
    for n, (label, attr) in enumerate(HEADLINE):
        left, top = MARGIN + (n % 3) * (width + gap), BODY_TOP + (n // 3) * (height + 14.0)
        value = getattr(now, attr)
        deck.band(slide, Rect(left, top, width, 24.0), phrase(label, lang), size=12.0)
        deck.text(slide, Rect(left, top + 26.0, width, 44.0), f"{value:,.0f}", size=28.0, bold=True)
        prev = getattr(before, attr) if before else None
        change = (
            phrase("first_period", lang) if prev is None else phrase("vs_previous", lang, delta=f"{value - prev:+,.0f}")
        )
        worse = prev is not None and attr in ("overdue_actions", "open") and value > prev
        deck.text(slide, Rect(left, top + 72.0, width, 22.0), change, size=11.0, color=RED if worse else GREY)


def distribution(deck: Deck, data: DeckInputs) -> None:
    """Stage x department (the departments with the most problems) and stage x priority, native charts."""
    lang = deck.lang
    slide = deck.slide(phrase("by_stage_priority", lang))
    top = most_problems(data.period.departments, STAGE_CHART_DEPARTMENTS)
    if not top:
        return _no_data(deck, slide)
    half = (BODY_W - 20.0) / 2
    by_dept = ch.StackedBarsData(
        tuple(sanitize(d.department) for d in top),
        tuple(
            (s.label(lang), color, tuple(float(d.stages[n]) for d in top))
            for n, (s, color) in enumerate(zip(STAGE.choices, ch.STAGE_COLORS, strict=True))
        ),
        horizontal=True,
    )
    per_stage = [
        {p: float(n) for (s, p), n in data.period.stage_priority.items() if s == stage.key} for stage in STAGE.choices
    ]
    by_priority = ch.StackedBarsData(tuple(s.label(lang) for s in STAGE.choices), ch.priority_series(per_stage, lang))
    captions = (phrase("stage_dept_chart", lang, n=len(top)), phrase("stage_priority_chart", lang))
    for n, (chart, caption) in enumerate(((by_dept, captions[0]), (by_priority, captions[1]))):
        left = MARGIN + n * (half + 20.0)
        deck.text(slide, Rect(left, BODY_TOP, half, 22.0), caption, size=12.0, bold=True)
        for spec in chart_specs(chart, lang) or []:
            deck.chart(slide, spec, Rect(left, BODY_TOP + 24.0, half, BODY_H - 24.0))


def trend(deck: Deck, data: DeckInputs) -> None:
    lang = deck.lang
    slide = deck.slide(phrase("trend", lang))
    figures = data.outline.trend
    if not figures:
        return _no_data(deck, slide)
    keys = (("new", "new"), ("closed", "closed"), ("open", "open"), ("overdue", "overdue_actions"))
    series = ch.TrendData(
        tuple(f.period for f in figures),
        tuple((k, tuple(float(getattr(f, attr)) for f in figures)) for k, attr in keys),
    )
    for spec in chart_specs(series, lang) or []:
        deck.chart(slide, spec, Rect(MARGIN, BODY_TOP, BODY_W, BODY_H))


def _no_data(deck: Deck, slide: Any) -> None:
    deck.text(slide, Rect(MARGIN, BODY_TOP, BODY_W, 40.0), phrase("no_data", deck.lang))


LIST_ROWS = 40  # rows of a listing the deck shows (as the Word portfolio); the summary workbook has them all


def off_track(deck: Deck, pages: Iterable[A3Page]) -> None:
    """The first LIST_ROWS P1 problems off track and their count (only those shown are kept: a period of
    thousands of departments holds no more)."""
    lang = deck.lang
    rows, count = [], 0
    for p in pages:
        if not p.off_track:
            continue
        count += 1
        if count <= LIST_ROWS:
            flags = Cell(list_sep(lang).join(p.flags), color=RED)
            rows.append([sanitize(p.department), p.problem_id, p.statement, p.stage, p.owner, p.progress, flags])
    head = [
        INFO.column("department").header(lang),
        *(
            column_label("problems", k, lang)
            for k in ("problem_id", "statement", "stage", "owner", "progress", "flags")
        ),
    ]
    total = phrase("total_n", lang, n=count)
    if count > LIST_ROWS:  # the summary workbook has every one
        total = phrase("capped_rows", lang, total=f"{count:,}", shown=LIST_ROWS, sheet=SHEETS["problems"].name(lang))
    _listing(
        deck,
        phrase("p1_off_track_title", lang),
        head,
        rows,
        [13, 8, 38, 12, 9, 7, 17],
        note=f"{phrase('off_track_note', lang)} · {total}",
    )


def overdue(deck: Deck, data: DeckInputs) -> None:
    lang = deck.lang
    top = data.portfolio.overdue
    rows = [
        [
            sanitize(name),
            sanitize(action_id),
            fmt("actions", "what", what, lang),
            fmt("actions", "who", who, lang),
            fmt("actions", "due_on", due, lang),
            Cell(phrase("days_n", lang, n=days or 0), bold=True, color=RED),
        ]
        for name, action_id, what, who, due, _status, days in top.items()
    ]
    head = [
        INFO.column("department").header(lang),
        column_label("actions", "action_id", lang),
        column_label("actions", "what", lang),
        column_label("actions", "who", lang),
        column_label("actions", "due_on", lang),
        column_label("actions", "days_overdue", lang),
    ]
    note = phrase("total_n", lang, n=top.total)
    if top.total > top.size:
        note = phrase("capped_rows", lang, total=f"{top.total:,}", shown=top.size, sheet=SHEETS["actions"].name(lang))
    _listing(
        deck,
        phrase("overdue_actions", lang),
        head,
        rows,
        [15, 9, 40, 12, 12, 12],
        note=note,
        align=["left"] * 5 + ["right"],
    )


def kpis(deck: Deck, data: DeckInputs) -> None:
    """KPIs met and missed per department, and gains not held (problems closed earlier whose KPI slipped)."""
    lang = deck.lang
    rows = []
    for d in data.period.departments:
        if not d.kpis and not d.gains_not_held:
            continue
        rate = d.kpi_rate or 0.0
        rows.append(
            [
                sanitize(d.department),
                str(d.kpis),
                str(d.kpis_met),
                Cell(str(d.kpis_missed), color=RED if d.kpis_missed else None),
                Cell(f"{rate:.0%}", bold=rate < 0.5, color=RED if rate < 0.5 else None),
                "" if d.achievement is None else f"{d.achievement:.0%}",
                Cell(str(d.gains_not_held), bold=bool(d.gains_not_held), color=RED if d.gains_not_held else None),
            ]
        )
    head = [
        INFO.column("department").header(lang),
        phrase("kpi_total", lang),
        phrase("kpis_met", lang),
        phrase("kpis_missed", lang),
        phrase("kpi_rate", lang),
        column_label("results", "achievement", lang),
        phrase("gains_not_held", lang),
    ]
    total = data.period
    note = (
        f"{phrase('kpis_met', lang)} {total.kpis_met}/{total.kpis} · {phrase('kpis_missed', lang)} "
        f"{total.kpis_missed} · {phrase('gains_not_held', lang)} {total.gains_not_held}"
    )
    _listing(
        deck,
        phrase("kpi_met_missed", lang),
        head,
        rows,
        [26, 11, 11, 11, 13, 13, 15],
        note=note,
        align=["left", *["right"] * 6],
    )


def ranking(deck: Deck, data: DeckInputs) -> None:
    lang = deck.lang
    rows: list[list[Any]] = []
    for d, cells in ranking_rows(data.period):
        if d.overdue_actions:
            cells[OVERDUE_COLUMN] = Cell(cells[OVERDUE_COLUMN], bold=True, color=RED)
        rows.append(cells)
    head = ranking_head(lang)
    _listing(
        deck,
        phrase("ranking", lang),
        head,
        rows,
        [8, 28, 12, 13, 13, 13, 13],
        note=phrase("ranking_note", lang),
        align=["right", "left", *["right"] * 5],
    )


def quality(deck: Deck, data: DeckInputs) -> None:
    """Data quality by department (most errors first), then the missing and late departments."""
    lang = deck.lang
    rows = [
        [
            sanitize(d.department),
            str(d.files),
            Cell(str(d.errors), bold=bool(d.errors), color=RED if d.errors else None),
            str(d.warnings),
        ]
        for d in most_errors(data.period.departments)
    ]
    head = [
        INFO.column("department").header(lang),
        phrase("file", lang),
        phrase("errors", lang),
        phrase("warnings", lang),
    ]
    note = f"{phrase('errors', lang)} {data.period.errors} · {phrase('warnings', lang)} {data.period.warnings}"
    _listing(
        deck,
        phrase("quality_by_dept", lang),
        head,
        rows,
        [40, 20, 20, 20],
        note=note,
        align=["left", "right", "right", "right"],
    )
    late = [[sanitize(name), Cell(phrase("missing", lang), bold=True, color=RED), ""] for name in data.outline.missing]
    late += [
        [
            sanitize(d.department),
            Cell(phrase("late", lang), bold=True, color="B9770E"),
            fmt("info", "submitted_on", d.submitted_on, lang),
        ]
        for d in _by_name(data.period.departments)
        if d.late
    ]
    missing, late_count = len(data.outline.missing), len(late) - len(data.outline.missing)
    _listing(
        deck,
        phrase("submissions", lang),
        [INFO.column("department").header(lang), phrase("status", lang), INFO.column("submitted_on").header(lang)],
        late,
        [40, 30, 30],
        note=f"{phrase('missing', lang)} {missing} · {phrase('late', lang)} {late_count}",
    )


def _by_name(departments: Sequence[DepartmentDigest]) -> list[DepartmentDigest]:
    return sorted(departments, key=lambda d: d.department)


def _listing(
    deck: Deck,
    name: str,
    head: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    note: str,
    align: Sequence[str] = (),
) -> None:
    """A table over as many slides as it takes; "none" on one slide when there are no rows."""
    if not rows:
        slide = deck.slide(name)
        deck.text(slide, Rect(MARGIN, BODY_TOP, BODY_W, 24.0), note, size=11.0, color=GREY)
        deck.text(slide, Rect(MARGIN, BODY_TOP + 30.0, BODY_W, 24.0), phrase("none", deck.lang))
        return
    deck.table(name, head, rows, widths, note=note, align=align)
