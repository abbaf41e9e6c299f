"""Atomic writes and safe names: what every output relies on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ci_excel.fileio import atomic_write, safe_filename


def test_atomic_write_replaces_whole_and_respects_umask(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.txt"
    target.parent.mkdir()
    target.write_text("old")
    previous = os.umask(0o022)
    try:
        atomic_write(target, lambda tmp: tmp.write_text("new"))
    finally:
        os.umask(previous)
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o644  # shared with the PMO, not private like mkstemp's
    assert [p.name for p in target.parent.iterdir()] == ["report.txt"]


def test_failed_write_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "summary.xlsx"
    target.write_text("previous")

    def broken(tmp: Path) -> None:
        tmp.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, broken)
    assert target.read_text() == "previous" and [p.name for p in tmp_path.iterdir()] == ["summary.xlsx"]


@pytest.mark.parametrize(
    ("typed", "safe"),
    [
        ("研发/测试部", "研发_测试部"),
        ("  客服部 ", "客服部"),
        ("a:b*c?", "a_b_c"),
        ("CON", "_CON"),
        ("", "unnamed"),
        ("..", "unnamed"),
        ("ＡＢＣ部", "ABC部"),
        ("x\ny\tz", "x_y_z"),
    ],
)
def test_safe_filename(typed: str, safe: str) -> None:
    assert safe_filename(typed) == safe
