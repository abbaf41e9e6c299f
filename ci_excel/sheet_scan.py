"""One pass over an OOXML sheet's XML before any reader builds its cells.

python-calamine builds a dense grid from A1 to the sheet's last cell holding anything, so one
character typed in XFD1048576 would cost hundreds of gigabytes. `scan_sheet` streams the part in
chunks and, with regexes (no parser), finds how far values reach, how many there are, and the
cells calamine would misread: formulas with no cached result, error values, and shared-string
indexes that are not numbers (calamine reads them as string 0).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

CHUNK = 4 << 20

# A cell start tag that is not self-closing (it holds a value, a formula or an inline string). The
# atomic group and the possessive run never backtrack, so a million self-closing (formatted, empty)
# cells fail fast: half the time of the plain pattern on a sheet styled down to its last row.
_VALUE_CELL = re.compile(rb'<(?:\w+:)?c\b(?>[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})")[^>]*+(?<!/)>')
_ROW_TAG = re.compile(rb'<(?:\w+:)?row\b[^>]*\br="([0-9]+)"')
# A formula cell with no cached value, or an empty one (a result only when the cell is typed as text).
_FORMULA_BLANK = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)(<v\s*/>|<v></v>)?</c>')
_ERROR = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*\bt="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>([^<]*)</v>')
_BAD_SHARED = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*\bt="s"[^>]*>\s*<v>(?!\s*[0-9]+\s*</v>)([^<]*)</v>')
_BAD_SHARED_HINT = re.compile(rb't="s"[^>]*>\s*<v>\s*[0-9]*[^0-9<\s]')
_FORMULA_BLANK_HINT = re.compile(rb"(?:</f>|<f[^>]*/>)(?:<v\s*/>|<v></v>)?</c>")
# Cell references by their first letters (rows have r="<digits>"). No \b: a literal prefix keeps the
# search fast, and another attribute ending in r= with capitals only sends the chunk the exact way.
_FAR_CELL = re.compile(rb'r="(?:[A-Z]{3}|[C-Z][A-Z]|B[M-Z])[0-9]')
_COLUMN_BANDS = ((re.compile(rb'r="B[A-L][0-9]'), 64), (re.compile(rb'r="A[A-Z][0-9]'), 52))
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]+)"')
_VALUE_MARKS = (b"<v>", b"<v ", b"<f", b"<is>")
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\s[^>]*>")
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}


@dataclass(frozen=True)
class BadCells:
    """Cells of one sheet whose value calamine cannot give (it reads them as blank or as string 0)."""

    no_value: frozenset[bytes] = frozenset()  # A1 refs (ASCII bytes) of formulas without a cached value
    errors: dict[str, str] = field(default_factory=dict)  # A1 -> error value such as #DIV/0!
    corrupt: dict[str, str] = field(default_factory=dict)  # A1 -> why its stored value cannot be read

    def error(self, a1: str) -> str | None:
        return self.errors.get(a1) if self.errors else None

    def lacks_value(self, a1: str) -> bool:
        return bool(self.no_value) and a1.encode() in self.no_value

    def damage(self, a1: str) -> str | None:
        return self.corrupt.get(a1) if self.corrupt else None

    def __bool__(self) -> bool:
        return bool(self.no_value or self.errors or self.corrupt)


NO_BAD_CELLS = BadCells()


@dataclass(frozen=True)
class SheetScan:
    """How far a sheet's values reach (1-based; `last_col` may be an upper bound within the table's
    width), how many rows it has, and its misread cells."""

    last_row: int = 0
    last_col: int = 0
    rows: int = 0  # rows in the XML; when over the scan's `exact_over`, exactly those holding a value
    bad: BadCells = NO_BAD_CELLS

    @property
    def area(self) -> int:
        """Cells of the dense grid a reader would build from A1 (at most)."""
        return self.last_row * self.last_col


def scan_sheet(zf: zipfile.ZipFile, part: str, *, exact_over: int = 100_000) -> SheetScan:
    """Stream `part` once: extents, rows and misread cells, in memory bounded by the chunk size.

    Cheap by design (a register's sheets are scanned on every read): regex searches, and a cell by
    cell look only where a value lies past column BL or the rows exceed `exact_over`.
    """
    last_row = last_col = rows = 0
    no_value: set[bytes] = set()
    errors: dict[str, str] = {}
    corrupt: dict[str, str] = {}
    for chunk in _chunks(zf, part):
        last_row = max(last_row, _last_value_row(chunk))
        last_col = max(last_col, _column_bound(chunk))
        rows += chunk.count(b"</row>")
        if b"<f" in chunk and _FORMULA_BLANK_HINT.search(chunk):
            no_value.update(
                ref for ref, attrs, empty in _FORMULA_BLANK.findall(chunk) if not empty or b't="str"' not in attrs
            )
        if b't="e"' in chunk:
            errors.update((ref.decode(), text.decode()) for ref, text in _ERROR.findall(chunk))
        if _BAD_SHARED_HINT.search(chunk):
            corrupt.update(
                (ref.decode(), f"shared-string index {index.decode('ascii', 'replace')[:20]!r}")
                for ref, index in _BAD_SHARED.findall(chunk)
            )
    if rows > exact_over:
        rows = _value_rows(zf, part)
    bad = BadCells(frozenset(no_value), errors, corrupt) if no_value or errors or corrupt else NO_BAD_CELLS
    return SheetScan(last_row, last_col, rows, bad)


def _last_value_row(chunk: bytes) -> int:
    """The row of the chunk's last value (rows come in order): the row tag before its last <v>, <f>
    or <is>; cell by cell only for rows without a number (or prefixed tags)."""
    mark = max(chunk.rfind(m) for m in _VALUE_MARKS)
    if mark >= 0:
        start = max(chunk.rfind(b"<row", 0, mark), chunk.rfind(b":row", 0, mark))
        found = (
            _ROW_NUMBER.match(chunk, start if chunk[start : start + 1] == b"<" else start - 1) if start >= 0 else None
        )
        if found:
            return int(found.group(1))
    cells = _VALUE_CELL.findall(chunk)
    return int(cells[-1][1]) if cells else 0


def _column_bound(chunk: bytes) -> int:
    """The last column holding a value: exact past column BL (64), else 64, 52 or 26 as a bound."""
    if _FAR_CELL.search(chunk):
        return max(map(column_number, {c for c, _ in _VALUE_CELL.findall(chunk)}), default=0)
    for pattern, bound in _COLUMN_BANDS:
        if pattern.search(chunk):
            return bound
    return 26


def _value_rows(zf: zipfile.ZipFile, part: str) -> int:
    """Rows holding at least one value, counted exactly (only for sheets with very many rows)."""
    rows, previous = 0, -1
    for chunk in _chunks(zf, part):
        numbers = {int(r) for _, r in _VALUE_CELL.findall(chunk)}
        rows += len(numbers) - (previous in numbers)
        previous = max(numbers, default=previous)
    return rows


def _chunks(zf: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The part in chunks that end after a '>' so that no tag is split (the rest carries over)."""
    carry = b""
    with zf.open(part) as fh:
        while block := fh.read(CHUNK):
            data = carry + block
            cut = data.rfind(b"</row>")
            cut = data.rfind(b">") if cut < 0 else cut + len(b"</row>") - 1
            if cut < 0:  # no tag ends in this block: wait for more, unless it is absurdly long
                carry, data = (data, b"") if len(data) < 4 * CHUNK else (b"", data)
            else:
                carry, data = data[cut + 1 :], data[: cut + 1]
            if data:
                yield data
    if carry:
        yield carry


def column_number(letters: bytes | str) -> int:
    """Excel column letters -> 1-based number (A -> 1, XFD -> 16384)."""
    number = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        number = number * 26 + ord(ch) - 64
    return number


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the zip, from the package's main workbook part and its relationships
    (whatever the parts are called). Read with regexes: the parts passed the DOCTYPE check already."""
    names = {n.lower(): n for n in zf.namelist()}
    book_part = _main_part(zf, names)
    if book_part is None:
        return {}
    base = PurePosixPath(book_part).parent
    rels = names.get(str(base / "_rels" / (PurePosixPath(book_part).name + ".rels")).lower())
    if rels is None:
        return {}
    targets = {a.get("Id", ""): a.get("Target", "") for a in map(_attrs, _REL_TAG.findall(zf.read(rels)))}
    parts: dict[str, str] = {}
    for sheet in map(_attrs, _SHEET_TAG.findall(zf.read(book_part))):
        target = targets.get(next((v for k, v in sheet.items() if k.endswith(":id")), ""))
        if target:
            path = target.lstrip("/") if target.startswith("/") else _normalise(base / target)
            if path.lower() in names:
                parts[sheet.get("name", "")] = names[path.lower()]
    return parts


def _main_part(zf: zipfile.ZipFile, names: dict[str, str]) -> str | None:
    rels = names.get("_rels/.rels")
    if rels is not None:
        for rel in map(_attrs, _REL_TAG.findall(zf.read(rels))):
            if rel.get("Type", "").endswith("/officeDocument"):
                target = rel.get("Target", "").lstrip("/")
                if target.lower() in names:
                    return names[target.lower()]
    return names.get("xl/workbook.xml")


def _normalise(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _attrs(tag: bytes) -> dict[str, str]:
    return {k.decode(): _unescape(v.decode("utf-8", "replace")) for k, v in _ATTR.findall(tag)}


def _unescape(text: str) -> str:
    if "&" not in text:
        return text
    for entity, char in _ENTITIES.items():
        text = text.replace(entity, char)
    return re.sub(r"&#(x?)([0-9a-fA-F]+);", lambda m: chr(int(m.group(2), 16 if m.group(1) else 10)), text)


__all__ = ["NO_BAD_CELLS", "BadCells", "SheetScan", "column_number", "scan_sheet", "sheet_parts"]
