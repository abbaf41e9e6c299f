"""The column model: what an output column and a table sheet show, and how each cell is written.

Column labels and enum labels come from the schema (`schema_col`). Text typed by departments is always
written as a string, with a quote prefix when it would look like a formula (`write_text`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from xlsxwriter.worksheet import Worksheet

from ci_excel import schema
from ci_excel.render.summary.style import Styles
from ci_excel.render.xlsx_tables import cell_text
from ci_excel.schema import ColType, Lang

if TYPE_CHECKING:
    from ci_excel.render.summary.plumbing import SmallSheet

Row = dict[str, Any]
FORMULA_START = ("=", "+", "-", "@")  # typed text starting so is written with a quote prefix


def sheet_name(name: str) -> str:
    return name[:31]


@dataclass(frozen=True)
class Col:
    """One output column: its header, how to read it from a row and how to write it."""

    key: str
    header: str
    kind: str = "text"  # text | int | number | percent | money | date | label | list
    width: float = 14
    labels: dict[str, str] = field(default_factory=dict)  # stored key -> shown label
    get: Callable[[Row], Any] | None = None


@dataclass(frozen=True)
class Cond:
    """A conditional format on one column of a table."""

    column: str
    options: dict[str, Any]
    style: str = ""  # name of a Styles attribute, or "priority:P1"


@dataclass
class Table:
    """What a sheet holding one Excel table shows: its name, the table's name, columns and rules."""

    name: str
    table: str
    columns: list[Col]
    conditions: list[Cond] = field(default_factory=list)
    freeze_cols: int = 1


_KIND = {
    ColType.INT: "int",
    ColType.NUMBER: "number",
    ColType.PERCENT: "percent",
    ColType.MONEY: "money",
    ColType.DATE: "date",
    ColType.ENUM: "label",
    ColType.BOOL: "label",
}


def schema_col(sheet: str, key: str, lang: Lang, *, out_key: str | None = None) -> Col:
    spec = schema.SHEETS[sheet].column(key)
    labels: dict[str, str] = {}
    if spec.enum is not None:
        labels = {c.key: c.label(lang) for c in spec.enum.choices}
        if spec.type is ColType.BOOL:
            labels |= {"True": labels.get("yes", "yes"), "False": labels.get("no", "no")}
    return Col(
        out_key or key, spec.header(lang), _KIND.get(spec.type, "text"), _width(spec.width, spec.header(lang)), labels
    )


def _width(width: float, header: str) -> float:
    shown = sum(2 if ord(ch) > 0x2E80 else 1 for ch in header)
    return max(float(width), shown + 3.0)  # room for the filter button


def write_text(ws: Worksheet | SmallSheet, r: int, c: int, value: str, styles: Styles) -> None:
    """Where typed text is written: always a string, storable (`cell_text`), with a quote prefix when
    Excel would read it as a formula."""
    value = cell_text(value)
    ws.write_string(r, c, value, styles.quoted if value.startswith(FORMULA_START) else styles.text)
