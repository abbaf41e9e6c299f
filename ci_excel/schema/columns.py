"""The column helpers the sheet declarations are written with, and the shared reference columns."""

from __future__ import annotations

from ci_excel.schema.types import ColType, ColumnSpec

T = ColType


def col(key: str, zh: str, en: str, type_: ColType = T.TEXT, **kw: object) -> ColumnSpec:
    """A column: key, zh and en headers, type, and any further `ColumnSpec` field by keyword."""
    return ColumnSpec(key, zh, en, type_, **kw)  # type: ignore[arg-type]


def problem_ref(required: bool = True) -> ColumnSpec:
    return col(
        "problem_id",
        "问题编号",
        "Problem ID",
        required=required,
        ref="problem",
        help_zh="填写 1-问题识别 表中已有的问题编号",
        help_en="A Problem ID from the 1-Problems sheet",
    )


def root_ref(required: bool, help_zh: str, help_en: str) -> ColumnSpec:
    return col(
        "root_cause_id",
        "根因编号",
        "Root cause ID",
        required=required,
        ref="root_cause",
        help_zh=help_zh,
        help_en=help_en,
    )
