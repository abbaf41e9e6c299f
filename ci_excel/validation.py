"""Raw cells -> typed records + Issue values; never raises on bad data.

`check_file` reads one workbook and does every single-sheet check (it runs in a worker process,
so its result is a plain picklable dataclass). `merge` groups the files of one department and
period and applies the cross-sheet rules of SPEC section 3. `validate_paths` does both for the
`validate` command. Every data row read is used, rejected (named by an error) or ignored (the
template's example row, named by a warning): `SheetStats` proves it.
"""

from __future__ import annotations

import gc
import math
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from ci_excel.config import Config
from ci_excel.examples import ID_COLUMNS, MARKS, UNMARKED_VERSIONS, is_example
from ci_excel.fileio import sha256_of
from ci_excel.issues import CODES, Issue
from ci_excel.model import Record, Row, SheetStats, SourceFile, Submission
from ci_excel.reading import NO_BAD_CELLS, BadCells, Failure, RawBook, column_letter, open_book
from ci_excel.schema import (
    INFO,
    INSTRUCTIONS,
    LISTS_SHEET,
    META_SHEET,
    SHEETS,
    TABLE_SHEETS,
    TEMPLATE_ID,
    TEMPLATE_VERSION,
    ColType,
    ColumnSpec,
    Lang,
    SheetSpec,
    fold,
)
from ci_excel.scoring import kpi_met, passes, solution_score
from ci_excel.sniff import MAX_FILE_BYTES, reader_failure, reason

HEADER_SCAN_ROWS = 10
_EPOCH = date(1899, 12, 30)
_EXCEL_ERRORS = {"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!"}


# ---------------------------------------------------------------- results


@dataclass
class FileCheck:
    """One workbook read and checked on its own: picklable, returned from worker processes."""

    source: SourceFile
    info: Row
    records: dict[str, list[Record]]  # sheet key -> rows without errors
    issues: list[Issue]
    stats: dict[str, SheetStats]
    sheet_names: dict[str, str] = field(default_factory=dict)  # sheet key -> name in the workbook
    rejected_ids: dict[str, set[str]] = field(default_factory=dict)  # id space -> ids typed on rejected rows

    @property
    def department(self) -> str | None:
        return self.source.department

    @property
    def period(self) -> str | None:
        return self.source.period


@dataclass
class MergeResult:
    """Submissions, one per (department, period), and the issues tied to no department."""

    submissions: list[Submission]
    issues: list[Issue]


@dataclass
class ValidationRun:
    """What `ci-excel validate` reports: every file, every submission and ALL issues, flat."""

    files: list[SourceFile]
    submissions: list[Submission]
    issues: list[Issue]

    @property
    def has_errors(self) -> bool:
        return any(i.is_error for i in self.issues)

    def issues_by_file(self) -> dict[str, list[Issue]]:
        grouped: dict[str, list[Issue]] = {f.path: [] for f in self.files}
        for issue in self.issues:
            grouped.setdefault(issue.file, []).append(issue)
        return grouped

    def to_json(self, lang: Lang = "zh") -> dict[str, Any]:
        errors = sum(i.is_error for i in self.issues)
        return {
            "valid": not self.has_errors,
            "summary": {"files": len(self.files), "submissions": len(self.submissions), "errors": errors,
                        "warnings": len(self.issues) - errors},
            "files": [{"path": f.path, "department": f.department, "period": f.period, "outcome": f.outcome,
                       "template_version": f.template_version, "sha256": f.sha256, "size": f.size,
                       "sheets": list(f.sheets)} for f in self.files],
            "submissions": [{"department": s.department, "period": s.period,
                             "files": [f.path for f in s.files],
                             "stats": {k: vars(v) for k, v in s.stats.items()}} for s in self.submissions],
            "issues": [i.as_dict(lang) for i in self.issues],
        }


def validate_paths(paths: Sequence[Path], *, root: Path | None = None,
                   canonical_department: Callable[[str], str] | None = None,
                   threshold: float | None = None, config: Config | None = None, work_dir: Path | None = None,
                   jobs: int | None = None) -> ValidationRun:
    """Check every file under `paths` (each in a bounded worker), merging the files of one department
    and period. With `work_dir`, the copies read are kept there (`SourceFile.snapshot`) for feedback."""
    from ci_excel.intake import read_checks

    checks = read_checks(paths, root=root, workers=jobs or os.cpu_count() or 1, work_dir=work_dir)
    with no_gc_passes():
        merged = merge(checks, canonical_department=canonical_department, threshold=threshold, config=config)
    issues = [*merged.issues, *(i for s in merged.submissions for i in s.issues)]
    files = [_with_outcome(c.source, issues) for c in checks]
    return ValidationRun(files, merged.submissions, sorted(issues, key=_issue_order))


@contextmanager
def no_gc_passes() -> Iterator[None]:
    """Reading builds many small acyclic objects that reference counting frees; cyclic-GC passes over
    the growing result would only cost time (about a tenth of a run), so they wait until the end."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _issue_order(issue: Issue) -> tuple[Any, ...]:
    """File, then sheets in template order, then row and column."""
    return (issue.file, _SHEET_RANK.get(issue.sheet, 99) if issue.sheet else -1, issue.sheet, issue.row or 0,
            _cell_order(issue.cell), issue.code)


_SHEET_RANK = {name: rank for rank, spec in enumerate((INFO, *TABLE_SHEETS)) for name in (spec.zh, spec.en)}


def _cell_order(cell: str) -> tuple[int, str]:
    letters = cell.rstrip("0123456789")
    return (len(letters), letters)


# ---------------------------------------------------------------- one file


@dataclass
class _Ctx:
    """What every issue of one file carries."""

    file: str
    department: str = ""
    period: str = ""
    issues: list[Issue] = field(default_factory=list)
    percent_typed: frozenset[str] = frozenset()  # a row's number columns typed with a percent sign
    legacy_example: bool = False  # a template from before the example marker (see ci_excel.examples)

    def add(self, code: str, *, sheet: str = "", cell: str = "", column: str = "", value: Any = "",
            row: int | None = None, **params: Any) -> Issue:
        assert code in CODES, code
        issue = Issue(code, self.file, sheet, cell, column, _show(value), {"cell": cell, **params},
                      self.department, self.period, row)
        self.issues.append(issue)
        return issue


def check_file(path: Path, *, root: Path | None = None, snapshot: Path | None = None) -> FileCheck:
    """Read one workbook and do every single-sheet check.

    With `snapshot`, the file is first copied there, and the copy is what is hashed, read and later
    annotated: a file replaced while the run goes on cannot pair one version's data with another's.
    """
    label = file_label(path, root)
    ctx = _Ctx(label)
    try:
        source = _snapshot(path, snapshot, label) if snapshot is not None else SourceFile(
            label, file_sha(path), file_size(path))
    except OSError as exc:
        ctx.add("file-unreadable", reason=reason(exc))
        return FileCheck(SourceFile(label, "", 0, outcome="unreadable"), {}, {}, ctx.issues, {})
    book = open_book(Path(source.snapshot) if source.snapshot else path)
    if isinstance(book, Failure):
        ctx.add(book.code, **book.message_params())
        return FileCheck(replace(source, outcome="unreadable"), {}, {}, ctx.issues, {})
    source = replace(source, kind=book.kind.kind)
    if book.kind.misnamed:
        ctx.add("file-extension", value=Path(label).suffix, kind=book.kind.name)
    try:
        return _check_book(book, source, ctx)
    except MemoryError:
        ctx.add("file-limit", reason="checking it needs more memory than one file may take")
    except BaseException as exc:  # an unforeseen file or a reader bug (panics too): this file fails alone
        if not reader_failure(exc):
            raise
        ctx.add("file-unreadable", reason=reason(exc))
    finally:
        book.close()
    return FileCheck(replace(source, outcome="unreadable"), {}, {}, ctx.issues, {})


def _snapshot(path: Path, to: Path, label: str) -> SourceFile:
    """Copy `path` to `to`, hashing the bytes copied; a file over the size limit is not copied (the
    reader refuses it from its size)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return SourceFile(label, "", size)
    return SourceFile(label, sha256_of(path, copy_to=to), size, snapshot=str(to))


def file_label(path: Path, root: Path | None) -> str:
    """The file's path relative to `root` as found there (a symlinked file keeps its own name)."""
    if root is not None:
        for found, base in ((path.absolute(), root.absolute()), (path.resolve(), root.resolve())):
            if found.is_relative_to(base):
                return found.relative_to(base).as_posix()
    return str(path)


def file_sha(path: Path) -> str:
    try:
        return sha256_of(path)
    except OSError:
        return ""


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _check_book(book: RawBook, source: SourceFile, ctx: _Ctx) -> FileCheck:
    meta = _read_meta(book)
    names = _recognise_sheets(book, meta, ctx)
    info = _read_info(book, names.get("info"), ctx)
    tables = [s for s in TABLE_SHEETS if s.key in names]
    if not tables and "info" not in names:
        ctx.add("not-template", sheets=", ".join(book.sheet_names))
    elif "info" not in names:
        ctx.add("info-missing", sheet_zh=INFO.zh, sheet_en=INFO.en)
    _check_version(meta, ctx)
    grids = _read_grids(book, [names[s.key] for s in tables], ctx)
    bad = book.bad_cells(grids)
    records: dict[str, list[Record]] = {}
    stats: dict[str, SheetStats] = {}
    rejected_ids: dict[str, set[str]] = defaultdict(set)
    for spec in tables:
        name = names[spec.key]
        if name in grids:
            records[spec.key], stats[spec.key] = _read_table(spec, name, grids[name], bad.get(name, NO_BAD_CELLS),
                                                             ctx, rejected_ids)
    source = replace(source, department=info.get("department"), period=info.get("period"),
                     template_version=meta.get("template_version"), sheets=tuple(names))
    return FileCheck(_with_outcome(source, ctx.issues), info, records, ctx.issues, stats, names,
                     dict(rejected_ids))


def _read_grids(book: RawBook, names: list[str], ctx: _Ctx) -> dict[str, list[list[Any]]]:
    """Values of the table sheets by name; a sheet that cannot be read is an issue."""
    grids: dict[str, list[list[Any]]] = {}
    for name in names:
        grid = book.values(name)
        if isinstance(grid, Failure):
            ctx.add(grid.code, sheet=name, **grid.message_params())
        else:
            grids[name] = grid
        outside = book.outside.get(name)
        if outside is not None:
            ctx.add("cells-outside", sheet=name, cell=outside.cell, value=outside.value, count=outside.count)
    return grids


def _with_outcome(source: SourceFile, issues: Iterable[Issue]) -> SourceFile:
    if source.outcome in ("unreadable", "skipped"):
        return source
    mine = [i for i in issues if i.file == source.path]
    outcome = "errors" if any(i.is_error for i in mine) else "warnings" if mine else "ok"
    return replace(source, outcome=outcome)


def _read_meta(book: RawBook) -> dict[str, str]:
    if META_SHEET not in book.sheet_names:
        return {}
    grid = book.values(META_SHEET)
    if isinstance(grid, Failure):
        return {}
    return {_text(r[0]): _text(r[1]) for r in grid if len(r) >= 2 and _text(r[0])}


def _check_version(meta: dict[str, str], ctx: _Ctx) -> None:
    found = meta.get("template_version")
    ctx.legacy_example = meta.get("template_id") == TEMPLATE_ID and found in UNMARKED_VERSIONS
    if meta.get("template_id") == TEMPLATE_ID and found and found != TEMPLATE_VERSION:
        ctx.add("template-version", value=found, found=found, current=TEMPLATE_VERSION)


# ---------------------------------------------------------------- sheets and headers


def _text(value: Any) -> str:
    """A cell as text: whole floats without '.0', dates in ISO, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()




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
            ctx.add("column-duplicate", sheet=name, cell=cell, column=_text(raw),
                    first=f"{column_letter(columns[col.key][0])}{r + 1}")
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
        ctx.add(code, sheet=name, cell=f"A{layout.header_row + 1}", column=col.zh, header_zh=col.zh,
                header_en=col.en)
        missing_required = missing_required or col.required
    return missing_required


# ---------------------------------------------------------------- rows


def _is_blank(v: Any) -> bool:
    return v is None or v == "" or (isinstance(v, str) and not v.strip())


def _read_table(spec: SheetSpec, name: str, grid: list[list[Any]], bad: BadCells, ctx: _Ctx,
                rejected_ids: dict[str, set[str]]) -> tuple[list[Record], SheetStats]:
    """Type a table sheet column by column (fast paths for well-typed cells), then check row by row."""
    stats = SheetStats()
    layout = _layout(spec, name, grid, ctx)
    if layout is None:
        return [], stats
    unusable = _missing_columns(spec, name, layout, ctx)
    rows = [r for r in range(layout.header_row + 1, len(grid)) if not _blank_row(grid[r])]
    stats.read = len(rows)
    if unusable:
        stats.rejected = len(rows)
        if rows:
            ctx.add("sheet-rejected", sheet=name, rows=len(rows))
        return [], stats
    cols = [(spec.column(k), i, h, column_letter(i)) for k, (i, h) in layout.columns.items()]
    where = _Where(name, ctx, {})
    data = [grid[r] for r in rows]
    typed = [_type_column(c, data, rows, bad, where) for c in cols]
    shape = _Shape(spec, cols)
    records: list[Record] = []
    for r, row_values in zip(rows, zip(*typed, strict=True), strict=True):
        record, ok = _finish_row(shape, r, row_values, where)
        if record is None:
            stats.ignored += 1
        elif not ok:
            stats.rejected += 1
            _note_rejected_id(spec, record, rejected_ids)
        else:
            stats.used += 1
            records.append(record)
    return records, stats


def _blank_row(raw: list[Any]) -> bool:
    if raw.count("") == len(raw):
        return True
    return not any(v != "" and v is not None and not (v.__class__ is str and not v.strip()) for v in raw)


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


def _type_column(c: _Col, data: list[list[Any]], rows: list[int], bad: BadCells, where: _Where) -> list[Any]:
    """Typed values of one column over the data rows (`data`, sheet rows `rows`); cells off the fast
    path are checked one by one."""
    col, index, header, letter = c
    fast = _FAST[col.type]
    blank = _SLOW if col.required or bad else None
    raw = [g[index] if index < len(g) else "" for g in data]
    if col.type == ColType.TEXT and (col.defines or col.ref):  # ids: ASCII ones need no folding
        out = [blank if v == "" else " ".join(v.split()) if v.__class__ is str and v[:1] != "#" and v.isascii()
               else _SLOW for v in raw]
    elif col.type == ColType.TEXT:  # the commonest cell, inlined
        out = [blank if v == "" else " ".join(v.split()) if v.__class__ is str and v[:1] not in _HASH
               and "\n" not in v and "\r" not in v else _SLOW for v in raw]
    else:
        out = [blank if v == "" else fast(col, v) for v in raw]
    for n, typed in enumerate(out):
        if typed is _SLOW or typed == "":
            r, value = rows[n], raw[n]
            a1, row_ctx = f"{letter}{r + 1}", where.ctx(r)
            if _is_blank(value):
                _blank_cell(col, a1, bad, where.sheet, header, r + 1, row_ctx)
                out[n] = None
            else:
                out[n] = _cell(col, value, a1, where.sheet, header, r + 1, row_ctx)
    return out


@dataclass(frozen=True)
class _Shape:
    """What every row of one table shares: its sheet, columns and their letters."""

    spec: SheetSpec
    cols: list[_Col]

    @cached_property
    def keys(self) -> list[str]:
        return [c[0].key for c in self.cols]

    @cached_property
    def letters(self) -> list[str]:
        return [c[3] for c in self.cols]

    @cached_property
    def blank(self) -> Row:
        return dict.fromkeys(c.key for c in self.spec.columns)


def _finish_row(shape: _Shape, r: int, typed: Sequence[Any], where: _Where) -> tuple[Record | None, bool]:
    """Row rules on a typed row; no record for the example row (ignored with a warning)."""
    row, suffix, key = r + 1, str(r + 1), shape.spec.key
    values = shape.blank.copy()
    values.update(zip(shape.keys, typed, strict=True))
    cells = dict(zip(shape.keys, [letter + suffix for letter in shape.letters], strict=True))
    ctx = where.file_ctx
    if _is_example(key, values, legacy=row == 2 and ctx.legacy_example):
        where.row_ctxs.pop(r, None)
        ctx.add("example-row", sheet=where.sheet, cell=f"A{row}", row=row, line=row)
        return None, False
    rules = _ROW_RULES.get(key)
    if rules is not None:
        rules(values, _RowPlace(where.sheet, row, cells, shape.cols, where, r))
    row_ctx = where.row_ctxs.pop(r, None)
    ok = row_ctx is None or not any(i.is_error for i in row_ctx.issues)
    if row_ctx is not None:
        ctx.issues.extend(row_ctx.issues)
    return Record(values, ctx.file, where.sheet, row, cells), ok


def _note_rejected_id(spec: SheetSpec, record: Record, rejected_ids: dict[str, set[str]]) -> None:
    col = spec.id_column
    if col is not None and col.defines and record.values.get(col.key):
        rejected_ids[col.defines].add(record.values[col.key])


_Col = tuple[ColumnSpec, int, str, str]  # spec, 0-based index, header as typed, column letter


def _blank_cell(col: ColumnSpec, a1: str, bad: BadCells, sheet: str, header: str, row: int, ctx: _Ctx) -> None:
    """A cell read as blank: an error value, a formula without a result, a required cell, or just blank."""
    error, damage = bad.error(a1), bad.damage(a1)
    if damage is not None:
        ctx.add("cell-corrupt", sheet=sheet, cell=a1, column=header, row=row, reason=damage)
    elif error is not None:
        ctx.add("formula-error", sheet=sheet, cell=a1, column=header, value=error, row=row)
    elif bad.lacks_value(a1):
        code = "formula-no-value" if col.required else "formula-no-value-optional"
        ctx.add(code, sheet=sheet, cell=a1, column=header, row=row)
    elif col.required:
        ctx.add("required", sheet=sheet, cell=a1, column=header, row=row)


def _is_example(sheet: str, values: Row, *, legacy: bool = False) -> bool:
    """The template's example row (examples.is_example: its ids carry the marker; with `legacy`, row 2
    of an older template equal to the unmarked example), checked cheaply on the ids' first letter."""
    if legacy:
        return is_example(sheet, values, legacy=True)
    heads = [values.get(k) for k in ID_COLUMNS.get(sheet, ())]
    return any(v.__class__ is str and v[:1] in _MARK_HEADS for v in heads) and is_example(sheet, values)


_MARK_HEADS = frozenset(c for mark in MARKS.values() for c in (mark[0], mark[0].lower()))  # ids are folded


def _cell(col: ColumnSpec, value: Any, a1: str, sheet: str, header: str, row: int, ctx: _Ctx) -> Any:
    """One non-blank cell's typed value; adds an issue and returns None when it cannot be used."""
    if isinstance(value, str) and value.lstrip()[:1] in ("#", "＃") and fold(value) in _EXCEL_ERRORS:
        ctx.add("formula-error", sheet=sheet, cell=a1, column=header, value=value, row=row)
        return None
    typed, problem = parse_value(col, value)
    if problem is not None:
        code, params = problem
        ctx.add(code, sheet=sheet, cell=a1, column=header, value=value, row=row, **params)
        return None
    if col.type is ColType.NUMBER and _percent_digits(value) is not None:
        ctx.percent_typed |= {col.key}  # for the row's scale rule (_mixed_scales)
    return typed


# ---------------------------------------------------------------- what people type

Problem = tuple[str, dict[str, Any]]


def parse_value(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    """Type one non-blank cell value by its column spec: (value, None) or (None, (code, params)).

    A number is never NaN or infinite: `NaN`, `inf`, `-Infinity`, `1e999` (typed as text, or a
    numeric cell holding such a float) are `value-not-finite`, whatever the column's type.
    """
    parsed, problem = _PARSERS[col.type](col, value)
    if problem is None and parsed.__class__ is float and not math.isfinite(parsed):
        return None, _NOT_FINITE
    if problem is None and isinstance(parsed, int | float) and not isinstance(parsed, bool):
        low, high = col.minimum, col.maximum
        if (low is not None and parsed < low) or (high is not None and parsed > high):
            shown = _range_text(col, low, high)
            return None, ("out-of-range", {"low": shown[0], "high": shown[1]})
    return parsed, problem


def _range_text(col: ColumnSpec, low: float | None, high: float | None) -> tuple[str, str]:
    def show(v: float | None) -> str:
        if v is None:
            return "∞"
        return f"{v * 100:g}%" if col.type == ColType.PERCENT else f"{v:g}"

    return show(low), show(high)


def _parse_text(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    text = value if isinstance(value, str) else _text(value)
    if col.defines or col.ref:
        return (" ".join(text.split()) if text.isascii() else fold(text)), None
    if "\n" not in text and "\r" not in text:
        return " ".join(text.split()), None
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line), None


_NUMBER_NOISE = re.compile(r"[,\s¥$€元]|RMB|CNY", re.IGNORECASE)


_NOT_FINITE: Problem = ("value-not-finite", {})


def _to_float(value: Any) -> float | None:
    """A number cell or number text (separators, spaces, currency dropped); None when it is neither.

    NaN and infinities come back as they are (float("nan") parses): the parsers name them.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return None
    text = _NUMBER_NOISE.sub("", fold(value))
    try:
        return float(text)
    except ValueError:
        return None


def _parse_number(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    """A plain number. In a NUMBER column (KPI baseline/target/actual, current and benchmark
    values) text with a percent sign is understood: `60%`, ` 60 % `, `1.8%`, `５％` give the
    fraction it denotes (0.6, 0.018). That is what Excel itself stores for a typed 60% (0.6 with a
    percent format, which is what the reader hands us), so text and native percents agree. MONEY
    columns take no percent sign."""
    digits = _percent_digits(value) if col.type is ColType.NUMBER else None
    number = _to_float(value if digits is None else digits)
    if number is None:
        return None, ("not-number", {})
    return (number if digits is None else _hundredth(number)), None


def _percent_digits(value: Any) -> str | None:
    """The number part of text ending in a percent sign (`60 %`, `５％`), else None."""
    if value.__class__ is not str:
        return None
    text = fold(value)
    return text[:-1] if text.endswith("%") else None


def _hundredth(number: float) -> float:
    """number / 100 as typed (1.8 -> 0.018, not 0.018000000000000002)."""
    if not math.isfinite(number):
        return number
    return float(Decimal(repr(number)) / 100)


def _parse_int(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    number = _to_float(value)
    if number is None:
        return None, ("not-integer", {})
    if not math.isfinite(number):
        return None, _NOT_FINITE
    if not number.is_integer():
        return None, ("not-integer", {})
    return int(number), None


def _parse_percent(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    """30%, "30 %", 0.3 and 30 all mean 30 %: a plain number above 1 is read as percent points."""
    digits = _percent_digits(value)
    if digits is not None:
        number = _to_float(digits)
        return (None, ("not-percent", {})) if number is None else (_hundredth(number), None)
    number = _to_float(value)
    if number is None:
        return None, ("not-percent", {})
    return (number / 100 if 1 < number <= 100 else number), None


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _parse_date(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    """Dates as cells, Excel serials, 2026/11/3, 2026-11-03, 2026.11.3, 2026年11月3日, 20261103."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_number(float(value))
    if isinstance(value, str):
        text = fold(value)
        match = _DATE.match(text) or _COMPACT_DATE.match(text)
        if match:
            return _make_date(*match.groups())
        if text.isdigit():
            return _from_number(float(text))
    return None, ("not-date", {})


def _from_number(number: float) -> tuple[Any, Problem | None]:
    if number.is_integer() and _COMPACT_DATE.match(str(int(number))):
        return _make_date(*_COMPACT_DATE.match(str(int(number))).groups())  # type: ignore[union-attr]
    if 1 <= number < 2958466:
        return _EPOCH + timedelta(days=int(number)), None
    return None, ("not-date", {})


def _make_date(year: str, month: str, day: str) -> tuple[Any, Problem | None]:
    try:
        return date(int(year), int(month), int(day)), None
    except ValueError:
        return None, ("not-date", {})


_PERIOD = re.compile(r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$")


def _parse_period(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}", None
    text = fold(value) if isinstance(value, str) else ""
    match = _PERIOD.match(text)
    if match and 1 <= int(match.group(2) or match.group(3)) <= 12:
        return f"{match.group(1)}-{int(match.group(2) or match.group(3)):02d}", None
    day, _ = _parse_date(col, value) if text else (None, None)
    if isinstance(day, date):
        return f"{day.year:04d}-{day.month:02d}", None
    return None, ("not-period", {})


def _parse_enum(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    assert col.enum is not None
    key = col.enum.match(_text(value))
    if key is None:
        return None, ("enum-invalid", {"allowed_zh": "、".join(col.enum.labels("zh")),
                                       "allowed_en": ", ".join(col.enum.labels("en"))})
    return key, None


def _parse_bool(col: ColumnSpec, value: Any) -> tuple[Any, Problem | None]:
    if isinstance(value, bool):
        return value, None
    key, problem = _parse_enum(col, value)
    if problem is not None:
        return None, ("bool-invalid", {})
    return key == "yes", None


_PARSERS: dict[ColType, Callable[[ColumnSpec, Any], tuple[Any, Problem | None]]] = {
    ColType.TEXT: _parse_text, ColType.INT: _parse_int, ColType.NUMBER: _parse_number,
    ColType.MONEY: _parse_number, ColType.PERCENT: _parse_percent, ColType.DATE: _parse_date,
    ColType.PERIOD: _parse_period, ColType.ENUM: _parse_enum, ColType.BOOL: _parse_bool,
}


def _show(value: Any) -> str:
    if value is None:
        return ""
    text = _text(value)
    return text if len(text) <= 200 else text[:197] + "..."


# Fast paths: a well-typed cell gets its value in one step; anything else returns _SLOW and goes
# through parse_value, which knows every accepted form and names the problem.
_SLOW: Any = object()
_HASH = ("#", "＃")
_ENUM_MEMO: dict[str, dict[str, Any]] = {}


def _in_range(col: ColumnSpec, number: float) -> bool:
    """Finite and within the column's bounds (NaN and infinities take the slow path and its issue)."""
    low, high = col.minimum, col.maximum
    return -_INF < number < _INF and (low is None or number >= low) and (high is None or number <= high)


_INF = math.inf


def _fast_text(col: ColumnSpec, value: Any) -> Any:
    if value.__class__ is not str or value[:1] in _HASH:
        return _SLOW
    if (col.defines or col.ref) and not value.isascii():
        return _SLOW  # full-width ids are folded by parse_value
    if "\n" in value or "\r" in value:
        return _SLOW
    return " ".join(value.split()) or _SLOW


def _fast_number(col: ColumnSpec, value: Any) -> Any:
    if (value.__class__ is float or value.__class__ is int) and _in_range(col, value):
        return float(value)
    return _SLOW


def _fast_int(col: ColumnSpec, value: Any) -> Any:
    if value.__class__ is float and value.is_integer() and _in_range(col, value):
        return int(value)
    return _SLOW


def _fast_percent(col: ColumnSpec, value: Any) -> Any:
    if value.__class__ is float or value.__class__ is int:
        share = value / 100 if 1 < value <= 100 else float(value)
        return share if _in_range(col, share) else _SLOW
    return _SLOW


def _fast_date(col: ColumnSpec, value: Any) -> Any:
    if value.__class__ is date:
        return value
    if value.__class__ is datetime:
        return value.date()
    return _SLOW


def _fast_enum(col: ColumnSpec, value: Any) -> Any:
    if value.__class__ is not str or col.enum is None:
        return _SLOW
    memo = _ENUM_MEMO.setdefault(col.enum.key, {})
    key = memo.get(value)
    if key is None:
        key = col.enum.match(value)
        if key is None:
            return _SLOW
        if len(memo) < 10_000:
            memo[value] = key
    return key


def _fast_bool(col: ColumnSpec, value: Any) -> Any:
    if value.__class__ is bool:
        return value
    key = _fast_enum(col, value)
    return _SLOW if key is _SLOW else key == "yes"


def _slow(col: ColumnSpec, value: Any) -> Any:
    return _SLOW


_FAST: dict[ColType, Callable[[ColumnSpec, Any], Any]] = {
    ColType.TEXT: _fast_text, ColType.INT: _fast_int, ColType.NUMBER: _fast_number, ColType.MONEY: _fast_number,
    ColType.PERCENT: _fast_percent, ColType.DATE: _fast_date, ColType.ENUM: _fast_enum, ColType.BOOL: _fast_bool,
    ColType.PERIOD: _slow,
}


# ---------------------------------------------------------------- single-row rules


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
        self.where.ctx(self.index).add(code, sheet=self.sheet, cell=self.cells.get(key, ""), column=header, value=value,
                     row=self.row, **params)

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
    "problems": _problem_rules, "why_chains": _why_rules, "fishbone": _fishbone_rules,
    "actions": _action_rules, "progress": _progress_rules, "results": _result_rules,
}


# ---------------------------------------------------------------- info


def _read_info(book: RawBook, name: str | None, ctx: _Ctx) -> Row:
    """The info sheet as label/value pairs (label in A, value in B; other rows ignored)."""
    info: Row = {c.key: None for c in INFO.columns}
    if name is None:
        return info
    grid = book.values(name)
    if isinstance(grid, Failure):
        ctx.add("sheet-unreadable", sheet=name, reason=grid.reason)
        return info
    lookup = _HEADERS["info"]
    found: dict[str, int] = {}
    for r, row in enumerate(grid):
        col = lookup.get(_norm(row[0])) if row else None
        if col is not None and col.key not in found:
            found[col.key] = r
            value = row[1] if len(row) > 1 else ""
            if _is_blank(value):
                _blank_cell(col, f"B{r + 1}", NO_BAD_CELLS, name, _text(row[0]), r + 1, ctx)
            else:
                info[col.key] = _cell(col, value, f"B{r + 1}", name, _text(row[0]), r + 1, ctx)
    for col in INFO.columns:
        if col.required and col.key not in found:
            ctx.add("info-label-missing", sheet=name, column=col.zh, label_zh=col.zh, label_en=col.en)
    ctx.department = info.get("department") or ""
    ctx.period = info.get("period") or ""
    ctx.issues[:] = [replace(i, department=ctx.department, period=ctx.period) for i in ctx.issues]
    return info


# ---------------------------------------------------------------- merging and cross-sheet rules


def merge(checks: Sequence[FileCheck], *, canonical_department: Callable[[str], str] | None = None,
          threshold: float | None = None, config: Config | None = None) -> MergeResult:
    """One Submission per (department, period), with the cross-sheet rules applied.

    `config` gives the scoring rules (weights and threshold) the rules share with `scoring`;
    `threshold`, when given, overrides the threshold alone (the older way to pass it).
    """
    groups, loose = group_checks(checks, canonical_department=canonical_department)
    rules = _scoring_rules(config, threshold)
    submissions = [merge_group(dep, per, [checks[i] for i in group], config=rules)
                   for (dep, per), group in sorted(groups.items())]
    return MergeResult(submissions, [i for n in loose for i in checks[n].issues])


def group_checks(checks: Sequence[FileCheck], *, canonical_department: Callable[[str], str] | None = None,
                 ) -> tuple[dict[tuple[str, str], list[int]], list[int]]:
    """Indexes of the checks of each (department, period), and of those that name neither."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    loose: list[int] = []
    for n, check in enumerate(checks):
        if not check.department or not check.period:
            loose.append(n)
            continue
        department = canonical_department(check.department) if canonical_department else check.department
        groups[(department, check.period)].append(n)
    return dict(groups), loose


def merge_group(department: str, period: str, group: Sequence[FileCheck], threshold: float | None = None, *,
                config: Config | None = None) -> Submission:
    """The files of one department and period as one Submission, with the cross-sheet rules applied
    (scoring rules from `config`, default Config(); `threshold` overrides its threshold alone)."""
    rules = _scoring_rules(config, threshold)
    group = sorted(group, key=lambda c: c.source.path)
    ctx = _Ctx("", department, period)
    tables: dict[str, list[Record]] = defaultdict(list)
    stats: dict[str, SheetStats] = defaultdict(SheetStats)
    owner: dict[str, FileCheck] = {}
    for check in group:
        for key, sheet_stats in check.stats.items():
            stats[key].add(sheet_stats)
            if not sheet_stats.read:
                continue
            if key in owner:
                _duplicate_sheet(ctx, owner[key], check, key, stats[key])
                continue
            owner[key] = check
            tables[key].extend(check.records.get(key, []))
    typed: dict[str, set[str]] = defaultdict(set)
    for check in group:
        for space, ids in check.rejected_ids.items():
            typed[space] |= ids
    _exclude(tables, stats, _cross_sheet(tables, ctx, rules, typed))
    info = next((c.info for c in group if c.info.get("department")), group[0].info)
    issues = [i if i.department == department else replace(i, department=department)
              for i in (*(i for c in group for i in c.issues), *ctx.issues)]
    files = [_with_outcome(c.source, issues) for c in group]
    return Submission(department, period, dict(info), files, dict(tables), issues, dict(stats))


def _exclude(tables: dict[str, list[Record]], stats: dict[str, SheetStats], rejected: set[int]) -> None:
    """Drop rows rejected by cross-sheet rules, moving them from used to rejected."""
    for key, rows in tables.items():
        kept = [r for r in rows if id(r) not in rejected]
        stats[key].used -= len(rows) - len(kept)
        stats[key].rejected += len(rows) - len(kept)
        tables[key] = kept


def _duplicate_sheet(ctx: _Ctx, first: FileCheck, second: FileCheck, key: str, stats: SheetStats) -> None:
    """A sheet given by two files: the second file's rows are rejected, naming both files."""
    name = second.sheet_names.get(key, key)
    ctx.file = second.source.path
    ctx.add("sheet-duplicate", sheet=name, first=first.source.path, second=second.source.path)
    moved = len(second.records.get(key, []))
    stats.used -= moved
    stats.rejected += moved


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
        self.ctx.add(code, sheet=record.sheet_name, cell=record.cells.get(key, ""), column=header,
                     value=record.values.get(key), row=record.row, **params)
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
_ORDER = ("problems", "why_chains", "fishbone", "verification", "solutions", "actions", "progress", "results",
          "standards")


def _scoring_rules(config: Config | None, threshold: float | None) -> Config:
    """The Config whose weights and threshold the cross-sheet rules use."""
    rules = config or Config()
    return rules if threshold is None or threshold == rules.threshold else replace(rules, threshold=threshold)


def _cross_sheet(tables: dict[str, list[Record]], ctx: _Ctx, rules: Config,
                 rejected_ids: dict[str, set[str]]) -> set[int]:
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
_REF_COLUMNS = {s.key: [c for c in s.columns if c.ref and not c.defines
                        and not (s.key == "fishbone" and c.key == "root_cause_id")] for s in TABLE_SHEETS}


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
            cross.add(code, record, "root_cause_id", target_zh=SHEETS["why_chains"].zh,
                      target_en=SHEETS["why_chains"].en)


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


# ---------------------------------------------------------------- the one table of codes

ISSUE_CODES_DOC = Path("docs/issue_codes.md")


def issue_codes_markdown() -> str:
    """docs/issue_codes.md, generated from CODES so the table cannot drift from the code."""
    lines = [
        "# Issue codes",
        "",
        "Every finding ci-excel reports, with its stable code, severity and message (zh / en).",
        "Placeholders such as `{sheet}`, `{cell}`, `{column}`, `{value}` are filled from the issue.",
        "Errors exclude the row (and rows that depend on it) from computations; warnings do not.",
        "",
        "Generated from `ci_excel.issues.CODES`; regenerate with",
        "`python -c \"from ci_excel.validation import write_issue_codes_doc; write_issue_codes_doc()\"`.",
        "",
        "| code | severity | message (zh) | message (en) |",
        "|---|---|---|---|",
    ]
    for spec in CODES.values():
        lines.append(f"| `{spec.code}` | {spec.severity} | {_cell_md(spec.zh)} | {_cell_md(spec.en)} |")
    return "\n".join(lines) + "\n"


def _cell_md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_issue_codes_doc(path: Path = ISSUE_CODES_DOC) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(issue_codes_markdown(), encoding="utf-8")
    return path
