"""The dashboard's native charts and the hidden sheet holding what they plot that no visible sheet
holds in that shape (departments x stages, the impact x difficulty matrix).

Every series reads a range whose values are passed along (`plumbing.add_series`), since xlsxwriter
cannot fill chart caches in constant_memory mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ci_excel import model, schema
from ci_excel.render.summary.columns import Row, write_text
from ci_excel.render.summary.plumbing import SmallSheet, TableSheet, add_series
from ci_excel.render.summary.style import PRIORITY_COLOURS, STAGE_COLOURS, Styles
from ci_excel.text import phrase, pick

TOP_DEPARTMENTS = 15
Cell = tuple[str, str, str]  # priority, impact, difficulty
_LEVEL = {c.key: i for i, c in enumerate(reversed(schema.LEVEL.choices), 1)}  # low 1 .. high 3


def matrix_cells(period: model.PeriodDigest) -> dict[Cell, int]:
    """The period's problems per priority x impact x difficulty, the cells the chart can place."""
    return {(p, i, d): n for (p, i, d), n in period.matrix.items() if i in _LEVEL and d in _LEVEL}


@dataclass
class Dash:
    """Where the dashboard put the figures the charts read."""

    sheet: SmallSheet
    cells: dict[str, tuple[int, int]] = field(default_factory=dict)
    priority_at: tuple[int, int, int] = (0, 0, 0)  # first row, last row, label column


_Points = dict[str, list[tuple[int, int, int, int]]]  # priority -> [(sheet row, x, y, problems)]


@dataclass(frozen=True)
class ChartData:
    sheet: SmallSheet
    departments: int  # rows of the department x stage block (from row 1)
    most: int  # the largest department's problem count
    truncated: bool  # more departments than the chart shows
    matrix: _Points


def write_chart_data(
    book: Workbook, top: list[model.DepartmentDigest], departments: int, matrix: dict[Cell, int], styles: Styles
) -> ChartData:
    """A hidden sheet with what the charts plot that no visible sheet holds in that shape."""
    lang = styles.lang
    ws = book.add_worksheet(phrase("chart_data", lang))
    ws.hide()
    cells = SmallSheet(ws)
    cells.write_string(0, 0, schema.column_label("info", "department", lang))
    for j, choice in enumerate(schema.STAGE.choices, 1):
        cells.write_string(0, j, choice.label(lang))
    for i, d in enumerate(top, 1):
        write_text(cells, i, 0, d.department, styles)
        for j, n in enumerate(d.stages, 1):
            cells.write_number(i, j, n)
    most = max((d.problems for d in top), default=0)
    truncated = departments > len(top)
    points = _write_matrix(cells, matrix, start=len(top) + 3)
    cells.flush()
    return ChartData(cells, len(top), most, truncated, points)


def _write_matrix(ws: SmallSheet, cells: dict[Cell, int], *, start: int) -> _Points:
    """One point per impact x difficulty cell that holds problems, grouped by the cell's priority."""
    points: _Points = {}
    for r, ((priority, impact, difficulty), n) in enumerate(sorted(cells.items()), start=start):
        ws.write_string(r, 0, priority)
        ws.write_number(r, 1, _LEVEL[difficulty])
        ws.write_number(r, 2, _LEVEL[impact])
        ws.write_number(r, 3, n)
        points.setdefault(priority, []).append((r, _LEVEL[difficulty], _LEVEL[impact], n))
    return points


def _font(styles: Styles, size: int = 9, **extra: Any) -> dict[str, Any]:
    return {"name": styles.font, "size": size, **extra}


def _chart(book: Workbook, kind: str, title: str, styles: Styles, **options: Any) -> Any:
    chart = book.add_chart({"type": kind, **options})
    chart.set_title({"name": title, "name_font": _font(styles, 11, bold=True)})
    chart.set_legend({"position": "bottom", "font": _font(styles)})
    chart.set_chartarea({"border": {"color": "#BBBBBB"}})
    return chart


# Chart grid on the dashboard, in pixels: (band, left x, width, height). Band 0 shares the first
# page with the figures; bands 1 and 2 make the second page.
_LAYOUT = {
    "stage": (0, 0, 640, 340),
    "priority": (0, 660, 410, 340),
    "trend": (1, 0, 640, 300),
    "pass": (1, 660, 410, 300),
    "matrix": (2, 0, 640, 400),
}
_ROW_PX = 20


def insert_charts(
    book: Workbook,
    ws: Worksheet,
    dash: Dash,
    data: ChartData,
    trend: tuple[TableSheet, list[Row]],
    figures: dict[str, Any],
    styles: Styles,
    *,
    top: int,
) -> int:
    """Place the charts in bands from row `top`; returns the last row they cover."""
    charts = {
        "stage": _stage_chart(book, data, styles),
        "priority": _priority_chart(book, dash, styles),
        "trend": _trend_chart(book, trend, styles),
        "pass": _pass_chart(book, dash, figures, styles),
        "matrix": _matrix_chart(book, data, styles),
    }
    heights = [max(h for b, _, _, h in _LAYOUT.values() if b == band) for band in range(3)]
    starts = [top]
    for h in heights:
        starts.append(starts[-1] + -(-(h + 10) // _ROW_PX))
    for key, (band, x, width, height) in _LAYOUT.items():
        ws.insert_chart(
            starts[band],
            0,
            charts[key],
            {"x_offset": x, "y_offset": 4, "object_position": 3, "x_scale": width / 480, "y_scale": height / 288},
        )
    ws.set_h_pagebreaks([starts[1]])
    return starts[-1]


def _stage_chart(book: Workbook, data: ChartData, styles: Styles) -> Any:
    lang = styles.lang
    title = phrase("chart_stage_dept", lang)
    if data.truncated:
        top = phrase("top", lang).format(n=TOP_DEPARTMENTS)
        title += pick(lang, f"({top})", f" ({top})")
    chart = _chart(book, "column", title, styles, subtype="stacked")
    n, cells = max(data.departments, 1), data.sheet
    for j, colour in enumerate(STAGE_COLOURS, 1):
        add_series(
            chart,
            {"fill": {"color": colour}, "gap": 60},
            name=cells.ref(0, j),
            categories=cells.ref(1, 0, n, 0),
            values=cells.ref(1, j, n, j),
        )
    chart.set_x_axis({"num_font": _font(styles, 8, rotation=-30)})
    chart.set_y_axis(
        {
            "num_font": _font(styles),
            "num_format": "0",
            "min": 0,
            "major_unit": max(1, -(-data.most // 6)),
            "major_gridlines": {"visible": True, "line": {"color": "#E5E5E5"}},
        }
    )
    return chart


def _priority_chart(book: Workbook, dash: Dash, styles: Styles) -> Any:
    chart = _chart(book, "pie", phrase("chart_priority", styles.lang), styles)
    first, last, col = dash.priority_at
    add_series(
        chart,
        {
            "name": phrase("chart_priority", styles.lang),
            "points": [{"fill": {"color": c}} for c in PRIORITY_COLOURS.values()],
            "data_labels": {"value": True, "percentage": True, "separator": "\n", "font": _font(styles, 9, bold=True)},
        },
        categories=dash.sheet.ref(first, col, last, col),
        values=dash.sheet.ref(first, col + 1, last, col + 1),
    )
    return chart


def _trend_chart(book: Workbook, trend: tuple[TableSheet, list[Row]], styles: Styles) -> Any:
    """The trend sheet's figures by period; `trend` is the sheet and the rows written to it."""
    chart = _chart(book, "line", phrase("chart_trend", styles.lang), styles)
    sheet, rows = trend
    n = max(sheet.rows, 1)
    columns = sheet.spec.columns
    name = sheet.spec.name

    def ref(c: int) -> dict[str, Any]:
        return {"ref": [name, 1, c, n, c], "data": [r.get(columns[c].key) for r in rows] or [None]}

    colours = {
        "problems": "#1B4F72",
        "open": "#E67E22",
        "closed": "#27AE60",
        "overdue_actions": "#C0392B",
        "kpis_met": "#8E44AD",
    }
    for key, colour in colours.items():
        c = next(i for i, col in enumerate(columns) if col.key == key)
        add_series(
            chart,
            {
                "line": {"color": colour, "width": 2.25},
                "marker": {"type": "circle", "size": 6, "fill": {"color": colour}, "border": {"color": colour}},
                **(
                    {"data_labels": {"value": True, "position": "above", "font": _font(styles, 8)}}
                    if key == "problems"
                    else {}
                ),
            },
            name={"ref": [name, 0, c], "data": [columns[c].header]},
            categories=ref(0),
            values=ref(c),
        )
    chart.set_x_axis({"num_font": _font(styles)})
    chart.set_y_axis({"num_font": _font(styles), "major_gridlines": {"visible": True, "line": {"color": "#E5E5E5"}}})
    return chart


def _pass_chart(book: Workbook, dash: Dash, figures: dict[str, Any], styles: Styles) -> Any:
    lang = styles.lang
    rate = figures["pass_rate"]
    title = f"{phrase('chart_pass', lang)} {rate:.0%}" if rate is not None else phrase("chart_pass", lang)
    chart = _chart(book, "doughnut", title, styles)
    (r1, c), (r2, _) = dash.cells["passing"], dash.cells["failing"]
    add_series(
        chart,
        {
            "name": phrase("chart_pass", lang),
            "points": [{"fill": {"color": "#27AE60"}}, {"fill": {"color": "#C0392B"}}],
            "data_labels": {"value": True, "percentage": True, "separator": "\n", "font": _font(styles, 9, bold=True)},
        },
        categories=dash.sheet.ref(r1, c - 1, r2, c - 1),
        values=dash.sheet.ref(r1, c, r2, c),
    )
    chart.set_hole_size(50)
    return chart


def _matrix_chart(book: Workbook, data: ChartData, styles: Styles) -> Any:
    lang = styles.lang
    chart = _chart(book, "scatter", phrase("chart_matrix", lang), styles)
    for priority, points in sorted(data.matrix.items()):
        first, last = points[0][0], points[-1][0]
        colour = PRIORITY_COLOURS.get(priority, "#777777")
        add_series(
            chart,
            {
                "name": schema.PRIORITY.label(priority, lang) if priority in schema.PRIORITY.by_key else priority,
                "marker": {"type": "circle", "size": 22, "fill": {"color": colour}, "border": {"color": "#FFFFFF"}},
                "data_labels": {
                    "custom": [{"value": str(n)} for _, _, _, n in points],
                    "position": "center",
                    "font": _font(styles, 9, bold=True, color="#FFFFFF"),
                },
            },
            categories=data.sheet.ref(first, 1, last, 1),
            values=data.sheet.ref(first, 2, last, 2),
        )
    if not data.matrix:  # no problems: an empty series keeps the chart (and the file) valid
        add_series(chart, {}, categories=data.sheet.ref(0, 8), values=data.sheet.ref(0, 9))
    grid = {"visible": True, "line": {"color": "#BBBBBB"}}
    axis = {"min": 0.5, "max": 3.5, "major_unit": 1, "label_position": "none", "major_gridlines": grid}
    chart.set_x_axis({**axis, "name": phrase("axis_difficulty", lang), "name_font": _font(styles, 9)})
    chart.set_y_axis({**axis, "name": phrase("axis_impact", lang), "name_font": _font(styles, 9)})
    return chart
