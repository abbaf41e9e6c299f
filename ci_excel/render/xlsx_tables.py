"""Package work on finished .xlsx files, and the text rule every workbook writer shares.

`cell_text` is the one place text becomes storable in a cell: what a department typed (or a legacy
.xls held) may carry lone surrogates or control characters that no XML part can hold.

`mend_openpyxl_save` fixes what an openpyxl save loses or misorders. It puts back the dropdowns
openpyxl drops (`carry_data_validations`): Excel saves list validations that point at another sheet
(the templates' `_lists`) in an x14 `<extLst>` of the sheet part, which openpyxl does not load;
sheets are matched by name through the workbook part and its rels. And it writes font children
in the order Office's schema model wants (openpyxl's order is one the Open XML SDK rejects).

Excel tables, which xlsxwriter cannot make in constant_memory mode: `add_tables` copies the
package member by member and, for each table, adds `xl/tables/tableN.xml`, a relationship from
its sheet, a `<tableParts>` element in the sheet (before the sheet's own `<extLst>`, as the schema
orders them) and a content-type override; a table whose data rows were kept in a file of `<row>`
elements gets them at the end of its sheet's data. Sheet XML is streamed: only its small tail after
`</sheetData>` is held in memory.
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO
from xml.sax.saxutils import quoteattr

from lxml import etree

from ci_excel.sheet_scan import sheet_parts

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_TABLE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
_SHEET_DATA_END = re.compile(rb"</sheetData>|<sheetData/>")  # both 12 bytes
_DIMENSION = re.compile(rb"<dimension ref=\"[^\"]*\"/>")
_CHUNK = 1 << 16
_LEVEL = 3  # the packaged summary workbook: 60 % less deflate time than the default level for a sixth more bytes
_TAG = re.compile(rb"<(/?)([A-Za-z_][\w.:-]*)[^>]*?(/?)>")
_RID = re.compile(rb'Id="rId(\d+)"')
_SUSPECT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_X14_VALIDATIONS = "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


def cell_text(value: object) -> str:
    """`value` as text a cell can store: surrogate pairs joined, lone ones as U+FFFD, control characters
    other than tab, newline and carriage return dropped."""
    text = "" if value is None else str(value)
    if _SUSPECT.search(text) is None:
        return text
    if _SURROGATE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return _CONTROL.sub("", text)


@dataclass(frozen=True)
class TablePart:
    """One table: on worksheet number `sheet` (1-based, as xl/worksheets/sheetN.xml), over `ref`."""

    sheet: int
    name: str
    ref: str  # "A1:K201": the header row and the data rows
    headers: tuple[str, ...]  # exactly as written in the header cells
    style: str = "TableStyleMedium2"
    rows: Path | None = None  # its data rows' <row> elements, to put after the sheet's own rows


def add_tables(src: Path, dst: Path, tables: Sequence[TablePart]) -> None:
    """Copy the workbook at `src` to `dst` with `tables` added (table ids and files numbered from 1)."""
    sheets = {f"xl/worksheets/sheet{t.sheet}.xml": n for n, t in enumerate(tables, 1)}
    if len(sheets) != len(tables):
        raise ValueError("at most one table per sheet")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as zout:
        present = set(zin.namelist())
        links = {_rels_name(sheet): (_next_rel_id(zin, _rels_name(sheet)), n) for sheet, n in sheets.items()}
        for info in zin.infolist():
            with zin.open(info) as member, zout.open(_info(info.filename), "w") as out:
                if info.filename in sheets:
                    table = tables[sheets[info.filename] - 1]
                    _copy_sheet(member, out, _table_parts(links[_rels_name(info.filename)][0]), table)
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
        f"<tableColumns count={_q(len(table.headers))}>{columns}</tableColumns>"
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


_EMPTY_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_RELS}"></Relationships>'
).encode()


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
    overrides = "".join(
        f'<Override PartName="/xl/tables/table{n}.xml" ContentType="{_CT_TABLE}"/>' for n in range(1, count + 1)
    )
    return _insert_before(types, b"</Types>", overrides.encode())


def _insert_before(xml: bytes, end: bytes, part: bytes) -> bytes:
    at = xml.rindex(end)
    return xml[:at] + part + xml[at:]


def _table_parts(rel_id: str) -> bytes:
    return f'<tableParts count="1"><tablePart r:id="{rel_id}"/></tableParts>'.encode()


def _copy_sheet(src: IO[bytes], dst: IO[bytes], parts: bytes, table: TablePart) -> None:
    """Stream the sheet's rows through, then the table's own rows when it has a file of them (the
    dimension made the table's range); insert `parts` into the small tail from </sheetData> on."""
    keep = 11  # a marker cut by a chunk boundary is found in the next round
    pending = b""
    first = True
    while chunk := src.read(_CHUNK):
        pending += chunk
        if first and table.rows is not None:
            pending, first = _DIMENSION.sub(f'<dimension ref="{table.ref}"/>'.encode(), pending, count=1), False
        found = _SHEET_DATA_END.search(pending)
        if found:
            dst.write(pending[: found.start()])
            tail = pending[found.start() :] + src.read()
            if table.rows is not None:
                tail = _with_rows(dst, tail, table.rows)
            at = _parts_position(tail)
            dst.write(tail[:at] + parts + tail[at:])
            return
        dst.write(pending[:-keep])
        pending = pending[-keep:]
    raise ValueError("no <sheetData> in the sheet XML")


def _with_rows(dst: IO[bytes], tail: bytes, rows: Path) -> bytes:
    """Write the rows in `rows` where `tail` ends the sheet data; the rest of `tail`, from </sheetData> on."""
    if tail.startswith(b"<sheetData/>"):
        dst.write(b"<sheetData>")
        tail = b"</sheetData>" + tail[len(b"<sheetData/>") :]
    with rows.open("rb") as src:
        shutil.copyfileobj(src, dst, _CHUNK)
    return tail


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


# ---- mending an openpyxl save -------------------------------------------------------------------

Edit = Callable[[bytes], bytes]
_OPENPYXL_STYLES = "xl/styles.xml"  # where openpyxl always writes the stylesheet
# CT_Font's children in the order Office's schema model wants (openpyxl writes name first)
_FONT_ORDER = {
    f"{{{_MAIN}}}{tag}": n
    for n, tag in enumerate(
        (
            "b",
            "i",
            "strike",
            "condense",
            "extend",
            "outline",
            "shadow",
            "u",
            "vertAlign",
            "sz",
            "color",
            "name",
            "family",
            "charset",
            "scheme",
        )
    )
}


def mend_openpyxl_save(saved: Path, *, original: Path | None = None) -> None:
    """Rewrite the package openpyxl saved at `saved`: fonts in schema order, and `original`'s x14
    data validations put back on the sheets of the same name."""
    edits: dict[str, Edit] = {_OPENPYXL_STYLES: _ordered_fonts}
    if original is not None:
        edits |= carry_data_validations(original, saved)
    _rewrite(saved, edits)


def carry_data_validations(original: Path, saved: Path) -> dict[str, Edit]:
    """Part of `saved` -> the edit that gives it back its sheet's x14 data validations from `original`."""
    with zipfile.ZipFile(original) as zin:
        found = {name: ext for name, part in sheet_parts(zin).items() if (ext := _x14_validations(zin.read(part)))}
    if not found:
        return {}
    with zipfile.ZipFile(saved) as zs:
        return {part: partial(_with_ext, ext=found[name]) for name, part in sheet_parts(zs).items() if name in found}


def _x14_validations(sheet: bytes) -> bytes | None:
    """The sheet's `<ext>` holding x14 data validations, serialised with its namespaces; None if none."""
    if _X14_VALIDATIONS.encode() not in sheet:
        return None
    root = etree.fromstring(sheet, _PARSER)
    for ext in root.iterfind(f"{{{_MAIN}}}extLst/{{{_MAIN}}}ext"):
        if ext.get("uri") == _X14_VALIDATIONS:
            return bytes(etree.tostring(ext))
    return None


def _with_ext(sheet: bytes, ext: bytes) -> bytes:
    """The sheet with `ext` as the last entry of its `<extLst>` (made when missing, as the last child)."""
    end = sheet.rindex(b"</worksheet>")
    close = sheet.rfind(b"</extLst>", 0, end)
    if close != -1 and not sheet[close + len(b"</extLst>") : end].strip():
        return sheet[:close] + ext + sheet[close:]
    return sheet[:end] + b"<extLst>" + ext + b"</extLst>" + sheet[end:]


def _ordered_fonts(styles: bytes) -> bytes:
    root = etree.fromstring(styles, _PARSER)
    for font in root.iter(f"{{{_MAIN}}}font"):
        font[:] = sorted(font, key=lambda child: _FONT_ORDER.get(child.tag, len(_FONT_ORDER)))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _rewrite(path: Path, edits: Mapping[str, Edit]) -> None:
    """Rewrite the package at `path` with each part named in `edits` passed through its edit."""
    tmp = path.with_name(path.name + ".mend")
    try:
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info)
                edit = edits.get(info.filename)
                zout.writestr(info, edit(data) if edit else data, zipfile.ZIP_DEFLATED)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
