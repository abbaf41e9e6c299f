"""The KPI charts of the reports: a panel per KPI (baseline, target, actual, three to a line) and,
for a KPI measured in earlier periods, its run over the periods (actual, target dashed; red when the
gain was not held). Builders pass their values through a `Values` (`chart_templates`)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.util import Pt

from ci_excel.render import figures as ch
from ci_excel.render.chart_parts import TEXT, ChartSpec, ChartStyle, data_labels, fill, legend, light_grid, rgb
from ci_excel.render.chart_templates import Values
from ci_excel.schema import Lang, column_label
from ci_excel.text import phrase

KPI_PER_ROW = 3


def kpis(data: ch.KpiData, lang: Lang) -> list[ChartSpec]:
    """One clustered-bar panel per KPI (baseline, target, actual), three to a line."""
    names = kpi_names(lang)
    return [kpi_panel(kpi, names, lang) for kpi in data.kpis]


def kpi_names(lang: Lang) -> list[str]:
    return [column_label("results", k, lang) for k in ("baseline", "target", "actual")]


def kpi_shape(kpi: ch.KpiBar, lang: Lang) -> Hashable:
    blanks = tuple(value is None for value in (kpi.baseline, kpi.target, kpi.actual))
    return ("kpi", lang, blanks, bool(kpi.met), _kpi_title(kpi, lang).count("\n"))


def kpi_panel(kpi: ch.KpiBar, names: list[str], lang: Lang, v: Values | None = None) -> ChartSpec:
    v = v or Values()
    chart_data = CategoryChartData(number_format="General")
    chart_data.categories = names
    name = kpi.label + (f" ({kpi.unit})" if kpi.unit else "")
    chart_data.add_series(v.text(name), [v.blank_or(x) for x in (kpi.baseline, kpi.target, kpi.actual)])
    low, high = (v.num(x) for x in _kpi_scale(kpi))
    title = "\n".join(v.text(line) for line in _kpi_title(kpi, lang).split("\n"))

    def dress(chart: Chart, space: Any, style: ChartStyle) -> None:
        plot = chart.plots[0]
        plot.gap_width = 60
        series = plot.series[0]
        actual = ch.GREEN if kpi.met else ch.RED
        for n, color in enumerate((ch.GREY, ch.BLUE, actual)):
            fill(series.points[n], color)
        data_labels(plot, "General", XL_LABEL_POSITION.OUTSIDE_END)
        axis = chart.value_axis
        axis.visible = False
        axis.has_major_gridlines = False
        axis.minimum_scale, axis.maximum_scale = low, high
        chart.has_title = True
        chart.chart_title.text_frame.text = title
        paragraph = chart.chart_title.text_frame.paragraphs[0]
        paragraph.font.size = Pt(style.size_pt)
        paragraph.font.bold = True
        chart.has_legend = False

    return ChartSpec(XL_CHART_TYPE.COLUMN_CLUSTERED, chart_data, dress, 5.2, columns=KPI_PER_ROW)


def _kpi_scale(kpi: ch.KpiBar) -> tuple[float, float]:
    known = [v for v in (kpi.baseline, kpi.target, kpi.actual) if v is not None] or [1.0]
    return min(0.0, *known) * 1.2, max(0.0, *known) * 1.25 or 1.0  # room for the labels under the title


def _kpi_title(kpi: ch.KpiBar, lang: Lang) -> str:
    title = kpi.label + (f" ({kpi.unit})" if kpi.unit else "")
    if kpi.actual is None:
        return f"{title}\n{phrase('not_measured', lang)}"
    ach = f"{kpi.achievement:.0%}" if kpi.achievement is not None else "-"
    return f"{title}\n{column_label('results', 'achievement', lang)} {ach}"


def kpi_runs(data: ch.KpiRunsData, lang: Lang) -> list[ChartSpec]:
    """One line panel per KPI over the periods (actual, target dashed), three to a line."""
    return [run_panel(run, lang) for run in data.runs]


def run_shape(run: ch.KpiRun, lang: Lang) -> Hashable:
    blanks = (tuple(a is None for a in run.actual), tuple(t is None for t in run.target))
    return ("kpi-run", lang, len(run.periods), blanks, bool(run.slipped))


def run_panel(run: ch.KpiRun, lang: Lang, v: Values | None = None) -> ChartSpec:
    v = v or Values()
    chart_data = CategoryChartData(number_format="General")
    chart_data.categories = [v.text(period) for period in run.periods]
    chart_data.add_series(column_label("results", "actual", lang), [v.blank_or(x) for x in run.actual])
    chart_data.add_series(column_label("results", "target", lang), [v.blank_or(x) for x in run.target])
    title = v.text(run.label + (f" ({run.unit})" if run.unit else ""))

    def dress(chart: Chart, space: Any, style: ChartStyle) -> None:
        actual, target = chart.plots[0].series
        color = ch.RED if run.slipped else ch.BLUE
        for series, tint in ((actual, color), (target, ch.GREY)):
            series.smooth = False
            series.format.line.color.rgb = rgb(tint)
            series.format.line.width = Pt(1.5 if series is actual else 1.0)
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = rgb(tint)
            series.marker.format.line.color.rgb = rgb(tint)
        target.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        target.marker.style = XL_MARKER_STYLE.NONE
        light_grid(chart)
        chart.has_title = True
        chart.chart_title.text_frame.text = title
        paragraph = chart.chart_title.text_frame.paragraphs[0]
        paragraph.font.size = Pt(style.size_pt)
        paragraph.font.bold = True
        paragraph.font.color.rgb = rgb(ch.RED if run.slipped else TEXT)
        legend(chart)
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM

    return ChartSpec(XL_CHART_TYPE.LINE_MARKERS, chart_data, dress, 5.2, columns=KPI_PER_ROW)
