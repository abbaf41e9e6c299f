"""One workbook: copy, hash, open, recognise its sheets, read the info sheet and every table sheet."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

from ci_excel.examples import UNMARKED_VERSIONS
from ci_excel.fileio import sha256_of
from ci_excel.model import Record, Row, SheetStats, SourceFile
from ci_excel.reading import NO_BAD_CELLS, Failure, RawBook, open_book
from ci_excel.schema import INFO, META_SHEET, TABLE_SHEETS, TEMPLATE_ID, TEMPLATE_VERSION
from ci_excel.sniff import MAX_FILE_BYTES, reader_failure, reason
from ci_excel.validation.cells import _text
from ci_excel.validation.results import FileCheck, _Ctx, _with_outcome
from ci_excel.validation.sheets import _HEADERS, _norm, _recognise_sheets
from ci_excel.validation.tables import _blank_cell, _cell, _is_blank, _read_table


def check_file(path: Path, *, root: Path | None = None, snapshot: Path | None = None) -> FileCheck:
    """Read one workbook and do every single-sheet check.

    With `snapshot`, the file is first copied there, and the copy is what is hashed, read and later
    annotated: a file replaced while the run goes on cannot pair one version's data with another's.
    """
    label = file_label(path, root)
    ctx = _Ctx(label)
    try:
        source = (
            _snapshot(path, snapshot, label)
            if snapshot is not None
            else SourceFile(label, file_sha(path), file_size(path))
        )
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
            records[spec.key], stats[spec.key] = _read_table(
                spec, name, grids[name], bad.get(name, NO_BAD_CELLS), ctx, rejected_ids
            )
    source = replace(
        source,
        department=info.get("department"),
        period=info.get("period"),
        template_version=meta.get("template_version"),
        sheets=tuple(names),
    )
    return FileCheck(_with_outcome(source, ctx.issues), info, records, ctx.issues, stats, names, dict(rejected_ids))


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
