"""File -> raw cell values with locations; no judgement about the data (that is validation.py).

Values come from python-calamine (fast, never runs macros). Before anything parses a file it is
checked cheaply: what kind of file it really is, whether its zip is whole, encrypted, a
decompression bomb, or carries XML DOCTYPE/ENTITY declarations. Any of these makes the file
unreadable: `open_book` returns a `Failure` naming the reason instead of a book.
For .xlsx/.xlsm the sheet XML is scanned with a regex for formula cells whose cached value is
missing and for error values (#DIV/0!), which calamine reads as blank.
"""

from __future__ import annotations

import html
import re
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import python_calamine as pc

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
OOXML_SUFFIXES = (".xlsx", ".xlsm")

MAX_TOTAL_UNCOMPRESSED = 512 << 20  # all entries of one workbook
MAX_ENTRY_UNCOMPRESSED = 200 << 20  # one entry
MAX_RATIO = 100  # compression ratio allowed for entries larger than RATIO_FLOOR
RATIO_FLOOR = 8 << 20
XML_HEAD = 1024  # read size while looking for the root element
MAX_PROLOG = 1 << 20

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_OLE = "EncryptionInfo".encode("utf-16-le")

# A formula cell whose cached value is missing or empty, and a cell holding an error value.
_NO_VALUE = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)(?:<v\s*/>|<v></v>)?</c>')
_ERROR = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*\bt="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>([^<]*)</v>')
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\s[^>]*>")
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')


@dataclass(frozen=True)
class Failure:
    """Why a file cannot be read at all: an issue code and its message parameters."""

    code: str
    reason: str = ""


@dataclass(frozen=True)
class BadCells:
    """Cells of one sheet whose value calamine cannot give (it reads both as blank)."""

    no_value: frozenset[bytes] = frozenset()  # A1 refs (ASCII bytes) of formulas without a cached value
    errors: dict[str, str] = field(default_factory=dict)  # A1 -> error value such as #DIV/0!

    def error(self, a1: str) -> str | None:
        return self.errors.get(a1) if self.errors else None

    def lacks_value(self, a1: str) -> bool:
        return bool(self.no_value) and a1.encode() in self.no_value


NO_BAD_CELLS = BadCells()


@dataclass
class RawBook:
    """An opened workbook: sheet names and, per sheet, its values from A1 (rows of cells)."""

    path: Path
    kind: str  # suffix without the dot
    sheet_names: list[str]
    hidden: set[str]
    _book: Any = field(repr=False)
    _zip: zipfile.ZipFile | None = field(default=None, repr=False)  # kept open for the formula scan

    def values(self, name: str) -> list[list[Any]] | Failure:
        """Cell values of a sheet, row-major from A1; blanks are ""."""
        try:
            return self._book.get_sheet_by_name(name).to_python(skip_empty_area=False)  # type: ignore[no-any-return]
        except Exception as exc:  # calamine raises many kinds for one broken sheet
            return Failure("sheet-unreadable", _reason(exc))

    def bad_cells(self, last_rows: Mapping[str, int]) -> dict[str, BadCells]:
        """Per sheet name: formula cells without a cached value and error cells, by A1 reference.

        Only .xlsx/.xlsm; each sheet's XML is read up to its last data row (1-based, in `last_rows`),
        so a template's thousand formula rows below the data cost nothing.
        """
        zf = self._zip
        if zf is None or self.kind not in ("xlsx", "xlsm") or not last_rows:
            return {}
        try:
            parts = _sheet_parts(zf)
            return {n: _scan_bad_cells(_read_rows(zf, parts[n], last)) for n, last in last_rows.items() if n in parts}
        except (OSError, zipfile.BadZipFile, zlib.error, KeyError):
            return {}

    def close(self) -> None:
        self._book.close()
        if self._zip is not None:
            self._zip.close()


def _read_rows(zf: zipfile.ZipFile, part: str, last: int) -> bytes:
    """A sheet's XML up to (not including) row `last + 1`, read in chunks."""
    stop = f'<row r="{last + 1}"'.encode()
    chunks: list[bytes] = []
    with zf.open(part) as fh:
        while chunk := fh.read(1 << 16):
            chunks.append(chunk)
            joined = b"".join(chunks[-2:])
            if stop in joined:
                data = b"".join(chunks)
                return data[: data.find(stop)]
    return b"".join(chunks)


def _scan_bad_cells(data: bytes) -> BadCells:
    no_value = frozenset(_NO_VALUE.findall(data)) if b"<f" in data else frozenset()
    errors = {ref.decode(): text.decode() for ref, text in _ERROR.findall(data)} if b't="e"' in data else {}
    return BadCells(no_value, errors) if no_value or errors else NO_BAD_CELLS


def discover(paths: Sequence[Path]) -> list[Path]:
    """Workbook files under the given files and folders, recursively, sorted.

    Skips Office lock files (~$...), hidden files and folders, and other extensions; a file named
    explicitly is kept whatever its extension, so check_file can say why it cannot be read.
    """
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(p for p in path.rglob("*") if p.is_file() and _is_candidate(p.relative_to(path)))
        elif path.is_file():
            found.add(path)
    return sorted(found)


def _is_candidate(rel: Path) -> bool:
    if any(part.startswith((".", "~$")) for part in rel.parts):
        return False
    return rel.suffix.lower() in WORKBOOK_SUFFIXES


def open_book(path: Path) -> RawBook | Failure:
    """Open a workbook for reading values, or say why it cannot be read."""
    failure, zf = _preflight(path)
    if failure is not None:
        return failure
    book = _open_values(path)
    if isinstance(book, Failure):
        if zf is not None:
            zf.close()
        return book
    book._zip = zf
    return book


def _open_values(path: Path) -> RawBook | Failure:
    try:
        book = pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        return Failure("file-encrypted")
    except Exception as exc:
        return Failure("file-corrupt", _reason(exc))
    try:
        meta = book.sheets_metadata
    except Exception as exc:
        return Failure("file-corrupt", _reason(exc))
    kind = path.suffix.lower().lstrip(".")
    hidden = {m.name for m in meta if m.visible != pc.SheetVisibleEnum.Visible}
    return RawBook(path, kind, [m.name for m in meta], hidden, book)


def _preflight(path: Path) -> tuple[Failure | None, zipfile.ZipFile | None]:
    """Cheap checks before any parser touches the file, and for a zip that passed them, the open zip
    (the caller closes it)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        return Failure("file-unreadable", _reason(exc)), None
    if head.startswith(_OLE_MAGIC):
        return _check_ole(path), None
    if head.startswith(_ZIP_MAGIC):
        return _check_zip(path)
    if path.suffix.lower() in (".zip", *WORKBOOK_SUFFIXES) and head.startswith(b"PK"):
        return Failure("file-corrupt", "zip"), None
    return Failure("file-not-workbook"), None


def _check_ole(path: Path) -> Failure | None:
    """An OLE2 file is a legacy .xls, or an encrypted (password-protected) OOXML/xls workbook."""
    data = path.read_bytes()
    if _ENCRYPTED_OLE in data or path.suffix.lower() in OOXML_SUFFIXES:
        return Failure("file-encrypted")
    return None


def _check_zip(path: Path) -> tuple[Failure | None, zipfile.ZipFile | None]:
    zf: zipfile.ZipFile | None = None
    try:
        zf = zipfile.ZipFile(path)
        infos = zf.infolist()
        names = {i.filename for i in infos}
        failure = _check_entries(infos) or _check_kind(zf, names) or _check_xml(zf, infos)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        failure = Failure("file-corrupt", _reason(exc))
    if failure is not None and zf is not None:
        zf.close()
        zf = None
    return failure, zf


def _check_entries(infos: list[zipfile.ZipInfo]) -> Failure | None:
    """Refuse decompression bombs from the declared sizes, before anything is inflated."""
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_ENTRY_UNCOMPRESSED or (info.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
            return Failure("file-bomb", f"{info.filename}: {info.file_size} bytes, ratio {ratio:.0f}:1")
        if info.flag_bits & 0x1:
            return Failure("file-encrypted")
    if total > MAX_TOTAL_UNCOMPRESSED:
        return Failure("file-bomb", f"{total} bytes in all")
    return None


def _check_kind(zf: zipfile.ZipFile, names: set[str]) -> Failure | None:
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return None
    if "content.xml" in names and "mimetype" in names:
        manifest = zf.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
        return Failure("file-encrypted") if b"encryption-data" in manifest else None
    return Failure("file-not-workbook")


def _check_xml(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> Failure | None:
    """XML entity attacks: a workbook part never needs a DOCTYPE, so any is refused."""
    for info in infos:
        if info.filename.endswith((".xml", ".rels")) and _prolog_forbidden(zf, info):
            return Failure("file-xml-forbidden", info.filename)
    return None


def _prolog_forbidden(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """True when the XML prolog (everything before the root element) declares a DOCTYPE or ENTITY."""
    head = b""
    with zf.open(info) as fh:
        while chunk := fh.read(XML_HEAD):
            head += chunk
            root = _ROOT_START.search(head)
            if root is not None:
                head = head[: root.start()]
                break
            if len(head) > MAX_PROLOG:
                return True  # no sane workbook part has a prolog this long
    return b"<!DOCTYPE" in head or b"<!ENTITY" in head


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML entry in the zip, from workbook.xml and its relationships.

    Read with regexes (the parts passed the DOCTYPE check already): far cheaper than a parser.
    """
    try:
        book, rels = zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels")
    except (KeyError, OSError, zipfile.BadZipFile, zlib.error):  # only loses the formula scan
        return {}
    targets = {a.get("Id", ""): a.get("Target", "") for a in map(_attrs, _REL_TAG.findall(rels))}
    parts: dict[str, str] = {}
    for sheet in map(_attrs, _SHEET_TAG.findall(book)):
        target = targets.get(next((v for k, v in sheet.items() if k.endswith(":id")), ""))
        if target:
            parts[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else str(
                PurePosixPath("xl") / target)
    return parts


def _attrs(tag: bytes) -> dict[str, str]:
    return {k.decode(): html.unescape(v.decode("utf-8", "replace")) for k, v in _ATTR.findall(tag)}


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
