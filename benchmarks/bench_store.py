"""How long the history store takes to save and load a large period.

    python -m benchmarks.bench_store [--departments 300] [--problems 30] [--url URL]

30 problems per department make about 420 rows over the 10 entity tables plus root causes
(~40 a table), so the default is 300 departments x ~40 rows x 10 tables.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from benchmarks.sample_submissions import problem_tables, submission
from ci_excel.compute import compute_department, period_figures
from ci_excel.config import Config
from ci_excel.model import PeriodResult
from ci_excel.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--departments", type=int, default=300)
    parser.add_argument("--problems", type=int, default=30)
    parser.add_argument("--url", default=None, help="SQLAlchemy URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    config = Config()
    started = time.perf_counter()
    departments = [
        compute_department(submission(f"部门{i:03}", tables=problem_tables(args.problems, done=i % 5)), config=config)
        for i in range(args.departments)
    ]
    computed = time.perf_counter() - started
    rows = sum(len(t) for d in departments for t in d.tables.values())
    result = PeriodResult("2026-11", departments, trend=[])
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(args.url, path_default=Path(tmp) / "bench.sqlite")
        store.delete_period("2026-11")
        timings = {"compute": computed}
        for label, run in (
            ("save", lambda: store.save_period(result)),
            ("save again (replace)", lambda: store.save_period(result)),
            ("load", lambda: store.load_period("2026-11")),
        ):
            started = time.perf_counter()
            run()
            timings[label] = time.perf_counter() - started
        timings["of which: copy into the store"] = copy_seconds(store, result)
        store.close()
    print(f"{args.departments} departments, {rows} rows ({rows / args.departments:.0f} per department)")
    for label, seconds in timings.items():
        print(f"  {label:<30} {seconds:6.2f} s  {rows / seconds:9.0f} rows/s")


def copy_seconds(store: Store, result: PeriodResult) -> float:
    """How long the store's own transaction takes (the rest of a save goes to a private file)."""
    with store.period_writer(result.period, generated_on=None) as writer:
        for dept in result.departments:
            writer.add(dept)
        writer.finish(
            period_figures(result.period, result.departments, previous_problem_ids=None), missing=[], issues=[]
        )
        started = time.perf_counter()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
