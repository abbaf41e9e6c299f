"""The sheet scan that runs before any grid is built: extents, formulas without results, damaged cells."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ci_excel.sheet_scan import column_number, scan_sheet, sheet_parts

SHEET = b"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="str"><f>IF(1,"","x")</f><v></v></c>
<c r="C1"><f>SUM(A1)</f><v></v></c><c r="D1"><f>SUM(A1)</f></c><c r="E1" t="e"><v>#DIV/0!</v></c></row>
<row r="2"><c r="A2" t="s"><v>-1</v></c><c r="B2" t="s"><v>abc</v></c><c r="C2" s="3"/></row>
<row r="900" s="2" customFormat="1"><c r="Z900" s="2"/></row>
<row r="5000"><c r="XFD5000" t="inlineStr"><is><t>x</t></is></c></row>
</sheetData></worksheet>"""


def _package(path: Path, sheet: bytes, *, part: str = "xl/worksheets/sheet1.xml") -> zipfile.ZipFile:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "_rels/.rels",
            '<Relationships><Relationship Id="r1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="wb/Book.xml"/>'
            "</Relationships>",
        )
        zf.writestr(
            "wb/Book.xml", '<workbook><sheets><sheet name="A &amp; B" sheetId="1" r:id="rId1"/></sheets></workbook>'
        )
        zf.writestr(
            "wb/_rels/Book.xml.rels", f'<Relationships><Relationship Id="rId1" Target="../{part}"/></Relationships>'
        )
        zf.writestr(part, sheet)
    return zipfile.ZipFile(path)


def test_scan_reaches_the_far_value_not_the_formatting(tmp_path: Path) -> None:
    with _package(tmp_path / "book.xlsx", SHEET) as zf:
        scan = scan_sheet(zf, "xl/worksheets/sheet1.xml")
    assert (scan.last_row, scan.last_col, scan.rows) == (5000, 16384, 4)
    assert scan.area == 5000 * 16384


def test_formula_results_errors_and_damaged_indexes(tmp_path: Path) -> None:
    with _package(tmp_path / "book.xlsx", SHEET) as zf:
        bad = scan_sheet(zf, "xl/worksheets/sheet1.xml").bad
    assert not bad.lacks_value("B1")  # a formula whose result is empty text was calculated
    assert bad.lacks_value("C1") and bad.lacks_value("D1")  # never calculated
    assert bad.error("E1") == "#DIV/0!"
    assert set(bad.corrupt) == {"A2", "B2"} and bad.damage("A1") is None


def test_chunks_never_split_a_cell(tmp_path: Path, monkeypatch: object) -> None:
    import ci_excel.sheet_scan as scan_module

    rows = b"".join(b'<row r="%d"><c r="A%d"><f>X</f></c></row>' % (r, r) for r in range(1, 3001))
    sheet = b"<worksheet><sheetData>" + rows + b"</sheetData></worksheet>"
    with _package(tmp_path / "book.xlsx", sheet) as zf:
        whole = scan_sheet(zf, "xl/worksheets/sheet1.xml")
        scan_module.CHUNK = 1000  # type: ignore[attr-defined]
        try:
            chunked = scan_sheet(zf, "xl/worksheets/sheet1.xml")
        finally:
            scan_module.CHUNK = 4 << 20  # type: ignore[attr-defined]
    assert chunked == whole and len(whole.bad.no_value) == 3000 and whole.rows == 3000


def test_many_formatted_rows_are_not_value_rows(tmp_path: Path) -> None:
    rows = b"".join(b'<row r="%d" s="1"><c r="B%d" s="1"/></row>' % (r, r) for r in range(2, 1002))
    values = b'<row r="1"><c r="A1"><v>1</v></c><c r="AC1"><v>2</v></c></row>'
    sheet = b"<worksheet><sheetData>" + values + rows + b"</sheetData></worksheet>"
    with _package(tmp_path / "book.xlsx", sheet) as zf:
        assert scan_sheet(zf, "xl/worksheets/sheet1.xml").rows == 1001  # a bound, cheap
        scan = scan_sheet(zf, "xl/worksheets/sheet1.xml", exact_over=100)
    assert (scan.last_row, scan.last_col, scan.rows) == (1, 52, 1)  # counted exactly past the threshold


def test_sheet_parts_follow_the_package_relationships(tmp_path: Path) -> None:
    with _package(tmp_path / "odd.xlsx", SHEET, part="Sheets/First.XML") as zf:
        assert sheet_parts(zf) == {"A & B": "Sheets/First.XML"}


def test_column_numbers() -> None:
    assert [column_number(c) for c in ("A", "Z", "AA", "XFD")] == [1, 26, 27, 16384]
