"""The web app's parts behind the pages, on real workbooks: uploads kept and numbered under
concurrency, the roster and its aliases deciding who is expected, late and wrong-period uploads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ci_excel.config import Config, Department
from ci_excel.web.board import board
from ci_excel.web.uploads import Refused, Uploads, Version
from tests import builders

ROSTER = Config(roster=(Department("客户服务部", aliases=("客服部",)), Department("电商运营部")))


def _uploads(tmp_path: Path, config: Config = ROSTER) -> Uploads:
    return Uploads(tmp_path / "state", tmp_path / "submissions", config, checks=2)


def _send(uploads: Uploads, path: Path, department: str, period: str = "2026-11") -> Version:
    with path.open("rb") as fh:
        found = uploads.receive(fh, path.name, department=department, period=period, lang="en")
    assert isinstance(found, Version)
    return found


def test_concurrent_uploads_of_one_department_are_numbered_without_gaps(tmp_path: Path) -> None:
    uploads = _uploads(tmp_path)
    files = [builders.register(tmp_path / f"in{i}", info=builders.INFO | {"contact": f"n{i}"}) for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        done = list(pool.map(lambda p: _send(uploads, p, "电商运营部"), files))
    assert sorted(v.n for v in done) == list(range(1, 9))
    kept = uploads.versions("2026-11", "电商运营部")
    assert [v.n for v in kept] == list(range(1, 9)) and len({v.sha256 for v in kept}) == 8
    submitted = (tmp_path / "submissions" / "2026-11" / "电商运营部.xlsx").read_bytes()
    assert submitted == (uploads.folder("2026-11", "电商运营部") / kept[-1].stored).read_bytes()


def test_the_roster_decides_who_is_expected_and_aliases_match(tmp_path: Path) -> None:
    uploads = _uploads(tmp_path)
    alias = builders.register(tmp_path / "a", info=builders.INFO | {"department": "客服部"})
    version = _send(uploads, alias, "客户服务部")
    assert version.not_taken is None and version.errors == 0  # 客服部 is 客户服务部 on the roster
    found = board("2026-11", config=ROSTER, store=None, uploads=uploads, linked=["物流部"])
    assert found.source == "src_roster"
    assert [(r.department, r.status, r.expected) for r in found.rows] == [
        ("客户服务部", "clean", True),
        ("电商运营部", "missing", True),
        ("物流部", "missing", False),
    ]


def test_another_departments_or_periods_workbook_is_kept_but_not_submitted(tmp_path: Path) -> None:
    uploads = _uploads(tmp_path)
    theirs = _send(uploads, builders.register(tmp_path / "a"), "客户服务部")
    assert theirs.not_taken == ["wrong_department", {"found": "电商运营部", "department": "客户服务部"}]
    october = _send(uploads, builders.register(tmp_path / "b"), "电商运营部", period="2026-10")
    assert october.not_taken == ["wrong_period", {"found": "2026-11", "period": "2026-10"}]
    assert not (tmp_path / "submissions").exists()
    rows = {r.department: r for r in board("2026-10", config=ROSTER, store=None, uploads=uploads, linked=[]).rows}
    assert rows["电商运营部"].status == "errors"
    assert rows["电商运营部"].late  # uploaded after 2026-11-05, the deadline of 2026-10


def test_a_non_workbook_is_refused_and_nothing_kept(tmp_path: Path) -> None:
    uploads = _uploads(tmp_path)
    fake = tmp_path / "report.xlsx"
    fake.write_text("名称,数量\n订单,3\n", encoding="utf-8")
    with fake.open("rb") as fh:
        found = uploads.receive(fh, "report.xlsx", department="电商运营部", period="2026-11", lang="zh")
    assert isinstance(found, Refused) and found.issue.code == "file-unsupported"
    assert uploads.versions("2026-11", "电商运营部") == []
    assert not (tmp_path / "state" / "uploads").exists() and not list((tmp_path / "state" / "tmp").iterdir())
    assert "report.xlsx" in found.issue.message("zh")


def test_every_phrase_the_pages_use_exists_in_both_languages() -> None:
    import re

    from ci_excel.text import PHRASES
    from ci_excel.web.app import HERE
    from ci_excel.web.text import TEXT

    used = {
        k
        for page in (HERE / "templates").glob("*.html")
        for k in re.findall(r"\bt\('(\w+)'\s*[,)]", page.read_text(encoding="utf-8"))
    }
    used |= {f"st_{s}" for s in ("missing", "errors", "warnings", "clean", "late")}
    for module in HERE.glob("*.py"):  # refusals, where the expected departments come from, why not taken
        code = module.read_text(encoding="utf-8")
        used |= set(re.findall(r'refuse\(request, \d+, "(\w+)"', code))
        used |= set(re.findall(r'"(src_\w+|wrong_\w+|no_submission)"', code))
    assert used and not used - set(TEXT) - set(PHRASES), used - set(TEXT) - set(PHRASES)
    assert all(zh and en for zh, en in TEXT.values())
