"""The data workbook embedded in each native chart: what Word's "Edit Data" opens.

python-pptx writes it through XlsxWriter, a complete workbook per chart (about 10 ms each, and a
report has one per chart). This writes the same layout, the one the chart XML's formulas point at
(python-pptx's `CategoryWorkbookWriter`: categories in column A from row 2, then one column per
series, its name in row 1), as the smallest SpreadsheetML package Excel opens: one sheet, inline
strings, a number format per series. Text goes through the reports' one escaping point.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from pptx.chart.data import CategoryChartData

from ci_excel.reading.grid import column_letter
from ci_excel.render.docx_xml import escaped

_EXCEL_EPOCH = date(1899, 12, 30)
_BUILT_IN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_STATIC = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
    ),
}
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def category_workbook(chart_data: CategoryChartData) -> bytes:
    """The chart's numbers as an .xlsx: categories down column A, a column per series."""
    categories = [c.label for c in chart_data.categories]
    series = [(s.name, list(s.values), s.number_format) for s in chart_data]
    formats = _Formats()
    category_style = formats.style(chart_data.categories.number_format)
    styles = [formats.style(number_format) for _, _, number_format in series]
    rows = [_row(1, [(None, 0), *((name, 0) for name, _, _ in series)])]
    for n, category in enumerate(categories):
        cells = [
            (category, category_style),
            *(
                (values[n] if n < len(values) else None, style)
                for (_, values, _), style in zip(series, styles, strict=True)
            ),
        ]
        rows.append(_row(n + 2, cells))
    sheet = (
        f'<worksheet xmlns="{_MAIN}"><cols><col min="1" max="1" width="10" customWidth="1"/></cols>'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )
    buffer = io.BytesIO(_static_package())
    with zipfile.ZipFile(buffer, "a") as package:  # the parts every workbook shares are there already
        _put(package, "xl/styles.xml", formats.styles_xml())
        _put(package, "xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


@lru_cache(maxsize=1)
def _static_package() -> bytes:
    """The package with the parts every chart's workbook has in common: each workbook appends its
    styles and its sheet to a copy (writing those four parts anew took half a workbook's time)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, xml in _STATIC.items():
            _put(package, name, xml)
    return buffer.getvalue()


def _put(package: zipfile.ZipFile, name: str, xml: str) -> None:
    """A part stored uncompressed: the report's package compresses the whole workbook once."""
    package.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), _DECLARATION + xml, zipfile.ZIP_STORED)


def _row(number: int, cells: Sequence[tuple[Any, int]]) -> str:
    out = []
    for column, (value, style) in enumerate(cells):
        ref = f"{column_letter(column)}{number}"
        attribute = f' s="{style}"' if style else ""
        if value is None:
            continue
        if isinstance(value, str):
            text = f"<is><t>{escaped(value)}</t></is>"
            out.append(f'<c r="{ref}"{attribute} t="inlineStr">{text}</c>')
        else:
            out.append(f'<c r="{ref}"{attribute}><v>{_number(value)}</v></c>')
    return f'<row r="{number}">{"".join(out)}</row>'


def _number(value: Any) -> str:
    if isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        return str((day - _EXCEL_EPOCH).days)
    return repr(float(value)) if isinstance(value, float) else str(int(value))


class _Formats:
    """Cell styles, one per number format used (style 0: General)."""

    def __init__(self) -> None:
        self._ids: list[int] = [0]
        self._custom: dict[str, int] = {}

    def style(self, number_format: str | None) -> int:
        fmt = number_format or "General"
        num_id = _BUILT_IN_FORMATS.get(fmt)
        if num_id is None:
            num_id = self._custom.setdefault(fmt, 164 + len(self._custom))
        if num_id not in self._ids:
            self._ids.append(num_id)
        return self._ids.index(num_id)

    def styles_xml(self) -> str:
        custom = "".join(f'<numFmt numFmtId="{n}" formatCode="{escaped(code)}"/>' for code, n in self._custom.items())
        num_fmts = f'<numFmts count="{len(self._custom)}">{custom}</numFmts>' if custom else ""
        applied = ' applyNumberFormat="1"'
        xfs = "".join(
            f'<xf numFmtId="{n}" fontId="0" fillId="0" borderId="0" xfId="0"{applied if n else ""}/>' for n in self._ids
        )
        return (
            f'<styleSheet xmlns="{_MAIN}">{num_fmts}<fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
            '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill '
            'patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/>'
            '<diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
            f'borderId="0"/></cellStyleXfs><cellXfs count="{len(self._ids)}">{xfs}</cellXfs><cellStyles count="1">'
            '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
        )
