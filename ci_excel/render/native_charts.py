"""Native, editable charts (DrawingML) from the reports' chart inputs, for Word and PowerPoint.

python-pptx's chart machinery writes each chart's XML (`ChartXmlWriter`); its data workbook, in
the layout python-pptx's formulas point at, comes from `chart_workbook` (a minimal package, a
tenth of the cost of python-pptx's XlsxWriter one), so Word's "Edit Data" opens the numbers the chart
shows; the chart is then styled through python-pptx's chart objects (colours, labels, axes, the
report's fonts). Only the Pareto's cumulative line on a second axis and a few chart-level
properties python-pptx has no API for are added with lxml. Content only: `docx_base` packages the
parts. One `ChartSpec` per chart serves both formats (`chart_parts`): `word_chart` makes a Word
chart part of it, `slide_chart` puts it on a slide through python-pptx's `add_chart`. Charts that
are not a chart type (fishbone, impact x difficulty matrix) return None and stay pictures.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from lxml import etree
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_MARKER_STYLE,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.oxml import parse_xml
from pptx.util import Pt

from ci_excel.render import figures as ch
from ci_excel.render.chart_parts import (
    C_NS,
    OVERDUE,
    ChartSpec,
    ChartStyle,
    NativeChart,
    data_labels,
    excel_serial,
    fill,
    legend,
    light_grid,
    rgb,
    word_chart,
)
from ci_excel.render.chart_templates import Values, templated_chart
from ci_excel.render.kpi_charts import kpi_names, kpi_panel, kpi_runs, kpi_shape, kpis, run_panel, run_shape
from ci_excel.schema import Lang, column_label
from ci_excel.text import phrase


def chart_specs(data: ch.ChartData, lang: Lang) -> list[ChartSpec] | None:
    """The charts for one figure (KPIs: one small panel per KPI); None when the figure is no chart type."""
    builder = _BUILDERS.get(type(data))
    return None if builder is None else builder(data, lang)


def native_charts(data: ch.ChartData, lang: Lang, style: ChartStyle) -> list[NativeChart] | None:
    """The Word chart parts for one figure; None when the figure is no chart type. The charts a
    report has many of come from the template of their shape (`chart_templates`)."""
    shaped = _shaped(data, lang)
    if shaped is not None:
        return [templated_chart(key, build, style) for key, build in shaped]
    specs = chart_specs(data, lang)
    return None if specs is None else [word_chart(spec, style) for spec in specs]


Build = Callable[[Values], ChartSpec]


def _shaped(data: ch.ChartData, lang: Lang) -> list[tuple[Hashable, Build]] | None:
    """Each chart of a figure with its shape: what its template depends on besides its values."""
    if isinstance(data, ch.GanttData):
        statuses = tuple(b.status if b.status in ("done", "cancelled") else "" for b in data.bars)
        scale = _gantt_scale(data, [gantt_segments(b, data.period_end) for b in data.bars])
        return [(("gantt", lang, statuses, scale.number_format), lambda v: gantt(data, lang, v)[0])]
    if isinstance(data, ch.ParetoData):
        return [(("pareto", lang, len(pareto_items(data, lang))), lambda v: pareto(data, lang, v)[0])]
    if isinstance(data, ch.KpiData):
        names = kpi_names(lang)
        return [(kpi_shape(kpi, lang), partial(kpi_panel, kpi, names, lang)) for kpi in data.kpis]
    if isinstance(data, ch.KpiRunsData):
        return [(run_shape(run, lang), partial(run_panel, run, lang)) for run in data.runs]
    return None


# ---- stacked bars: stage x priority, solution category mix ------------------------------------


def stacked(data: ch.StackedBarsData, lang: Lang) -> list[ChartSpec]:
    chart_data = CategoryChartData(number_format="0")
    chart_data.categories = list(data.categories)
    for label, _, values in data.series:
        chart_data.add_series(label, values)
    kind = XL_CHART_TYPE.BAR_STACKED if data.horizontal else XL_CHART_TYPE.COLUMN_STACKED

    def dress(chart: Chart, space: Any, style: ChartStyle) -> None:
        plot = chart.plots[0]
        plot.gap_width = 60
        for series, (_, color, _) in zip(plot.series, data.series, strict=True):
            fill(series, color)
        data_labels(plot, "0;-0;;", XL_LABEL_POSITION.CENTER)  # zero segments carry no label
        light_grid(chart)
        if data.horizontal:
            chart.category_axis.reverse_order = True  # first category on top, as it reads in the table
        legend(chart)

    height = 2.2 + 0.75 * len(data.categories) if data.horizontal else 7.5
    return [ChartSpec(kind, chart_data, dress, min(height, 20.0))]


# ---- trend --------------------------------------------------------------------------------------


def trend(data: ch.TrendData, lang: Lang) -> list[ChartSpec]:
    chart_data = CategoryChartData(number_format="0")
    chart_data.categories = list(data.periods)
    for key, values in data.series:
        chart_data.add_series(phrase(key, lang), values)

    def dress(chart: Chart, space: Any, style: ChartStyle) -> None:
        colors = [ch.BLUE, ch.GREEN, "#8e44ad", ch.RED]
        for series, color in zip(chart.plots[0].series, colors, strict=False):
            series.format.line.color.rgb = rgb(color)
            series.format.line.width = Pt(1.75)
            series.smooth = False
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = rgb(color)
            series.marker.format.line.color.rgb = rgb(color)
        light_grid(chart)
        legend(chart)

    return [ChartSpec(XL_CHART_TYPE.LINE_MARKERS, chart_data, dress, 7.0)]


# ---- pareto: bars and the cumulative share on a second axis -------------------------------------


def pareto_items(data: ch.ParetoData, lang: Lang) -> list[tuple[str, float]]:
    """High to low; beyond ten causes the rest are one 'other' bar (as the picture shows them)."""
    items = sorted(data.items, key=lambda kv: -kv[1])
    if len(items) > 10:
        items = [*items[:9], (phrase("other", lang), sum(v for _, v in items[9:]))]
    return items


def pareto(data: ch.ParetoData, lang: Lang, v: Values | None = None) -> list[ChartSpec]:
    v = v or Values()
    items = pareto_items(data, lang)
    total = sum(value for _, value in items) or 1.0
    running, shares = 0.0, []
    for _, value in items:
        running += value
        shares.append(round(running / total, 4))
    chart_data = CategoryChartData(number_format="0")
    chart_data.categories = [v.text(label) for label, _ in items]
    chart_data.add_series(phrase("frequency", lang), [v.num(value) for _, value in items])
    chart_data.add_series(phrase("cumulative", lang), [v.num(share) for share in shares], number_format="0%")
    chart_data.add_series("80%", [0.8] * len(items), number_format="0%")

    def dress(chart: Chart, space: Any, style: ChartStyle) -> None:
        _secondary_lines(space, chart_data)
        bars, lines = chart.plots[0], chart.plots[1]
        bars.gap_width = 50
        fill(bars.series[0], ch.BLUE)
        data_labels(bars, "0", XL_LABEL_POSITION.OUTSIDE_END)
        cumulative, eighty = lines.series
        cumulative.format.line.color.rgb = rgb(ch.RED)
        cumulative.format.line.width = Pt(1.5)
        cumulative.marker.format.fill.solid()
        cumulative.marker.format.fill.fore_color.rgb = rgb(ch.RED)
        cumulative.marker.format.line.color.rgb = rgb(ch.RED)
        eighty.format.line.color.rgb = rgb(ch.GREY)
        eighty.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        eighty.format.line.width = Pt(0.75)
        eighty.marker.style = XL_MARKER_STYLE.NONE
        light_grid(chart)
        legend(chart, hide=[2])

    return [ChartSpec(XL_CHART_TYPE.COLUMN_CLUSTERED, chart_data, dress, 7.5)]


_SECOND_CAT, _SECOND_VAL = "50010", "50020"  # renumbered with the rest on finishing


def _secondary_lines(space: Any, chart_data: CategoryChartData) -> None:
    """Series 2 and 3 move from the bar chart to a line chart on a right-hand 0-100 % axis.

    python-pptx writes one plot per chart; its line chart XML for the same data gives the line
    series and the axes to copy, so every element still comes from its writer."""
    line_space = parse_xml(chart_data.xml_bytes(XL_CHART_TYPE.LINE_MARKERS))
    line_plot = line_space.find(f".//{{{C_NS}}}lineChart")
    plot_area = space.find(f".//{{{C_NS}}}plotArea")
    bar_chart = plot_area.find(f"{{{C_NS}}}barChart")
    for ser in bar_chart.findall(f"{{{C_NS}}}ser")[1:]:
        bar_chart.remove(ser)
    line_plot.remove(line_plot.findall(f"{{{C_NS}}}ser")[0])
    axis_ids = line_plot.findall(f"{{{C_NS}}}axId")
    axis_ids[0].set("val", _SECOND_CAT)
    axis_ids[1].set("val", _SECOND_VAL)
    bar_chart.addnext(line_plot)
    cat_ax = copy.deepcopy(line_space.find(f".//{{{C_NS}}}catAx"))
    val_ax = copy.deepcopy(line_space.find(f".//{{{C_NS}}}valAx"))
    _set(cat_ax, "axId", _SECOND_CAT)
    _set(cat_ax, "crossAx", _SECOND_VAL)
    _set(cat_ax, "delete", "1")
    _set(val_ax, "axId", _SECOND_VAL)
    _set(val_ax, "crossAx", _SECOND_CAT)
    _set(val_ax, "axPos", "r")
    _set(val_ax, "crosses", "max")
    grid = val_ax.find(f"{{{C_NS}}}majorGridlines")
    grid.addnext(etree.Element(f"{{{C_NS}}}numFmt", formatCode="0%", sourceLinked="0"))
    val_ax.remove(grid)
    scaling = val_ax.find(f"{{{C_NS}}}scaling")
    scaling.append(etree.Element(f"{{{C_NS}}}orientation", val="minMax"))
    scaling.append(etree.Element(f"{{{C_NS}}}max", val="1"))
    scaling.append(etree.Element(f"{{{C_NS}}}min", val="0"))
    last_axis = plot_area.findall(f"{{{C_NS}}}valAx")[-1]
    last_axis.addnext(cat_ax)
    cat_ax.addnext(val_ax)


def _set(parent: Any, tag: str, value: str) -> None:
    parent.find(f"{{{C_NS}}}{tag}").set("val", value)


# ---- gantt: stacked horizontal bars with an invisible first series -----------------------------


@dataclass(frozen=True)
class _Segments:
    start: float
    progress: float
    remaining: float
    overdue: float


def gantt_segments(bar: ch.GanttBar, period_end: date) -> _Segments:
    """A bar's offset (its start as an Excel date), the part done, the part left and the days overdue."""
    span = max((bar.due - bar.start).days, 0.5)
    done = bar.status == "done"
    share = 1.0 if done else min(max(bar.percent or 0.0, 0.0), 1.0)
    if bar.status == "cancelled":
        share = 0.0
    overdue = float(max((period_end - bar.due).days, 0)) if bar.days_overdue else 0.0
    return _Segments(float(excel_serial(bar.start)), round(span * share, 2), round(span * (1 - share), 2), overdue)


@dataclass(frozen=True)
class _GanttScale:
    low: float
    high: float
    crosses: float  # the period end, where the category axis stands
    number_format: str


def _gantt_scale(data: ch.GanttData, segments: Sequence[_Segments]) -> _GanttScale:
    """Dates across from the first start to the last end (or the period end), with a margin."""
    first = min(s.start for s in segments)
    last = max(excel_serial(data.period_end), *(s.start + s.progress + s.remaining + s.overdue for s in segments))
    pad = max(2, (last - first) // 12)
    number_format = "mm-dd" if last - first < 300 else "yyyy-mm"
    return _GanttScale(first - pad, last + pad, excel_serial(data.period_end), number_format)


def gantt(data: ch.GanttData, lang: Lang, v: Values | None = None) -> list[ChartSpec]:
    v = v or Values()
    segments = [gantt_segments(b, data.period_end) for b in data.bars]
    scale = _gantt_scale(data, segments)
    chart_data = CategoryChartData(number_format="0")
    chart_data.categories = [v.text(b.label) for b in data.bars]
    chart_data.add_series(
        column_label("actions", "start_on", lang), [v.num(s.start) for s in segments], number_format="yyyy-mm-dd"
    )
    chart_data.add_series(phrase("legend_progress", lang), [v.num(s.progress) for s in segments])
    chart_data.add_series(phrase("legend_planned", lang), [v.num(s.remaining) for s in segments])
    chart_data.add_series(phrase("legend_overdue", lang), [v.num(s.overdue) for s in segments])
    axis = _GanttScale(v.num(scale.low), v.num(scale.high), v.num(scale.crosses), scale.number_format)

    def dress(chart: Chart, space: Any, style: ChartStyle) -> None:
        plot = chart.plots[0]
        plot.gap_width = 45
        offset, progress, planned, late = plot.series
        offset.format.fill.background()
        offset.format.line.fill.background()
        fill(progress, ch.BLUE)
        fill(planned, ch.LIGHT_BLUE)
        fill(late, OVERDUE)
        for n, bar in enumerate(data.bars):
            if bar.status == "done":
                fill(progress.points[n], ch.GREEN)
            elif bar.status == "cancelled":
                fill(planned.points[n], "#d5d8dc")
        _gantt_axes(chart, axis)
        legend(chart, hide=[0])
        _blank_cached_name(offset)

    return [ChartSpec(XL_CHART_TYPE.BAR_STACKED, chart_data, dress, 2.6 + 0.85 * len(data.bars))]


def _blank_cached_name(series: Any) -> None:
    """The invisible offset series keeps its name in the workbook, but shows none: LibreOffice does not
    honour the legend entry's deletion, so a blank name keeps "start" out of its legend."""
    for value in series._element.findall(f"{{{C_NS}}}tx/{{{C_NS}}}strRef/{{{C_NS}}}strCache/{{{C_NS}}}pt/{{{C_NS}}}v"):
        value.text = " "  # LibreOffice shows "Series1" for an empty name


def _gantt_axes(chart: Chart, scale: _GanttScale) -> None:
    """Dates across, actions down in plan order; the category axis stands at the period end (red)."""
    value = chart.value_axis
    value.minimum_scale, value.maximum_scale = scale.low, scale.high
    value.tick_labels.number_format = scale.number_format
    value.tick_labels.number_format_is_linked = False
    value.crosses_at = scale.crosses
    light_grid(chart)
    category = chart.category_axis
    category.reverse_order = True
    category.tick_label_position = XL_TICK_LABEL_POSITION.LOW
    category.format.line.color.rgb = rgb(ch.RED)
    category.format.line.width = Pt(1.25)
    category.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH


_BUILDERS: dict[type, Callable[[Any, Lang], list[ChartSpec]]] = {
    ch.StackedBarsData: stacked,
    ch.TrendData: trend,
    ch.ParetoData: pareto,
    ch.GanttData: gantt,
    ch.KpiData: kpis,
    ch.KpiRunsData: kpi_runs,
}
