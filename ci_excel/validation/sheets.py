"""Sheet recognition (hidden meta, else names in either language) and header rows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ci_excel.reading import RawBook, column_letter
from ci_excel.schema import (
    INFO,
    INSTRUCTIONS,
    LISTS_SHEET,
    META_SHEET,
    SHEETS,
    TABLE_SHEETS,
    ColumnSpec,
    SheetSpec,
    fold,
)
from ci_excel.validation.cells import _text
from ci_excel.validation.results import _Ctx

HEADER_SCAN_ROWS = 10


@lru_cache(maxsize=8192)
def _norm(text: Any) -> str:
    """How names and headers compare: folded, lower case, no trailing required marker."""
    return fold(_text(text)).rstrip("*:： ").lower()


_SHEET_NAMES: dict[str, str] = {}
for _spec in (INFO, *TABLE_SHEETS):
    for _name in (_spec.zh, _spec.en):
        _SHEET_NAMES[_norm(_name)] = _spec.key
        _SHEET_NAMES.setdefault(_norm(re.sub(r"^\d+-", "", _name)), _spec.key)
# Sheets a template or a feedback copy carries that hold no data to read.
_SKIP_SHEETS = {_norm(n) for n in (META_SHEET, LISTS_SHEET, *INSTRUCTIONS.values(), "问题清单", "Issues")}


def _recognise_sheets(book: RawBook, meta: dict[str, str], ctx: _Ctx) -> dict[str, str]:
    """Sheet key -> sheet name: from the hidden template meta, else by name in either language."""
    names: dict[str, str] = {}
    for key, value in meta.items():
        if key.startswith("sheet:") and value in book.sheet_names and key[6:] in SHEETS:
            names[key[6:]] = value
    taken = set(names.values())
    unknown: list[str] = []
    for name in book.sheet_names:
        found = _SHEET_NAMES.get(_norm(name))
        if name in taken:
            continue
        if found is not None and found not in names:
            names[found] = name
        elif _norm(name) not in _SKIP_SHEETS and name not in book.hidden:
            unknown.append(name)
    for name in unknown if names else ():  # a file with no template sheet at all is "not-template"
        ctx.add("sheet-unknown", sheet=name)
    return names


def _header_lookup(spec: SheetSpec) -> dict[str, ColumnSpec]:
    return {_norm(h): c for c in spec.columns for h in (c.zh, c.en)}


_HEADERS = {s.key: _header_lookup(s) for s in (INFO, *TABLE_SHEETS)}


def _find_header(grid: list[list[Any]], spec: SheetSpec) -> int | None:
    lookup = _HEADERS[spec.key]
    best, best_row = 1, None
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        score = sum(1 for v in row if v != "" and _norm(v) in lookup)
        if score > best:
            best, best_row = score, r
    return best_row


@dataclass(frozen=True)
class _Layout:
    """Where each column sits: key -> (0-based index, header as typed)."""

    header_row: int  # 0-based
    columns: dict[str, tuple[int, str]]


def _layout(spec: SheetSpec, name: str, grid: list[list[Any]], ctx: _Ctx) -> _Layout | None:
    r = _find_header(grid, spec)
    if r is None:
        ctx.add("header-not-found", sheet=name, rows=HEADER_SCAN_ROWS)
        return None
    lookup = _HEADERS[spec.key]
    columns: dict[str, tuple[int, str]] = {}
    for c, raw in enumerate(grid[r]):
        if raw == "" or raw is None:
            continue
        cell = f"{column_letter(c)}{r + 1}"
        col = lookup.get(_norm(raw))
        if col is None:
            ctx.add("column-unknown", sheet=name, cell=cell, column=_text(raw), row=None)
        elif col.key in columns:
            ctx.add(
                "column-duplicate",
                sheet=name,
                cell=cell,
                column=_text(raw),
                first=f"{column_letter(columns[col.key][0])}{r + 1}",
            )
        else:
            columns[col.key] = (c, _text(raw).rstrip("*＊ "))
    return _Layout(r, columns)


def _missing_columns(spec: SheetSpec, name: str, layout: _Layout, ctx: _Ctx) -> bool:
    """Report absent columns; True when a required one is missing (the sheet cannot be used)."""
    missing_required = False
    for col in spec.columns:
        if col.key in layout.columns:
            continue
        code = "column-missing" if col.required else "column-missing-optional"
        ctx.add(code, sheet=name, cell=f"A{layout.header_row + 1}", column=col.zh, header_zh=col.zh, header_en=col.en)
        missing_required = missing_required or col.required
    return missing_required
