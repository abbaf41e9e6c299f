"""Excel tables added to a finished .xlsx: xlsxwriter cannot make them in constant_memory mode.

`add_tables` copies the package member by member and, for each table, adds `xl/tables/tableN.xml`,
a relationship from its sheet, a `<tableParts>` element in the sheet (before the sheet's own
`<extLst>`, as the schema orders them) and a content-type override. Sheet XML is streamed: only
its small tail after `</sheetData>` is held in memory.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.sax.saxutils import quoteattr

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_TABLE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
_SHEET_DATA_END = re.compile(rb"</sheetData>|<sheetData/>")  # both 12 bytes
_CHUNK = 1 << 16
_TAG = re.compile(rb"<(/?)([A-Za-z_][\w.:-]*)[^>]*?(/?)>")
_RID = re.compile(rb'Id="rId(\d+)"')


@dataclass(frozen=True)
class TablePart:
    """One table: on worksheet number `sheet` (1-based, as xl/worksheets/sheetN.xml), over `ref`."""

    sheet: int
    name: str
    ref: str  # "A1:K201": the header row and the data rows
    headers: tuple[str, ...]  # exactly as written in the header cells
    style: str = "TableStyleMedium2"


def add_tables(src: Path, dst: Path, tables: Sequence[TablePart]) -> None:
    """Copy the workbook at `src` to `dst` with `tables` added (table ids and files numbered from 1)."""
    sheets = {f"xl/worksheets/sheet{t.sheet}.xml": n for n, t in enumerate(tables, 1)}
    if len(sheets) != len(tables):
        raise ValueError("at most one table per sheet")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        present = set(zin.namelist())
        links = {_rels_name(sheet): (_next_rel_id(zin, _rels_name(sheet)), n) for sheet, n in sheets.items()}
        for info in zin.infolist():
            with zin.open(info) as member, zout.open(_info(info.filename), "w") as out:
                if info.filename in sheets:
                    _copy_sheet(member, out, _table_parts(links[_rels_name(info.filename)][0]))
                elif info.filename in links:
                    out.write(_with_relationship(member.read(), *links[info.filename]))
                elif info.filename == "[Content_Types].xml":
                    out.write(_with_overrides(member.read(), len(tables)))
                else:
                    shutil.copyfileobj(member, out, _CHUNK)
        for rels, link in links.items():
            if rels not in present:
                zout.writestr(_info(rels), _with_relationship(_EMPTY_RELS, *link))
        for n, table in enumerate(tables, 1):
            zout.writestr(_info(f"xl/tables/table{n}.xml"), table_xml(table, n))


def table_xml(table: TablePart, n: int) -> bytes:
    """The table part: its range, autofilter, column names and style."""
    columns = "".join(f"<tableColumn id={_q(i)} name={quoteattr(h)}/>" for i, h in enumerate(table.headers, 1))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<table xmlns="{_MAIN}" id={_q(n)} name={quoteattr(table.name)} displayName={quoteattr(table.name)} '
        f'ref="{table.ref}" totalsRowShown="0"><autoFilter ref="{table.ref}"/>'
        f'<tableColumns count={_q(len(table.headers))}>{columns}</tableColumns>'
        f'<tableStyleInfo name={quoteattr(table.style)} showFirstColumn="0" showLastColumn="0" '
        'showRowStripes="1" showColumnStripes="0"/></table>'
    ).encode()


def _q(n: int) -> str:
    return f'"{n}"'


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _rels_name(sheet: str) -> str:
    folder, _, file = sheet.rpartition("/")
    return f"{folder}/_rels/{file}.rels"


_EMPTY_RELS = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               f'<Relationships xmlns="{_RELS}"></Relationships>').encode()


def _next_rel_id(zin: zipfile.ZipFile, rels: str) -> str:
    try:
        used = [int(n) for n in _RID.findall(zin.read(rels))]
    except KeyError:
        used = []
    return f"rId{max(used, default=0) + 1}"


def _with_relationship(rels: bytes, rel_id: str, n: int) -> bytes:
    """The sheet's relationships plus one to its table, table `n`."""
    link = f'<Relationship Id="{rel_id}" Type="{_REL_TABLE}" Target="../tables/table{n}.xml"/>'
    return _insert_before(rels, b"</Relationships>", link.encode())


def _with_overrides(types: bytes, count: int) -> bytes:
    overrides = "".join(f'<Override PartName="/xl/tables/table{n}.xml" ContentType="{_CT_TABLE}"/>'
                        for n in range(1, count + 1))
    return _insert_before(types, b"</Types>", overrides.encode())


def _insert_before(xml: bytes, end: bytes, part: bytes) -> bytes:
    at = xml.rindex(end)
    return xml[:at] + part + xml[at:]


def _table_parts(rel_id: str) -> bytes:
    return f'<tableParts count="1"><tablePart r:id="{rel_id}"/></tableParts>'.encode()


def _copy_sheet(src: IO[bytes], dst: IO[bytes], parts: bytes) -> None:
    """Stream the sheet's rows through; insert `parts` into the small tail from </sheetData> on."""
    keep = 11  # a marker cut by a chunk boundary is found in the next round
    pending = b""
    while chunk := src.read(_CHUNK):
        pending += chunk
        found = _SHEET_DATA_END.search(pending)
        if found:
            dst.write(pending[:found.start()])
            tail = pending[found.start():] + src.read()
            at = _parts_position(tail)
            dst.write(tail[:at] + parts + tail[at:])
            return
        dst.write(pending[:-keep])
        pending = pending[-keep:]
    raise ValueError("no <sheetData> in the sheet XML")


def _parts_position(tail: bytes) -> int:
    """Where <tableParts> goes: before the worksheet's own <extLst> (not one nested in a rule), else at its end.

    `tail` starts at </sheetData> or at an empty <sheetData/>.
    """
    depth = 2 if tail.startswith(b"</") else 1  # inside <worksheet><sheetData>, or inside <worksheet>
    for m in _TAG.finditer(tail):
        closing, name, empty = m.groups()
        if closing:
            depth -= 1
            if depth == 0:
                return m.start()  # </worksheet>
        elif depth == 1 and name == b"extLst":
            return m.start()
        elif not empty:
            depth += 1
    raise ValueError("no </worksheet> in the sheet XML")
