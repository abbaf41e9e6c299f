"""Build real workbooks for the reading/validation tests: clean registers, and bad inputs made in code.

Clean data goes through `templates.write_workbook` (the real template layout); structural damage
is done afterwards by rewriting cells in the sheet XML (`patch_cells`), so formulas keep their
cached values; workbooks that are not templates at all come from `raw_workbook` (xlsxwriter).
"""

from __future__ import annotations

import copy
import re
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import xlsxwriter

from ci_excel.schema import REGISTER, TABLE_SHEETS, Lang
from ci_excel.sheet_scan import sheet_parts as _sheet_parts
from tests.workbooks import cached_workbook as write_workbook

Row = dict[str, Any]

INFO: Row = {
    "department": "电商运营部",
    "period": "2026-11",
    "contact": "张敏",
    "contact_info": "zhangmin@example.com",
    "submitted_on": date(2026, 11, 28),
}


def clean_tables() -> dict[str, list[Row]]:
    """Two problems carried through all six steps, without a single issue (data from row 2)."""
    return copy.deepcopy(
        {
            "problems": [
                {
                    "problem_id": "P-001",
                    "trigger": "efficiency",
                    "channel": "monitoring",
                    "scenario": "大促订单",
                    "process_step": "订单审核",
                    "issue": "人工重复录入",
                    "effect": "处理时效延长",
                    "quantification": "延长2小时",
                    "scope": "全部订单",
                    "impact": "high",
                    "difficulty": "medium",
                    "owner": "张敏",
                    "identified_on": date(2026, 11, 3),
                    "metric": "处理时效",
                    "current_value": 4,
                    "benchmark_value": 2,
                },
                {
                    "problem_id": "P-002",
                    "trigger": "quality",
                    "channel": "user_feedback",
                    "scenario": "退货处理",
                    "process_step": "质检",
                    "issue": "漏检",
                    "effect": "客户投诉",
                    "quantification": "投诉率5%",
                    "scope": "退货订单",
                    "impact": "medium",
                    "difficulty": "low",
                    "owner": "李强",
                    "identified_on": date(2026, 10, 8),
                    "metric": None,
                    "current_value": None,
                    "benchmark_value": None,
                },
            ],
            "why_chains": [
                {
                    "problem_id": "P-001",
                    "root_cause_id": "P-001-R1",
                    "why_1": "人工录入",
                    "why_2": "系统不能抓取地址",
                    "why_3": "接口未对接",
                    "why_4": "升级遗漏需求",
                    "why_5": None,
                    "root_cause": "需求调研未覆盖一线",
                },
                {
                    "problem_id": "P-002",
                    "root_cause_id": "P-002-R1",
                    "why_1": "漏检",
                    "why_2": "质检清单不全",
                    "why_3": "清单未更新",
                    "why_4": None,
                    "why_5": None,
                    "root_cause": "清单无维护责任人",
                },
            ],
            "fishbone": [
                {
                    "problem_id": "P-001",
                    "category": "machine",
                    "cause": "接口未对接",
                    "sub_cause": "地址无法抓取",
                    "frequency": 42,
                    "is_root": True,
                    "root_cause_id": "P-001-R1",
                },
                {
                    "problem_id": "P-002",
                    "category": "method",
                    "cause": "清单不全",
                    "sub_cause": None,
                    "frequency": 7,
                    "is_root": False,
                    "root_cause_id": None,
                },
            ],
            "verification": [
                {
                    "root_cause_id": "P-001-R1",
                    "method": "trial",
                    "evidence": "抽查10单",
                    "sample_size": 10,
                    "support_share": 0.8,
                    "conclusion": "confirmed",
                    "verified_on": date(2026, 11, 10),
                },
            ],
            "solutions": [
                {
                    "solution_id": "S-001",
                    "problem_id": "P-001",
                    "root_cause_id": "P-001-R1",
                    "description": "开发抓取接口",
                    "category": "tool",
                    "effectiveness": 5,
                    "feasibility": 4,
                    "cost": 3,
                    "risk": 2,
                    "total": None,
                    "selected": True,
                },
                {
                    "solution_id": "S-002",
                    "problem_id": "P-002",
                    "root_cause_id": None,
                    "description": "更新质检清单",
                    "category": "policy",
                    "effectiveness": 4,
                    "feasibility": 4,
                    "cost": 3,
                    "risk": 3,
                    "total": None,
                    "selected": True,
                },
            ],
            "actions": [
                {
                    "action_id": "A-001",
                    "solution_id": "S-001",
                    "what": "开发接口",
                    "who": "李四",
                    "how": "对接CRM",
                    "start_on": date(2026, 11, 12),
                    "due_on": date(2026, 12, 15),
                    "resources": "开发2人",
                    "deliverable": "接口上线",
                },
                {
                    "action_id": "A-002",
                    "solution_id": "S-002",
                    "what": "更新清单",
                    "who": "李强",
                    "how": "评审后发布",
                    "start_on": date(2026, 10, 10),
                    "due_on": date(2026, 10, 31),
                    "resources": None,
                    "deliverable": "清单V2",
                },
            ],
            "progress": [
                {
                    "action_id": "A-001",
                    "status": "in_progress",
                    "percent_done": 0.6,
                    "finished_on": None,
                    "blockers": "测试环境紧张",
                    "updated_on": date(2026, 11, 28),
                },
                {
                    "action_id": "A-002",
                    "status": "done",
                    "percent_done": 1.0,
                    "finished_on": date(2026, 10, 30),
                    "blockers": None,
                    "updated_on": date(2026, 11, 2),
                },
            ],
            "results": [
                {
                    "problem_id": "P-001",
                    "kpi": "处理时效",
                    "unit": "小时",
                    "direction": "lower",
                    "baseline": 4,
                    "target": 2,
                    "actual": 2.5,
                    "measured_on": date(2026, 11, 25),
                    "annual_benefit": 120000,
                },
                {
                    "problem_id": "P-002",
                    "kpi": "质检通过率",
                    "unit": "%",
                    "direction": "higher",
                    "baseline": 0.8,
                    "target": 0.95,
                    "actual": 0.96,
                    "measured_on": date(2026, 11, 20),
                    "annual_benefit": None,
                },
            ],
            "standards": [
                {
                    "problem_id": "P-002",
                    "kind": "sop",
                    "document": "质检SOP V2",
                    "effective_on": date(2026, 11, 1),
                    "rollout_scope": "全部仓库",
                    "lessons": "清单要有维护人",
                    "closed": True,
                },
            ],
        }
    )


ALL_SHEETS = tuple(s.key for s in TABLE_SHEETS)


def register(
    folder: Path,
    name: str = f"{REGISTER}.xlsx",
    *,
    tables: Mapping[str, Sequence[Row]] | None = None,
    info: Mapping[str, Any] | None = None,
    sheets: Sequence[str] = ALL_SHEETS,
    lang: Lang = "zh",
    with_example: bool = False,
) -> Path:
    """A filled workbook in the template layout (clean unless `tables`/`info` say otherwise)."""
    data = clean_tables() if tables is None else tables
    return write_workbook(
        folder / name,
        sheets,
        lang=lang,
        info=INFO if info is None else info,
        rows={k: list(v) for k, v in data.items() if k in sheets},
        with_example=with_example,
    )


def tables_with(changes: Mapping[tuple[str, int, str], Any]) -> dict[str, list[Row]]:
    """Clean tables with some cells changed: {(sheet key, row index, column key): value}."""
    data = clean_tables()
    for (sheet, index, key), value in changes.items():
        data[sheet][index][key] = value
    return data


def patch_cells(path: Path, sheet_name: str, cells: Mapping[str, str | None]) -> Path:
    """Rewrite cells in a sheet's XML: A1 -> text (an inline string), None (blank) or raw '<c ...>' XML."""
    with zipfile.ZipFile(path) as zf:
        part = _sheet_parts(zf)[sheet_name]
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    xml = entries[part].decode()
    for ref, value in cells.items():
        xml = _put_cell(xml, ref, _cell_xml(ref, value))
    entries[part] = xml.encode()
    _rezip(path, entries)
    return path


def _cell_xml(ref: str, value: str | None) -> str:
    if value is None:
        return f'<c r="{ref}"/>'
    if value.startswith("<c "):
        return value
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def _put_cell(xml: str, ref: str, cell: str) -> str:
    pattern = re.compile(rf'<c r="{ref}"(?: [^>]*)?(?:/>|>.*?</c>)', re.S)
    if pattern.search(xml):
        return pattern.sub(lambda _: cell, xml, count=1)
    row = re.sub(r"[A-Z]+", "", ref)
    row_pattern = re.compile(rf'(<row r="{row}"[^>]*>)(.*?)(</row>)', re.S)
    if row_pattern.search(xml):
        return row_pattern.sub(lambda m: m.group(1) + m.group(2) + cell + m.group(3), xml, count=1)
    return xml.replace("</sheetData>", f'<row r="{row}">{cell}</row></sheetData>')


def replace_entry(path: Path, name: str, data: bytes) -> Path:
    """Overwrite one zip entry of a workbook (for XML attacks and broken parts)."""
    with zipfile.ZipFile(path) as zf:
        entries = {i.filename: zf.read(i) for i in zf.infolist()}
    entries[name] = data
    _rezip(path, entries)
    return path


def _rezip(path: Path, entries: Mapping[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)


def raw_workbook(path: Path, sheets: Mapping[str, Sequence[Sequence[Any]]]) -> Path:
    """A plain workbook (no template meta): sheet name -> rows of values from A1."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    ws.write_datetime(r, c, value, date_format)
                elif value is not None:
                    ws.write(r, c, value)
    book.close()
    return path


def info_rows(info: Mapping[str, Any] | None = None) -> list[list[Any]]:
    """The info form as rows (label in A, value in B) for raw workbooks."""
    values = INFO if info is None else info
    return [["填报项", "内容"], ["部门*", values.get("department")], ["填报期间*", values.get("period")]]
