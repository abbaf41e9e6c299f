"""The monthly review deck (reports/portfolio.pptx): every slide checked against the stored period,
the charts' embedded workbooks, text that stays in its box (through LibreOffice's PDF), English, the
Open XML SDK check, and re-rendering with `report`."""

from __future__ import annotations

import gc
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from PIL import ImageFont
from pptx import Presentation
from pptx.parts.slide import SlidePart

from ci_excel.cli import main
from ci_excel.compute import department_digest, period_digest
from ci_excel.model import PeriodFigures, PeriodResult
from ci_excel.render.deck import render_deck
from ci_excel.render.deck.fit import ELLIPSIS, SLACK, Box, fit, text_width, wrap
from ci_excel.render.deck.layout import COLLECT_EVERY, Deck
from ci_excel.render.fonts import matplotlib_faces, measuring_faces
from ci_excel.schema import PRIORITY, STAGE
from ci_excel.scoring import off_track, priority_key
from ci_excel.sessions import default_db_url
from ci_excel.store import Store
from ci_excel.templates import write_workbook
from ci_excel.text import phrase
from tests.pipeline_data import ALL_SHEETS, register_rows
from tests.test_pipeline import consolidate_exit_code

PERIOD = "2026-11"
LONG_DEPT = "华东区域仓储与物流配送运营管理中心(长名称测试部门)"
LONG_TEXT = (
    "仓库拣货路径没有按照库位热度重新规划,拣货员在高峰时段需要反复往返主通道,同时纸质拣货单与系统库存"
    "不同步导致缺货复核频繁," * 6
)
CHECK = Path(__file__).resolve().parents[2] / "shared" / "tools" / "ooxml" / "check.sh"
needs_libreoffice = pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice is not installed"
)


def _register(path: Path, department: str, period: str, *, done: int, long: bool = False) -> None:
    info, rows = register_rows(department, period, problems=6, done=done)
    if long:  # every text a department types, far longer than any box
        for p in rows["problems"]:
            p["issue"], p["owner"] = LONG_TEXT, "欧阳" * 20
        for a in rows["actions"]:
            a["what"], a["who"] = LONG_TEXT[:120], "Alexandria-Konstantinopoulou " * 3
        for s in rows["solutions"]:
            s["description"] = LONG_TEXT
        for w in rows["why_chains"]:
            w.update({k: LONG_TEXT[:90] for k in ("why_1", "why_2", "why_3", "why_4", "why_5")})
    write_workbook(path, ALL_SHEETS, info=info, rows=rows, with_example=False)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, PeriodResult, list[PeriodFigures]]:
    root = tmp_path_factory.mktemp("deck")
    out = root / "output"
    for period, done in (("2026-10", 0), (PERIOD, 1)):
        folder = root / "in" / period
        for name in ("电商运营部", "客户服务部", LONG_DEPT):
            _register(folder / name[:8] / "ci_register.xlsx", name, period, done=done, long=name == LONG_DEPT)
        result = CliRunner().invoke(
            main, ["consolidate", str(folder), "--period", period, "--out", str(out), "--jobs", "1"]
        )
        assert result.exit_code == consolidate_exit_code(result.output), result.output
    store = Store(default_db_url(out))
    return out / PERIOD, store.load_period(PERIOD), store.history()


def _texts(slide: Any) -> list[str]:
    """Every text on the slide: shapes' text frames and table cells, in order."""
    found = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            found.append(shape.text_frame.text)
        if getattr(shape, "has_table", False) and shape.has_table:
            found += [cell.text for row in shape.table.rows for cell in row.cells]
    return found


def _rows(slide: Any) -> list[list[str]]:
    """The body rows of the slide's table (header row dropped)."""
    table = next(s for s in slide.shapes if getattr(s, "has_table", False) and s.has_table).table
    return [[c.text for c in row.cells] for row in list(table.rows)[1:]]


def _slides(deck: Path, title: str) -> list[Any]:
    """The slides whose title starts with `title` (a list and its continuation slides)."""
    return [
        s
        for s in Presentation(str(deck)).slides
        if s.shapes.title is not None and s.shapes.title.text_frame.text.startswith(title)
    ]


def _same(shown: str, stored: str) -> bool:
    """Shown whole, or shortened with the mark (newlines where it was cut into lines)."""
    flat = shown.replace("\n", "").replace("\x0b", "")  # python-pptx shows a line break as a vertical tab
    return flat == stored or (flat.endswith(ELLIPSIS) and stored.startswith(flat[:-1].rstrip()))


def _all_same(shown: list[str], stored: list[str]) -> bool:
    return len(shown) == len(stored) and all(_same(a, b) for a, b in zip(shown, stored, strict=True))


def test_deck_is_written_by_consolidate_and_listed(run: tuple[Path, PeriodResult, list[PeriodFigures]]) -> None:
    folder, _, _ = run
    assert "reports/portfolio.pptx" in json.loads((folder / "manifest.json").read_text())["outputs"]
    assert Presentation(str(folder / "reports" / "portfolio.pptx")).slide_width == 12192000


def test_headline_figures_and_their_change(run: tuple[Path, PeriodResult, list[PeriodFigures]]) -> None:
    folder, _, history = run
    now, before = history[-1], history[-2]
    slide = _slides(folder / "reports" / "portfolio.pptx", phrase("headline", "zh"))[0]
    texts = _texts(slide)
    for label, attr in (
        ("problems_count", "problems"),
        ("closed", "closed"),
        ("overdue", "overdue_actions"),
        ("kpis_met", "kpis_met"),
        ("benefit", "benefit"),
    ):
        at = texts.index(phrase(label, "zh"))
        value, prev = getattr(now, attr), getattr(before, attr)
        assert texts[at + 1] == f"{value:,.0f}"
        assert texts[at + 2] == phrase("vs_previous", "zh", delta=f"{value - prev:+,.0f}")


def test_lists_hold_the_stored_rows(run: tuple[Path, PeriodResult, list[PeriodFigures]]) -> None:
    folder, stored, _ = run
    deck = folder / "reports" / "portfolio.pptx"
    ranked = period_digest([department_digest(d) for d in stored.departments]).departments
    rank_rows = [r for s in _slides(deck, phrase("ranking", "zh")) for r in _rows(s)]
    assert _all_same([r[1] for r in rank_rows], [d.department for d in ranked])
    assert [r[2] for r in rank_rows] == [str(d.problems) for d in ranked]
    by_name = {d.department: d for d in stored.departments}
    expected = [
        (d.department, p["problem_id"])
        for d in ranked
        for p in sorted(by_name[d.department].rows("problems"), key=priority_key)
        if p.get("priority") == "P1" and off_track(p)
    ]
    shown = [r for s in _slides(deck, phrase("p1_off_track_title", "zh")) for r in _rows(s)]
    assert _all_same([r[0] for r in shown], [d for d, _ in expected]) and expected
    assert [r[1] for r in shown] == [p for _, p in expected]
    late = sorted(
        (
            (a["days_overdue"], d.department, a["action_id"], a["who"])
            for d in stored.departments
            for a in d.rows("actions")
            if a.get("overdue")
        ),
        key=lambda t: (-t[0], t[1]),
    )
    rows = [r for s in _slides(deck, phrase("overdue_actions", "zh")) for r in _rows(s)]
    assert _all_same([r[0] for r in rows], [d for _, d, _, _ in late]) and late
    assert [r[1] for r in rows] == [a for _, _, a, _ in late]
    assert all(
        _same(r[3], who) and r[5] == phrase("days_n", "zh", n=days)
        for r, (days, _, _, who) in zip(rows, late, strict=True)
    )
    kpi_rows = [r for s in _slides(deck, phrase("kpi_met_missed", "zh")) for r in _rows(s)]
    with_kpis = [d for d in ranked if d.kpis or d.gains_not_held]
    assert _all_same([r[0] for r in kpi_rows], [d.department for d in with_kpis])
    assert [[*r[1:4], r[6]] for r in kpi_rows] == [
        [str(d.kpis), str(d.kpis_met), str(d.kpis_missed), str(d.gains_not_held)] for d in with_kpis
    ]


def test_an_a3_per_p1_problem(run: tuple[Path, PeriodResult, list[PeriodFigures]]) -> None:
    folder, stored, _ = run
    deck = folder / "reports" / "portfolio.pptx"
    slides = {s.shapes.title.text_frame.text.replace("\x0b", ""): s for s in _slides(deck, "A3 · ")}
    p1 = [(d, p) for d in stored.departments for p in d.rows("problems") if p.get("priority") == "P1"]
    assert len(slides) == len(p1) and p1
    for dept, problem in p1:
        title = phrase("a3_title", "zh", department=dept.department, id=problem["problem_id"])
        slide = next(s for t, s in slides.items() if _same(t, title))
        texts = "\n".join(_texts(slide)).replace("\x0b", "")
        flat = texts.replace("\n", "")
        assert phrase("a3_background", "zh") in texts and phrase("a3_followup", "zh") in texts
        assert problem["statement"][:20] in flat
        solutions = [s for s in dept.rows("solutions") if s["problem_id"] == problem["problem_id"]]
        assert all(
            s["solution_id"] in texts and phrase("score_n", "zh", n=f"{s['score']:g}") in flat
            for s in solutions
            if s.get("selected")
        )
        actions = [a for a in dept.rows("actions") if a["solution_id"] in {s["solution_id"] for s in solutions}]
        assert all(a["due_on"].isoformat() in texts for a in actions) and actions
        assert all(
            w[:8] in flat
            for c in dept.rows("why_chains")
            if c["problem_id"] == problem["problem_id"]
            for w in (c["why_1"], c["root_cause"])
        )


def test_appendix_has_a_slide_per_department(run: tuple[Path, PeriodResult, list[PeriodFigures]]) -> None:
    folder, stored, _ = run
    slides = _slides(folder / "reports" / "portfolio.pptx", phrase("appendix_departments", "zh") + " · ")
    assert len(slides) == len(stored.departments)
    for slide, dept in zip(slides, sorted(stored.departments, key=lambda d: d.department), strict=True):
        digest = department_digest(dept)
        assert _same(slide.shapes.title.text_frame.text, f"{phrase('appendix_departments', 'zh')} · {dept.department}")
        texts = _texts(slide)
        at = texts.index(phrase("overdue", "zh"))
        assert texts[at + 1] == str(digest.overdue_actions)
        stages = [texts[texts.index(s.label("zh")) + 1] for s in STAGE.choices]
        assert stages == [str(n) for n in digest.stages]
        priorities = [texts[texts.index(p.label("zh")) + 1] for p in PRIORITY.choices]
        assert priorities == [str(n) for n in digest.priorities]


def _chart_tables(deck: Path) -> dict[str, list[list[Any]]]:
    """Each chart's embedded workbook, keyed by its first series' name."""
    tables = {}
    for slide in Presentation(str(deck)).slides:
        for shape in slide.shapes:
            if getattr(shape, "has_chart", False) and shape.has_chart:
                blob = shape.chart_part.chart_workbook.xlsx_part.blob
                import io

                sheet = openpyxl.load_workbook(io.BytesIO(blob)).active
                rows = [list(r) for r in sheet.iter_rows(values_only=True)]
                tables[str(rows[0][1])] = rows
    return tables


def test_chart_workbooks_hold_the_numbers(run: tuple[Path, PeriodResult, list[PeriodFigures]]) -> None:
    folder, stored, history = run
    tables = _chart_tables(folder / "reports" / "portfolio.pptx")
    folded = period_digest([department_digest(d) for d in stored.departments])
    by_priority = tables["P1 优先解决"]
    for row, stage in zip(by_priority[1:], STAGE.choices, strict=True):
        assert row[0] == stage.label("zh")
        assert row[1:] == [folded.stage_priority.get((stage.key, p), 0) for p in ("P1", "P2", "P3", "P4")]
    by_dept = tables[STAGE.choices[0].label("zh")]
    for row in by_dept[1:]:
        digest = next(d for d in folded.departments if d.department == row[0])
        assert row[1:] == list(digest.stages)
    trend = tables[phrase("new", "zh")]
    assert [r[0] for r in trend[1:]] == [f.period for f in history]
    assert [r[2] for r in trend[1:]] == [f.closed for f in history]


def _words(pdf: Path) -> list[tuple[int, float, float, float, float, str]]:
    """(page, xMin, yMin, xMax, yMax, word) of every word, from poppler's pdftotext -bbox."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            words.append((page, *(float(v) for v in m.groups()[:4]), m.group(5)))
    return words


@needs_libreoffice
def test_no_text_leaves_its_box(run: tuple[Path, PeriodResult, list[PeriodFigures]], tmp_path: Path) -> None:
    """Rendered by LibreOffice: every word lies on its slide, above the footer (but the footer's own), inside
    a shape's box (a table whose rows grew past the estimate would reach below its frame), and no two
    words overlap (text spilling out of a box or a table row would run into the next)."""
    folder, _, _ = run
    deck = tmp_path / "deck.pptx"
    shutil.copyfile(folder / "reports" / "portfolio.pptx", deck)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run(
        [
            str(soffice),
            f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(deck),
        ],
        check=True,
        timeout=300,
        capture_output=True,
    )
    words = _words(tmp_path / "deck.pdf")
    slides = len(Presentation(str(deck)).slides)
    assert {w[0] for w in words} == set(range(1, slides + 1))
    footer_top = 540.0 - 26.0
    for page, x0, y0, x1, y1, text in words:
        assert x0 >= 0 and x1 <= 960.5 and y0 >= 0 and y1 <= 540.5, (page, text)
        assert y0 < footer_top - 1 or y0 >= footer_top, (page, text)  # nothing straddles the footer line
    by_page: dict[int, list[tuple[float, float, float, float, str]]] = {}
    for page, *box in words:
        by_page.setdefault(page, []).append(tuple(box))  # type: ignore[arg-type]
    for page, boxes in by_page.items():
        for n, a in enumerate(boxes):
            for b in boxes[n + 1 :]:
                w = min(a[2], b[2]) - max(a[0], b[0])
                h = min(a[3], b[3]) - max(a[1], b[1])
                assert w <= 1.0 or h <= 1.5, (page, a[4], b[4])
    assert ELLIPSIS in "".join(w[5] for w in words)  # the long texts were shortened, not spilled
    boxes_of = [
        [(s.left / 12700, s.top / 12700, (s.left + s.width) / 12700, (s.top + s.height) / 12700) for s in slide.shapes]
        for slide in Presentation(str(deck)).slides
    ]
    for page, x0, y0, x1, y1, text in words:  # each word inside the box (text box, table, chart) it belongs to
        # poppler's word boxes are the font's full height (1.3 em for Noto Sans CJK), a little taller than the
        # exact line spacing; a line that really spilled would be a whole line (>= 9 pt) out
        assert any(
            a - 1.5 <= x0 and x1 <= c + 1.5 and b - 3.0 <= y0 and y1 <= d + 3.0 for a, b, c, d in boxes_of[page - 1]
        ), (page, text)


@pytest.mark.skipif(shutil.which("fc-match") is None, reason="fontconfig is not installed")
def test_fontconfig_faces_measure_text_as_matplotlibs_do() -> None:
    """The deck measures with the faces fontconfig finds; matplotlib's lookup (the fallback) agrees."""
    sample = "持续改进月度评审 Continuous improvement · 2026-11 P1 (逾期 12 天)"
    fontconfig, matplotlib = measuring_faces(), matplotlib_faces()
    for ours, theirs in zip(fontconfig, matplotlib, strict=True):
        width = ImageFont.truetype(ours, 1000).getlength(sample)
        assert width == pytest.approx(ImageFont.truetype(theirs, 1000).getlength(sample), rel=0.005)


def test_fit_wraps_within_the_width_and_marks_what_it_cuts() -> None:
    box = Box(200.0, 40.0, 10.0)  # three lines of 10 pt
    assert fit("短文本 short", box) == "短文本 short"
    cut = fit(LONG_TEXT, box)
    lines = cut.split("\n")
    assert len(lines) == box.max_lines == 3 and cut.endswith(ELLIPSIS)
    assert all(text_width(line, 10.0) <= 200.0 * SLACK for line in lines)
    english = "Supplier quality escapes rose because incoming inspection samples too few lots " * 5
    assert all(text_width(line, 10.0) <= 200.0 * SLACK for line in wrap(english, 200.0, 10.0))
    assert all(not line.startswith(" ") for line in wrap(english, 200.0, 10.0))


def test_a_long_listing_leaves_no_slides_behind() -> None:
    """Slides put aside are freed as the listing goes (they are object cycles, left for a collection that
    their few objects would seldom set off): a listing of many slides leaves at most a few in memory."""
    deck = Deck("zh", "页脚")
    rows = [[f"部门{n}", f"P{n:04d}", LONG_TEXT[:60]] for n in range(600)]
    gc.collect()
    gc.disable()  # only the deck's own collections run
    try:
        before = _live(SlidePart)
        pages = deck.table("清单", ["部门", "编号", "问题"], rows, [20, 10, 70])
        left = _live(SlidePart) - before
    finally:
        gc.enable()
    assert pages > 3 * COLLECT_EVERY and left <= COLLECT_EVERY


def _live(kind: type) -> int:
    return sum(isinstance(o, kind) for o in gc.get_objects())


def test_english_deck(tmp_path: Path) -> None:
    from benchmarks.sample_data import sample_period

    result = sample_period(3, 4, lang="en")
    deck = Presentation(str(render_deck(result, tmp_path / "en.pptx", lang="en")))
    titles = [s.shapes.title.text_frame.text for s in deck.slides if s.shapes.title is not None]
    assert phrase("deck_title", "en") in titles and phrase("headline", "en") in titles
    assert phrase("ranking", "en") in titles
    assert not any(re.search(r"[\u4e00-\u9fff]", t) for t in titles if not t.startswith(("A3", "Appendix")))


@pytest.mark.skipif(not CHECK.exists(), reason="the Open XML SDK check is not available")
def test_deck_passes_the_open_xml_sdk(run: tuple[Path, PeriodResult, list[PeriodFigures]]) -> None:
    folder, _, _ = run
    done = subprocess.run(
        ["bash", str(CHECK), str(folder / "reports" / "portfolio.pptx")], capture_output=True, text=True, timeout=900
    )
    assert "sdk 0 errors" in done.stdout, done.stdout
    findings = [line for line in done.stdout.splitlines() if line.startswith("    integrity")]
    # the checker's table of main-part content types has no PowerPoint entry: the one finding it makes
    known = (
        "rId1 (officeDocument) -> ppt/presentation.xml has content type application/vnd.openxmlformats-"
        "officedocument.presentationml.presentation.main+xml"
    )
    assert all(known in line for line in findings), done.stdout


def test_report_renders_the_deck_again_from_the_store(
    run: tuple[Path, PeriodResult, list[PeriodFigures]], tmp_path: Path
) -> None:
    folder, _, _ = run
    out = tmp_path / "output"
    shutil.copytree(folder.parent, out)
    deck = out / PERIOD / "reports" / "portfolio.pptx"
    before = [s.shapes.title.text_frame.text for s in Presentation(str(deck)).slides if s.shapes.title]
    deck.unlink()
    result = CliRunner().invoke(main, ["report", "--period", PERIOD, "--out", str(out)])
    assert result.exit_code == 0, result.output
    after = [s.shapes.title.text_frame.text for s in Presentation(str(deck)).slides if s.shapes.title]
    assert after == before


def test_the_department_word_report_has_the_a3_pages(run: tuple[Path, PeriodResult, list[PeriodFigures]]) -> None:
    from docx import Document

    from ci_excel.render.docx import report_paths

    folder, stored, _ = run
    paths = report_paths([d.department for d in stored.departments], folder)
    for dept in stored.departments:
        doc = Document(str(paths[dept.department]))
        headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
        p1 = [p for p in sorted(dept.rows("problems"), key=priority_key) if p.get("priority") == "P1"]
        expected = [phrase("a3_heading", "zh", id=p["problem_id"]) for p in p1]
        assert [h for h in headings if h.startswith("A3 · ")] == expected and expected
        cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
        assert phrase("a3_countermeasures", "zh") in cells and phrase("a3_followup", "zh") in cells
