"""Single-row rules, run on each typed row of a table sheet, and where a row's issues go."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ci_excel.model import Row
from ci_excel.schema import ColumnSpec
from ci_excel.validation.results import _Ctx


@dataclass
class _Where:
    """Where slow-path cell issues go: one context per sheet row, made when first needed."""

    sheet: str
    file_ctx: _Ctx
    row_ctxs: dict[int, _Ctx]

    def ctx(self, r: int) -> _Ctx:
        found = self.row_ctxs.get(r)
        if found is None:
            found = self.row_ctxs[r] = _Ctx(self.file_ctx.file, self.file_ctx.department, self.file_ctx.period)
        return found


_Col = tuple[ColumnSpec, int, str, str]  # spec, 0-based index, header as typed, column letter


@dataclass
class _RowPlace:
    """Where a row sits, to add issues at its cells."""

    sheet: str
    row: int
    cells: dict[str, str]
    cols: list[_Col]
    where: _Where
    index: int  # 0-based grid row, the key of the row's issue context

    def add(self, code: str, key: str, value: Any = "", **params: Any) -> None:
        header = next((h for c, _, h, _ in self.cols if c.key == key), key)
        self.where.ctx(self.index).add(
            code, sheet=self.sheet, cell=self.cells.get(key, ""), column=header, value=value, row=self.row, **params
        )

    def has(self, key: str) -> bool:
        return key in self.cells

    @property
    def percent_typed(self) -> frozenset[str]:
        """The row's number columns typed with a percent sign (marked by _cell)."""
        ctx = self.where.row_ctxs.get(self.index)
        return frozenset() if ctx is None else ctx.percent_typed


def _problem_rules(values: Row, place: _RowPlace) -> None:
    text = values.get("quantification")
    if isinstance(text, str) and not re.search(r"\d", text):
        place.add("quantification-no-number", "quantification", text)
    _mixed_scales(values, place, ("current_value", "benchmark_value"))


def _mixed_scales(values: Row, place: _RowPlace, keys: tuple[str, ...]) -> None:
    """Numbers compared with each other but typed on two scales: one with a percent sign (60% is
    read as 0.6) and another as percent points (80). A KPI achievement over such a row is wrong."""
    typed = place.percent_typed
    if not typed:
        return
    points = [k for k in keys if k not in typed and isinstance(values.get(k), float) and abs(values[k]) > 1]
    first = next((k for k in keys if k in typed and values.get(k) is not None), None)
    if points and first is not None:
        share = values[first]
        others = ", ".join(f"{place.cells.get(k, k)} = {values[k]:g}" for k in points)
        place.add("percent-scale-mixed", first, f"{share * 100:g}%", fraction=f"{share:g}", others=others)


def _why_rules(values: Row, place: _RowPlace) -> None:
    whys = [values.get(f"why_{i}") for i in range(1, 6)]
    last = max((i for i, w in enumerate(whys) if w is not None), default=-1)
    for i in range(last):
        if whys[i] is None and i > 0 and place.has(f"why_{i + 1}"):
            place.add("why-gap", f"why_{i + 1}", next_why=f"why_{last + 1}")
    if 0 <= last < 2:
        place.add("why-shallow", "why_1", depth=last + 1)


def _fishbone_rules(values: Row, place: _RowPlace) -> None:
    if values.get("is_root") is True and values.get("root_cause_id") is None and place.has("is_root"):
        place.add("root-id-required", "root_cause_id")


def _action_rules(values: Row, place: _RowPlace) -> None:
    start, due = values.get("start_on"), values.get("due_on")
    if start is not None and due is not None and due < start:
        place.add("due-before-start", "due_on", due, start=start.isoformat())


def _progress_rules(values: Row, place: _RowPlace) -> None:
    status, finished, share = values.get("status"), values.get("finished_on"), values.get("percent_done")
    if status == "done" and finished is None and place.has("status") and "finished_on" in place.cells:
        place.add("finish-date-required", "finished_on")
    if status == "done" and share is not None and share < 1:
        place.add("done-not-complete", "percent_done", share, share_text=f"{share * 100:g}%")
    if finished is not None and status in ("not_started", "in_progress"):
        place.add("finish-date-unexpected", "finished_on", finished)


def _result_rules(values: Row, place: _RowPlace) -> None:
    baseline, target = values.get("baseline"), values.get("target")
    if baseline is not None and target is not None and baseline == target:
        place.add("baseline-equals-target", "target", target)
    _mixed_scales(values, place, ("baseline", "target", "actual"))


_ROW_RULES: dict[str, Callable[[Row, _RowPlace], None]] = {
    "problems": _problem_rules,
    "why_chains": _why_rules,
    "fishbone": _fishbone_rules,
    "actions": _action_rules,
    "progress": _progress_rules,
    "results": _result_rules,
}
