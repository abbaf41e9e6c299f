"""Which drawing makes each picture: the figure types matched to their matplotlib drawings.

Imported by `charts` only when a figure must be drawn (this module loads matplotlib), and
preloaded by the report workers' server, so each worker forks with it already loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matplotlib.figure import Figure

from ci_excel.render.draw_diagrams import draw_fishbone, draw_matrix
from ci_excel.render.draw_plots import draw_gantt, draw_kpi_runs, draw_kpis, draw_pareto, draw_stacked, draw_trend
from ci_excel.render.drawing import to_png
from ci_excel.render.figures import (
    ChartData,
    FishboneData,
    GanttData,
    KpiData,
    KpiRunsData,
    MatrixData,
    ParetoData,
    StackedBarsData,
    TrendData,
)
from ci_excel.schema import Lang

DRAWERS: dict[type, Callable[[Any, Lang], Figure]] = {
    FishboneData: draw_fishbone,
    MatrixData: draw_matrix,
    ParetoData: draw_pareto,
    GanttData: draw_gantt,
    KpiData: draw_kpis,
    KpiRunsData: draw_kpi_runs,
    TrendData: draw_trend,
    StackedBarsData: draw_stacked,
}


def draw_png(data: ChartData, lang: Lang) -> bytes:
    """The figure for `data` drawn in `lang`, as PNG bytes."""
    return to_png(DRAWERS[type(data)](data, lang))
