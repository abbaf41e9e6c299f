"""The benchmark script runs (on a few files; its timings are printed, never asserted)."""

from __future__ import annotations

from benchmarks.bench_validate import bench


def test_bench_runs_on_a_few_workbooks() -> None:
    pandas_time, ours, issues = bench(2, repeat=1)
    assert pandas_time > 0 and ours > 0
    assert issues == 0  # the generated workbooks are clean
