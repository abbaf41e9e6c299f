"""What a file really is, from its content, and whether it is safe to hand to a parser.

`sniff` reads magic bytes and, for a zip, its directory, its content types and the prologs of its
XML parts; nothing here parses a workbook. The answer is a `Kind` (the format to read it as, and
whether its name says otherwise) or a `Failure` naming why it cannot be read: not a workbook, a
format ci-excel does not read, corrupt, password-protected, a decompression bomb, a forbidden XML
declaration, or over a size limit. Limits are set so that any register a department can make
passes (a register is well under 5 MB) and a bomb does not.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ci_excel.errors import OutputError

MAX_FILE_BYTES = 64 << 20  # any format, on disk
MAX_ENTRIES = 10_000  # parts of one zip package (a sheet is 2-3 parts)
MAX_ENTRY_UNCOMPRESSED = 256 << 20  # one part
MAX_TOTAL_UNCOMPRESSED = 1 << 30  # all parts
MAX_RATIO = 200  # compression ratio allowed for parts larger than RATIO_FLOOR
RATIO_FLOOR = 64 << 20
XML_HEAD = 1024
MAX_PROLOG = 1 << 20

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BIFF_BOF = (b"\x09\x00", b"\x09\x02", b"\x09\x04", b"\x09\x08")  # BIFF2-5 worksheets without an OLE2 wrapper

# Workbook main-part content types -> the format to read.
_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml": "xlsm",
    "application/vnd.ms-excel.template.macroenabled.main+xml": "xlsm",
    "application/vnd.ms-excel.addin.macroenabled.main+xml": "xlsm",
    "application/vnd.ms-excel.sheet.binary.macroenabled.main": "xlsb",
}
_OTHER_OOXML = {"wordprocessingml": "Word", "presentationml": "PowerPoint"}
# Suffix -> the family it promises; a file whose content is of another family gets a warning.
SUFFIX_KINDS = {
    ".xlsx": "xlsx",
    ".xltx": "xlsx",
    ".xlsm": "xlsx",
    ".xltm": "xlsx",
    ".xlam": "xlsx",
    ".xlsb": "xlsb",
    ".xls": "xls",
    ".xlt": "xls",
    ".et": "xls",
    ".ett": "xls",
    ".ods": "ods",
    ".ots": "ods",
}
_FAMILY = {"xlsx": "xlsx", "xlsm": "xlsx", "xlsb": "xlsb", "xls": "xls", "ods": "ods"}
KIND_NAMES = {
    "xlsx": "Excel .xlsx",
    "xlsm": "Excel .xlsm",
    "xlsb": "Excel .xlsb",
    "xls": "Excel 97-2003 .xls",
    "ods": "OpenDocument .ods",
}
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_OVERRIDE = re.compile(rb"<(?:\w+:)?Override\s[^>]*>", re.IGNORECASE)
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')


@dataclass(frozen=True)
class Failure:
    """Why a file cannot be read at all: an issue code and its message parameters."""

    code: str
    reason: str = ""
    kind: str = ""  # the format found, for file-unsupported
    params: dict[str, Any] = field(default_factory=dict)  # further message parameters

    def message_params(self) -> dict[str, Any]:
        return {"reason": self.reason, "kind": self.kind, **self.params}


@dataclass(frozen=True)
class Kind:
    """The format a file is read as; `misnamed` when its extension promises another one."""

    kind: str  # xlsx | xlsm | xlsb | xls | ods
    misnamed: bool = False

    @property
    def name(self) -> str:
        return KIND_NAMES[self.kind]


def sniff(path: Path) -> Kind | Failure:
    """The file's real format and its safety checks, from its content (never from its name alone)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(XML_HEAD)
    except OSError as exc:
        return Failure("file-unreadable", reason(exc))
    if size > MAX_FILE_BYTES:
        return Failure("file-limit", f"{size / (1 << 20):.0f} MB, at most {MAX_FILE_BYTES >> 20} MB")
    found = _by_content(path, head, size)
    if isinstance(found, Failure):
        return found
    expected = SUFFIX_KINDS.get(path.suffix.lower())
    return Kind(found, misnamed=expected is not None and expected != _FAMILY[found])


def _by_content(path: Path, head: bytes, size: int) -> str | Failure:
    if size == 0:
        return Failure("file-corrupt", "empty file")
    if head.startswith(_OLE_MAGIC):
        return _ole_kind(path)
    if head.startswith(_ZIP_MAGIC):
        return _zip_kind(path)
    if head.startswith(b"PK"):
        return Failure("file-corrupt", "damaged zip")
    if head.startswith(_BIFF_BOF):
        return "xls"
    return _not_a_workbook(head)


def _not_a_workbook(head: bytes) -> Failure:
    """Files departments send that are not workbooks: say which, when it is a format they could convert."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in text:
        return Failure("file-unsupported", kind="XML Spreadsheet 2003")
    if text.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml")) or b"<html" in text[:200]:
        return Failure("file-unsupported", kind="HTML")
    if text.startswith(b"%pdf"):
        return Failure("file-not-workbook")
    if _looks_like_text(head) and any(sep in head for sep in (b",", b"\t", b";")):
        return Failure("file-unsupported", kind="CSV")
    return Failure("file-not-workbook")


def _looks_like_text(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030", "utf-16"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return sum(ch.isprintable() or ch in "\r\n\t" for ch in text) >= 0.95 * len(text)
    return False


def _ole_kind(path: Path) -> str | Failure:
    """An OLE2 file: a legacy .xls (Excel 97-2003, WPS .et), or an encrypted OOXML workbook."""
    data = path.read_bytes().lower()  # stream names in any case (WORKBOOK, BOOK): lowers their ASCII bytes
    if "encryptioninfo".encode("utf-16-le") in data:
        return Failure("file-encrypted")
    if "book".encode("utf-16-le") in data:  # Workbook (BIFF8) or Book (BIFF5)
        return "xls"
    return Failure("file-not-workbook")


def _zip_kind(path: Path) -> str | Failure:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            refused = _check_entries(infos)
            kind = refused or _package_kind(zf, {i.filename for i in infos})
            return kind if isinstance(kind, Failure) else _check_xml(zf, infos) or kind
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, KeyError) as exc:
        return Failure("file-corrupt", reason(exc))


def _check_entries(infos: list[zipfile.ZipInfo]) -> Failure | None:
    """Refuse decompression bombs from the declared sizes, before anything is inflated (zipfile and
    calamine both stop at the declared size)."""
    if len(infos) > MAX_ENTRIES:
        return Failure("file-limit", f"{len(infos)} parts in the package, at most {MAX_ENTRIES}")
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


def _check_xml(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> Failure | None:
    """XML entity attacks: no workbook part needs a DOCTYPE, so any part that is XML (whatever its
    name or extension) and declares one is refused."""
    for info in infos:
        if info.file_size and not info.is_dir() and _prolog_forbidden(zf, info):
            return Failure("file-xml-forbidden", info.filename)
    return None


def _prolog_forbidden(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """True when the part is XML whose prolog (before the root element) declares a DOCTYPE or ENTITY."""
    with zf.open(info) as fh:
        head = fh.read(XML_HEAD)
        start = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
        if not start.startswith(b"<"):
            return False  # not XML: a picture, vbaProject.bin, a binary sheet
        while (root := _ROOT_START.search(head)) is None and len(head) <= MAX_PROLOG:
            chunk = fh.read(XML_HEAD)
            if not chunk:
                break
            head += chunk
    prolog = head[: root.start()] if root is not None else head
    return (root is None and len(head) > MAX_PROLOG) or b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper()


def _package_kind(zf: zipfile.ZipFile, names: set[str]) -> str | Failure:
    """xlsx/xlsm/xlsb from [Content_Types].xml, ods from its mimetype; else not a workbook."""
    lower = {n.lower(): n for n in names}
    if "mimetype" in lower:
        return _ods_kind(zf, lower)
    types = lower.get("[content_types].xml")
    if types is not None:
        for override in _OVERRIDE.findall(zf.read(types)):
            content_type = _attrs(override).get("ContentType", "").lower()
            if content_type in _MAIN_TYPES:
                return _MAIN_TYPES[content_type]
            for marker, app in _OTHER_OOXML.items():
                if marker in content_type and content_type.endswith(".main+xml"):
                    return Failure("file-unsupported", kind=app)
    if any(n.endswith((".iwa", "index.zip", "/index/document.iwa")) for n in lower):
        return Failure("file-unsupported", kind="Apple Numbers")
    if any(n.endswith("workbook.xml") for n in lower):
        return "xlsx"
    if any(n.endswith("workbook.bin") for n in lower):
        return "xlsb"
    return Failure("file-not-workbook")


def _ods_kind(zf: zipfile.ZipFile, lower: dict[str, str]) -> str | Failure:
    mimetype = zf.read(lower["mimetype"])[:100].strip()
    if not mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
        return Failure("file-unsupported", kind=mimetype.decode("ascii", "replace").rsplit(".", 1)[-1] or "zip")
    manifest = lower.get("meta-inf/manifest.xml")
    if manifest is not None and b"encryption-data" in zf.read(manifest):
        return Failure("file-encrypted")
    return "ods"


def _attrs(tag: bytes) -> dict[str, str]:
    return {k.decode(): v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag)}


def reader_failure(exc: BaseException) -> bool:
    """Whether `exc` fails only the file being read: any Exception, or a panic in native code (which
    python-calamine raises as a BaseException); never an interrupt or an exit, nor a failure to write
    the run's own files (OutputError: a full disk stops the run)."""
    if isinstance(exc, OutputError):
        return False
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def reason(exc: BaseException) -> str:
    """An exception as a short, one-line reason for a message."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__
