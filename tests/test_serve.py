"""`ci-excel serve` driven over HTTP: the real server in a subprocess, a real client, real workbooks.

A department uploads a workbook with mistakes, reads the findings, downloads the annotated copy,
uploads the fix and the board turns green; the PMO runs the consolidation and reads the outputs
and the dashboard; a department's link reaches nothing of another's; oversized and hostile
uploads are refused with a clear message and logged. On SQLite, and on PostgreSQL when
CI_EXCEL_TEST_PG_URL is set.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from tests import builders, hostile
from tests.pg import empty_postgres
from tests.serve_client import PERIOD, Server, rows_of, running_server, wait_for_feedback, wait_for_run

DEPT, OTHER = builders.INFO["department"], "客户服务部"
MISTAKES = {("problems", 0, "impact"): "很高", ("problems", 1, "owner"): None}


@pytest.fixture(params=["sqlite", "postgres"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    if request.param == "postgres":
        with empty_postgres() as url, running_server(tmp_path, db_url=url) as found:
            yield found
    else:
        with running_server(tmp_path) as found:
            yield found


def test_department_fixes_its_workbook_until_the_board_is_green(server: Server, tmp_path: Path) -> None:
    pmo = server.pmo()
    assert pmo.response is not None and pmo.response.url.path == "/admin"
    dept = server.department(pmo.new_link(DEPT))
    assert dept.response is not None and DEPT in dept.response.text

    bad = builders.register(tmp_path / "in", "我的登记册.xlsx", tables=builders.tables_with(MISTAKES))
    page = dept.upload(bad)
    assert page.status_code == 200 and page.url.path == f"/department/v/{PERIOD}/1"
    findings = rows_of(page.text, "findings")
    impact = next(r for r in findings if "很高" in r)
    assert impact[0] == "错误" and impact[1] == "1-问题识别" and re.fullmatch(r"[A-Z]+2", impact[2])
    assert any(r[3].startswith("责任人") and r[0] == "错误" for r in findings)

    wait_for_feedback(dept, f"/department/v/{PERIOD}/1")
    copy = dept.get(f"/department/v/{PERIOD}/1/feedback")
    assert copy.status_code == 200 and "attachment" in copy.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(copy.content))
    sheet = book["1-问题识别"]
    assert sheet[impact[2]].comment is not None and "很高" in str(sheet[impact[2]].value)
    assert _board_status(pmo) == {DEPT: "有错误"}

    fixed = builders.register(tmp_path / "in", "我的登记册.xlsx")
    page = dept.upload(fixed)
    assert page.url.path == f"/department/v/{PERIOD}/2" and 'id="status"' in page.text and "通过" in page.text
    assert _board_status(pmo) == {DEPT: "通过"}
    history = rows_of(dept.get(f"/department?period={PERIOD}").text, "versions")
    errors = sum(r[0] == "错误" for r in findings)
    assert [(r[0], r[4]) for r in history] == [("2", "0"), ("1", str(errors))]  # newest first
    kept = list((server.submissions / PERIOD).iterdir())
    assert [p.name for p in kept] == [f"{DEPT}.xlsx"] and kept[0].read_bytes() == fixed.read_bytes()

    pmo.post("/admin/run", {"period": PERIOD}, page=f"/admin?period={PERIOD}")
    assert wait_for_run(pmo) == "done"
    outputs = pmo.get(f"/admin/run?period={PERIOD}").text
    names = re.findall(r'href="(/admin/output/[^"]+)">([^<]+)</a>', outputs)
    summary = next(href for href, name in names if name == "portfolio_summary.xlsx")
    got = pmo.get(summary)
    assert got.status_code == 200 and openpyxl.load_workbook(io.BytesIO(got.content)).sheetnames

    dash = pmo.get(f"/admin/dashboard?period={PERIOD}").text
    assert 'id="headline"' in dash and "<svg" in dash
    assert [r[0] for r in rows_of(dash, "stages")] == [DEPT, "合计"]
    assert rows_of(dash, "stages")[0][-1] == "2"  # two problems, as the digest counts them

    prefilled = dept.get("/department/prefilled/2026-12")
    book = openpyxl.load_workbook(io.BytesIO(prefilled.content))
    ids = [c.value for c in book["1-问题识别"]["A"][1:] if c.value]
    assert ids == ["P-001"]  # P-002 is closed (stage 6): not carried forward


def _board_status(pmo: object) -> dict[str, str]:
    rows = rows_of(pmo.get(f"/admin?period={PERIOD}").text, "board")  # type: ignore[attr-defined]
    return {r[0]: r[1].replace(" 逾期", "") for r in rows}


def test_a_department_link_reaches_nothing_of_another(tmp_path: Path) -> None:
    with running_server(tmp_path) as server:
        pmo = server.pmo()
        ours, theirs = server.department(pmo.new_link(DEPT)), server.department(pmo.new_link(OTHER))
        theirs.upload(builders.register(tmp_path / "b", info=builders.INFO | {"department": OTHER}))
        assert theirs.get(f"/department/v/{PERIOD}/1").status_code == 200
        key = re.search(rf'/admin/v/{PERIOD}/(\w+)/1"', pmo.get(f"/admin?period={PERIOD}").text)
        assert key

        assert ours.get(f"/department/v/{PERIOD}/1").status_code == 404  # our own versions only: none
        assert ours.get(f"/department/v/{PERIOD}/1/feedback").status_code == 404
        for path in (
            f"/admin?period={PERIOD}",
            f"/admin/v/{PERIOD}/{key.group(1)}/1",
            "/admin/dashboard",
            f"/admin/output/{PERIOD}/0",
        ):
            assert ours.get(path).status_code == 403, path
        assert OTHER not in ours.get(f"/department?period={PERIOD}").text

        again = pmo.new_link(DEPT)  # a new link signs the old one's browsers out
        assert ours.get("/department").status_code == 403
        assert server.department(again).response.status_code == 200  # type: ignore[union-attr]
        refused = server.client().get("/d/not-a-token")
        assert refused.status_code == 403 and "链接无效" in refused.text
        log = (server.out / "serve" / "refused.log").read_text(encoding="utf-8")
        assert "refused 403 GET /admin" in log and "/d/***" in log and "not-a-token" not in log


def test_oversized_and_hostile_uploads_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    where = hostile.Where(tmp_path / "hostile", tmp_path / "outside")
    where.folder.mkdir()
    with running_server(tmp_path, max_upload_mb=4) as server:
        dept = server.department(server.pmo().new_link(DEPT))
        big = tmp_path / "big.xlsx"
        big.write_bytes(b"PK\x03\x04" + b"\0" * (5 << 20))
        page = dept.upload(big)
        assert page.status_code == 413 and "超过 4 MB" in page.text

        bomb = dept.upload(hostile.zip_bomb(where))
        assert bomb.status_code == 422 and "解压后异常巨大" in bomb.text
        pdf = dept.upload(hostile.pdf_named_xlsx(where))
        assert pdf.status_code == 422 and "不是 Excel/ODS 工作簿" in pdf.text
        named = dept.upload(builders.register(tmp_path / "ok"), name="../../etc/passwd")
        assert named.status_code == 200 and "passwd.xlsx" in named.text  # the client's name is only a label

        token_less = dept.http.post(
            "/department/upload",
            data={"period": PERIOD},
            files={"file": ("a.xlsx", builders.register(tmp_path).read_bytes())},
        )
        assert token_less.status_code == 403
        foreign = dept.http.post(
            "/department/upload",
            headers={"origin": "http://evil.example"},
            data={"csrf": "x", "period": PERIOD},
            files={"file": ("a.xlsx", b"PK")},
        )
        assert foreign.status_code == 403

        versions = list((server.out / "serve" / "uploads" / PERIOD).glob("*/v0*"))
        assert len([v for v in versions if "feedback" not in v.name]) == 1  # only the real workbook is kept
        assert [p.name for p in (server.submissions / PERIOD).iterdir()] == [f"{DEPT}.xlsx"]
        assert not (tmp_path / "etc").exists()
        log = (server.out / "serve" / "refused.log").read_text(encoding="utf-8")
        assert "refused 413 POST /department/upload" in log and "file-bomb" in log and "file-not-workbook" in log
