"""Native Word charts over a real consolidation: every chart part is wired and valid, and each chart's
embedded workbook (what Word's "Edit Data" opens) holds the stored numbers; --figures png keeps pictures."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document
from lxml import etree

from ci_excel.cli import main
from ci_excel.compute import department_digest, period_digest
from ci_excel.config import DEFAULT_MATRIX
from ci_excel.model import PeriodResult
from ci_excel.render.docx import render_reports
from ci_excel.render.figures import PRIORITY_EDGES
from ci_excel.schema import LEVEL, PRIORITY, STAGE, column_label
from ci_excel.sessions import default_db_url
from ci_excel.store import Store
from ci_excel.text import phrase
from tests.pipeline_data import ALL_SHEETS, register_rows, write_register
from tests.test_pipeline import consolidate_exit_code
from tests.workbooks import cached_workbook as write_workbook

PERIOD = "2026-11"
NS = {
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
}
CHART_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
PACKAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"


def _register(path: Path, department: str, period: str, *, done: int) -> None:
    """The pipeline tests' register, with problem P-001 given three counted causes and two actions
    (so its report has a Pareto and a Gantt)."""
    info, rows = register_rows(department, period, problems=3, done=done)
    rows["fishbone"] += [
        {"problem_id": "P-001", "category": "method", "cause": "流程无标准", "frequency": 9},
        {"problem_id": "P-001", "category": "material", "cause": "单据格式不一", "frequency": 2},
    ]
    year, month = map(int, period.split("-"))
    rows["actions"].append(
        {
            "action_id": "A-101",
            "solution_id": "S-001",
            "what": "培训录入人员",
            "who": "李四",
            "how": "集中培训",
            "start_on": date(year, month, 3),
            "due_on": date(year, month, 12),
        }
    )
    rows["progress"].append({"action_id": "A-101", "status": "in_progress", "percent_done": 0.4})
    write_workbook(path, ALL_SHEETS, info=info, rows=rows, with_example=False)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, PeriodResult]:
    root = tmp_path_factory.mktemp("native")
    out = root / "output"
    for period, done in (("2026-10", 0), (PERIOD, 1)):
        folder = root / "in" / period
        for name in ("电商运营部", "客户服务部"):
            _register(folder / name / "ci_register.xlsx", name, period, done=done)
        result = CliRunner().invoke(
            main, ["consolidate", str(folder), "--period", period, "--out", str(out), "--jobs", "1"]
        )
        assert result.exit_code == consolidate_exit_code(result.output), result.output
    return out / PERIOD / "reports", Store(default_db_url(out)).load_period(PERIOD)


def _charts(path: Path) -> dict[str, tuple[etree._Element, bytes]]:
    """Every chart the document body shows: rel id -> (chart XML, embedded workbook), checking the wiring."""
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        body = etree.fromstring(z.read("word/document.xml"))
        rels = etree.fromstring(z.read("word/_rels/document.xml.rels"))
        types = etree.fromstring(z.read("[Content_Types].xml"))
        overrides = {o.get("PartName"): o.get("ContentType") for o in types.findall("ct:Override", NS)}
        defaults = {d.get("Extension"): d.get("ContentType") for d in types.findall("ct:Default", NS)}
        targets = {
            r.get("Id"): "word/" + r.get("Target")
            for r in rels.findall("rel:Relationship", NS)
            if r.get("Type") == CHART_REL
        }
        shown = [c.get(f"{{{NS['r']}}}id") for c in body.iter(f"{{{NS['c']}}}chart")]
        assert sorted(shown) == sorted(targets), "every chart part is shown once, every shown chart exists"
        assert {n for n in names if n.startswith("word/charts/chart")} == set(targets.values())
        out = {}
        for rid, target in targets.items():
            assert overrides["/" + target].endswith("drawingml.chart+xml")
            chart = etree.fromstring(z.read(target))
            folder, name = target.rsplit("/", 1)
            chart_rels = etree.fromstring(z.read(f"{folder}/_rels/{name}.rels"))
            (workbook_rel,) = chart_rels.findall("rel:Relationship", NS)
            assert workbook_rel.get("Type") == PACKAGE_REL
            assert chart.find("c:externalData", NS).get(f"{{{NS['r']}}}id") == workbook_rel.get("Id")
            workbook = "word/" + workbook_rel.get("Target").removeprefix("../")
            assert overrides.get("/" + workbook, defaults.get("xlsx", "")).endswith("spreadsheetml.sheet")
            out[rid] = (chart, z.read(workbook))
        return out


def _table(xlsx: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _find(charts: dict[str, tuple[etree._Element, bytes]], header: list[str]) -> list[list[list[Any]]]:
    """The workbooks whose first row (after the category column) is `header`."""
    tables = [_table(xlsx) for _, xlsx in charts.values()]
    return [t for t in tables if [str(h) for h in t[0][1:]] == header]


def test_stage_priority_workbook_holds_the_stored_counts(run: tuple[Path, PeriodResult]) -> None:
    reports, result = run
    digest = period_digest([department_digest(d) for d in result.departments])
    charts = _charts(reports / "portfolio.docx")
    (table,) = _find(charts, [PRIORITY.label(p.key, "zh") for p in PRIORITY.choices])
    assert [r[0] for r in table[1:]] == [s.label("zh") for s in STAGE.choices]
    for row, stage in zip(table[1:], STAGE.choices, strict=True):
        assert row[1:] == [digest.stage_priority.get((stage.key, p.key), 0) for p in PRIORITY.choices]
    assert sum(sum(r[1:]) for r in table[1:]) == digest.problems


def test_portfolio_charts_trend_and_category_mix(run: tuple[Path, PeriodResult]) -> None:
    reports, result = run
    charts = _charts(reports / "portfolio.docx")
    assert len(charts) == 3  # stage x priority, trend, category mix; the matrix stays a picture
    (trend,) = _find(charts, [phrase(k, "zh") for k in ("new", "closed", "open", "overdue")])
    assert [r[0] for r in trend[1:]] == [f.period for f in result.trend]
    assert [r[1:] for r in trend[1:]] == [[f.new, f.closed, f.open, f.overdue_actions] for f in result.trend]
    mix = [t for t in (_table(x) for _, x in charts.values()) if str(t[0][1]) == phrase("selected_n", "zh")]
    assert len(mix) == 1
    for chart, _ in charts.values():  # the report's fonts on all chart text, East Asian included
        assert chart.find(".//c:txPr//{*}defRPr/{*}ea", NS).get("typeface")
        assert all(int(a.get("val")) >= 0 for a in chart.iter(f"{{{NS['c']}}}axId"))


def test_department_kpi_gantt_and_pareto_workbooks(run: tuple[Path, PeriodResult]) -> None:
    reports, result = run
    dept = next(d for d in result.departments if d.department == "电商运营部")
    charts = _charts(reports / "电商运营部.docx")
    kpis = [
        t
        for t in (_table(x) for _, x in charts.values())
        if [r[0] for r in t[1:]] == [column_label("results", k, "zh") for k in ("baseline", "target", "actual")]
    ]
    assert sorted(t[1][1:] + t[2][1:] + t[3][1:] for t in kpis) == sorted(
        [float(r["baseline"]), float(r["target"]), float(r["actual"])] for r in dept.rows("results")
    )
    start = column_label("actions", "start_on", "zh")
    (gantt,) = [t for t in (_table(x) for _, x in charts.values()) if str(t[0][1]) == start]
    actions = [a for a in dept.rows("actions") if a["action_id"] in ("A-001", "A-101")]
    assert [r[1].date() for r in gantt[1:]] == [a["start_on"] for a in actions]  # a date in Excel's "Edit Data"
    spans = [sum(v or 0 for v in r[2:4]) for r in gantt[1:]]
    assert spans == [(a["due_on"] - a["start_on"]).days for a in actions]
    (pareto,) = _find(charts, [phrase("frequency", "zh"), phrase("cumulative", "zh"), "80%"])
    frequencies = sorted(
        (float(c["frequency"]) for c in dept.rows("fishbone") if c["problem_id"] == "P-001"), reverse=True
    )
    assert [r[1] for r in pareto[1:]] == frequencies
    assert pareto[-1][2] == pytest.approx(1.0)


def test_priority_colours_come_from_the_palette(run: tuple[Path, PeriodResult]) -> None:
    reports, _ = run
    charts = _charts(reports / "portfolio.docx")
    colours = {c.get("val") for chart, _ in charts.values() for c in chart.iter("{*}srgbClr")}
    assert {v.lstrip("#").upper() for v in PRIORITY_EDGES.values()} <= colours


def test_png_setting_keeps_pictures(run: tuple[Path, PeriodResult], tmp_path: Path) -> None:
    reports, result = run
    paths = render_reports(result, tmp_path, figures="png")
    for path in paths:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
        assert not [n for n in names if n.startswith(("word/charts/", "word/embeddings/"))]
        assert [n for n in names if n.startswith("word/media/")]
    with zipfile.ZipFile(reports / "portfolio.docx") as z:
        native_pictures = [n for n in z.namelist() if n.startswith("word/media/")]
    assert native_pictures == []  # with native figures the impact x difficulty matrix is a table


def test_matrix_is_a_table_of_classes_and_problems(run: tuple[Path, PeriodResult]) -> None:
    """The register's impact x difficulty matrix: impact high to low down, difficulty low to high across,
    each cell its class (the configured matrix) and the ids of the problems in it."""
    reports, result = run
    dept = next(d for d in result.departments if d.department == "电商运营部")
    doc = Document(str(reports / "电商运营部.docx"))
    corner = f"{column_label('problems', 'impact', 'zh')} \\ {column_label('problems', 'difficulty', 'zh')}"
    (table,) = [t for t in doc.tables if t.rows[0].cells[0].text == corner]
    levels = ["low", "medium", "high"]
    assert [c.text for c in table.rows[0].cells[1:]] == [LEVEL.label(k, "zh") for k in levels]
    for row, impact in zip(table.rows[1:], reversed(levels), strict=True):
        assert row.cells[0].text == LEVEL.label(impact, "zh")
        for cell, difficulty in zip(row.cells[1:], levels, strict=True):
            cls = DEFAULT_MATRIX[impact][difficulty]
            ids = sorted(
                p["problem_id"]
                for p in dept.rows("problems")
                if p["impact"] == impact and p["difficulty"] == difficulty
            )
            first, rest = cell.text.split("\n", 1)
            assert first == PRIORITY.label(cls, "zh")
            assert sorted(rest.split("、")) == ids if ids else rest == "—"


def test_the_figures_option_gives_pictures(tmp_path: Path) -> None:
    """`consolidate --figures png`: no chart parts in any report, pictures instead."""
    folder = tmp_path / "in"
    write_register(folder / "物流部" / "ci_register.xlsx", "物流部", "2026-11", problems=2, done=1)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["consolidate", str(folder), "--period", "2026-11", "--out", str(out), "--jobs", "1", "--figures", "png"]
    )
    assert result.exit_code in (0, 1), result.output
    for report in (out / "2026-11" / "reports").glob("*.docx"):
        names = zipfile.ZipFile(report).namelist()
        assert not any(n.startswith("word/charts/") for n in names)
        assert any(n.startswith("word/media/") for n in names)


def _canonical(xml: bytes) -> str:
    """The chart XML with numbers compared as numbers (52.0 and 52 are the same) and quotes unescaped."""
    import re

    from lxml import etree

    text = etree.tostring(etree.fromstring(xml), method="c14n").decode()
    number = r"-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?"
    text = re.sub(f'val="({number})"', lambda m: f'val="{float(m.group(1)):.10g}"', text)
    return re.sub(f">({number})<", lambda m: f">{float(m.group(1)):.10g}<", text)


def _varied_figures() -> list[Any]:
    """Gantts, Paretos, KPI panels and KPI runs of many shapes, each shape at least twice (the second
    from its template), with text that needs escaping."""
    import random
    from datetime import date, timedelta

    from ci_excel.render import figures as fig

    rng = random.Random(5)
    statuses = ["done", "doing", "cancelled", "not_started", None]
    out: list[Any] = []
    for n in range(24):
        bars = tuple(
            fig.GanttBar(
                f'措施 {i} <&> "{n}"',
                date(2026, 9, 1) + timedelta(days=rng.randint(0, 60)),
                date(2026, 11, 1) + timedelta(days=rng.randint(0, 400 if n % 5 == 0 else 40)),
                percent=rng.choice([None, 0.0, 0.35, 1.0]),
                status=rng.choice(statuses),
                days_overdue=rng.choice([None, 3]),
            )
            for i in range(1 + n % 4)
        )
        out.append(fig.GanttData(bars, date(2026, 11, 30)))
        out.append(fig.ParetoData(tuple((f"原因{i}&", float(rng.randint(1, 30))) for i in range(1 + n % 13))))
        values = [rng.choice([None, rng.uniform(-5, 200), float(rng.randint(0, 100))]) for _ in range(3)]
        out.append(fig.KpiData((fig.KpiBar(f"KPI {n} <>", rng.choice(["", "%"]), *values, 0.9, n % 2 == 0),)))
        periods = tuple(f"2026-{m:02d}" for m in range(1, 2 + n % 4))
        runs = tuple(rng.choice([None, rng.uniform(0, 99)]) for _ in periods)
        out.append(fig.KpiRunsData((fig.KpiRun(f"时长 {n}", "h", periods, runs, (50.0,) * len(periods), n % 3 == 0),)))
    return out * 2


def test_charts_from_templates_equal_charts_dressed_one_by_one() -> None:
    """Gantts, Paretos, KPI panels and runs are filled into a template per shape (chart_templates); each
    equals the chart dressed directly through python-pptx, and its workbook holds its own numbers."""
    from ci_excel.render import native_charts as nc
    from ci_excel.render.chart_parts import ChartStyle, word_chart

    style = ChartStyle(5976620)
    for data in _varied_figures():
        fast = nc.native_charts(data, "zh", style)
        slow = [word_chart(spec, style) for spec in nc.chart_specs(data, "zh") or []]
        assert fast is not None and len(fast) == len(slow)
        for a, b in zip(fast, slow, strict=True):
            assert _canonical(a.xml) == _canonical(b.xml)
            assert (a.xlsx, a.width_emu, a.height_emu) == (b.xlsx, b.width_emu, b.height_emu)
            assert "⟦".encode() not in a.xml and b"7000000.125" not in a.xml
