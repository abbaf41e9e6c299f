"""Benchmark: `validate_paths` against plain pandas.read_excel(engine="openpyxl") over the same files.

Generates N realistic registers (every sheet, ~40 rows each, the real template layout written by
templates.write_workbook) into a temporary folder, then times, in this one process:
  - pandas.read_excel(path, sheet_name=None, engine="openpyxl") for every file (reading only);
  - ci_excel.validation.validate_paths(folder) (reading, typing, every check, merging).
Each is run `--repeat` times, alternating, and the best time of each is kept. Prints both times
and the ratio. Run: python -m benchmarks.bench_validate [--n 300] [--repeat 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from ci_excel.schema import TABLE_SHEETS
from ci_excel.templates import write_workbook
from ci_excel.validation import validate_paths

ROWS = 40


def _rows(n: int) -> dict[str, list[dict[str, Any]]]:
    """n problems, each with a 5-Why chain, a fishbone cause, a check, a solution, an action, progress, a KPI."""
    day = date(2026, 10, 1)
    tables: dict[str, list[dict[str, Any]]] = {s.key: [] for s in TABLE_SHEETS}
    for i in range(1, n + 1):
        pid, rid, sid, aid = f"P-{i:03d}", f"P-{i:03d}-R1", f"S-{i:03d}", f"A-{i:03d}"
        tables["problems"].append(
            {
                "problem_id": pid,
                "trigger": "efficiency",
                "channel": "monitoring",
                "scenario": f"场景{i}",
                "process_step": "订单审核",
                "issue": "人工重复录入信息",
                "effect": "订单处理时效延长",
                "quantification": f"延长{i % 5 + 1}小时",
                "scope": "全部订单",
                "impact": ("high", "medium", "low")[i % 3],
                "difficulty": ("low", "medium", "high")[i % 3],
                "owner": "张三",
                "identified_on": day + timedelta(i % 20),
                "metric": "时效",
                "current_value": 4 + i % 3,
                "benchmark_value": 2,
            }
        )
        tables["why_chains"].append(
            {
                "problem_id": pid,
                "root_cause_id": rid,
                "why_1": "因为人工录入",
                "why_2": "因为系统无法抓取",
                "why_3": "因为接口未对接",
                "why_4": None,
                "why_5": None,
                "root_cause": "需求调研未覆盖一线",
            }
        )
        tables["fishbone"].append(
            {
                "problem_id": pid,
                "category": "machine",
                "cause": "接口未对接",
                "sub_cause": "地址",
                "frequency": i,
                "is_root": True,
                "root_cause_id": rid,
            }
        )
        tables["verification"].append(
            {
                "root_cause_id": rid,
                "method": "data",
                "evidence": "抽查10单",
                "sample_size": 10,
                "support_share": 0.8,
                "conclusion": "confirmed",
                "verified_on": day + timedelta(10),
            }
        )
        tables["solutions"].append(
            {
                "solution_id": sid,
                "problem_id": pid,
                "root_cause_id": rid,
                "description": "开发接口",
                "category": "tool",
                "effectiveness": 5,
                "feasibility": 4,
                "cost": 3,
                "risk": 2 + i % 3,
                "total": None,
                "selected": True,
            }
        )
        tables["actions"].append(
            {
                "action_id": aid,
                "solution_id": sid,
                "what": "开发接口",
                "who": "李四",
                "how": "对接CRM",
                "start_on": day,
                "due_on": day + timedelta(30 + i % 30),
                "resources": "2人",
                "deliverable": "上线",
            }
        )
        tables["progress"].append(
            {
                "action_id": aid,
                "status": "in_progress",
                "percent_done": (i % 10) / 10,
                "finished_on": None,
                "blockers": "排期",
                "updated_on": day + timedelta(40),
            }
        )
        tables["results"].append(
            {
                "problem_id": pid,
                "kpi": "时效",
                "unit": "小时",
                "direction": "lower",
                "baseline": 4,
                "target": 2,
                "actual": 2.5,
                "measured_on": day + timedelta(50),
                "annual_benefit": 1000 * i,
            }
        )
        tables["standards"].append(
            {
                "problem_id": pid,
                "kind": "sop",
                "document": f"SOP-{i}",
                "effective_on": day + timedelta(55),
                "rollout_scope": "全部",
                "lessons": "-",
                "closed": False,
            }
        )
    return tables


def generate(folder: Path, n: int) -> list[Path]:
    rows = _rows(ROWS)
    sheets = [s.key for s in TABLE_SHEETS]
    paths = []
    for i in range(n):
        info = {"department": f"部门{i:03d}", "period": "2026-11", "contact": "张三"}
        paths.append(write_workbook(folder / f"dept_{i:03d}.xlsx", sheets, info=info, rows=rows, with_example=False))
    return paths


def _time_pandas(paths: list[Path]) -> float:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: "Data Validation extension is not supported"
        for path in paths:
            pd.read_excel(path, sheet_name=None, engine="openpyxl")
    return time.perf_counter() - start


def _time_validate(folder: Path) -> tuple[float, int]:
    start = time.perf_counter()
    run = validate_paths([folder], root=folder)
    return time.perf_counter() - start, len(run.issues)


def bench(n: int, repeat: int = 2) -> tuple[float, float, int]:
    """Best of `repeat` alternating runs of each, so a busy machine skews both alike."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = generate(folder, n)
        pandas_times, our_times, issues = [], [], 0
        for _ in range(repeat):
            pandas_times.append(_time_pandas(paths))
            ours, issues = _time_validate(folder)
            our_times.append(ours)
        return min(pandas_times), min(our_times), issues


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="number of workbooks (default 300)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, best kept (default 2)")
    args = parser.parse_args()
    pandas_time, ours, issues = bench(args.n, args.repeat)
    print(f"workbooks: {args.n} ({ROWS} rows per sheet, {len(TABLE_SHEETS)} table sheets)")
    print(f"pandas.read_excel(engine='openpyxl'): {pandas_time:.2f} s")
    print(f"ci_excel validate_paths:            {ours:.2f} s ({issues} issues)")
    print(f"ratio: {pandas_time / ours:.1f}x")


if __name__ == "__main__":
    main()
