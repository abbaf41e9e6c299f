"""The templates match the schema: read back with openpyxl, never compared by bytes."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from ci_excel import examples
from ci_excel.schema import (
    FORM_HEADERS,
    INFO,
    INSTRUCTIONS,
    LISTS_SHEET,
    META_SHEET,
    REGISTER,
    SOLUTIONS,
    STEP_WORKBOOKS,
    STEPS,
    TABLE_SHEETS,
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    ColType,
    ColumnSpec,
    Lang,
    SheetSpec,
)
from ci_excel.templates import write_templates, write_workbook

COMMITTED = Path(__file__).resolve().parent.parent / "workbook_templates"
STEMS = [REGISTER, *STEP_WORKBOOKS]
FORMATS = {ColType.DATE: "yyyy-mm-dd", ColType.PERCENT: "0%", ColType.MONEY: "#,##0", ColType.INT: "0"}


@pytest.fixture(scope="module", params=["zh", "en"])
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Lang, Path]:
    lang: Lang = request.param
    out = tmp_path_factory.mktemp(f"templates_{lang}")
    write_templates(out, lang=lang)
    return lang, out


@pytest.fixture(scope="module")
def register(generated: tuple[Lang, Path]) -> tuple[Lang, Workbook]:
    lang, out = generated
    return lang, openpyxl.load_workbook(out / f"{REGISTER}.xlsx")


def expected_header(column: ColumnSpec, lang: Lang) -> str:
    return column.header(lang) + ("*" if column.required else "")


def column_width(ws: Worksheet, index: int) -> float:
    """The width of a 1-based column (openpyxl groups equal neighbours into one min..max entry)."""
    return next(d.width for d in ws.column_dimensions.values() if d.min <= index <= d.max)


def validations(ws: Worksheet) -> dict[str, Any]:
    """sqref -> the validation, one entry per range."""
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


def test_writes_the_register_and_one_workbook_per_step(generated: tuple[Lang, Path]) -> None:
    _, out = generated
    assert sorted(p.stem for p in out.glob("*.xlsx")) == sorted(STEMS)
    assert not list(out.glob(".*"))  # no temporary files left behind


@pytest.mark.parametrize("stem", STEMS)
def test_sheet_order_and_hidden_sheets(generated: tuple[Lang, Path], stem: str) -> None:
    lang, out = generated
    wb = openpyxl.load_workbook(out / f"{stem}.xlsx")
    keys = [s.key for s in TABLE_SHEETS] if stem == REGISTER else list(STEP_WORKBOOKS[stem])
    tables = [s.name(lang) for s in TABLE_SHEETS if s.key in keys]
    assert wb.sheetnames == [INSTRUCTIONS[lang], INFO.name(lang), *tables, LISTS_SHEET, META_SHEET]
    states = {ws.title: ws.sheet_state for ws in wb}
    assert states.pop(LISTS_SHEET) == states.pop(META_SHEET) == "hidden"
    assert set(states.values()) == {"visible"}
    meta = dict(wb[META_SHEET].iter_rows(values_only=True))
    assert meta["template_id"] == TEMPLATE_ID
    assert meta["template_version"] == TEMPLATE_VERSION
    assert meta["lang"] == lang
    assert meta["workbook"] == stem
    assert {k: v for k, v in meta.items() if k.startswith("sheet:")} == {
        f"sheet:{s.key}": s.name(lang) for s in (INFO, *TABLE_SHEETS) if s.key in ("info", *keys)
    }


@pytest.mark.parametrize("sheet", TABLE_SHEETS, ids=lambda s: s.key)
def test_table_headers_required_markers_and_freeze(register: tuple[Lang, Workbook], sheet: SheetSpec) -> None:
    lang, wb = register
    ws = wb[sheet.name(lang)]
    headers = [c.value for c in ws[1]]
    assert headers == [expected_header(c, lang) for c in sheet.columns]
    assert [h.endswith("*") for h in headers] == [c.required for c in sheet.columns]
    assert ws.freeze_panes == "A2"
    for index, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(1, index)
        assert cell.font.b
        assert column_width(ws, index) == pytest.approx(column.width, abs=1)
    required_fill = {ws.cell(1, i + 1).fill.fgColor.rgb for i, c in enumerate(sheet.columns) if c.required}
    optional_fill = {ws.cell(1, i + 1).fill.fgColor.rgb for i, c in enumerate(sheet.columns) if not c.required}
    assert not required_fill & optional_fill  # required headers look different


@pytest.mark.parametrize("sheet", TABLE_SHEETS, ids=lambda s: s.key)
def test_header_input_messages(register: tuple[Lang, Workbook], sheet: SheetSpec) -> None:
    lang, wb = register
    rules = validations(wb[sheet.name(lang)])
    for index, column in enumerate(sheet.columns, start=1):
        rule = rules[f"{get_column_letter(index)}1"]
        assert rule.showInputMessage
        assert rule.promptTitle == column.header(lang)
        assert rule.prompt == column.help(lang)
        assert 0 < len(rule.prompt) <= 255


@pytest.mark.parametrize("sheet", TABLE_SHEETS, ids=lambda s: s.key)
def test_every_enum_column_has_its_dropdown(register: tuple[Lang, Workbook], sheet: SheetSpec) -> None:
    lang, wb = register
    rules = validations(wb[sheet.name(lang)])
    lists = wb[LISTS_SHEET]
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        rule = rules.get(f"{letter}2:{letter}1001")
        if column.enum is None:
            assert rule is None or rule.type != "list"
            continue
        assert rule.type == "list"
        assert rule.errorStyle in (None, "stop")
        assert rule.showErrorMessage and rule.error
        sheet_ref, cells = rule.formula1.split("!")
        assert sheet_ref.strip("'") == LISTS_SHEET
        labels = [c.value for row in lists[cells.replace("$", "")] for c in row]
        assert labels == column.enum.labels(lang)


@pytest.mark.parametrize("sheet", TABLE_SHEETS, ids=lambda s: s.key)
def test_example_row_is_recognised_and_styled(register: tuple[Lang, Workbook], sheet: SheetSpec) -> None:
    lang, wb = register
    ws = wb[sheet.name(lang)]
    values = {c.key: ws.cell(2, i).value for i, c in enumerate(sheet.columns, start=1)}
    typed = {k: _typed(sheet.column(k), v) for k, v in values.items()}
    example = examples.template_example(sheet.key, lang)
    assert {k: v for k, v in typed.items() if k != "total"} == {
        c.key: example.get(c.key) for c in sheet.columns if c.key != "total"
    }
    ids = [typed[k] for k in examples.ID_COLUMNS[sheet.key] if typed[k] is not None]
    assert ids and all(i.startswith(examples.MARKS[lang]) for i in ids)  # the marker on every id
    assert examples.is_example(sheet.key, typed | {"total": None})  # whatever the formula shows
    assert not examples.is_example(sheet.key, examples.example_row(sheet.key, lang))  # the values alone are data
    first = ws.cell(2, 1)
    assert first.font.i and first.font.color.rgb.endswith("808080")
    assert ws.max_row == (1001 if sheet.key == SOLUTIONS.key else 2)  # nothing below but the total formula


def _typed(column: ColumnSpec, value: Any) -> Any:
    """Read-back cell -> the example's typing (enum key, bool, date)."""
    if column.enum is not None and value is not None:
        key = column.enum.match(value)
        return key == "yes" if column.type == ColType.BOOL else key
    if isinstance(value, datetime):
        return value.date()
    return value


@pytest.mark.parametrize("sheet", TABLE_SHEETS, ids=lambda s: s.key)
def test_number_formats(register: tuple[Lang, Workbook], sheet: SheetSpec) -> None:
    lang, wb = register
    ws = wb[sheet.name(lang)]
    for index, column in enumerate(sheet.columns, start=1):
        if column.type in FORMATS and not (sheet.key == SOLUTIONS.key and column.key == "total"):
            assert ws.cell(2, index).number_format == FORMATS[column.type], column.key


def test_total_formula_on_every_row(generated: tuple[Lang, Path]) -> None:
    lang, out = generated
    path = out / f"{REGISTER}.xlsx"
    ws = openpyxl.load_workbook(path)[SOLUTIONS.name(lang)]
    cached = openpyxl.load_workbook(path, data_only=True)[SOLUTIONS.name(lang)]
    keys = [c.key for c in SOLUTIONS.columns]
    total = get_column_letter(keys.index("total") + 1)
    scores = [get_column_letter(keys.index(k) + 1) for k in ("effectiveness", "feasibility", "cost", "risk")]
    for row in (2, 3, 500, 1001):
        formula = ws[f"{total}{row}"].value
        assert formula.startswith("=IF(COUNT(")
        assert "+".join(f"{s}{row}" for s in scores) in formula
    assert cached[f"{total}2"].value == 14  # the manual's 5 + 4 + 3 + 2
    assert cached[f"{total}3"].value in (None, "")
    colours = {str(cf.sqref): [r.formula[0] for r in cf.rules] for cf in ws.conditional_formatting}
    assert colours == {
        f"{total}2:{total}1001": [f"AND(ISNUMBER({total}2),{total}2>=12)", f"AND(ISNUMBER({total}2),{total}2<12)"]
    }


def test_info_form(register: tuple[Lang, Workbook]) -> None:
    lang, wb = register
    ws = wb[INFO.name(lang)]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == FORM_HEADERS[lang]
    assert [r[0] for r in rows[1:]] == [expected_header(c, lang) for c in INFO.columns]
    assert all(r[1] is None for r in rows[1:])
    assert ws.freeze_panes == "A2"
    rules = validations(ws)
    for row, column in enumerate(INFO.columns, start=2):
        assert rules[f"B{row}"].prompt == column.help(lang)
    period_row = [c.key for c in INFO.columns].index("period") + 2
    assert ws[f"B{period_row}"].number_format == "@"  # "2026-11" must stay text, not become a date
    assert rules[f"B{period_row}"].type == "custom"


def test_instructions_sheet(register: tuple[Lang, Workbook]) -> None:
    lang, wb = register
    ws = wb[INSTRUCTIONS[lang]]
    assert wb.sheetnames[0] == INSTRUCTIONS[lang]
    text = "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    for zh, en, deliverable_zh, deliverable_en in STEPS.values():
        assert (zh if lang == "zh" else en) in text
        assert (deliverable_zh if lang == "zh" else deliverable_en) in text
    for sheet in (INFO, *TABLE_SHEETS):
        assert sheet.name(lang) in text
        for column in sheet.columns:
            assert expected_header(column, lang) in text
    if lang == "zh":
        assert "在{场景},{环节}存在{问题},导致{影响},影响程度为{影响程度(量化)}" in text
        assert "成本 5 分 = 投入最低" in text and "风险 5 分 = 风险最低" in text and "≥ 12" in text
        assert "第 2 行" in text and "忽略" in text
    else:
        assert "In {Scenario}, {Process step} has {Issue}, causing {Effect}; magnitude: {Magnitude}" in text
        assert "5 = cheapest" in text and "5 = safest" in text and "≥ 12" in text
        assert "Row 2" in text and "ignored" in text
    assert _matrix(ws, lang) == [["P1", "P1", "P2"], ["P2", "P2", "P3"], ["P3", "P3", "P4"]]
    assert column_width(ws, 2) >= 25


def _matrix(ws: Worksheet, lang: Lang) -> list[list[str]]:
    """The 3x3 priority classes under the matrix corner cell (rows 高中低, columns 低中高)."""
    corner = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "\\" in c.value)
    head = [ws.cell(corner.row, corner.column + i).value for i in range(1, 4)]
    assert head == (["低", "中", "高"] if lang == "zh" else ["Low", "Medium", "High"])
    grid = [[ws.cell(corner.row + r, corner.column + c).value for c in range(4)] for r in range(1, 4)]
    assert [g[0] for g in grid] == (["高", "中", "低"] if lang == "zh" else ["High", "Medium", "Low"])
    return [[str(v).split()[0] for v in g[1:]] for g in grid]


def _content(path: Path) -> dict[str, Any]:
    """Everything that matters in a template: sheets, states, values, validations, freeze panes."""
    wb = openpyxl.load_workbook(path)
    content: dict[str, Any] = {"sheets": wb.sheetnames}
    for ws in wb:
        rules = sorted((str(dv.sqref), dv.type, dv.formula1, dv.prompt, dv.error) for dv in validations(ws).values())
        content[ws.title] = (ws.sheet_state, ws.freeze_panes, list(ws.iter_rows(values_only=True)), rules)
    return content


@pytest.mark.parametrize("stem", STEMS)
def test_committed_templates_match_a_fresh_generation(tmp_path: Path, stem: str) -> None:
    write_templates(tmp_path, lang="zh")
    assert _content(COMMITTED / f"{stem}.xlsx") == _content(tmp_path / f"{stem}.xlsx"), (
        "workbook_templates/ is stale: run `ci-excel templates`"
    )


def test_write_workbook_round_trip(tmp_path: Path) -> None:
    info = {"department": "客户服务部", "period": "2026-11", "submitted_on": date(2026, 11, 30)}
    problem = examples.example_row("problems") | {"problem_id": "P-002", "impact": "low", "difficulty": "high"}
    bad = examples.example_row("problems") | {
        "problem_id": "P-003",
        "impact": "高高",
        "identified_on": "2026/13/45",
        "current_value": "abc",
        "scope": "=1+1",
        "metric": None,
    }
    rows = {
        "problems": [problem, bad],
        "verification": [examples.example_row("verification") | {"support_share": 0.35}],
        "solutions": [
            examples.example_row("solutions") | {"solution_id": "S-002", "total": None},
            examples.example_row("solutions") | {"solution_id": "S-003", "total": 20, "selected": False},
        ],
        "fishbone": [examples.example_row("fishbone") | {"is_root": False}],
    }
    path = write_workbook(
        tmp_path / "sub" / "客服部.xlsx", ["problems", "fishbone", "verification", "solutions"], info=info, rows=rows
    )
    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb.sheetnames[2:6] == ["1-问题识别", "2-鱼骨图", "2-根因验证", "3-方案评估"]
    assert [r[1] for r in wb["填报信息"].iter_rows(min_row=2, values_only=True)] == [
        "客户服务部",
        "2026-11",
        None,
        None,
        datetime(2026, 11, 30),
    ]
    problems = wb["1-问题识别"]
    assert problems["A3"].value == "P-002" and problems["J3"].value == "低" and problems["K3"].value == "高"
    assert problems["M3"].value == datetime(2026, 11, 3) and problems["M3"].number_format == "yyyy-mm-dd"
    assert [problems[c].value for c in ("J4", "M4", "O4", "I4", "N4")] == ["高高", "2026/13/45", "abc", "=1+1", None]
    assert problems["I4"].data_type == "s"  # injected text is never a formula
    share = wb["2-根因验证"]["E3"]
    assert share.value == pytest.approx(0.35) and share.number_format == "0%"
    assert wb["2-鱼骨图"]["F3"].value == "否"
    solutions = wb["3-方案评估"]
    assert [solutions[f"J{r}"].value for r in (2, 3, 4)] == [14, 14, 20]  # a typed total that disagrees stays
    assert solutions["K4"].value == "否"
    meta = dict(wb[META_SHEET].iter_rows(values_only=True))
    assert meta["workbook"] == "客服部"


def test_write_workbook_without_example_starts_at_row_2(tmp_path: Path) -> None:
    row = examples.example_row("progress", "en") | {"action_id": "A-009", "status": "done", "percent_done": 1}
    path = write_workbook(
        tmp_path / "p.xlsx",
        ["progress"],
        lang="en",
        rows={"progress": [row]},
        with_example=False,
        workbook="step4_progress",
    )
    wb = openpyxl.load_workbook(path)
    ws = wb["4-Progress"]
    assert [c.value for c in ws[2]][:3] == ["A-009", "Done", 1]
    assert not ws.cell(2, 1).font.i
    assert ws.max_row == 2
    assert dict(wb[META_SHEET].iter_rows(values_only=True))["lang"] == "en"


def test_write_workbook_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_workbook(path, ["problems"], info={"department": "A"})
    write_workbook(path, ["problems"], info={"department": "B"})
    assert openpyxl.load_workbook(path)["填报信息"]["B2"].value == "B"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]
