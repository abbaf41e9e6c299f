"""Every sheet of the templates (SPEC section 2), in order, the steps and their workbooks, and
the labels of sheets, columns and enum values.

The sheets are declared by step: `problems` (step 1), `root_causes` (2), `solutions` (3-4),
`results` (5-6); `columns` holds the helpers they are written with.
"""

from __future__ import annotations

from ci_excel.schema.problems import INFO, PROBLEMS
from ci_excel.schema.results import RESULTS, STANDARDS
from ci_excel.schema.root_causes import FISHBONE_SHEET, ROOT_CAUSES, VERIFICATION, WHY_CHAINS
from ci_excel.schema.solutions import ACTIONS, PROGRESS, SOLUTIONS
from ci_excel.schema.types import SheetSpec
from ci_excel.text import Lang

__all__ = [
    "ACTIONS",
    "FISHBONE_SHEET",
    "INFO",
    "INPUT_SHEETS",
    "PROBLEMS",
    "PROGRESS",
    "REGISTER",
    "RESULTS",
    "ROOT_CAUSES",
    "SHEETS",
    "SOLUTIONS",
    "STANDARDS",
    "STEPS",
    "STEP_WORKBOOKS",
    "TABLE_SHEETS",
    "VERIFICATION",
    "WHY_CHAINS",
    "column_label",
    "enum_label",
    "sheet_label",
]

INPUT_SHEETS: tuple[SheetSpec, ...] = (
    INFO,
    PROBLEMS,
    WHY_CHAINS,
    FISHBONE_SHEET,
    VERIFICATION,
    SOLUTIONS,
    ACTIONS,
    PROGRESS,
    RESULTS,
    STANDARDS,
)
TABLE_SHEETS: tuple[SheetSpec, ...] = tuple(s for s in INPUT_SHEETS if not s.form)
SHEETS: dict[str, SheetSpec] = {s.key: s for s in (*INPUT_SHEETS, ROOT_CAUSES)}

STEPS: dict[int, tuple[str, str, str, str]] = {
    # step: (zh name, en name, zh deliverable, en deliverable)
    1: ("问题与机会识别", "Problem and opportunity identification", "《业务运营问题识别清单》", "Problem register"),
    2: ("根因分析", "Root-cause analysis", "《根因分析报告》", "Root-cause analysis report"),
    3: ("改进方案设计", "Solution design", "《改进方案计划表》", "Improvement plan"),
    4: ("方案实施与跟踪", "Implementation and tracking", "《改进实施进度表》", "Implementation progress"),
    5: ("效果验证", "Effect verification", "《改进效果验证表》", "Effect verification"),
    6: ("标准化与推广", "Standardization and rollout", "《标准化固化记录》", "Standardization record"),
}

# Per-step workbooks (SPEC section 2): file stem -> the sheets it holds besides `info`.
STEP_WORKBOOKS: dict[str, tuple[str, ...]] = {
    "step1_problems": ("problems",),
    "step2_root_causes": ("why_chains", "fishbone", "verification"),
    "step3_solutions": ("solutions", "actions"),
    "step4_progress": ("progress",),
    "step5_results": ("results",),
    "step6_standards": ("standards",),
}
REGISTER = "ci_register"


def sheet_label(sheet: str, lang: Lang) -> str:
    return SHEETS[sheet].name(lang)


def column_label(sheet: str, key: str, lang: Lang) -> str:
    return SHEETS[sheet].column(key).header(lang)


def enum_label(sheet: str, key: str, value: str | None, lang: Lang) -> str:
    """The display label of a stored enum key (or the value itself when it is not a key)."""
    enum = SHEETS[sheet].column(key).enum
    if value is None or enum is None or value not in enum.by_key:
        return "" if value is None else str(value)
    return enum.label(value, lang)
