"""The portfolio summary workbook, read back with openpyxl and checked against the data it was given."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine
from openpyxl.worksheet.worksheet import Worksheet

from benchmarks.sample_data import INJECTED, INJECTED_ISSUE_VALUE, MISSING, UNSAFE_DEPARTMENT, sample_period
from ci_excel import model, schema
from ci_excel.render.summary import headline, write_summary
from ci_excel.schema import Lang
from ci_excel.scoring import flag_label
from ci_excel.text import phrase

pytestmark = pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")  # data-bar x14 extras

ENTITIES = ("problems", "root_causes", "solutions", "actions", "results", "standards")


@pytest.fixture(scope="module")
def period() -> model.PeriodResult:
    return sample_period()


@pytest.fixture(scope="module")
def book_zh(period: model.PeriodResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_summary(period, tmp_path_factory.mktemp("zh") / "portfolio_summary.xlsx", lang="zh")


@pytest.fixture(scope="module")
def wb(book_zh: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(book_zh)


def records(ws: Worksheet) -> list[dict[str, Any]]:
    """The sheet's table as dicts keyed by header."""
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if any(v is not None for v in r)]


def label(sheet: str, key: str, lang: Lang = "zh") -> str:
    return schema.column_label(sheet, key, lang)


def shown(value: Any) -> Any:
    """How a stored value reads back: dates come back as datetimes, blanks as None."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return None if value == "" else value


def test_sheets_in_order_with_schema_names(wb: openpyxl.Workbook) -> None:
    entity_names = [schema.sheet_label(s, "zh") for s in ENTITIES]
    assert wb.sheetnames[0] == phrase("dashboard", "zh")
    assert wb.sheetnames[1:7] == entity_names
    assert wb.sheetnames[7:10] == [phrase("scoreboard", "zh"), phrase("sheet_trend", "zh"), phrase("issues", "zh")]
    assert wb[wb.sheetnames[-1]].sheet_state == "hidden"


@pytest.mark.parametrize("sheet", ENTITIES)
def test_entity_sheet_begins_with_department_and_period(wb: openpyxl.Workbook, sheet: str) -> None:
    header = next(wb[schema.sheet_label(sheet, "zh")].iter_rows(max_row=1, values_only=True))
    assert header[:2] == (label("info", "department"), label("info", "period"))
    assert set(header) >= {schema.SHEETS[sheet].column(k).header("zh") for k in schema.SHEETS[sheet].by_key} - {
        label("solutions", "total")
    }


def test_problems_rows_match_data(wb: openpyxl.Workbook, period: model.PeriodResult) -> None:
    got = records(wb[schema.sheet_label("problems", "zh")])
    want = [(d.department, p) for d in period.departments for p in d.rows("problems")]
    assert len(got) == len(want)
    for row, (department, p) in zip(got, want, strict=True):
        assert row[label("info", "department")] == department
        assert row[label("info", "period")] == period.period
        assert row[label("problems", "problem_id")] == p["problem_id"]
        assert row[label("problems", "statement")] == p["statement"]
        assert row[label("problems", "priority")] == schema.PRIORITY.label(p["priority"], "zh")
        assert row[label("problems", "stage")] == schema.STAGE.label(str(p["stage"]), "zh")
        assert row[label("problems", "progress")] == pytest.approx(p["progress"])
        assert row[label("problems", "impact")] == schema.LEVEL.label(p["impact"], "zh")
        assert row[label("problems", "identified_on")] == shown(p["identified_on"])
        # the same health-flag wording as the Word reports
        assert (row[label("problems", "flags")] or "") == "、".join(flag_label(f, "zh") for f in p["flags"])


def test_every_entity_cell_matches_data(wb: openpyxl.Workbook, period: model.PeriodResult) -> None:
    """Numbers, dates and plain texts come back as stored; enum and bool keys come back as labels."""
    for sheet in ENTITIES:
        got = records(wb[schema.sheet_label(sheet, "zh")])
        want = [r for d in period.departments for r in d.rows(sheet)]
        assert len(got) == len(want), sheet
        for row, stored in zip(got, want, strict=True):
            for key, value in stored.items():
                spec = schema.SHEETS[sheet].column(key)
                if key == "total" or value is None or key in ("flags", "source", "verified"):
                    continue
                if spec.enum is not None:
                    choice = (
                        {True: "yes", False: "no"}.get(value, str(value))
                        if spec.type is schema.ColType.BOOL
                        else str(value)
                    )
                    assert row[spec.header("zh")] == spec.enum.label(choice, "zh"), (sheet, key)
                elif isinstance(value, float):
                    assert row[spec.header("zh")] == pytest.approx(value), (sheet, key)
                else:
                    assert row[spec.header("zh")] == shown(value), (sheet, key)


def test_solutions_show_score_pass_and_recommendation(wb: openpyxl.Workbook, period: model.PeriodResult) -> None:
    got = records(wb[schema.sheet_label("solutions", "zh")])
    no, yes = schema.YES_NO.label("no", "zh"), schema.YES_NO.label("yes", "zh")
    stored = [s for d in period.departments for s in d.rows("solutions")]
    assert [r[label("solutions", "score")] for r in got] == [s["score"] for s in stored]
    assert [r[label("solutions", "passes")] for r in got] == [yes if s["passes"] else no for s in stored]
    assert [r[label("solutions", "recommended")] for r in got] == [yes if s["recommended"] else no for s in stored]


def test_actions_join_progress_and_show_overdue_days(wb: openpyxl.Workbook, period: model.PeriodResult) -> None:
    got = records(wb[schema.sheet_label("actions", "zh")])
    overdue = [
        (r[label("actions", "action_id")], r[label("actions", "days_overdue")])
        for r in got
        if r[label("actions", "days_overdue")]
    ]
    want = [(a["action_id"], a["days_overdue"]) for d in period.departments for a in d.rows("actions") if a["overdue"]]
    assert overdue == want and want
    assert label("progress", "blockers") in got[0]


def test_root_causes_show_source_and_verification(wb: openpyxl.Workbook, period: model.PeriodResult) -> None:
    got = records(wb[schema.sheet_label("root_causes", "zh")])
    stored = [r for d in period.departments for r in d.rows("root_causes")]
    sources = {"why_chains": schema.sheet_label("why_chains", "zh"), "fishbone": schema.sheet_label("fishbone", "zh")}
    assert [r[label("root_causes", "source")] for r in got] == [
        " + ".join(sources[part] for part in r["source"].split("+")) for r in stored
    ]
    verified = [r[label("root_causes", "verified")] for r in got]
    assert verified == [
        schema.CONCLUSION.label(r["verified"], "zh") if r["verified"] else phrase("not_verified", "zh") for r in stored
    ]


@pytest.mark.parametrize("sheet", [*ENTITIES, "scoreboard", "sheet_trend", "issues"])
def test_each_sheet_is_a_filtered_table_with_frozen_header(wb: openpyxl.Workbook, sheet: str) -> None:
    ws = wb[schema.sheet_label(sheet, "zh") if sheet in ENTITIES else phrase(sheet, "zh")]
    (table,) = ws.tables.values()
    assert table.ref.startswith("A1:")
    assert table.autoFilter is not None
    assert ws.freeze_panes is not None and ws.freeze_panes[1] == "2"
    assert all((ws.column_dimensions[c].width or 0) >= 7 for c in "ABC")


def conditional_rules(ws: Worksheet, header: str) -> list[str]:
    """Rule types that apply to the column headed `header`."""
    column = next(c.column_letter for c in ws[1] if c.value == header)
    return [
        rule.type for cf in ws.conditional_formatting for rule in cf.rules if str(cf.sqref).startswith(f"{column}2:")
    ]


def test_conditional_formats(wb: openpyxl.Workbook) -> None:
    problems = wb[schema.sheet_label("problems", "zh")]
    assert conditional_rules(problems, label("problems", "priority")) == ["beginsWith"] * 4
    assert "dataBar" in conditional_rules(problems, label("problems", "progress"))
    solutions = wb[schema.sheet_label("solutions", "zh")]
    assert "expression" in conditional_rules(solutions, label("solutions", "score"))  # failing totals
    actions = wb[schema.sheet_label("actions", "zh")]
    assert "cellIs" in conditional_rules(actions, label("actions", "days_overdue"))  # overdue red
    results = wb[schema.sheet_label("results", "zh")]
    assert "dataBar" in conditional_rules(results, label("results", "achievement"))


def test_injected_formula_text_stays_text(book_zh: Path, wb: openpyxl.Workbook, period: model.PeriodResult) -> None:
    for sheet, column, value in INJECTED:
        ws = wb[schema.sheet_label(sheet if sheet != "progress" else "actions", "zh")]
        header = label(sheet, column)
        col = next(c.column_letter for c in ws[1] if c.value == header)
        cell = next(c for c in ws[col] if c.value == value)
        assert cell.data_type == "s" and cell.quotePrefix, (sheet, column)
    issues = wb[phrase("issues", "zh")]
    cell = next(c for row in issues.iter_rows() for c in row if c.value == INJECTED_ISSUE_VALUE)
    assert cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(book_zh) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any("<f>" in z.read(n).decode() for n in sheets)


def test_unsafe_department_name_is_kept_as_typed(wb: openpyxl.Workbook) -> None:
    departments = [r[label("info", "department")] for r in records(wb[phrase("scoreboard", "zh")])]
    assert UNSAFE_DEPARTMENT in departments


def test_scoreboard_ranks_departments_and_lists_missing(wb: openpyxl.Workbook, period: model.PeriodResult) -> None:
    got = records(wb[phrase("scoreboard", "zh")])
    department = label("info", "department")
    assert [r[department] for r in got[-len(MISSING) :]] == MISSING
    assert got[-1][phrase("submission_status", "zh")] == phrase("missing", "zh")
    ranked = got[: len(period.departments)]
    assert [r[phrase("rank", "zh")] for r in ranked] == list(range(1, len(period.departments) + 1))
    late = next(r for r in ranked if r[department] == period.late[0])
    assert late[phrase("submission_status", "zh")] == phrase("late", "zh")
    for r in ranked:
        d = next(d for d in period.departments if d.department == r[department])
        assert r[phrase("problems", "zh")] == len(d.rows("problems"))
        assert r[phrase("overdue_actions", "zh")] == sum(a["overdue"] for a in d.rows("actions"))


def test_trend_has_one_row_per_stored_period(wb: openpyxl.Workbook, period: model.PeriodResult) -> None:
    got = records(wb[phrase("sheet_trend", "zh")])
    assert [r[label("info", "period")] for r in got] == [f.period for f in period.trend]
    assert [r[phrase("problems", "zh")] for r in got] == [f.problems for f in period.trend]
    assert [r[schema.STAGE.label("6", "zh")] for r in got] == [f.by_stage[6] for f in period.trend]


def test_issues_sheet_lists_every_issue(wb: openpyxl.Workbook, period: model.PeriodResult) -> None:
    got = records(wb[phrase("issues", "zh")])
    want = [*(i for d in period.departments for i in d.issues), *period.issues]  # as added, then general ones
    assert len(got) == len(want) == len(period.all_issues)
    for row, issue in zip(got, want, strict=True):
        assert row[phrase("file", "zh")] == issue.file
        assert row[phrase("sheet", "zh")] == (issue.sheet or None)
        assert row[phrase("cell", "zh")] == (issue.cell or None)
        assert row[phrase("message", "zh")] == issue.message("zh")
        assert row[phrase("severity", "zh")] == phrase(issue.severity, "zh")


def test_dashboard_headline_figures(wb: openpyxl.Workbook, period: model.PeriodResult) -> None:
    ws = wb[phrase("dashboard", "zh")]
    figures = {r[c]: r[c + 1] for r in ws.iter_rows(max_col=12, values_only=True) for c in (0, 3, 6, 9) if r[c]}
    expected = headline(period)
    assert figures[phrase("departments_submitted", "zh")] == len(period.departments)
    assert figures[phrase("problems", "zh")] == sum(len(d.rows("problems")) for d in period.departments)
    assert figures[phrase("overdue_actions", "zh")] == expected["overdue_actions"] > 0
    assert figures[phrase("p1_open", "zh")] == expected["p1_open"]
    assert figures[phrase("kpis_met", "zh")] == expected["kpis_met"] < expected["kpis"]
    assert figures[phrase("benefit", "zh")] == period.trend[-1].benefit
    assert all(figures[schema.STAGE.label(str(s), "zh")] == n for s, n in period.trend[-1].by_stage.items())
    assert all(figures[schema.PRIORITY.label(k, "zh")] == n for k, n in period.trend[-1].by_priority.items())


def test_dashboard_has_native_charts(book_zh: Path) -> None:
    with zipfile.ZipFile(book_zh) as z:
        charts = [z.read(n).decode() for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    kinds = {
        k for xml in charts for k in re.findall(r"<c:(barChart|pieChart|scatterChart|lineChart|doughnutChart)>", xml)
    }
    assert kinds == {"barChart", "pieChart", "scatterChart", "lineChart", "doughnutChart"}
    assert any('<c:grouping val="stacked"/>' in xml for xml in charts)
    assert any(phrase("chart_priority", "zh") in xml for xml in charts)


def test_english_labels(tmp_path: Path) -> None:
    period = sample_period(2, 3, lang="en")
    wb = openpyxl.load_workbook(write_summary(period, tmp_path / "s.xlsx", lang="en"))
    assert wb.sheetnames[:3] == ["Dashboard", *(schema.sheet_label(s, "en") for s in ("problems", "root_causes"))]
    got = records(wb[schema.sheet_label("problems", "en")])
    assert got[0][label("problems", "priority", "en")] == schema.PRIORITY.label(
        period.departments[0].rows("problems")[0]["priority"], "en"
    )
    assert got[0][label("info", "department", "en")] == period.departments[0].department


def test_empty_period_still_writes_a_workbook(tmp_path: Path) -> None:
    empty = model.PeriodResult(period="2026-11", departments=[], trend=[], missing=["采购部"])
    wb = openpyxl.load_workbook(write_summary(empty, tmp_path / "s.xlsx"))
    assert records(wb[schema.sheet_label("problems", "zh")]) == []
    assert [r[label("info", "department")] for r in records(wb[phrase("scoreboard", "zh")])] == ["采购部"]


def test_failed_write_leaves_the_previous_file(tmp_path: Path) -> None:
    out = write_summary(sample_period(1, 2), tmp_path / "s.xlsx")
    before = out.read_bytes()
    broken = model.PeriodResult(period="2026-11", departments=[None], trend=[])  # type: ignore[list-item]
    with pytest.raises(AttributeError):
        write_summary(broken, out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.xlsx"]


def test_values_as_the_pipeline_stores_them(tmp_path: Path) -> None:
    """Stage as its enum key string, blank days and progress: labels and counts stay right."""
    period = sample_period(2, 6)
    for d in period.departments:
        for p in d.rows("problems"):
            p["stage"] = str(p["stage"])
            p["progress"] = p["progress"] or None
        for a in d.rows("actions"):
            a["days_overdue"] = a["days_overdue"] or None
    wb = openpyxl.load_workbook(write_summary(period, tmp_path / "s.xlsx"))
    got = records(wb[schema.sheet_label("problems", "zh")])
    stored = [p for d in period.departments for p in d.rows("problems")]
    assert [r[label("problems", "stage")] for r in got] == [schema.STAGE.label(p["stage"], "zh") for p in stored]
    closed = headline(period)["closed"]
    assert closed == sum(p["stage"] == "6" for p in stored) > 0


@pytest.mark.parametrize("sheet", [*ENTITIES, "scoreboard", "sheet_trend", "issues"])
def test_headers_are_unique(wb: openpyxl.Workbook, sheet: str) -> None:
    ws = wb[schema.sheet_label(sheet, "zh") if sheet in ENTITIES else phrase(sheet, "zh")]
    header = next(ws.iter_rows(max_row=1, values_only=True))
    assert len({h.casefold() for h in header}) == len(header)  # as Excel compares table column names


def test_odd_values_do_not_stop_the_workbook(tmp_path: Path) -> None:
    """NaN, a text in a number column, a very old date: written (NaN as blank), never raised."""
    period = sample_period(1, 4)
    problem = period.departments[0].rows("problems")[0]
    problem |= {"current_value": float("nan"), "benchmark_value": "约2小时", "identified_on": date(1890, 1, 1)}
    wb = openpyxl.load_workbook(write_summary(period, tmp_path / "s.xlsx"))
    row = records(wb[schema.sheet_label("problems", "zh")])[0]
    assert row[label("problems", "benchmark_value")] == "约2小时"
    assert row[label("problems", "current_value")] is None


def test_odd_text_and_numbers_read_back_as_typed(tmp_path: Path) -> None:
    """The rows' own XML (render/summary/rows.py) keeps what xlsxwriter kept: spaces, line breaks,
    text that looks like Excel's escapes, astral characters, Excel's longest text, times of day.
    Read with calamine, which decodes Excel's _xHHHH_ escapes as Excel does (openpyxl shows them)."""
    period = sample_period(1, 4)
    problem = period.departments[0].rows("problems")[0]
    typed, long_text = " 前后有空格\r\n第二行 _x0041_ 𠀋 ", "长" * 40_000
    problem |= {
        "statement": typed,
        "issue": long_text,
        "current_value": float("inf"),
        "identified_on": datetime(2026, 11, 3, 18, 0),
    }
    book = python_calamine.CalamineWorkbook.from_path(str(write_summary(period, tmp_path / "s.xlsx")))
    header, first, *_ = book.get_sheet_by_name(schema.sheet_label("problems", "zh")).to_python()
    row = dict(zip(header, first, strict=True))
    assert row[label("problems", "statement")] == typed
    assert row[label("problems", "issue")] == long_text[:32767]
    assert row[label("problems", "current_value")] == "inf"
    assert row[label("problems", "identified_on")] == datetime(2026, 11, 3, 18, 0)


def test_consolidate_writes_the_summary(tmp_path: Path) -> None:
    """Through the real CLI: the workbook holds what was consolidated, and every issue in validation.json."""
    import json

    from click.testing import CliRunner

    from ci_excel.cli import main
    from ci_excel.demo import write_demo_submissions

    submissions = write_demo_submissions(tmp_path / "in")["2026-11"]
    out = tmp_path / "out"
    run = CliRunner().invoke(
        main, ["consolidate", str(submissions), "--period", "2026-11", "--out", str(out), "--jobs", "1"]
    )
    assert run.exit_code in (0, 1), run.output
    folder = out / "2026-11"
    wb = openpyxl.load_workbook(folder / "portfolio_summary.xlsx")
    problems = records(wb[schema.sheet_label("problems", "zh")])
    scoreboard = records(wb[phrase("scoreboard", "zh")])
    assert problems and sum(r[phrase("problems", "zh")] or 0 for r in scoreboard) == len(problems)
    issues = json.loads((folder / "validation.json").read_text(encoding="utf-8"))["issues"]
    got = records(wb[phrase("issues", "zh")])
    shown = sorted((r[phrase("file", "zh")], r[phrase("cell", "zh")] or "", r[phrase("message", "zh")]) for r in got)
    assert shown == sorted((i["file"], i["cell"], i["message"]) for i in issues)


# ---- streaming writer and the tables added after xlsxwriter ----------------------------------

TABLE_SHEETS = {
    **{s: f"tbl_{s}" for s in ENTITIES},
    "scoreboard": "tbl_scoreboard",
    "sheet_trend": "tbl_trend",
    "issues": "tbl_issues",
}


def sheet_title(sheet: str) -> str:
    return schema.sheet_label(sheet, "zh") if sheet in ENTITIES else phrase(sheet, "zh")


@pytest.mark.parametrize("sheet", TABLE_SHEETS)
def test_tables_read_back_with_ref_headers_and_rows(wb: openpyxl.Workbook, sheet: str) -> None:
    ws = wb[sheet_title(sheet)]
    table = ws.tables[TABLE_SHEETS[sheet]]
    header = next(ws.iter_rows(max_row=1, values_only=True))
    rows = records(ws)
    assert table.ref == f"A1:{ws.cell(1, len(header)).column_letter}{len(rows) + 1}"
    assert table.autoFilter.ref == table.ref
    assert [c.name for c in table.tableColumns] == list(header)
    assert table.tableStyleInfo.name == "TableStyleMedium2"
    assert ws.max_row == len(rows) + 1  # the table covers every row written


def test_entity_tables_hold_every_departments_rows(wb: openpyxl.Workbook, period: model.PeriodResult) -> None:
    for sheet in ENTITIES:
        got = [
            (r[label("info", "department")], r[schema.SHEETS[sheet].columns[0].header("zh")])
            for r in records(wb[sheet_title(sheet)])
        ]
        first = schema.SHEETS[sheet].columns[0].key
        assert got == [(d.department, r.get(first)) for d in period.departments for r in d.rows(sheet)], sheet


def test_package_is_clean(book_zh: Path) -> None:
    """No duplicate members, every XML part parses, a content type per table, no openpyxl warning
    but the data bars' x14 extension (which it does not read)."""
    import warnings
    from xml.etree import ElementTree

    with zipfile.ZipFile(book_zh) as z:
        names = z.namelist()
        assert len(names) == len(set(names))
        for name in names:
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(z.read(name))
        types = z.read("[Content_Types].xml").decode()
    tables = sorted(n for n in names if n.startswith("xl/tables/"))
    assert len(tables) == len(TABLE_SHEETS)
    assert all(f'PartName="/{n}"' in types for n in tables)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        openpyxl.load_workbook(book_zh)
    assert [str(w.message) for w in caught if "extension is not supported" not in str(w.message)] == []


def sheet_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path)
    return {
        ws.title: [*ws.iter_rows(values_only=True), *sorted((t.name, t.ref) for t in ws.tables.values())]
        for ws in book.worksheets
    }


def test_streaming_matches_write_summary(tmp_path: Path) -> None:
    """Departments added one by one, each emptied once added, give the same workbook as write_summary."""
    from ci_excel.render.summary import SummaryWriter

    whole = write_summary(sample_period(5, 3), tmp_path / "whole.xlsx")
    period = sample_period(5, 3)
    with SummaryWriter(tmp_path / "streamed.xlsx") as writer:
        for d in period.departments:
            writer.add(d)
            d.tables.clear()  # the writer keeps no rows: dropping them must not change the output
            d.issues.clear()
        streamed = writer.close(period.outline)
    assert sheet_values(streamed) == sheet_values(whole)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["streamed.xlsx", "whole.xlsx"]  # no scratch left


def test_streaming_error_leaves_nothing(tmp_path: Path) -> None:
    from ci_excel.render.summary import SummaryWriter

    period = sample_period(2, 2)
    with pytest.raises(RuntimeError), SummaryWriter(tmp_path / "s.xlsx") as writer:
        writer.add(period.departments[0])
        raise RuntimeError("the pipeline failed")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError):
        writer.add(period.departments[1])


def test_writer_left_without_close_writes_nothing(tmp_path: Path) -> None:
    from ci_excel.render.summary import SummaryWriter

    with SummaryWriter(tmp_path / "s.xlsx") as writer:
        writer.add(sample_period(1, 1).departments[0])
    assert list(tmp_path.iterdir()) == []


def test_add_tables_extends_existing_relationships_and_streams_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet that already has relationships (a hyperlink) keeps them; a tiny copy chunk cuts
    </sheetData> at every offset and the table part still lands in place."""
    import xlsxwriter

    from ci_excel.render import xlsx_tables

    src = tmp_path / "src.xlsx"
    book = xlsxwriter.Workbook(str(src), {"constant_memory": True})
    ws = book.add_worksheet("数据")
    ws.write_row(0, 0, ["编号", "名称 & <备注>", '"引号"'])
    for r in range(1, 40):
        ws.write_row(r, 0, [r, f"第{r}行", "x"])
    ws.write_url(40, 0, "https://example.com/", string="链接")
    ws.conditional_format(1, 0, 40, 0, {"type": "data_bar"})
    book.close()
    headers = ("编号", "名称 & <备注>", '"引号"')
    for chunk in (5, 7, 64):
        monkeypatch.setattr(xlsx_tables, "_CHUNK", chunk)
        out = tmp_path / f"out{chunk}.xlsx"
        xlsx_tables.add_tables(src, out, [xlsx_tables.TablePart(1, "tbl_data", "A1:C41", headers)])
        ws_out = openpyxl.load_workbook(out)["数据"]
        table = ws_out.tables["tbl_data"]
        assert (table.ref, [c.name for c in table.tableColumns]) == ("A1:C41", list(headers))
        assert ws_out["A41"].hyperlink.target == "https://example.com/"
        assert [ws_out.cell(r, 2).value for r in (2, 40)] == ["第1行", "第39行"]


def test_charts_carry_cached_values(book_zh: Path, period: model.PeriodResult) -> None:
    """constant_memory leaves chart caches empty; the writer fills them, so viewers that do not
    recalculate still draw the charts."""
    with zipfile.ZipFile(book_zh) as z:
        charts = [z.read(n).decode() for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    pie = next(xml for xml in charts if "<c:pieChart>" in xml)
    cached = re.search(r"<c:val>.*?</c:val>", pie, re.S)
    assert cached is not None
    assert [int(v) for v in re.findall(r"<c:v>([^<]*)</c:v>", cached.group())] == list(
        period.trend[-1].by_priority.values()
    )
    stacked = next(xml for xml in charts if '<c:grouping val="stacked"/>' in xml)
    assert all(f"<c:v>{d.department}</c:v>" in stacked for d in period.departments)
    assert all("<c:numCache>" in xml or "<c:strCache>" in xml for xml in charts)
