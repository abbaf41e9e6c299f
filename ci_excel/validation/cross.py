"""Cross-sheet rules over one submission's merged tables (SPEC section 3): ids, references, totals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ci_excel.config import Config
from ci_excel.issues import CODES
from ci_excel.model import Record, Row
from ci_excel.schema import SHEETS, TABLE_SHEETS, SheetSpec
from ci_excel.scoring import kpi_met, passes, solution_score
from ci_excel.validation.results import _Ctx


@dataclass
class _Cross:
    """The merged tables of one submission while cross-sheet rules run."""

    tables: dict[str, list[Record]]
    ctx: _Ctx
    rejected_ids: dict[str, set[str]] = field(default_factory=dict)  # ids on rows rejected in check_file
    rejected: set[int] = field(default_factory=set)
    known: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # space -> every id typed
    alive: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # space -> usable ids

    def add(self, code: str, record: Record, key: str, **params: Any) -> None:
        self.ctx.file = record.file
        header = _header(record.sheet_name, key)
        self.ctx.add(
            code,
            sheet=record.sheet_name,
            cell=record.cells.get(key, ""),
            column=header,
            value=record.values.get(key),
            row=record.row,
            **params,
        )
        if CODES[code].severity == "error":
            self.rejected.add(id(record))

    def was_typed(self, space: str, value: str) -> bool:
        return value in self.known[space] or value in self.rejected_ids.get(space, set())

    def rows(self, sheet: str) -> list[Record]:
        return [r for r in self.tables.get(sheet, []) if id(r) not in self.rejected]


def _header(sheet_name: str, key: str) -> str:
    """A column's header in the language of the sheet's name."""
    for spec in TABLE_SHEETS:
        if sheet_name in (spec.zh, spec.en) and key in spec.by_key:
            return spec.column(key).header("en" if sheet_name == spec.en else "zh")
    other = next((s for s in TABLE_SHEETS if key in s.by_key), None)
    return other.column(key).zh if other else key


# The order in which sheets are resolved: each one's references point to sheets before it.
_ORDER = (
    "problems",
    "why_chains",
    "fishbone",
    "verification",
    "solutions",
    "actions",
    "progress",
    "results",
    "standards",
)


def _cross_sheet(
    tables: dict[str, list[Record]], ctx: _Ctx, rules: Config, rejected_ids: dict[str, set[str]]
) -> set[int]:
    cross = _Cross(tables, ctx, rejected_ids=rejected_ids)
    for sheet in _ORDER:
        spec = SHEETS[sheet]
        for record in tables.get(sheet, []):
            _unique(cross, spec, record)
        for record in cross.rows(sheet):
            _references(cross, spec, record)
        if sheet == "fishbone":
            _fishbone_roots(cross)
        if sheet == "progress":
            _one_progress_per_action(cross)
        _define(cross, spec)
    _typed_totals(cross, rules)
    _selected_below_threshold(cross, rules)
    _closed_but_missed(cross)
    return cross.rejected


_ID_COLUMN = {s.key: s.id_column for s in TABLE_SHEETS}
_REF_COLUMNS = {
    s.key: [c for c in s.columns if c.ref and not c.defines and not (s.key == "fishbone" and c.key == "root_cause_id")]
    for s in TABLE_SHEETS
}


def _unique(cross: _Cross, spec: SheetSpec, record: Record) -> None:
    col = _ID_COLUMN[spec.key]
    if col is None:
        return
    value = record.values.get(col.key)
    if value is None:
        return
    first = cross.known[col.defines or ""]
    if value in first:
        where = _first_place(cross, spec.key, col.key, value, record)
        cross.add("duplicate-id", record, col.key, first=where)
    first.add(value)


def _first_place(cross: _Cross, sheet: str, key: str, value: Any, other: Record) -> str:
    for record in cross.tables.get(sheet, []):
        if record is not other and record.values.get(key) == value:
            return f"{record.file} {record.sheet_name}!{record.cells.get(key, '')}"
    return ""


def _define(cross: _Cross, spec: SheetSpec) -> None:
    col = _ID_COLUMN[spec.key]
    if col is None or not col.defines:
        return
    cross.alive[col.defines].update(r.values[col.key] for r in cross.rows(spec.key) if r.values.get(col.key))


def _references(cross: _Cross, spec: SheetSpec, record: Record) -> None:
    # fishbone root_cause_id is left to _fishbone_roots: a root row defines its id (or reuses a 5-Why id)
    for col in _REF_COLUMNS[spec.key]:
        value = record.values.get(col.key)
        if value is None or value in cross.alive[col.ref or ""]:
            continue
        assert col.ref is not None
        target = _REF_SHEET[col.ref]
        code = "ref-rejected" if cross.was_typed(col.ref, value) else "ref-missing"
        cross.add(code, record, col.key, target_zh=SHEETS[target].zh, target_en=SHEETS[target].en)
        return


_REF_SHEET = {"problem": "problems", "root_cause": "why_chains", "solution": "solutions", "action": "actions"}


def _fishbone_roots(cross: _Cross) -> None:
    """Fishbone rows marked 是 define (or share) a root cause id; others must point at one."""
    for record in cross.rows("fishbone"):
        if record.values.get("is_root") and record.values.get("root_cause_id"):
            cross.alive["root_cause"].add(record.values["root_cause_id"])
            cross.known["root_cause"].add(record.values["root_cause_id"])
    for record in cross.rows("fishbone"):
        value = record.values.get("root_cause_id")
        if value and not record.values.get("is_root") and value not in cross.alive["root_cause"]:
            code = "ref-rejected" if cross.was_typed("root_cause", value) else "ref-missing"
            cross.add(
                code, record, "root_cause_id", target_zh=SHEETS["why_chains"].zh, target_en=SHEETS["why_chains"].en
            )


def _one_progress_per_action(cross: _Cross) -> None:
    seen: dict[str, Record] = {}
    for record in cross.rows("progress"):
        action = record.values.get("action_id")
        if action in seen:
            first = seen[action]
            cross.add("duplicate-progress", record, "action_id", first=f"{first.sheet_name}!{first.row}")
        elif action:
            seen[action] = record


def _typed_totals(cross: _Cross, rules: Config) -> None:
    """A typed total that is not the score used (scoring.solution_score with the configured weights).

    The template's formula shows the plain sum whatever the weights, so that value is accepted too:
    with the default weights the two are one.
    """
    for record in cross.tables.get("solutions", []):  # rows rejected by other rules are checked too
        total, used = record.values.get("total"), solution_score(record.values, rules)
        if total is None or used is None:
            continue
        formula = solution_score(record.values, _TEMPLATE_FORMULA)
        if all(abs(total - shown) > 1e-9 for shown in (used, formula or used)):
            cross.add("total-mismatch", record, "total", computed=f"{used:g}")


# The template's total column is a formula summing the four scores (the default weights, all 1).
_TEMPLATE_FORMULA = Config()


def _selected_below_threshold(cross: _Cross, rules: Config) -> None:
    """A selected solution whose weighted score (scoring.solution_score) does not pass."""
    for record in cross.rows("solutions"):
        score = solution_score(record.values, rules)
        if record.values.get("selected") and score is not None and not passes(score, rules):
            cross.add("below-threshold", record, "selected", total=f"{score:g}", threshold=f"{rules.threshold:g}")


def _closed_but_missed(cross: _Cross) -> None:
    results: dict[str, list[Row]] = defaultdict(list)
    for record in cross.rows("results"):
        results[record.values.get("problem_id") or ""].append(record.values)
    for record in cross.rows("standards"):
        problem = record.values.get("problem_id")
        missed = [r["kpi"] for r in results.get(problem or "", []) if kpi_met(r) is not True]  # unmeasured: not met
        if record.values.get("closed") and missed:
            cross.add("closed-kpi-missed", record, "closed", problem=problem, kpis=", ".join(map(str, missed)))
