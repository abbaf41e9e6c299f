"""Chart parts from one chart specification, for Word and PowerPoint alike.

A `ChartSpec` (made by `native_charts` from a report's chart input) holds python-pptx's chart type
and data and a `dress` function that styles the chart through python-pptx's chart objects.
`word_chart` turns it into a Word chart part (the XML and the embedded workbook that `docx_base`
packages); `slide_chart` puts it on a slide with python-pptx's `add_chart`. Both finish with
`dress_common`: the reports' fonts (an East Asian face too), square corners, no frame.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from lxml import etree
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_LEGEND_POSITION
from pptx.oxml import parse_xml
from pptx.util import Pt

from ci_excel.render import style
from ci_excel.render.chart_workbook import category_workbook
from ci_excel.render.fonts import DOCX_EAST_ASIA, DOCX_LATIN

WORKBOOK_RID = "rId1"  # the chart part's only relationship: its embedded workbook
EMU_PER_CM = 360000
C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_EXCEL_EPOCH = date(1899, 12, 30)
TEXT, GRID, OVERDUE = style.TEXT, style.GRID, style.OVERDUE_FILL
DONE_LIGHT = "ABEBC6"


@dataclass(frozen=True)
class ChartStyle:
    """Fonts and sizes shared by every native chart of a report (fonts from the reference document)."""

    width_emu: int
    latin: str = DOCX_LATIN
    east_asian: str = DOCX_EAST_ASIA
    size_pt: float = 8.0


@dataclass(frozen=True)
class NativeChart:
    """One chart part's XML, its embedded workbook and its size on the page."""

    xml: bytes
    xlsx: bytes
    width_emu: int
    height_emu: int


Dress = Callable[[Chart, Any, ChartStyle], None]


@dataclass(frozen=True)
class ChartSpec:
    """One chart, for Word and PowerPoint alike: python-pptx's chart type and data (the numbers, which
    become the embedded workbook) and `dress`, which colours and labels it through python-pptx's chart
    objects (given the chart, its chartSpace element and the fonts). `columns` > 1: the chart takes that
    share of the width (the KPI panels, three to a line)."""

    kind: Any  # XL_CHART_TYPE
    data: CategoryChartData
    dress: Dress
    height_cm: float
    columns: int = 1


def word_chart(spec: ChartSpec, style: ChartStyle) -> NativeChart:
    """A chart part for Word: python-pptx's XML dressed, its embedded workbook linked as WORKBOOK_RID."""
    space = parse_xml(spec.data.xml_bytes(spec.kind))
    chart = Chart(space, None)
    spec.dress(chart, space, style)
    dress_common(chart, space, style)
    external = space.get_or_add_externalData()
    external.set(f"{{{R_NS}}}id", WORKBOOK_RID)  # python-pptx adds <c:autoUpdate val="0"/>
    xml = etree.tostring(space, xml_declaration=True, encoding="UTF-8", standalone=True)
    return NativeChart(xml, category_workbook(spec.data), *chart_size(spec, style))


def chart_size(spec: ChartSpec, style: ChartStyle) -> tuple[int, int]:
    """Width and height (EMU) on the page: the text width, or its share (`columns`), a point to spare."""
    width = style.width_emu if spec.columns == 1 else style.width_emu // spec.columns - 12700
    return width, round(spec.height_cm * EMU_PER_CM)


def slide_chart(shapes: Any, spec: ChartSpec, style: ChartStyle, box: tuple[int, int, int, int]) -> Any:
    """The chart on a slide (python-pptx's `add_chart`: its part and embedded workbook), dressed as in
    Word; `box` is (left, top, width, height) in EMU. Returns the graphic frame."""
    frame = shapes.add_chart(spec.kind, *box, spec.data)
    chart = frame.chart
    space = frame.chart_part._element  # the chartSpace python-pptx wrote
    spec.dress(chart, space, style)
    dress_common(chart, space, style)
    return frame


def rgb(color: str) -> RGBColor:
    color_value: RGBColor = RGBColor.from_string(color.lstrip("#").upper())
    return color_value


def excel_serial(day: date) -> int:
    """A date as Excel stores it (days since 1899-12-30)."""
    return (day - _EXCEL_EPOCH).days


# ---- common styling -----------------------------------------------------------------------------


def dress_common(chart: Chart, space: Any, style: ChartStyle) -> None:
    """The fonts on all chart text (an East Asian face too), square corners, no frame, unsigned axis ids."""
    chart.font.size = Pt(style.size_pt)
    chart.font.name = style.latin
    chart.font.color.rgb = rgb(TEXT)
    latin = space.find(f"{{{C_NS}}}txPr/{{{A_NS}}}p/{{{A_NS}}}pPr/{{{A_NS}}}defRPr/{{{A_NS}}}latin")
    latin.addnext(etree.Element(f"{{{A_NS}}}ea", typeface=style.east_asian))
    space.find(f"{{{C_NS}}}date1904").addnext(etree.Element(f"{{{C_NS}}}roundedCorners", val="0"))
    frame = etree.fromstring(f'<c:spPr xmlns:c="{C_NS}" xmlns:a="{A_NS}"><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>')
    space.find(f"{{{C_NS}}}txPr").addprevious(frame)
    _positive_axis_ids(space)


def _positive_axis_ids(space: Any) -> None:
    """python-pptx's bar charts number their axes below zero; Office's schema wants unsigned ids."""
    ids: dict[str, str] = {}
    for element in space.iter(f"{{{C_NS}}}axId", f"{{{C_NS}}}crossAx"):
        value = element.get("val")
        element.set("val", ids.setdefault(value, str(10000 + len(ids))))


def fill(series: Any, color: str) -> None:
    series.format.fill.solid()
    series.format.fill.fore_color.rgb = rgb(color)


def data_labels(plot: Any, number_format: str, position: Any) -> None:
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format = number_format
    labels.number_format_is_linked = False
    labels.show_value = True
    labels.position = position


def legend(chart: Chart, *, hide: Sequence[int] = ()) -> None:
    chart.has_legend = True
    legend = chart.legend
    legend.position = XL_LEGEND_POSITION.TOP
    legend.include_in_layout = False
    for idx in sorted(hide, reverse=True):  # legendEntry follows legendPos
        entry = etree.fromstring(
            f'<c:legendEntry xmlns:c="{C_NS}"><c:idx val="{idx}"/><c:delete val="1"/></c:legendEntry>'
        )
        legend._element.find(f"{{{C_NS}}}legendPos").addnext(entry)


def light_grid(chart: Chart) -> None:
    axis = chart.value_axis
    axis.has_major_gridlines = True
    axis.major_gridlines.format.line.color.rgb = rgb(GRID)
    axis.major_gridlines.format.line.width = Pt(0.5)
    axis.format.line.fill.background()
