"""How long write_summary takes for a large period: `python -m benchmarks.bench_summary --n 300`.

Prints the build and write times, the rows written and the rows per second; the target is
under 5 seconds for 300 departments (about 12,000 problem-level rows).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import openpyxl

from ci_excel.render.summary_xlsx import write_summary
from tests.factories import sample_period


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="departments")
    parser.add_argument("--problems", type=int, default=4, help="problems per department")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    result = sample_period(args.n, args.problems, lang=args.lang)
    built = time.perf_counter() - started
    rows = sum(len(rows) for d in result.departments for rows in d.tables.values())
    best = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "portfolio_summary.xlsx"
        for _ in range(args.repeat):
            started = time.perf_counter()
            write_summary(result, out, lang=args.lang)
            best = min(best, time.perf_counter() - started)
        size = out.stat().st_size
        written = _rows_written(out)
    print(f"departments={args.n} problem_level_rows={rows} build={built:.2f}s")
    print(f"rows written per sheet: {written}")
    total = sum(written.values())
    print(f"write_summary best of {args.repeat}: {best:.2f}s for {total} rows ({total / best:,.0f} rows/s, "
          f"{size / 1e6:.1f} MB); target 5 s: ratio {best / 5:.2f}")


def _rows_written(path: Path) -> dict[str, int]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: max(ws.max_row - 1, 0) for ws in book.worksheets}
    finally:
        book.close()


if __name__ == "__main__":
    main()
