"""Template-shaped workbooks for tests, each distinct one written once per test session.

`templates.write_workbook` is the real writer, and it is slow (xlsxwriter builds every formula
and validation: about 0.3-1 s a workbook). Most tests ask for the same few registers again and
again, so the first call's bytes are kept, keyed by every argument, and later calls copy them to
the path asked for. The bytes are exactly what the writer produced for those arguments (its file
name's stem is part of the key: the writer records it), so a test sees the same file either way,
and a test that damages its copy afterwards damages only its own copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ci_excel.templates import write_workbook

_WRITTEN: dict[str, bytes] = {}


def cached_workbook(path: Path, sheets: Sequence[str], **options: Any) -> Path:
    """`write_workbook(path, sheets, **options)`, the bytes made once per distinct set of arguments."""
    key = repr((path.stem, path.suffix, tuple(sheets), sorted(options.items())))
    data = _WRITTEN.get(key)
    if data is None:
        write_workbook(path, sheets, **options)
        _WRITTEN[key] = path.read_bytes()
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
