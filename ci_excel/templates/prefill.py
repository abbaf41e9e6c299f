"""Next month's register for a department, its open problems carried forward from the store.

The source is the department's latest stored period before the one asked for (a department that
skipped a month gets what it last submitted). A problem is carried forward unless it is closed:
at stage 6 (standardized, closed = 是), where the manual's cycle ends. Every row that belongs to a
carried problem comes with it: its 5-Why chains and fishbone causes, the verification of its root
causes, its solutions, their actions and progress, its KPIs and standardization rows. Only the
columns a department types are written (computed ones are the processor's), and no example row
(left in place it is one warning per sheet): the register holds the department's own rows only, it
validates like any submission, and the department only updates what changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ci_excel.compute import CLOSED_STAGE, stage_key
from ci_excel.errors import UsageError
from ci_excel.fileio import safe_filename
from ci_excel.model import DepartmentResult, Row
from ci_excel.schema import REGISTER, SHEETS, TABLE_SHEETS, Lang
from ci_excel.sessions import check_period
from ci_excel.store import Store
from ci_excel.templates.workbook import write_workbook

# sheet -> (the id column a row hangs by, the id space it must belong to)
_LINKS: dict[str, tuple[str, str]] = {
    "problems": ("problem_id", "problems"),
    "why_chains": ("problem_id", "problems"),
    "fishbone": ("problem_id", "problems"),
    "solutions": ("problem_id", "problems"),
    "results": ("problem_id", "problems"),
    "standards": ("problem_id", "problems"),
    "verification": ("root_cause_id", "root_causes"),
    "actions": ("solution_id", "solutions"),
    "progress": ("action_id", "actions"),
}
_INFO_CARRIED = ("department", "contact", "contact_info")


@dataclass(frozen=True)
class Prefilled:
    """One pre-filled register: where it went, which stored period it came from, what it carries."""

    department: str
    path: Path
    source_period: str | None  # None: nothing stored before; the register is blank but for the info
    problems: int
    closed_left_out: int


def prefill_department(store: Store | None, department: str, period: str, out: Path, *, lang: Lang = "zh") -> Prefilled:
    """Write `out` (a .xlsx path): `department`'s register for `period`, pre-filled from the store
    (without one, or with nothing stored for the department, the register holds its info only)."""
    check_period(period)
    source = latest_before(store, department, period) if store is not None else None
    result = _load(store, department, source) if store is not None and source else None
    rows, closed = carried_rows(result) if result else ({}, 0)
    info: dict[str, Any] = {k: result.info.get(k) for k in _INFO_CARRIED} if result else {}
    info |= {"department": result.department if result else department, "period": period}
    path = write_workbook(
        out, [s.key for s in TABLE_SHEETS], lang=lang, info=info, rows=rows, with_example=False, workbook=REGISTER
    )
    return Prefilled(department, path, source, len(rows.get("problems", [])), closed)


def prefill_all(
    store: Store, period: str, folder: Path, *, departments: Iterable[str] = (), lang: Lang = "zh"
) -> list[Prefilled]:
    """A pre-filled register per department (given, else every department stored before `period`),
    each as `<folder>/<department>.xlsx`."""
    check_period(period)
    names = list(departments) or store.departments_seen(before=period)
    if not names:
        raise UsageError(f"no department is stored before {period}: give --department, or consolidate a period first")
    return [
        prefill_department(store, name, period, folder / f"{safe_filename(name)}.xlsx", lang=lang) for name in names
    ]


def latest_before(store: Store, department: str, period: str) -> str | None:
    """The latest stored period before `period` in which `department` submitted."""
    for earlier in reversed(store.periods()):
        if earlier < period and department in store.department_names(earlier):
            return earlier
    return None


def carried_rows(result: DepartmentResult) -> tuple[dict[str, list[Row]], int]:
    """The input columns of every row that belongs to an open problem, and how many were closed."""
    problems = result.rows("problems")
    open_ids = {p["problem_id"] for p in problems if stage_key(p.get("stage")) != CLOSED_STAGE}
    keep: dict[str, set[Any]] = {"problems": open_ids}
    keep["root_causes"] = _ids(result, ("why_chains", "fishbone"), "root_cause_id", "problem_id", open_ids)
    keep["solutions"] = _ids(result, ("solutions",), "solution_id", "problem_id", open_ids)
    keep["actions"] = _ids(result, ("actions",), "action_id", "solution_id", keep["solutions"])
    rows: dict[str, list[Row]] = {}
    for sheet in (s.key for s in TABLE_SHEETS):
        column, space = _LINKS[sheet]
        kept = [_typed(sheet, r) for r in result.rows(sheet) if r.get(column) in keep[space]]
        if kept:
            rows[sheet] = kept
    return rows, len(problems) - len(open_ids)


def _ids(result: DepartmentResult, sheets: tuple[str, ...], key: str, parent: str, parents: set[Any]) -> set[Any]:
    return {r[key] for s in sheets for r in result.rows(s) if r.get(parent) in parents and r.get(key)}


def _typed(sheet: str, row: Row) -> Row:
    """The row's input columns only: computed ones (priority, stage, scores ...) are the processor's."""
    return {c.key: row.get(c.key) for c in SHEETS[sheet].columns}


def _load(store: Store, department: str, period: str) -> DepartmentResult:
    found = store.load_department(period, department)
    if found is None:  # latest_before said it was there: removed since
        raise UsageError(f"department {department!r} is no longer stored for {period}")
    return found
