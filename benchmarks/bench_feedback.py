"""How the feedback workbook scales with sheets x issues: `python -m benchmarks.bench_feedback`.

For each of `--sheets` (default 1,000, 2,000 and 8,000) a workbook of that many one-cell sheets
is written with xlsxwriter, then `write_feedback` annotates it with one issue per sheet; the time
of the feedback copy alone is printed, with its ratio to the smallest size, and whether the copy
was annotated or stand-alone (past MAX_SHEETS, where openpyxl's own load turns quadratic).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import openpyxl
import xlsxwriter

from ci_excel.issues import Issue
from ci_excel.render.feedback_xlsx import write_feedback


def many_sheets(path: Path, n: int) -> list[Issue]:
    """A workbook of `n` sheets with one value each, and one issue per sheet at that value."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    issues = []
    for i in range(n):
        name = f"S{i}"
        book.add_worksheet(name).write_string(0, 0, "x")
        issues.append(Issue("enum-invalid", path.name, sheet=name, cell="A1", column="c", value="x"))
    book.close()
    return issues


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sheets", type=int, nargs="+", default=[1000, 2000, 8000])
    args = parser.parse_args()
    first: float | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sheets:
            source = Path(tmp) / f"sheets{n}.xlsx"
            issues = many_sheets(source, n)
            start = time.perf_counter()
            out = write_feedback(source, issues, Path(tmp) / f"fb{n}.xlsx")
            took = time.perf_counter() - start
            first = first or took
            how = "annotated" if len(openpyxl.load_workbook(out, read_only=True).sheetnames) > 1 else "stand-alone"
            print(f"{n:>7} sheets, {len(issues)} issues: {took:6.2f} s  ({took / first:.1f}x, {how})")


if __name__ == "__main__":
    main()
