"""Legacy .xls files built byte by byte: a BIFF8 workbook stream in an OLE2 compound file.

Enough for calamine to read sheets of text (LABEL) and numbers (NUMBER) at given cells, with any
characters a legacy file can hold (control characters included), without an .xls writer.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from pathlib import Path

Cells = Mapping[tuple[int, int], str | float]  # (row, column), 0-based -> value

_END, _FREE, _FAT, _NONE = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def write_xls(path: Path, sheets: Mapping[str, Cells]) -> Path:
    """Write an .xls holding `sheets` (name -> cells) at `path`."""
    path.write_bytes(_compound(_workbook_stream(sheets)))
    return path


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(substream: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, substream, 0x0DBB, 0x07CC, 0, 6))


def _cell(row: int, col: int, value: str | float) -> bytes:
    if isinstance(value, str):
        raw = value.encode("utf-16-le", "surrogatepass")
        return _record(0x0204, struct.pack("<HHHHB", row, col, 0, len(raw) // 2, 1) + raw)  # LABEL
    return _record(0x0203, struct.pack("<HHHd", row, col, 0, value))  # NUMBER


def _boundsheet(position: int, name: str) -> bytes:
    raw = name.encode("utf-16-le")
    return _record(0x0085, struct.pack("<IBBBB", position, 0, 0, len(raw) // 2, 1) + raw)


def _sheet(cells: Cells) -> bytes:
    rows, cols = max(r for r, _ in cells) + 1, max(c for _, c in cells) + 1
    body = _bof(0x10) + _record(0x0200, struct.pack("<IIHHH", 0, rows, 0, cols, 0))
    body += b"".join(_cell(r, c, v) for (r, c), v in sorted(cells.items()))
    return body + _record(0x000A, b"")


def _workbook_stream(sheets: Mapping[str, Cells]) -> bytes:
    """Globals (BOF, 16 default XFs, a BOUNDSHEET per sheet, EOF), then each sheet's substream."""
    head = _bof(5) + _record(0x00E0, bytes(20)) * 16
    bodies = [_sheet(cells) for cells in sheets.values()]
    position = len(head) + sum(len(_boundsheet(0, n)) for n in sheets) + 4
    bound = b""
    for name, body in zip(sheets, bodies, strict=True):
        bound += _boundsheet(position, name)
        position += len(body)
    return head + bound + _record(0x000A, b"") + b"".join(bodies)


def _compound(stream: bytes) -> bytes:
    """An OLE2 file (512-byte sectors): FAT in sector 0, directory in 1, the "Workbook" stream from 2."""
    stream = stream.ljust(max(4096, -(-len(stream) // 512) * 512), b"\0")  # 4096+: no mini stream
    n = len(stream) // 512
    if n + 2 > 128:
        raise ValueError("one FAT sector holds 128 entries")
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<9I", header, 40, 0, 1, 1, 0, 4096, _END, 0, _END, 0)
    struct.pack_into("<109I", header, 76, 0, *[_FREE] * 108)
    fat = [_FAT, _END, *range(3, n + 2), _END]
    directory = (
        _entry("Root Entry", 5, 1, _END, 0)
        + _entry("Workbook", 2, _NONE, 2, len(stream))
        + _entry("", 0, _NONE, 0, 0) * 2
    )
    return bytes(header) + struct.pack("<128I", *fat, *[_FREE] * (128 - len(fat))) + directory + stream


def _entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
    raw = (name + "\0").encode("utf-16-le") if name else b""
    entry = bytearray(128)
    entry[: len(raw)] = raw
    struct.pack_into("<HBBIII", entry, 64, len(raw), kind, 1, _NONE, _NONE, child)
    struct.pack_into("<III", entry, 116, start, size, 0)
    return bytes(entry)
