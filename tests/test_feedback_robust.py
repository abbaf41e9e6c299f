"""Feedback workbooks from real-world damage: the copy is always written, named uniquely, text stays text."""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from ci_excel.feedback_run import write_run_feedback
from ci_excel.issues import Issue
from ci_excel.render.feedback_names import FeedbackNames, feedback_paths
from ci_excel.render.feedback_xlsx import write_feedback
from ci_excel.render.xlsx_tables import sheet_parts
from ci_excel.validation import validate_paths
from tests.builders import register, tables_with
from tests.legacy_xls import write_xls

pytestmark = pytest.mark.filterwarnings("ignore:Data Validation extension:UserWarning")  # openpyxl drops x14

BAD = {("results", 0, "direction"): "更好"}
Edit = Callable[[bytes], bytes]


def rewrite_part(source: Path, target: Path, part: str, edit: Edit) -> Path:
    """A copy of the package at `source` with one part's bytes edited."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, edit(data) if info.filename == part else data)
    return target


def issue(sheet: str, cell: str, value: str = "x", code: str = "enum-invalid") -> Issue:
    return Issue(code, "f.xlsx", sheet=sheet, cell=cell, column="列", value=value)


def rows(path: Path, sheet: str = "问题清单") -> list[list[object]]:
    return [[c.value for c in r] for r in openpyxl.load_workbook(path)[sheet].iter_rows()]


def calc_on_load(path: Path) -> bool:
    return b'fullCalcOnLoad="1"' in zipfile.ZipFile(path).read("xl/workbook.xml")


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Issue]]:
    folder = tmp_path_factory.mktemp("in")
    source = register(folder, tables=tables_with(BAD))
    return source, validate_paths([source], root=folder).issues


DAMAGE: dict[str, tuple[str, Edit]] = {  # what openpyxl raises on, seen in real files
    "shared-string-index": (
        "xl/worksheets/sheet2.xml",
        lambda d: re.sub(rb'(t="s"[^>]*><v>)\d+', rb"\g<1>99999", d, count=1),
    ),
    "odd-style": ("xl/styles.xml", lambda d: d.replace(b"<alignment ", b'<alignment horizontal="bogus" ', 1)),
    "pivot-cache": (
        "xl/workbook.xml",
        lambda d: d.replace(
            b"</workbook>", b'<pivotCaches><pivotCache cacheId="1" r:id="rId99"/></pivotCaches></workbook>'
        ),
    ),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_workbook_openpyxl_cannot_load_gets_a_standalone_copy(
    damage: str, checked: tuple[Path, list[Issue]], tmp_path: Path
) -> None:
    source, issues = checked
    part, edit = DAMAGE[damage]
    broken = rewrite_part(source, tmp_path / "broken.xlsx", part, edit)
    out = write_feedback(broken, issues, tmp_path / "fb" / "broken.xlsx")
    assert out == tmp_path / "fb" / "broken.xlsx"
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["问题清单"]
    table = rows(out)
    assert "未能在原工作簿上标注问题" in str(table[0][0]) and "Error" in str(table[0][0])
    assert table[1] == ["严重程度", "代码", "工作表", "单元格", "列", "值", "说明"]
    assert [(r[1], r[2], r[3]) for r in table[2:]] == [
        (i.code, i.sheet, i.cell) for i in sorted(issues, key=lambda i: (not i.is_error, i.sheet, i.row or 0))
    ]
    assert all(c.hyperlink is None for r in book["问题清单"].iter_rows() for c in r)
    assert not calc_on_load(out)


def test_too_large_to_load_goes_straight_to_the_standalone_copy(
    checked: tuple[Path, list[Issue]], tmp_path: Path
) -> None:
    source, issues = checked
    out = write_feedback(source, issues, tmp_path / "fb.xlsx", lang="en", annotate=False)
    table = rows(out, "Issues")
    assert "too large to load whole" in str(table[0][0]) and len(table) == 2 + len(issues)


def test_xls_control_characters_and_formula_text_are_copied_as_text(tmp_path: Path) -> None:
    source = write_xls(tmp_path / "legacy.xls", {"S": {(0, 0): "a\x01b\x1fc\td", (0, 1): "=1+1", (1, 0): 2.5}})
    found = [issue("S", "A1", "a\x01b"), issue("S", "B1", "=1+1")]
    out = write_feedback(source, found, tmp_path / "fb" / "legacy.xls")
    assert out.name == "legacy.xls.xlsx"
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["问题清单", "S"]  # annotated, not the stand-alone copy
    sheet = book["S"]
    assert (sheet["A1"].value, sheet["B1"].value, sheet["A2"].value) == ("abc\td", "=1+1", 2.5)
    assert sheet["B1"].data_type == "s" and sheet["A1"].comment is not None
    assert rows(out)[1][5] == "ab"
    assert b"<f>" not in zipfile.ZipFile(out).read("xl/worksheets/sheet2.xml")
    assert not calc_on_load(out)


def test_lone_surrogates_become_replacement_characters(checked: tuple[Path, list[Issue]], tmp_path: Path) -> None:
    source, issues = checked
    odd = issue("5-效果验证", "D2", "\ud800更好")
    out = write_feedback(source, [*issues, odd], tmp_path / "fb.xlsx")
    book = openpyxl.load_workbook(out)
    assert len(book.sheetnames) > 1  # annotated
    assert "\ufffd更好" in [r[5] for r in rows(out)]
    assert "\ufffd更好" in book["5-效果验证"]["D2"].comment.text


def test_the_real_kind_picks_the_loader(checked: tuple[Path, list[Issue]], tmp_path: Path) -> None:
    source, issues = checked
    named_xls = shutil.copy(source, tmp_path / "register.xls")
    out = write_feedback(Path(named_xls), issues, tmp_path / "fb" / "register.xls", kind="xlsx")
    assert out.name == "register.xls.xlsx"
    assert openpyxl.load_workbook(out)["5-效果验证"]["D2"].comment is not None  # annotated in place
    legacy = write_xls(tmp_path / "legacy.xlsx", {"S": {(0, 0): "v"}})
    out = write_feedback(legacy, [issue("S", "A1")], tmp_path / "fb" / "legacy.xlsx", kind="xls")
    assert openpyxl.load_workbook(out)["S"]["A1"].value == "v"
    guessed = write_feedback(legacy, [issue("S", "A1")], tmp_path / "fb" / "guessed.xlsx")  # kind unknown
    assert openpyxl.load_workbook(guessed).sheetnames == ["问题清单"]  # stand-alone, not a crash


def test_names_never_collide_and_keep_the_converted_suffix(tmp_path: Path) -> None:
    labels = [
        ("d/X.xls", None),
        ("d/X.xlsx", None),
        ("d/X.ods", None),
        ("d/x.XLSX", None),
        ("a:b.xlsx", None),
        ("a_b.xlsx", None),
        ("m.xlsm", None),
        ("m.xlsm.xlsx", None),
        ("fake.xlsx", "xls"),
    ]
    paths = [p.relative_to(tmp_path).as_posix() for p in feedback_paths(tmp_path, labels).values()]
    assert paths == [
        "d/X.xls.xlsx",
        "d/X.xlsx",
        "d/X.ods.xlsx",
        "d/x (2).XLSX",
        "a_b.xlsx",
        "a_b (2).xlsx",
        "m.xlsm",
        "m.xlsm (2).xlsx",
        "fake.xlsx",
    ]
    names = FeedbackNames(tmp_path)
    assert [names.claim(label, kind=kind) for label, kind in labels] == list(feedback_paths(tmp_path, labels).values())


def test_feedback_files_one_per_file_and_a_failure_is_an_issue(tmp_path: Path) -> None:
    src = tmp_path / "in"
    register(src, "X.xlsx", tables=tables_with(BAD))
    write_xls(src / "X.xls", {"S": {(0, 0): "v"}})
    register(src, "Y.xlsx", tables=tables_with(BAD))
    (tmp_path / "fb" / "X.xlsx").mkdir(parents=True)  # nothing can be written where X.xlsx's copy goes
    run = validate_paths([src], root=src)
    written = write_run_feedback(run, tmp_path / "fb", lang="zh", root=src, workers=1)
    assert sorted(p.name for p in written) == ["X.xls.xlsx", "Y.xlsx"]
    [failed] = [i for i in run.issues if i.code == "output-failed"]
    assert failed.file == "X.xlsx" and "X.xlsx" in failed.message("en")


def test_link_to_a_sheet_whose_name_holds_a_quote(tmp_path: Path) -> None:
    source = write_xls(tmp_path / "q.xls", {"It's": {(0, 0): "v"}})
    out = write_feedback(source, [issue("It's", "A1")], tmp_path / "q.xlsx")
    [link] = [
        c.hyperlink for r in openpyxl.load_workbook(out)["问题清单"].iter_rows(min_row=2) for c in r if c.hyperlink
    ]
    assert (link.location or link.target) in ("'It''s'!A1", "#'It''s'!A1")


# ---- dropdowns Excel keeps in its x14 extension ---------------------------------------------

X14_EXT = (
    '<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    "<x14:formula1><xm:f>_lists!$A$2:$A$5</xm:f></x14:formula1><xm:sqref>D2:D200</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext></extLst>"
)


def sheet_xml(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(sheet_parts(zf)[name])


def with_x14_dropdowns(source: Path, target: Path, sheet: str) -> Path:
    """`source` with an x14 list validation on `sheet`, as Excel saves one that points at `_lists`."""
    with zipfile.ZipFile(source) as zf:
        part = sheet_parts(zf)[sheet]
    return rewrite_part(source, target, part, lambda d: d.replace(b"</worksheet>", X14_EXT.encode() + b"</worksheet>"))


def test_x14_dropdowns_are_kept_in_the_feedback_copy(checked: tuple[Path, list[Issue]], tmp_path: Path) -> None:
    source, issues = checked
    excel = with_x14_dropdowns(source, tmp_path / "excel.xlsx", "5-效果验证")
    plain = tmp_path / "plain.xlsx"
    openpyxl.load_workbook(excel).save(plain)
    assert b"CCE6A557" not in sheet_xml(plain, "5-效果验证")  # what openpyxl alone does
    out = write_feedback(excel, issues, tmp_path / "fb.xlsx")
    kept = sheet_xml(out, "5-效果验证")
    assert kept.count(b"{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}") == 1
    assert b"<xm:f>_lists!$A$2:$A$5</xm:f>" in kept and kept.rstrip().endswith(b"</extLst></worksheet>")
    assert b"CCE6A557" not in sheet_xml(out, "4-实施跟踪")
    assert openpyxl.load_workbook(out)["5-效果验证"]["D2"].comment is not None


CHECK = Path(__file__).resolve().parents[2] / "shared" / "tools" / "ooxml" / "check.sh"
INSTALLED = Path.home() / ".cache" / "ci-excel-ooxml" / "venv" / "bin" / "python"


@pytest.mark.skipif(not (CHECK.exists() and INSTALLED.exists()), reason="the Open XML SDK check is not installed")
def test_feedback_copy_with_dropdowns_passes_the_open_xml_sdk(
    checked: tuple[Path, list[Issue]], tmp_path: Path
) -> None:
    import subprocess

    source, issues = checked
    excel = with_x14_dropdowns(source, tmp_path / "excel.xlsx", "5-效果验证")
    out = write_feedback(excel, issues, tmp_path / "fb.xlsx")
    done = subprocess.run(["bash", str(CHECK), str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "sdk 0 errors" in done.stdout, done.stdout


def test_a_workbook_of_very_many_sheets_gets_the_standalone_copy(tmp_path: Path) -> None:
    from benchmarks.bench_feedback import many_sheets
    from ci_excel.render.feedback_xlsx import MAX_SHEETS

    source = tmp_path / "many.xlsx"
    issues = many_sheets(source, MAX_SHEETS + 1)
    out = write_feedback(source, issues, tmp_path / "fb.xlsx", lang="en")
    table = rows(out, "Issues")
    assert "1,001 sheets" in str(table[0][0]) and len(table) == 2 + len(issues)


def test_legacy_values_copy_is_bounded(tmp_path: Path) -> None:
    wide = write_xls(tmp_path / "wide.xls", {"S": {(0, 0): "kept", (0, 250): "past column 200"}})
    book = openpyxl.load_workbook(write_feedback(wide, [issue("S", "A1")], tmp_path / "wide.xls"))
    assert book["S"]["A1"].value == "kept" and book["S"].max_column == 1
    far = write_xls(tmp_path / "far.xls", {"S": {(0, 0): "v", (10_000, 200): "far"}})  # 2.01 million cells
    out = write_feedback(far, [issue("S", "A1")], tmp_path / "far.xls", lang="en")
    assert openpyxl.load_workbook(out).sheetnames == ["Issues"]
    assert "10001 rows x 201 columns" in str(rows(out, "Issues")[0][0])


def test_the_caller_says_why_the_copy_is_standalone(checked: tuple[Path, list[Issue]], tmp_path: Path) -> None:
    source, issues = checked
    out = write_feedback(source, issues, tmp_path / "fb.xlsx", annotate=False, reason="检查超时(60 秒)")
    assert "检查超时(60 秒)" in str(rows(out)[0][0])
