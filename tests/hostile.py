"""Hostile files for the corpus test and benchmark, built in code into a folder (never committed).

Each case is one function that writes one file (or link) and returns its path, or None when it
cannot be built on this machine (LibreOffice or msoffcrypto-tool missing). Registers are filled
with valid data (benchmarks.corpus) and each gets its own department, so the files never merge
with one another; the damage is then done to the bytes: far cells, a million rows, 100,000
sheets, a zip bomb, wrong extensions, fuzzed .xls, forbidden XML, bad shared-string indexes,
NaN typed in number cells, hidden files and links.

    build_all(Path("hostile"), outside=Path("outside"))   # -> {name: path or None}

The big cases (`big_*`) are written straight into the zip, so the whole set builds in seconds.
"""

from __future__ import annotations

import html
import random
import re
import shutil
import subprocess
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from benchmarks.corpus import register_rows
from ci_excel.schema import REGISTER, TABLE_SHEETS
from tests.workbooks import cached_workbook as write_workbook

PERIOD = "2026-11"
CORPUS = Path(__file__).parent / "corpus" / "real"
PROBLEMS = next(s for s in TABLE_SHEETS if s.key == "problems")
RESULTS = next(s for s in TABLE_SHEETS if s.key == "results")
MAX_ROW = 1_048_576
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
SHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


@dataclass(frozen=True)
class Where:
    """Where a case writes: the hostile folder, and a folder outside the submissions tree."""

    folder: Path
    outside: Path


Builder = Callable[[Where], Path | None]


# ---------------------------------------------------------------- registers and zip surgery


def register(path: Path, department: str, *, rows: int = 2, seed: int = 0) -> Path:
    """A filled register with `rows` valid rows on every table sheet."""
    tables = register_rows(random.Random(seed), rows, PERIOD)
    info = {
        "department": department,
        "period": PERIOD,
        "contact": "张敏",
        "contact_info": "pmo@example.com",
        "submitted_on": date(2026, 11, 28),
    }
    return write_workbook(
        path, [s.key for s in TABLE_SHEETS], info=info, rows=tables, with_example=False, workbook=REGISTER
    )


def _department(name: str) -> str:
    return "测试-" + name.split(".")[0]


def _read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


Entry = tuple[str, bytes | Iterable[bytes]]


def _write_zip(path: Path, entries: Iterable[Entry]) -> Path:
    """Write entries in order; an entry given as chunks is streamed (never held whole)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, data in entries:
            if isinstance(data, bytes):
                zf.writestr(name, data)
                continue
            with zf.open(name, "w", force_zip64=True) as fh:
                for chunk in data:
                    fh.write(chunk)
    return path


def _sheet_part(entries: dict[str, bytes], sheet: str) -> str:
    """The zip entry of a sheet, from workbook.xml and its relationships."""
    book, rels = entries["xl/workbook.xml"].decode(), entries["xl/_rels/workbook.xml.rels"].decode()
    targets = dict(re.findall(r'<Relationship Id="([^"]+)" Type="[^"]+" Target="([^"]+)"', rels))
    for name, rid in re.findall(r'<sheet name="([^"]*)" sheetId="\d+"(?: state="\w+")? r:id="([^"]+)"', book):
        if html.unescape(name) == sheet:
            return "xl/" + targets[rid]
    raise KeyError(sheet)


def _letter(spec_key: str, column: str) -> str:
    spec = next(s for s in TABLE_SHEETS if s.key == spec_key)
    index = [c.key for c in spec.columns].index(column)
    return chr(ord("A") + index)


def _put_cells(xml: str, cells: dict[str, str]) -> str:
    """Replace or add cells (A1 -> raw <c> XML) in a sheet's XML; rows are added at the end."""
    for ref, cell in cells.items():
        found = re.compile(rf'<c r="{ref}"(?: [^>]*)?(?:/>|>.*?</c>)', re.S)
        if found.search(xml):
            xml = found.sub(lambda _, c=cell: c, xml, count=1)
            continue
        row = re.sub(r"[A-Z]+", "", ref)
        in_row = re.compile(rf'(<row r="{row}"[^>]*>)(.*?)(</row>)', re.S)
        if in_row.search(xml):
            xml = in_row.sub(lambda m, c=cell: m.group(1) + m.group(2) + c + m.group(3), xml, count=1)
        else:
            xml = xml.replace("</sheetData>", f'<row r="{row}">{cell}</row></sheetData>')
    return xml


def _text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _patched_register(where: Where, name: str, sheet: str, cells: dict[str, str], dimension: str | None = None) -> Path:
    """A register whose sheet `sheet` (name in the workbook) gets `cells` (A1 -> raw <c> XML)."""
    path = register(where.folder / name, _department(name))
    entries = _read_zip(path)
    part = _sheet_part(entries, sheet)
    xml = _put_cells(entries[part].decode(), cells)
    if dimension:
        xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>', xml, count=1)
    entries[part] = xml.encode()
    return _write_zip(path, entries.items())


def _split_sheet(xml: bytes) -> tuple[bytes, bytes, bytes]:
    """A sheet's XML as (everything up to and with row 1, rows 2.., the rest from </sheetData>)."""
    start = xml.index(b"<row ")
    first_end = xml.index(b"</row>", start) + len(b"</row>")
    end = xml.index(b"</sheetData>")
    return xml[:first_end], xml[first_end:end], xml[end:]


def _with_rows(where: Where, name: str, rows: Callable[[], Iterator[bytes]], dimension: str) -> Path:
    """A register whose problems sheet keeps its header and data, then streams `rows` after them."""
    path = register(where.folder / name, _department(name))
    entries = _read_zip(path)
    part = _sheet_part(entries, PROBLEMS.zh)
    head, body, tail = _split_sheet(entries[part])
    head = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>'.encode(), head, count=1)

    def chunks() -> Iterator[bytes]:
        yield head + body
        yield from rows()
        yield tail

    return _write_zip(path, [(n, chunks() if n == part else d) for n, d in entries.items()])


def _batched(lines: Iterable[str], size: int = 20_000) -> Iterator[bytes]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield "".join(batch).encode()
            batch.clear()
    if batch:
        yield "".join(batch).encode()


# ---------------------------------------------------------------- baseline, far cells, big sheets


def register_clean(where: Where) -> Path:
    """Control: a clean register, as a department sends it."""
    return register(where.folder / "register_clean.xlsx", _department("register_clean"))


def far_xfd(where: Where) -> Path:
    """One character typed in the very last cell of a table sheet (XFD1048576)."""
    return _patched_register(
        where,
        "far_xfd1048576.xlsx",
        PROBLEMS.zh,
        {f"XFD{MAX_ROW}": _text_cell(f"XFD{MAX_ROW}", "x")},
        dimension=f"A1:XFD{MAX_ROW}",
    )


def far_space(where: Where) -> Path:
    """A stray space in A1048576 of a table sheet."""
    return _patched_register(
        where,
        "far_space_a1048576.xlsx",
        PROBLEMS.zh,
        {f"A{MAX_ROW}": _text_cell(f"A{MAX_ROW}", " ")},
        dimension=f"A1:P{MAX_ROW}",
    )


def far_formatting(where: Where) -> Path:
    """Formatting down to the last row (what Excel and LibreOffice save after a column is styled):
    a million styled empty cells, a high compression ratio, and nothing wrong with the data."""
    last_data = 1 + 2

    def rows() -> Iterator[bytes]:
        return _batched(
            f'<row r="{r}" s="13" customFormat="1"><c r="A{r}" s="13"/></row>'
            for r in range(last_data + 1, MAX_ROW + 1)
        )

    return _with_rows(where, "far_formatting.xlsx", rows, f"A1:P{MAX_ROW}")


def far_iv65536_xls(where: Where) -> Path | None:
    """A register saved as .xls by LibreOffice with a value in the last BIFF8 cell (IV65536)."""
    source = _patched_register(
        where, "far_iv65536.tmp.xlsx", PROBLEMS.zh, {"IV65536": _text_cell("IV65536", "x")}, dimension="A1:IV65536"
    )
    return _libreoffice_convert(source, where.folder / "far_iv65536.xls", "xls:MS Excel 97")


def big_million_rows(where: Where) -> Path:
    """1,048,575 problem rows holding only an id: small on disk (a few MB), huge when read."""
    first = 1 + 2 + 1

    def rows() -> Iterator[bytes]:
        return _batched(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(first, MAX_ROW + 1))

    return _with_rows(where, "big_million_rows.xlsx", rows, f"A1:P{MAX_ROW}")


def big_100k_sheets(where: Where) -> Path:
    """A register with 100,000 extra one-cell sheets, written straight into the zip."""
    names = [f"S{n:06d}" for n in range(1, 100_001)]
    return _add_sheets(register(where.folder / "big_100k_sheets.xlsx", _department("big_100k_sheets")), names)


def quote_sheet_name(where: Where) -> Path:
    """A register with an extra sheet whose name holds an apostrophe (links to it must be escaped)."""
    path = register(where.folder / "quote_sheet_name.xlsx", _department("quote_sheet_name"))
    return _add_sheets(path, ["O'Brien 备注"])


def _add_sheets(path: Path, names: list[str]) -> Path:
    """Append one-cell sheets to a workbook: workbook.xml, its relationships, content types, parts."""
    entries = _read_zip(path)
    ids = [f"rIdX{n}" for n in range(len(names))]
    parts = [f"worksheets/x{n}.xml" for n in range(len(names))]
    sheets = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{1000 + n}" r:id="{rid}"/>'
        for n, (name, rid) in enumerate(zip(names, ids, strict=True))
    )
    rels = "".join(
        f'<Relationship Id="{rid}" Type="{SHEET_REL}" Target="{part}"/>' for rid, part in zip(ids, parts, strict=True)
    )
    types = "".join(f'<Override PartName="/xl/{part}" ContentType="{WORKSHEET_TYPE}"/>' for part in parts)
    entries["xl/workbook.xml"] = entries["xl/workbook.xml"].replace(b"</sheets>", sheets.encode() + b"</sheets>")
    rels_name = "xl/_rels/workbook.xml.rels"
    entries[rels_name] = entries[rels_name].replace(b"</Relationships>", rels.encode() + b"</Relationships>")
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(b"</Types>", types.encode() + b"</Types>")
    one_cell = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN_NS}">'
        '<dimension ref="A1"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
    ).encode()
    deflated, crc = _deflated(one_cell, True), zlib.crc32(one_cell)
    raw = [(n, zlib.crc32(d), _deflated(d, True), len(d)) for n, d in entries.items()]
    return _raw_zip(path, [*raw, *((f"xl/{part}", crc, deflated, len(one_cell)) for part in parts)])


# ---------------------------------------------------------------- shared strings


def huge_shared_strings(where: Where) -> Path:
    """A clean register whose shared-strings table also holds a million unused strings (~30 MB)."""
    path = register(where.folder / "huge_shared_strings.xlsx", _department("huge_shared_strings"))
    entries = _read_zip(path)
    sst = entries["xl/sharedStrings.xml"]
    extra = 1_000_000
    used = int(re.search(rb'uniqueCount="(\d+)"', sst).group(1))  # type: ignore[union-attr]
    head, tail = sst[: sst.rindex(b"</sst>")], b"</sst>"
    head = re.sub(rb'uniqueCount="\d+"', f'uniqueCount="{used + extra}"'.encode(), head, count=1)

    def chunks() -> Iterator[bytes]:
        yield head
        yield from _batched(f"<si><t>unused string number {n:07d}</t></si>" for n in range(extra))
        yield tail

    name = "xl/sharedStrings.xml"
    return _write_zip(path, [(n, chunks() if n == name else d) for n, d in entries.items()])


def sst_count_lie(where: Where) -> Path:
    """A clean register whose shared-strings table claims 2,147,483,647 strings (a reader must not
    allocate by the claim)."""
    path = register(where.folder / "sst_count_lie.xlsx", _department("sst_count_lie"))
    entries = _read_zip(path)
    sst = entries["xl/sharedStrings.xml"]
    sst = re.sub(rb'count="\d+" uniqueCount="\d+"', b'count="2147483647" uniqueCount="2147483647"', sst, count=1)
    entries["xl/sharedStrings.xml"] = sst
    return _write_zip(path, entries.items())


def sst_bad_index(where: Where) -> Path:
    """Shared-string indexes -1, abc and far past the table in problem rows (never 'string 0')."""
    cells = {
        "A2": '<c r="A2" t="s"><v>-1</v></c>',
        "B2": '<c r="B2" t="s"><v>abc</v></c>',
        "D3": '<c r="D3" t="s"><v>99999999</v></c>',
    }
    return _patched_register(where, "sst_bad_index.xlsx", PROBLEMS.zh, cells)


def not_finite(where: Where) -> Path:
    """NaN, inf and 1e999 typed as text in number cells (problems' values, a KPI's baseline)."""
    current, benchmark = _letter("problems", "current_value"), _letter("problems", "benchmark_value")
    path = _patched_register(
        where,
        "not_finite.xlsx",
        PROBLEMS.zh,
        {f"{current}2": _text_cell(f"{current}2", "NaN"), f"{benchmark}2": _text_cell(f"{benchmark}2", "inf")},
    )
    entries = _read_zip(path)
    part = _sheet_part(entries, RESULTS.zh)
    ref = f"{_letter('results', 'baseline')}2"
    entries[part] = _put_cells(entries[part].decode(), {ref: _text_cell(ref, "1e999")}).encode()
    return _write_zip(path, entries.items())


# ---------------------------------------------------------------- zip bomb and a large legitimate workbook


BOMB_BYTES = 3 << 30  # declared and real size of the inflated sheet: 3 GiB of XML whitespace
BOMB_CHUNK = 1 << 20


def zip_bomb(where: Where) -> Path:
    """A register whose problems sheet inflates to 3 GiB (about 3 MB on disk), written by hand:
    one deflated MiB of spaces repeated, each piece independent after a full flush."""
    path = register(where.folder / "zip_bomb.xlsx", _department("zip_bomb"))
    entries = _read_zip(path)
    part = _sheet_part(entries, PROBLEMS.zh)
    head = entries[part][: entries[part].index(b"<sheetData>") + len(b"<sheetData>")]
    tail = b"</sheetData></worksheet>"
    pieces = [_deflated(head), *([_deflated(b" " * BOMB_CHUNK)] * (BOMB_BYTES // BOMB_CHUNK)), _deflated(tail, True)]
    crc = _crc_repeat(zlib.crc32(head), zlib.crc32(b" " * BOMB_CHUNK), BOMB_CHUNK, BOMB_BYTES // BOMB_CHUNK)
    crc = _crc32_combine(crc, zlib.crc32(tail), len(tail))
    size = len(head) + BOMB_BYTES + len(tail)
    raw = [(n, zlib.crc32(d), _deflated(d, True), len(d)) for n, d in entries.items() if n != part]
    return _raw_zip(path, [*raw, (part, crc, b"".join(pieces), size)])


def _deflated(data: bytes, final: bool = False) -> bytes:
    """Raw deflate of `data`, ending with a full flush (or the final block) so pieces concatenate."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


def _raw_zip(path: Path, entries: list[tuple[str, int, bytes, int]]) -> Path:
    """A zip from already deflated entries: (name, crc32, deflated bytes, inflated size); no zip64."""
    local, central = bytearray(), bytearray()
    for name, crc, data, size in entries:  # 100,000 entries take a fraction of a second
        fields = (20, 0, 8, 0, 0x21, crc, len(data), size, len(name.encode()), 0)
        central += (
            b"PK\x01\x02"
            + (20).to_bytes(2, "little")
            + _pack("HHHHHIIIHH", fields)
            + _pack("HHHII", (0, 0, 0, 0, len(local)))
            + name.encode()
        )
        local += b"PK\x03\x04" + _pack("HHHHHIIIHH", fields) + name.encode() + data
    path.write_bytes(bytes(local + central + _end_records(len(entries), len(central), len(local))))
    return path


def _end_records(count: int, central_size: int, central_offset: int) -> bytes:
    """The end of central directory, with its zip64 record and locator when there are over 65,535 entries."""
    if count <= 0xFFFF:
        return b"PK\x05\x06" + _pack("HHHHIIH", (0, 0, count, count, central_size, central_offset, 0))
    zip64_at = central_offset + central_size
    record = b"PK\x06\x06" + _pack("QHHIIQQQQ", (44, 45, 45, 0, 0, count, count, central_size, central_offset))
    locator = b"PK\x06\x07" + _pack("IQI", (0, zip64_at, 1))
    return record + locator + b"PK\x05\x06" + _pack("HHHHIIH", (0, 0, 0xFFFF, 0xFFFF, central_size, central_offset, 0))


def _pack(fmt: str, values: tuple[int, ...]) -> bytes:
    import struct

    return struct.pack("<" + fmt, *values)


def _crc_repeat(crc: int, piece: int, length: int, times: int) -> int:
    """CRC-32 of data (crc) followed by `times` copies of a piece (its crc and length), by doubling."""
    block_crc, block_len = piece, length
    while times:
        if times & 1:
            crc = _crc32_combine(crc, block_crc, block_len)
        block_crc, block_len = _crc32_combine(block_crc, block_crc, block_len), block_len * 2
        times >>= 1
    return crc


def _crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """zlib's crc32_combine: the CRC of A+B from crc(A), crc(B) and len(B)."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, i = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[i]
        vector >>= 1
        i += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


def legit_large(where: Where) -> Path:
    """A genuine large register that must pass: 2,500 rows on each of the nine table sheets."""
    return register(where.folder / "legit_large.xlsx", _department("legit_large"), rows=2_500, seed=11)


# ---------------------------------------------------------------- wrong extensions and damaged files


def xls_named_xlsx(where: Where) -> Path:
    """A real BIFF8 .xls (not a register) named .xlsx."""
    return _copy(CORPUS / "poi__SampleSS.xls", where.folder / "xls_named.xlsx")


def ods_named_xlsx(where: Where) -> Path:
    """A real .ods (not a register) named .xlsx."""
    return _copy(CORPUS / "poi__SampleSS.ods", where.folder / "ods_named.xlsx")


def register_named_xls(where: Where) -> Path:
    """A clean .xlsx register named .xls."""
    return register(where.folder / "register_named.xls", _department("register_named_xls"))


def register_named_ods(where: Where) -> Path:
    """A clean .xlsx register named .ods."""
    return register(where.folder / "register_named.ods", _department("register_named_ods"))


def csv_named_xlsx(where: Where) -> Path:
    """A CSV export named .xlsx."""
    path = where.folder / "csv_named.xlsx"
    path.write_text("问题编号,触发场景,发现渠道\nP-001,效率,监控\n", encoding="utf-8")
    return path


def pdf_named_xlsx(where: Where) -> Path:
    """A PDF named .xlsx."""
    path = where.folder / "pdf_named.xlsx"
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>"
        b"endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return path


def zip_named_xlsx(where: Where) -> Path:
    """An ordinary zip of text files named .xlsx."""
    return _write_zip(
        where.folder / "zip_named.xlsx", [("readme.txt", b"not a workbook\n"), ("data/list.txt", b"a\nb\n")]
    )


def truncated(where: Where) -> Path:
    """A register cut off halfway (an interrupted upload)."""
    path = register(where.folder / "truncated.xlsx", _department("truncated"))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


FUZZ = {  # name -> (corpus .xls, seed, bit flips); each checked by hand against calamine and xlrd
    "fuzz_panic_1.xls": ("sheetjs__LONumbers.xls", 0, 6),  # calamine panics (PanicException); xlrd fails
    "fuzz_panic_2.xls": ("sheetjs__LONumbers.xls", 2, 6),  # calamine panics; xlrd fails
    "fuzz_abort.xls": ("poi__SampleSS.xls", 20, 8),  # calamine asks for 257 GB and aborts; xlrd reads it
    "fuzz_error.xls": ("poi__SampleSS.xls", 10, 8),  # calamine and xlrd both raise
}


def fuzzed(name: str) -> Builder:
    """A real .xls with bits flipped past the OLE header, deterministically."""

    def build(where: Where) -> Path:
        source, seed, flips = FUZZ[name]
        data = bytearray((CORPUS / source).read_bytes())
        rng = random.Random(seed)
        for _ in range(flips):
            data[rng.randrange(512, len(data))] ^= 1 << rng.randrange(8)
        path = where.folder / name
        path.write_bytes(bytes(data))
        return path

    build.__doc__ = f"{name}: {FUZZ[name]}"
    return build


DOCTYPE = b'<!DOCTYPE worksheet [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


def doctype_part(name: str, suffix: str) -> Builder:
    """A register whose problems sheet part is renamed to end in `suffix` and declares a DOCTYPE with
    an external entity, used in a cell (the preflight must look at every part, whatever its name)."""

    def build(where: Where) -> Path:
        path = register(where.folder / name, _department(name))
        entries = _read_zip(path)
        part = _sheet_part(entries, PROBLEMS.zh)
        renamed = part[: -len(".xml")] + suffix
        xml = _put_cells(entries.pop(part).decode(), {"D2": '<c r="D2" t="inlineStr"><is><t>&e;</t></is></c>'})
        xml_bytes = xml.encode().replace(b"?>", b"?>" + DOCTYPE, 1)
        old, new = part.removeprefix("xl/"), renamed.removeprefix("xl/")
        rels = "xl/_rels/workbook.xml.rels"
        entries[rels] = entries[rels].replace(f'Target="{old}"'.encode(), f'Target="{new}"'.encode())
        types = "[Content_Types].xml"
        entries[types] = entries[types].replace(f'"/{part}"'.encode(), f'"/{renamed}"'.encode())
        return _write_zip(path, [*entries.items(), (renamed, xml_bytes)])

    build.__doc__ = f"DOCTYPE in a part ending {suffix}"
    return build


# ---------------------------------------------------------------- folder oddities


def hidden_file(where: Where) -> Path:
    """A register whose name starts with '.' (hidden on macOS and Linux)."""
    return register(where.folder / ".hidden.xlsx", _department("hidden"))


def lock_file(where: Where) -> Path:
    """The owner file Excel leaves beside an open workbook."""
    path = where.folder / "~$lock.xlsx"
    path.write_bytes(b"\x05Zhang" + b" " * 49 + b"\x05\x00Z\x00h\x00a\x00n\x00g\x00" + b"\x20\x00" * 50)
    return path


def dangling_link(where: Where) -> Path:
    """A symlink to a file that does not exist."""
    path = where.folder / "dangling.xlsx"
    path.symlink_to(where.folder / "no_such_file.xlsx")
    return path


def outside_link(where: Where) -> Path:
    """A symlink to a register outside the submissions folder (not followed)."""
    where.outside.mkdir(parents=True, exist_ok=True)
    target = register(where.outside / "elsewhere.xlsx", _department("outside_link"))
    path = where.folder / "outside_link.xlsx"
    path.symlink_to(target)
    return path


# ---------------------------------------------------------------- cases that need tools


def encrypted_agile(where: Where) -> Path | None:
    """A register encrypted by msoffcrypto-tool (agile encryption, password 'secret')."""
    try:
        import msoffcrypto  # type: ignore[import-not-found]
        from msoffcrypto.format.ooxml import OOXMLFile  # type: ignore[import-not-found]
    except ImportError:
        return None
    plain = register(where.folder / "encrypted_agile.tmp.xlsx", _department("encrypted_agile"))
    path = where.folder / "encrypted_agile.xlsx"
    with plain.open("rb") as src, path.open("wb") as out:
        OOXMLFile(src).encrypt("secret", out)
    plain.unlink()
    with path.open("rb") as fh:
        assert msoffcrypto.OfficeFile(fh).is_encrypted()
    return path


def libreoffice_resave(where: Where) -> Path | None:
    """A register opened and saved again by LibreOffice (as a department on Linux would)."""
    source = register(where.folder / "libreoffice_resave.tmp.xlsx", _department("libreoffice_resave"))
    return _libreoffice_convert(source, where.folder / "libreoffice_resave.xlsx", "xlsx:Calc MS Excel 2007 XML")


def _libreoffice_convert(source: Path, target: Path, filter_name: str) -> Path | None:
    """Convert with LibreOffice headless; None (and no file left) when LibreOffice is missing."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    try:
        if office is None:
            return None
        out = source.parent / f".lo-{target.stem}"
        profile = f"-env:UserInstallation={(out / 'profile').absolute().as_uri()}"  # concurrent runs never clash
        subprocess.run(
            [
                office,
                profile,
                "--headless",
                "--convert-to",
                filter_name,
                "--outdir",
                str(out / "converted"),
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        converted = next((out / "converted").iterdir())
        converted.rename(target)
        shutil.rmtree(out)
        return target
    finally:
        source.unlink(missing_ok=True)


def _copy(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target


# ---------------------------------------------------------------- the registry


CASES: dict[str, Builder] = {
    "register_clean.xlsx": register_clean,
    "far_xfd1048576.xlsx": far_xfd,
    "far_space_a1048576.xlsx": far_space,
    "far_formatting.xlsx": far_formatting,
    "far_iv65536.xls": far_iv65536_xls,
    "big_million_rows.xlsx": big_million_rows,
    "big_100k_sheets.xlsx": big_100k_sheets,
    "huge_shared_strings.xlsx": huge_shared_strings,
    "sst_count_lie.xlsx": sst_count_lie,
    "sst_bad_index.xlsx": sst_bad_index,
    "not_finite.xlsx": not_finite,
    "zip_bomb.xlsx": zip_bomb,
    "legit_large.xlsx": legit_large,
    "xls_named.xlsx": xls_named_xlsx,
    "ods_named.xlsx": ods_named_xlsx,
    "register_named.xls": register_named_xls,
    "register_named.ods": register_named_ods,
    "csv_named.xlsx": csv_named_xlsx,
    "pdf_named.xlsx": pdf_named_xlsx,
    "zip_named.xlsx": zip_named_xlsx,
    "truncated.xlsx": truncated,
    **{name: fuzzed(name) for name in FUZZ},
    "doctype_upper.xlsx": doctype_part("doctype_upper.xlsx", ".XML"),
    "doctype_other_ext.xlsx": doctype_part("doctype_other_ext.xlsx", ".dat"),
    "quote_sheet_name.xlsx": quote_sheet_name,
    ".hidden.xlsx": hidden_file,
    "~$lock.xlsx": lock_file,
    "dangling.xlsx": dangling_link,
    "outside_link.xlsx": outside_link,
    "encrypted_agile.xlsx": encrypted_agile,
    "libreoffice_resave.xlsx": libreoffice_resave,
}


def build_all(
    folder: Path, *, outside: Path, names: Iterable[str] | None = None, jobs: int = 1
) -> dict[str, Path | None]:
    """Build the cases (all, or `names`) into `folder`: name -> path, or None when not buildable here.

    With `jobs` > 1 the cases are built in that many processes (the slowest take a few seconds each).
    """
    folder.mkdir(parents=True, exist_ok=True)
    where = Where(folder, outside)
    todo = list(CASES if names is None else names)
    if jobs <= 1:
        return {name: build_one(name, where) for name in todo}
    with ProcessPoolExecutor(jobs) as pool:
        slowest_first = sorted(todo, key=lambda n: n not in SLOW)
        built = dict(zip(slowest_first, pool.map(build_one, slowest_first, [where] * len(todo)), strict=True))
    return {name: built[name] for name in todo}


SLOW = frozenset(
    {
        "big_100k_sheets.xlsx",
        "big_million_rows.xlsx",
        "legit_large.xlsx",
        "far_iv65536.xls",
        "libreoffice_resave.xlsx",
        "far_formatting.xlsx",
        "huge_shared_strings.xlsx",
    }
)


def build_one(name: str, where: Where) -> Path | None:
    """Build one case by name (a module-level function, so worker processes can run it)."""
    return CASES[name](where)
