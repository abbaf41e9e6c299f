"""Word reports for the sample data set, opened with python-docx and checked by content."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn

from benchmarks.sample_data import INJECTED, MISSING, UNSAFE_DEPARTMENT, sample_period
from ci_excel import model, schema
from ci_excel.render.docx import render_all, render_reports, report_paths
from ci_excel.render.docx_portfolio import build_portfolio
from ci_excel.render.portfolio_digest import TOP_ROWS, PortfolioDigest, Top
from ci_excel.schema import STEPS, Lang
from ci_excel.scoring import priority_key
from ci_excel.text import phrase

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def period() -> model.PeriodResult:
    return sample_period()


@pytest.fixture(scope="module")
def rendered(period: model.PeriodResult, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return render_reports(period, tmp_path_factory.mktemp("zh"), lang="zh")


def open_doc(path: Path) -> DocumentObject:
    return Document(str(path))


def headings(doc: DocumentObject) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style is not None and p.style.name.startswith("Heading")]


def toc_entries(doc: DocumentObject) -> list[tuple[str, str, str]]:
    """(style name, text, anchor) of each entry of the contents (a TOC field in a w:sdt block)."""
    styles = {s.style_id: s.name for s in doc.styles}
    out = []
    for p in doc.element.body.iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        name = styles.get(style.get(f"{W}val")) if style is not None else None
        if name in ("TOC 1", "TOC 2"):
            link = p.find(f"{W}hyperlink")
            out.append((name, "".join(t.text or "" for t in link.iter(f"{W}t")), link.get(f"{W}anchor")))
    return out


def table_rows(table: object) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]  # type: ignore[attr-defined]


def find_table(doc: DocumentObject, first_header: str, second_header: str | None = None) -> list[list[str]]:
    for table in doc.tables:
        rows = table_rows(table)
        if rows[0][0] == first_header and (second_header is None or rows[0][1] == second_header):
            return rows
    raise AssertionError(f"no table starting with {first_header!r}")


def all_text(doc: DocumentObject) -> str:
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_one_report_per_department_and_a_portfolio(rendered: list[Path], period: model.PeriodResult) -> None:
    assert [p.name for p in rendered] == ["电商运营部.docx", "研发_测试部.docx", "客户服务部.docx", "portfolio.docx"]
    assert all(p.is_file() and p.parent.name == "reports" for p in rendered)
    assert UNSAFE_DEPARTMENT in [d.department for d in period.departments]


def test_department_report_sections(rendered: list[Path], period: model.PeriodResult) -> None:
    doc = open_doc(rendered[0])
    dept = period.departments[0]
    titles = headings(doc)
    assert titles[0] == phrase("summary", "zh")
    assert STEPS[1][2] in titles
    for problem in dept.rows("problems"):
        assert any(t.startswith(phrase("problem_heading", "zh", id=problem["problem_id"])) for t in titles)
    for step in range(2, 7):
        assert sum(STEPS[step][2] in t for t in titles) == len(dept.rows("problems"))
    assert titles[-1] == phrase("appendix_quality", "zh")
    assert titles[:4] == [phrase(k, "zh") for k in ("summary", "by_stage_priority", "overdue_actions", "kpis_met")]
    label = schema.column_label
    kpis = find_table(doc, label("results", "problem_id", "zh"), label("results", "kpi", "zh"))
    assert [r[1] for r in kpis[1:]] == [r["kpi"] for r in dept.rows("results")]
    cover = [p.text for p in doc.paragraphs[:8]]
    assert phrase("dept_report", "zh") in cover and dept.department in cover
    assert any(dept.info["contact"] in line for line in cover)
    assert any(style == "TOC 1" for style, _, _ in toc_entries(doc))


def test_register_sorted_by_priority_with_schema_headers(rendered: list[Path], period: model.PeriodResult) -> None:
    doc = open_doc(rendered[0])
    keys = ["problem_id", "statement", "scope", "priority", "channel", "owner", "stage"]
    head = [schema.column_label("problems", k, "zh") for k in keys]
    rows = find_table(doc, head[0], head[1])
    assert rows[0] == head
    expected = sorted(period.departments[0].rows("problems"), key=priority_key)
    assert [r[0] for r in rows[1:]] == [p["problem_id"] for p in expected]
    assert [r[3] for r in rows[1:]] == [schema.PRIORITY.label(p["priority"], "zh") for p in expected]
    assert INJECTED[0][2] in [r[2] for r in rows[1:]]  # "=1+1 …" stays text


def test_solutions_show_scores_pass_fail_and_recommendation(rendered: list[Path], period: model.PeriodResult) -> None:
    doc = open_doc(rendered[0])
    head = schema.column_label("solutions", "solution_id", "zh")
    tables = [table_rows(t) for t in doc.tables if table_rows(t)[0][0] == head]
    solutions = period.departments[0].rows("solutions")
    shown = {r[0].rstrip(" ★"): r for t in tables for r in t[1:]}
    assert set(shown) == {s["solution_id"] for s in solutions}
    for s in solutions:
        row = shown[s["solution_id"]]
        assert row[7] == f"{s['score']:g}"
        assert row[8] == ("✓" if s["passes"] else "✗")
    recommended = [s for s in solutions if s["recommended"]]
    text = all_text(doc)
    for s in recommended:
        assert f"{phrase('recommendation', 'zh')}：{s['solution_id']} {s['description']}" in text


def test_overdue_actions_are_marked(rendered: list[Path], period: model.PeriodResult) -> None:
    doc = open_doc(rendered[0])
    overdue = [a for a in period.departments[0].rows("actions") if a["overdue"]]
    assert overdue
    label = schema.column_label
    rows = find_table(doc, label("actions", "action_id", "zh"), label("actions", "what", "zh"))
    assert {r[0] for r in rows[1:]} >= {a["action_id"] for a in overdue}
    assert {r[-1] for r in rows[1:]} >= {str(a["days_overdue"]) for a in overdue}


def test_figures_present_and_fit_the_page(rendered: list[Path], period: model.PeriodResult) -> None:
    doc = open_doc(rendered[0])
    dept = period.departments[0]
    problems = dept.rows("problems")
    causes = _count(c["problem_id"] for c in dept.rows("fishbone"))
    with_fishbone = {p for p, n in causes.items() if n >= 2}  # one cause is a sentence, not a diagram
    with_kpis = {r["problem_id"] for r in dept.rows("results")}
    problem_of = {s["solution_id"]: s["problem_id"] for s in dept.rows("solutions")}
    actions = _count(problem_of[a["solution_id"]] for a in dept.rows("actions") if a["start_on"] and a["due_on"])
    with_gantt = {p for p, n in actions.items() if n >= 2}  # one action's dates are in its table
    minimum = 1 + len(with_fishbone) + len(with_kpis) + len(with_gantt)  # + the priority matrix
    assert len(doc.inline_shapes) >= minimum
    captions = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Caption"]
    assert sum(phrase("fishbone", "zh") in c for c in captions) == len(with_fishbone)
    assert sum(phrase("gantt", "zh") in c for c in captions) == len(with_gantt)
    counted: dict[str, int] = {}
    for cause in dept.rows("fishbone"):
        if cause["frequency"]:
            counted[cause["problem_id"]] = counted.get(cause["problem_id"], 0) + 1
    assert sum(phrase("pareto", "zh") in c for c in captions) == sum(n >= 3 for n in counted.values())
    section = doc.sections[0]
    usable = section.page_width - section.left_margin - section.right_margin
    assert all(shape.width <= usable for shape in doc.inline_shapes)
    assert len(problems) == 4


def test_tables_repeat_headers_and_fit_the_width(rendered: list[Path]) -> None:
    for path in rendered:
        doc = open_doc(path)
        section = doc.sections[0]
        usable_twips = (section.page_width - section.left_margin - section.right_margin) / 635
        for table in doc.tables:
            first = table._tbl.tr_lst[0]
            assert first.find(f"{W}trPr/{W}tblHeader") is not None
            grid = [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]
            assert sum(grid) <= usable_twips + 1
            assert table.style is not None and table.style.name == "CI Table"


def test_header_footer_and_east_asian_fonts(rendered: list[Path], period: model.PeriodResult) -> None:
    doc = open_doc(rendered[1])
    section = doc.sections[0]
    assert section.header.paragraphs[0].text == f"{UNSAFE_DEPARTMENT} · {period.period}"
    assert doc.core_properties.title == section.header.paragraphs[0].text
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml
    assert section.different_first_page_header_footer
    assert section.header.paragraphs[0].style.name == "Header" and section.footer.paragraphs[0].style.name == "Footer"
    for style in doc.styles.element.findall(qn("w:style")):
        fonts = style.find(f"{W}rPr/{W}rFonts")
        assert fonts is not None and fonts.get(qn("w:eastAsia")), style.get(qn("w:styleId"))


def test_appendix_lists_the_departments_issues(rendered: list[Path], period: model.PeriodResult) -> None:
    for dept, path in zip(period.departments, rendered, strict=False):
        doc = open_doc(path)
        rows = find_table(doc, phrase("severity", "zh"))
        assert sorted(r[-1] for r in rows[1:]) == sorted(i.message("zh") for i in dept.issues)


def test_portfolio_sections(rendered: list[Path], period: model.PeriodResult) -> None:
    doc = open_doc(rendered[-1])
    titles = headings(doc)
    for key in (
        "headline",
        "by_stage_priority",
        "priority_matrix",
        "trend",
        "overdue_actions",
        "p1_problems",
        "kpi_achievement",
        "category_mix",
        "ranking",
        "quality_by_dept",
        "submissions",
    ):
        assert phrase(key, "zh") in titles, key
    trend = find_table(doc, phrase("period", "zh"), phrase("new", "zh"))
    assert [r[0] for r in trend[1:]] == [f.period for f in period.trend]
    department = schema.INFO.column("department").header("zh")
    p1 = find_table(doc, department, schema.column_label("problems", "problem_id", "zh"))
    expected = sum(p["priority"] == "P1" for d in period.departments for p in d.rows("problems"))
    assert len(p1) - 1 == expected
    missing = find_table(doc, schema.INFO.column("department").header("zh"), phrase("status", "zh"))
    assert {r[0] for r in missing[1:]} == set(MISSING) | set(period.late)
    ranking = find_table(doc, phrase("rank", "zh"))
    assert sorted(r[1] for r in ranking[1:]) == sorted(d.department for d in period.departments)
    assert len(doc.inline_shapes) >= 3  # charts; the priority matrix is a table


def _portfolio(departments: list[model.DepartmentResult], outline: model.PeriodOutline, target: Path) -> DocumentObject:
    """The portfolio report alone, built through a digest fed the departments in the order given."""
    from ci_excel.render.charts import Charts
    from ci_excel.render.docx_base import ReportDoc
    from ci_excel.render.reference_doc import template_path

    doc = ReportDoc(template_path().read_bytes(), "zh", Charts(lang="zh"))
    assert outline.generated_on is not None
    build_portfolio(doc, PortfolioDigest.of(departments), outline, generated_on=outline.generated_on)
    doc.save(target)
    return open_doc(target)


def _by_name(result: model.PeriodResult) -> list[model.DepartmentResult]:
    return sorted(result.departments, key=lambda d: d.department)


def test_portfolio_lists_the_most_overdue_actions_and_first_p1_problems_and_says_how_many(tmp_path: Path) -> None:
    result = sample_period(n_departments=60, problems_per_department=6)
    doc = _portfolio(result.departments, result.outline, tmp_path / "portfolio.docx")
    department, text = schema.INFO.column("department").header("zh"), all_text(doc)
    overdue = [(d.department, a) for d in _by_name(result) for a in d.rows("actions") if a["overdue"]]
    ranked = sorted(overdue, key=lambda da: -da[1]["days_overdue"])  # ties: department, then row
    most = ranked[:TOP_ROWS]
    table = find_table(doc, department, schema.column_label("actions", "action_id", "zh"))
    assert len(overdue) > TOP_ROWS and len(table) - 1 == TOP_ROWS
    assert [(r[0], r[1], r[-1]) for r in table[1:]] == [(d, a["action_id"], str(a["days_overdue"])) for d, a in most]
    assert min(int(r[-1]) for r in table[1:]) >= max(a["days_overdue"] for _, a in ranked[TOP_ROWS:])
    p1 = [(d.department, p) for d in _by_name(result) for p in d.rows("problems") if p["priority"] == "P1"]
    first = sorted(p1, key=lambda dp: priority_key(dp[1]))[:TOP_ROWS]
    table = find_table(doc, department, schema.column_label("problems", "problem_id", "zh"))
    assert len(p1) > TOP_ROWS and [(r[0], r[1]) for r in table[1:]] == [(d, p["problem_id"]) for d, p in first]
    for sheet, total in (("actions", len(overdue)), ("problems", len(p1))):
        sheet_name = schema.SHEETS[sheet].name("zh")
        sentence = phrase("capped_rows", "zh", total=f"{total:,}", shown=TOP_ROWS, sheet=sheet_name)
        assert sentence in text and "portfolio_summary.xlsx" in sentence
    small = _portfolio(sample_period().departments, sample_period().outline, tmp_path / "small.docx")
    assert "portfolio_summary.xlsx" not in all_text(small)  # nothing capped, nothing said


def test_top_keeps_the_smallest_keys_whatever_the_order_and_counts_them_all() -> None:
    keys = [(n * 7919) % 500 for n in range(500)]  # 0..499 shuffled
    top: Top[int] = Top(TOP_ROWS)
    for key in keys:
        top.offer((key,), key)
    assert top.items() == list(range(TOP_ROWS)) and top.total == 500


def test_portfolio_is_the_same_whatever_order_departments_are_added_in(tmp_path: Path) -> None:
    result = sample_period(n_departments=60, problems_per_department=6)
    shuffled = sorted(result.departments, key=lambda d: (len(d.department) % 3, d.department[::-1]))
    assert shuffled != _by_name(result)
    texts = [
        all_text(_portfolio(order, result.outline, tmp_path / f"{n}.docx"))
        for n, order in enumerate((_by_name(result), result.departments[::-1], shuffled))
    ]
    assert texts[0] == texts[1] == texts[2]


def test_portfolio_counts_match_the_departments_rows(tmp_path: Path) -> None:
    result = sample_period(n_departments=12, problems_per_department=5)
    doc = _portfolio(result.departments, result.outline, tmp_path / "portfolio.docx")
    problems = [p for d in result.departments for p in d.rows("problems")]
    stage_label = {s.label("zh"): s.key for s in schema.STAGE.choices}
    table = find_table(doc, schema.column_label("problems", "stage", "zh"), schema.PRIORITY.label("P1", "zh"))
    for row in table[1:-1]:
        counts = [
            sum(str(p["stage"]) == stage_label[row[0]] and p["priority"] == k for p in problems)
            for k in ("P1", "P2", "P3", "P4")
        ]
        assert row[1:] == [*(str(c) if c else "·" for c in counts), str(sum(counts))]
    assert table[-1][-1] == str(len(problems))
    department = schema.INFO.column("department").header("zh")
    by_dept = find_table(doc, department, schema.STAGE.choices[0].label("zh"))
    assert [r[0] for r in by_dept[1:]] == [d.department for d in _by_name(result)]
    for row, d in zip(by_dept[1:], _by_name(result), strict=True):
        stages = [sum(str(p["stage"]) == s.key for p in d.rows("problems")) for s in schema.STAGE.choices]
        assert row[1:] == [*(str(n or "·") for n in stages), str(len(d.rows("problems")))]
    headline = {r[0]: r[1] for r in find_table(doc, phrase("headline", "zh"))[1:]}
    overdue = sum(bool(a["overdue"]) for d in result.departments for a in d.rows("actions"))
    assert headline[phrase("problems_count", "zh")] == f"{len(problems):,}"
    assert headline[phrase("closed", "zh")] == str(sum(p["stage"] == "6" for p in problems))
    assert headline[phrase("overdue", "zh")] == str(overdue)
    kpis = find_table(doc, department, phrase("kpi_total", "zh"))
    assert {r[0]: (int(r[1]), int(r[2])) for r in kpis[1:]} == {
        d.department: (len(d.rows("results")), sum(bool(r["met"]) for r in d.rows("results")))
        for d in result.departments
        if d.rows("results")
    }
    cover = [p.text for p in doc.paragraphs[:8]]
    assert any(t.endswith(str(len(result.departments))) for t in cover)


@pytest.mark.parametrize("lang", ["en"])
def test_english_reports(lang: Lang, tmp_path: Path) -> None:
    result = sample_period(n_departments=2, lang=lang)
    paths = render_reports(result, tmp_path, lang=lang)
    doc = open_doc(paths[0])
    titles = headings(doc)
    assert titles[0] == "Summary" and "Problem register" in titles
    assert not any(re.search(r"[\u4e00-\u9fff]", t) for t in titles)
    register = find_table(doc, "Problem ID", "Problem statement")
    assert register[0][3] == "Priority"
    assert open_doc(paths[-1]).paragraphs[0].text == phrase("portfolio_report", "en")  # page 1's title block


def _count(keys: object) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in keys:  # type: ignore[attr-defined]
        counts[key] = counts.get(key, 0) + 1
    return counts


def test_single_cause_and_single_action_are_text_not_figures(tmp_path: Path) -> None:
    result = sample_period(n_departments=1)
    dept = result.departments[0]
    problem_of = {s["solution_id"]: s["problem_id"] for s in dept.rows("solutions")}
    planned = {problem_of[a["solution_id"]] for a in dept.rows("actions")}
    pid = next(c["problem_id"] for c in dept.rows("fishbone") if c["problem_id"] in planned)
    dept.tables["fishbone"] = [c for c in dept.rows("fishbone") if c["problem_id"] == pid][:1]
    keep = {s["solution_id"] for s in dept.rows("solutions") if s["problem_id"] == pid}
    dept.tables["actions"] = [a for a in dept.rows("actions") if a["solution_id"] in keep][:1]
    doc = open_doc(render_reports(result, tmp_path)[0])
    captions = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Caption"]
    assert not any(phrase("fishbone", "zh") in c or phrase("gantt", "zh") in c for c in captions)
    cause = dept.tables["fishbone"][0]
    assert f"{schema.FISHBONE.label(cause['category'], 'zh')}：{cause['cause']}" in all_text(doc).replace(" ", "")
    assert dept.tables["actions"][0]["action_id"] in all_text(doc)


def test_control_characters_never_break_a_report(tmp_path: Path) -> None:
    result = sample_period(n_departments=1)
    dept = result.departments[0]
    dept.tables["problems"][0]["issue"] = "录入\x07重复\x1b信息\x00"
    dept.tables["actions"][0]["what"] = "第一行\r\n第二行\t完"
    dept.info["contact"] = "张\x0b三"
    path = render_reports(result, tmp_path)[0]
    text = all_text(open_doc(path))
    assert "录入重复信息" in text and "第一行\n第二行 完" in text and "张三" in text


def test_colliding_safe_names_do_not_overwrite(tmp_path: Path) -> None:
    result = sample_period(n_departments=3)
    names = ["财务/审计", "财务_审计", "Portfolio"]
    result.departments = [replace(d, department=n) for d, n in zip(result.departments, names, strict=True)]
    paths = report_paths((d.department for d in result.departments), tmp_path)
    assert len({p.name.casefold() for p in paths.values()} | {"portfolio.docx"}) == 4
    written = render_reports(result, tmp_path)
    assert len(set(written)) == 4 and all(p.is_file() for p in written)
    assert open_doc(written[1]).sections[0].header.paragraphs[0].text.startswith("财务_审计")


def test_parallel_render_matches_serial_and_reuses_cached_figures(tmp_path: Path) -> None:
    result = sample_period(n_departments=3)
    serial = render_all(result, tmp_path / "a", jobs=1, cache_dir=tmp_path / "cache")
    parallel = render_all(result, tmp_path / "b", jobs=2, cache_dir=tmp_path / "cache")
    assert serial.charts.rendered > 0
    assert parallel.charts.rendered == 0 and parallel.charts.cached == serial.charts.rendered + serial.charts.cached
    for a, b in zip(serial.paths, parallel.paths, strict=True):
        assert a.name == b.name
        assert all_text(open_doc(a)) == all_text(open_doc(b))


def test_custom_template_styles_are_used(tmp_path: Path) -> None:
    from docx.shared import Pt

    from ci_excel.render.reference_doc import ASSET

    custom = Document(str(ASSET))
    custom.styles["Heading 1"].font.size = Pt(22)
    custom.save(str(tmp_path / "pmo.docx"))
    path = render_reports(sample_period(n_departments=1), tmp_path / "out", template=tmp_path / "pmo.docx")[0]
    doc = open_doc(path)
    assert doc.styles["Heading 1"].font.size == Pt(22)
    assert "报告标题" not in all_text(doc)  # the template's sample body is dropped


def test_empty_department_and_empty_period(tmp_path: Path) -> None:
    result = sample_period(n_departments=1)
    result.departments.append(
        model.DepartmentResult(
            department="空部门", period=result.period, info={"department": "空部门"}, tables={}, issues=[]
        )
    )
    paths = render_reports(result, tmp_path / "a", jobs=2)
    doc = open_doc(paths[1])
    assert phrase("no_data", "zh") in all_text(doc) and phrase("no_issues", "zh") in all_text(doc)
    alone = render_reports(model.PeriodResult(period="2026-11", departments=[], trend=[]), tmp_path / "b")
    assert [p.name for p in alone] == ["portfolio.docx"] and headings(open_doc(alone[0]))


def test_long_reports_list_chapters_only_in_contents(tmp_path: Path) -> None:
    result = sample_period(n_departments=1, problems_per_department=12)
    doc = open_doc(render_reports(result, tmp_path)[0])
    toc = toc_entries(doc)
    assert len(toc) == sum(1 for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1")
