"""The report figures' inputs: one frozen dataclass of plain values per chart, and the palette.

Both renderings read them: native Word charts (`native_charts`) and pictures (`charts`, drawn by
`draw_diagrams` and `draw_plots`). Built by the report modules from computed rows and digests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ci_excel.render import style
from ci_excel.schema import PRIORITY, Lang

PRIORITY_COLORS = {k: style.css(v) for k, v in style.PRIORITY_FILLS.items()}  # the matrix's squares
PRIORITY_EDGES = {k: style.css(v) for k, v in style.PRIORITY.items()}  # bars and labels
BLUE, LIGHT_BLUE, GREEN, RED, GREY = (
    style.css(c) for c in (style.BLUE, style.LIGHT_BLUE, style.CHART_GREEN, style.RED, style.CHART_GREY)
)
STAGE_COLORS = tuple(style.css(c) for c in style.STAGES)  # stages 1-6; closed is green


@dataclass(frozen=True)
class Cause:
    category: str  # FISHBONE key
    cause: str
    sub_cause: str = ""
    is_root: bool = False


@dataclass(frozen=True)
class FishboneData:
    effect: str
    causes: tuple[Cause, ...]


@dataclass(frozen=True)
class MatrixData:
    """Problems placed on the impact x difficulty grid; `cells` maps (impact, difficulty) to a class."""

    points: tuple[tuple[str, str, str], ...]  # (label, impact key, difficulty key)
    cells: tuple[tuple[str, str, str], ...]  # (impact key, difficulty key, priority key)
    counts_only: bool = False
    counts: tuple[tuple[str, str, int], ...] = ()  # (impact, difficulty, n): unlabelled problems, with counts_only


@dataclass(frozen=True)
class ParetoData:
    items: tuple[tuple[str, float], ...]  # (cause, frequency)


@dataclass(frozen=True)
class GanttBar:
    label: str
    start: date
    due: date
    finished: date | None = None
    percent: float | None = None
    status: str | None = None
    days_overdue: int | None = None


@dataclass(frozen=True)
class GanttData:
    bars: tuple[GanttBar, ...]
    period_end: date


@dataclass(frozen=True)
class KpiBar:
    label: str
    unit: str
    baseline: float | None
    target: float | None
    actual: float | None
    achievement: float | None
    met: bool | None


@dataclass(frozen=True)
class KpiData:
    kpis: tuple[KpiBar, ...]


@dataclass(frozen=True)
class KpiRun:
    """One KPI over the stored periods and this one: its actual and target per period."""

    label: str
    unit: str
    periods: tuple[str, ...]
    actual: tuple[float | None, ...]
    target: tuple[float | None, ...]
    slipped: bool = False  # the gain was not held


@dataclass(frozen=True)
class KpiRunsData:
    runs: tuple[KpiRun, ...]


@dataclass(frozen=True)
class TrendData:
    periods: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]  # (phrase key, values per period)


@dataclass(frozen=True)
class StackedBarsData:
    """Horizontal or vertical stacked bars: categories x series."""

    categories: tuple[str, ...]
    series: tuple[tuple[str, str, tuple[float, ...]], ...]  # (label, colour, values per category)
    horizontal: bool = False


ChartData = FishboneData | MatrixData | ParetoData | GanttData | KpiData | KpiRunsData | TrendData | StackedBarsData


def priority_series(values: Sequence[dict[str, float]], lang: Lang) -> tuple[tuple[str, str, tuple[float, ...]], ...]:
    """Stacked-bar series, one per priority class, from per-category counts keyed by class."""
    return tuple(
        (PRIORITY.label(p.key, lang), PRIORITY_EDGES[p.key], tuple(float(v.get(p.key, 0)) for v in values))
        for p in PRIORITY.choices
    )
