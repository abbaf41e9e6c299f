"""Issue 14's report features on the demo's three months, run through the real CLI: KPI history and
"gain not held", page 1's decisions with links, the contents as a Word TOC field, and its page
numbers read back from a LibreOffice PDF."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document
from pypdf import PdfReader

from ci_excel.cli import main
from ci_excel.compute import department_digest, period_digest
from ci_excel.demo import OUTPUT
from ci_excel.model import KpiPoint
from ci_excel.render.toc_pages import fill_toc_pages
from ci_excel.scoring import gain_not_held, off_track
from ci_excel.store import Store
from ci_excel.text import phrase

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PERIOD, DEPARTMENT, PROBLEM, KPI = "2026-11", "物流部", "P-002", "易碎品破损率"  # closed in October, slipped since


@pytest.fixture(scope="module")
def demo(demo_run: tuple[Path, str]) -> Path:
    """The output folder of the session's demo run (tests/conftest.py); read only."""
    return demo_run[0] / OUTPUT


@pytest.fixture(scope="module")
def store(demo: Path) -> Store:
    return Store(f"sqlite:///{demo / 'ci_history.sqlite'}")


def _body(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return package.read("word/document.xml").decode()


def test_gain_not_held_rule() -> None:
    closed_and_met = KpiPoint("2026-10", 0.4, 0.5, True, "6")
    assert gain_not_held(False, [closed_and_met])
    assert not gain_not_held(True, [closed_and_met])  # still held
    assert not gain_not_held(None, [closed_and_met])  # not measured this period
    assert not gain_not_held(False, [KpiPoint("2026-10", 0.4, 0.5, True, "5")])  # met, but never closed
    assert not gain_not_held(False, [KpiPoint("2026-10", 0.6, 0.5, False, "6")])  # closed without the gain
    assert off_track({"stage": "4", "flags": ["overdue"]}) and not off_track({"stage": "6", "flags": ["overdue"]})
    assert not off_track({"stage": "3", "flags": []})


def test_the_slipped_kpi_is_flagged_and_counted(store: Store) -> None:
    history = store.kpi_history(DEPARTMENT, PERIOD)
    assert [(p.period, p.actual, p.met, p.stage) for p in history[(PROBLEM, KPI)]] == [("2026-10", 0.4, True, "6")]
    departments = list(store.iter_departments(PERIOD))
    flagged = {
        (d.department, p["problem_id"])
        for d in departments
        for p in d.rows("problems")
        if "gain_not_held" in (p["flags"] or [])
    }
    assert flagged == {(DEPARTMENT, PROBLEM)}
    digests = [department_digest(d) for d in departments]
    assert {d.department: d.gains_not_held for d in digests if d.gains_not_held} == {DEPARTMENT: 1}
    period = period_digest(digests)
    assert period.gains_not_held == 1
    assert period.kpis_missed == sum(r["met"] is False for d in departments for r in d.rows("results"))
    assert period.p1_off_track == sum(
        p["priority"] == "P1" and off_track(p) for d in departments for p in d.rows("problems")
    )
    october = {
        (d.department, p["problem_id"]): p["flags"]
        for d in store.iter_departments("2026-10")
        for p in d.rows("problems")
    }
    assert "gain_not_held" not in october[(DEPARTMENT, PROBLEM)]


def _charts(path: Path) -> list[tuple[str, bytes]]:
    """(chart XML, embedded workbook) of every native chart of a report."""
    with zipfile.ZipFile(path) as package:
        names = sorted(n for n in package.namelist() if re.fullmatch(r"word/charts/chart\d+\.xml", n))
        out = []
        for name in names:
            n = re.search(r"\d+", name.rsplit("/", 1)[1]).group()  # type: ignore[union-attr]
            out.append((package.read(name).decode(), package.read(f"word/embeddings/Microsoft_Excel_Sheet{n}.xlsx")))
        return out


def test_kpi_run_chart_holds_the_stored_history(demo: Path, store: Store) -> None:
    """Word's "Edit Data" on the run chart opens the stored periods' actual and target, then this one's."""
    history = store.kpi_history(DEPARTMENT, PERIOD)[(PROBLEM, KPI)]
    now = next(
        r
        for d in store.iter_departments(PERIOD)
        if d.department == DEPARTMENT
        for r in d.rows("results")
        if r["problem_id"] == PROBLEM and r["kpi"] == KPI
    )
    expected = [*((p.period, p.actual, p.target) for p in history), (PERIOD, now["actual"], now["target"])]
    report = demo / PERIOD / "reports" / f"{DEPARTMENT}.docx"
    lines = [
        [tuple(c.value for c in row) for row in openpyxl.load_workbook(io.BytesIO(book)).active.iter_rows()]
        for xml, book in _charts(report)
        if "<c:lineChart>" in xml
    ]
    runs = [rows for rows in lines if rows[0][1:] == ("实际值", "目标值")]
    assert expected in [rows[1:] for rows in runs]
    assert len(runs) == 3  # P-001's two KPIs and P-002's: each KPI measured in an earlier period


def test_page_one_lists_the_decisions_with_links(demo: Path) -> None:
    report = demo / PERIOD / "reports" / f"{DEPARTMENT}.docx"
    doc = Document(str(report))
    assert doc.paragraphs[0].text == phrase("dept_report", "zh") and doc.paragraphs[1].text == DEPARTMENT
    table = doc.tables[0]  # page 1's only table: what needs a decision
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0][0] == phrase("decision_kind", "zh")
    kinds = {r[0] for r in rows[1:]}
    assert phrase("gain_not_held", "zh") in kinds and phrase("p1_off_track", "zh") in kinds
    lost = next(r for r in rows[1:] if r[0] == phrase("gain_not_held", "zh"))
    assert lost[1] == f"{PROBLEM} {KPI}" and "0.7" in lost[3] and "0.5" in lost[3]
    body = _body(report)
    links = re.findall(r'<w:hyperlink w:anchor="(_Toc_ci_problem\d+)"', body.split("<w:sdt>")[0])
    marks = set(re.findall(r'w:name="(_Toc_ci_problem\d+)"', body))
    assert links and set(links) <= marks  # each link lands on a problem's section
    heading = re.search(rf'w:name="{links[1]}"/>(.*?)</w:p>', body).group(1)  # type: ignore[union-attr]
    assert PROBLEM in heading  # the gain-not-held row links to P-002's section
    section = re.search(r"第 (\d+) 节", lost[4]).group(1)  # type: ignore[union-attr]
    assert section == "4"  # P-002 is the second problem, after summary (1) and register (2)


def test_portfolio_page_one(demo: Path) -> None:
    doc = Document(str(demo / PERIOD / "reports" / "portfolio.docx"))
    rows = [[c.text for c in row.cells] for row in doc.tables[0].rows]
    assert [DEPARTMENT, "1 个问题"] in [[r[1], r[3]] for r in rows if r[0] == phrase("gain_not_held", "zh")]
    assert "项目管理部" in [r[1] for r in rows if r[0] == phrase("missing", "zh")]  # it did not submit in November


def test_contents_is_a_word_toc_field_and_word_asks_nothing(demo: Path) -> None:
    report = demo / PERIOD / "reports" / f"{DEPARTMENT}.docx"
    body = _body(report)
    assert '<w:docPartGallery w:val="Table of Contents"/>' in body
    assert re.search(r'<w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText>', body)
    assert body.count('w:fldCharType="begin"') == body.count('w:fldCharType="end"')
    anchors = re.findall(r"PAGEREF (\S+) \\h", body)
    marks = set(re.findall(r'<w:bookmarkStart w:id="\d+" w:name="([^"]+)"/>', body))
    assert anchors and set(anchors) <= marks
    with zipfile.ZipFile(report) as package:
        assert b"updateFields" not in package.read("word/settings.xml")


@pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None, reason="LibreOffice is not installed"
)
def test_pdf_contents_show_the_right_pages(demo: Path, tmp_path: Path) -> None:
    work = tmp_path / "out"
    shutil.copytree(demo, work)
    result = CliRunner().invoke(main, ["report", "--period", PERIOD, "--out", str(work), "--pdf"])
    assert result.exit_code == 0, result.output
    report = work / PERIOD / "reports" / f"{DEPARTMENT}.docx"
    pages = [page.extract_text() or "" for page in PdfReader(report.with_suffix(".pdf")).pages]
    shown = dict(
        re.findall(
            r'PAGEREF (\S+) \\h </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/>'
            r"</w:r><w:r><w:t>(\d+)</w:t>",
            _body(report),
        )
    )
    doc = Document(str(report))
    headings = [p for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert len(shown) >= len(headings) > 3
    body = _body(report)
    for heading in headings:
        mark = re.search(rf'w:name="(_Toc_ci[^"]*)"/>(?:(?!</w:p>).)*?{re.escape(heading.text[:8])}', body)
        assert mark is not None
        page = int(shown[mark.group(1)])
        first = next(n for n, text in enumerate(pages, 1) if n > 2 and heading.text[:8] in text.replace("\n", " "))
        assert page == first, heading.text
    assert phrase("toc_hint", "zh") not in body  # the hint goes once the numbers are in
    contents = pages[1]
    assert re.search(r"问题 P-001.*?\.{3,}\s*(\d+)", contents)
    assert not fill_toc_pages(work / PERIOD / "validation.json", report.with_suffix(".pdf"))  # not a report
