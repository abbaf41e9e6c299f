"""A corpus of N department registers for the benchmarks: valid data with a sprinkling of mistakes.

Every workbook is a full ci_register (written by ci_excel.templates.write_workbook, so it is exactly
what departments send) with `rows_per_sheet` rows on every table sheet. About one workbook in ten
carries one typical mistake (an enum typo, a bad date, a percent typed as 60, a wrong total, an
unknown reference). Generation is deterministic for a seed and runs in parallel.

    python -m benchmarks.corpus OUT --n 300
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ci_excel.schema import REGISTER, TABLE_SHEETS
from ci_excel.templates import write_workbook

Row = dict[str, Any]

CITIES = (
    "华东",
    "华南",
    "华北",
    "华中",
    "西南",
    "西北",
    "东北",
    "上海",
    "北京",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "成都",
    "武汉",
    "西安",
    "重庆",
    "天津",
    "苏州",
    "长沙",
    "郑州",
    "青岛",
    "厦门",
    "合肥",
    "济南",
    "沈阳",
    "昆明",
    "福州",
    "宁波",
    "大连",
)
UNITS = (
    "电商运营部",
    "客户服务部",
    "物流部",
    "财务部",
    "项目管理部",
    "采购部",
    "仓储部",
    "市场部",
    "人力资源部",
    "信息技术部",
)
SCENARIOS = (
    ("电商大促", "订单审核", "人工重复录入收货信息", "订单处理时效延长2小时"),
    ("售后咨询", "投诉处理", "投诉处理慢且反复转接", "客户满意度下降"),
    ("华东区域配送", "干线转运", "中转仓分拣等待时间长", "物流时效慢"),
    ("订单履约", "仓配成本核算", "单均履约成本上升", "毛利率下降"),
    ("跨部门项目立项", "立项审批", "审批节点冗余", "项目启动延迟"),
    ("费用报销", "报销审批", "报销单据退回率高", "报销周期长"),
    ("新品上架", "详情审核", "审核标准不统一", "上架周期延长"),
    ("直播带货", "订单同步", "库存同步延迟导致超卖", "赔付增加"),
)
PEOPLE = ("张敏", "王丽", "赵刚", "陈静", "孙磊", "刘洋", "周涛", "李娜", "吴昊", "郑凯", "钱伟", "孙强")
MISTAKE_SHARE = 0.1


def department_name(index: int) -> str:
    """A unique, realistic department name for workbook `index`."""
    city, rest = CITIES[index % len(CITIES)], index // len(CITIES)
    unit, group = UNITS[rest % len(UNITS)], rest // len(UNITS)
    return f"{city}{unit}" + (f"{group + 1}组" if group else "")


def register_rows(rng: random.Random, n: int, period: str, *, problems: int | None = None) -> dict[str, list[Row]]:
    """`n` valid rows on every table sheet, consistent across sheets.

    With `problems` (< n) the problems sheet holds that many problems and the other sheets' rows
    spread over them (several chains, causes, actions and KPIs per problem); by default every row
    is its own problem.
    """
    year, month = (int(p) for p in period.split("-"))
    first = date(year, month, 1)
    count = min(problems or n, n)
    tables: dict[str, list[Row]] = {s.key: [] for s in TABLE_SHEETS}
    for i in range(1, n + 1):
        for key, row in _problem_chain(rng, i, (i - 1) % count + 1, (i - 1) // count + 1, first).items():
            if key != "problems" or i <= count:
                tables[key].append(row)
    return tables


def _problem_chain(rng: random.Random, i: int, problem: int, cause: int, first: date) -> dict[str, Row]:
    pid, rc, sid, aid = f"P-{problem:03d}", f"P-{problem:03d}-R{cause}", f"S-{i:03d}", f"A-{i:03d}"
    scenario, step, issue, effect = rng.choice(SCENARIOS)
    day = first + timedelta(days=rng.randrange(0, 25))
    scores = [rng.randint(2, 5) for _ in range(4)]
    status = rng.choice(("not_started", "in_progress", "in_progress", "done", "delayed"))
    baseline = rng.randint(20, 90)
    return {
        "problems": {
            "problem_id": pid,
            "trigger": rng.choice(("efficiency", "quality", "feedback", "cost")),
            "channel": rng.choice(("monitoring", "user_feedback", "interview", "benchmark")),
            "scenario": scenario,
            "process_step": step,
            "issue": issue,
            "effect": effect,
            "quantification": f"影响{rng.randint(5, 60)}%的订单",
            "scope": "全部订单",
            "impact": rng.choice(("high", "medium", "low")),
            "difficulty": rng.choice(("high", "medium", "low")),
            "owner": rng.choice(PEOPLE),
            "identified_on": day,
            "metric": None,
            "current_value": None,
            "benchmark_value": None,
        },
        "why_chains": {
            "problem_id": pid,
            "root_cause_id": rc,
            "why_1": f"{issue}",
            "why_2": "系统未对接",
            "why_3": "需求未覆盖一线场景",
            "why_4": None,
            "why_5": None,
            "root_cause": f"第{i}项:需求调研未覆盖一线操作场景",
        },
        "fishbone": {
            "problem_id": pid,
            "category": rng.choice(("man", "machine", "material", "method")),
            "cause": f"原因{i}:{issue}",
            "sub_cause": None,
            "frequency": rng.randint(1, 90),
            "is_root": True,
            "root_cause_id": rc,
        },
        "verification": {
            "root_cause_id": rc,
            "method": rng.choice(("data", "trial")),
            "evidence": f"抽查{rng.randint(10, 500)}单,多数与该原因有关",
            "sample_size": rng.randint(10, 500),
            "support_share": round(rng.uniform(0.5, 0.95), 2),
            "conclusion": "confirmed",
            "verified_on": day + timedelta(days=2),
        },
        "solutions": {
            "solution_id": sid,
            "problem_id": pid,
            "root_cause_id": rc,
            "description": f"方案{i}:优化{step}流程",
            "category": rng.choice(("process", "tool")),
            "effectiveness": scores[0],
            "feasibility": scores[1],
            "cost": scores[2],
            "risk": scores[3],
            "total": sum(scores),
            "selected": sum(scores) >= 12,
        },
        "actions": {
            "action_id": aid,
            "solution_id": sid,
            "what": f"行动{i}:落实{step}改进",
            "who": rng.choice(PEOPLE),
            "how": "试点后推广",
            "start_on": day,
            "due_on": day + timedelta(days=30),
            "resources": None,
            "deliverable": "上线",
        },
        "progress": {
            "action_id": aid,
            "status": status,
            "percent_done": 1.0 if status == "done" else 0.5,
            "finished_on": day + timedelta(days=20) if status == "done" else None,
            "blockers": None,
            "updated_on": day + timedelta(days=3),
        },
        "results": {
            "problem_id": pid,
            "kpi": f"指标{i}",
            "unit": "%",
            "direction": "lower",
            "baseline": baseline,
            "target": baseline // 2,
            "actual": baseline - rng.randint(0, baseline // 2),
            "measured_on": day + timedelta(days=4),
            "annual_benefit": rng.randint(0, 50) * 10000,
        },
        "standards": {
            "problem_id": pid,
            "kind": rng.choice(("sop", "policy", "training", "checklist")),
            "document": f"SOP-{i:03d}",
            "effective_on": day + timedelta(days=5),
            "rollout_scope": "本部门",
            "lessons": "先试点再推广",
            "closed": False,
        },
    }


def _mistake(rng: random.Random, tables: dict[str, list[Row]]) -> None:
    """One typical mistake in a random row."""
    kind = rng.randrange(5)
    if kind == 0:
        rng.choice(tables["problems"])["impact"] = "高高"
    elif kind == 1:
        rng.choice(tables["progress"])["updated_on"] = "2026/13/45"
    elif kind == 2:
        rng.choice(tables["progress"])["percent_done"] = 60
    elif kind == 3:
        row = rng.choice(tables["solutions"])
        row["total"] = row["total"] + 1
    else:
        rng.choice(tables["results"])["problem_id"] = "P-999"


def write_department(
    path: Path, index: int, *, rows_per_sheet: int, seed: int, period: str, problems: int | None = None
) -> Path:
    """Write workbook `index` of the corpus (deterministic for the seed)."""
    rng = random.Random(seed * 1_000_003 + index)
    tables = register_rows(rng, rows_per_sheet, period, problems=problems)
    if rng.random() < MISTAKE_SHARE:
        _mistake(rng, tables)
    year, month = (int(p) for p in period.split("-"))
    info = {
        "department": department_name(index),
        "period": period,
        "contact": rng.choice(PEOPLE),
        "contact_info": f"dept{index:04d}@example.com",
        "submitted_on": date(year, month, 28),
    }
    return write_workbook(
        path, [s.key for s in TABLE_SHEETS], info=info, rows=tables, with_example=False, workbook=REGISTER
    )


def _write_one(args: tuple[Path, int, int, int, str, int | None]) -> Path:
    path, index, rows, seed, period, problems = args
    return write_department(path, index, rows_per_sheet=rows, seed=seed, period=period, problems=problems)


def generate_corpus(
    out: Path,
    n: int,
    *,
    rows_per_sheet: int = 40,
    seed: int = 0,
    period: str = "2026-11",
    problems: int | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write `n` department registers into `out` (in parallel); returns their paths in index order.

    `problems` per register defaults to `rows_per_sheet` (one row of every sheet per problem).
    """
    out.mkdir(parents=True, exist_ok=True)
    tasks = [(out / f"{i:04d}_{department_name(i)}.xlsx", i, rows_per_sheet, seed, period, problems) for i in range(n)]
    workers = jobs or os.cpu_count() or 1
    if workers == 1:
        return [_tick(_write_one(t), i, n, progress) for i, t in enumerate(tasks)]
    with ProcessPoolExecutor(workers) as pool:
        return [_tick(p, i, n, progress) for i, p in enumerate(pool.map(_write_one, tasks, chunksize=8))]


def _tick(path: Path, index: int, total: int, progress: Callable[[int, int], None] | None) -> Path:
    if progress is not None:
        progress(index + 1, total)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--problems", type=int, default=None, help="problems per register (default: --rows)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    start = time.perf_counter()
    paths = generate_corpus(
        args.out, args.n, rows_per_sheet=args.rows, seed=args.seed, jobs=args.jobs, problems=args.problems
    )
    seconds = time.perf_counter() - start
    print(f"wrote {len(paths)} workbooks to {args.out} in {seconds:.1f} s ({1000 * seconds / len(paths):.1f} ms each)")


if __name__ == "__main__":
    main()
