"""A deterministic PeriodResult for renderer tests and benchmarks, made the way a run makes one.

`sample_period()` writes what departments would type (every input column of each sheet, as
validation returns it: enum keys, dates, numbers), wraps it in a `Submission` and passes it through
`ci_excel.compute.compute_department`, so renderers see production-shaped data: priority from
the matrix, stage "1".."6", flags, scores, overdue and achievement all computed by compute, the
period's figures by `compute.period_figures`. The scenarios come from the manual: 电商大促订单审核,
客服投诉, 物流时效, 成本异常, 跨部门审批.

Deliberate edge cases, so renderers meet them:
- every stage 1..6 and every priority P1..P4 occurs (with the defaults);
- overdue actions, missed KPIs, unverified root causes, a root cause found only on the fishbone,
  stalled problems (their stage history says so), fishbone causes with frequencies;
- a department name with unsafe file characters (UNSAFE_DEPARTMENT), always the second one;
- text typed by a department that starts with "=", "+", "-" or "@" (INJECTED and INJECTED_ISSUE_VALUE,
  first department);
- one late department (the third, or the last when fewer), missing=["采购部"], issues per department.

The earlier periods of the trend are the current figures scaled down (no rows behind them).
"""

from __future__ import annotations

import calendar
import random
from datetime import date, timedelta
from typing import Any

from ci_excel import model
from ci_excel.compute import compute_department, period_figures
from ci_excel.config import Config
from ci_excel.issues import CODES, Issue
from ci_excel.schema import SHEETS, TABLE_SHEETS, Lang

Row = dict[str, Any]

UNSAFE_DEPARTMENT = "研发/测试部"
MISSING = ["采购部"]
# Text cells of the first department that a spreadsheet would take for formulas: (sheet, column, value).
INJECTED: tuple[tuple[str, str, str], ...] = (
    ("problems", "scope", "=1+1 全部大促订单"),
    ("actions", "what", "@SUM(A1:A3) 上线校验脚本"),
    ("actions", "how", "+先试点后推广"),
    ("progress", "blockers", "-IT排期未定"),
)
INJECTED_ISSUE_VALUE = "=4*1.5"  # the value of the first department's not-number issue

_DEPARTMENTS = [
    "电商运营部",
    UNSAFE_DEPARTMENT,
    "客户服务部",
    "物流配送部",
    "财务部",
    "人力资源部",
    "市场部",
    "供应链管理部",
    "信息技术部",
    "质量管理部",
]
_PEOPLE = ["张三", "李四", "王五", "赵六", "孙七", "周八", "吴九", "郑十", "陈一", "刘二"]
_PEOPLE_EN = [
    "Zhang San",
    "Li Si",
    "Wang Wu",
    "Zhao Liu",
    "Sun Qi",
    "Zhou Ba",
    "Wu Jiu",
    "Zheng Shi",
    "Chen Yi",
    "Liu Er",
]

# (impact, difficulty) in an order that reaches P1..P4 within the first four problems.
_LEVELS = [
    ("high", "low"),
    ("medium", "medium"),
    ("low", "low"),
    ("low", "high"),
    ("high", "medium"),
    ("medium", "low"),
    ("medium", "high"),
    ("high", "high"),
    ("low", "medium"),
]
_SOLUTION_CATEGORIES = ["process", "tool", "people", "policy"]
_STANDARD_KINDS = ["sop", "policy", "training", "system", "checklist"]


def _t(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


# One scenario per manual example: the texts a department would type, in both languages.
_SCENARIOS: list[dict[str, Any]] = [
    {
        "trigger": "efficiency",
        "channel": "monitoring",
        "scenario": _t("电商大促", "Peak-sale e-commerce"),
        "process_step": _t("订单审核", "order review"),
        "issue": _t("人工重复录入信息", "manual re-entry of order data"),
        "effect": _t("订单处理时效延长2小时", "order handling takes 2 hours longer"),
        "quantification": _t("大促期间客户投诉量上升30%", "complaints up 30% during the sale"),
        "scope": _t("大促期间全部订单", "All peak-sale orders"),
        "metric": _t("订单处理时效(小时)", "Order handling time (h)"),
        "current": 4.0,
        "benchmark": 2.0,
        "whys": [
            _t("因为人工重复录入信息", "Order data is re-entered by hand"),
            _t("因为系统无法自动抓取用户地址", "The system cannot fetch addresses"),
            _t("因为旧系统接口未对接新CRM", "The old system is not connected to the new CRM"),
            _t("因为去年系统升级时遗漏了该接口需求", "The interface was missed in last year's upgrade"),
        ],
        "root_cause": _t("需求调研阶段未覆盖一线操作场景", "Requirements did not cover frontline work"),
        "causes": [
            (
                "machine",
                _t("旧系统接口未对接新CRM", "Old system not connected to the CRM"),
                _t("地址无法自动抓取", "Addresses not fetched"),
            ),
            (
                "man",
                _t("审核员不熟悉新流程", "Reviewers new to the process"),
                _t("大促临时工占比高", "Many temporary staff"),
            ),
            ("method", _t("审核规则分散在多个文档", "Review rules spread over many documents"), _t("", "")),
        ],
        "solutions": [
            _t("开发自动抓取接口", "Build an automatic fetch interface"),
            _t("增加大促临时录入人手", "Add temporary data-entry staff"),
        ],
        "actions": [
            _t("开发订单地址自动抓取接口", "Build the address fetch interface"),
            _t("上线前小范围试运行", "Pilot before launch"),
        ],
        "kpi": _t("订单处理时效", "Order handling time"),
        "unit": _t("小时", "hours"),
        "direction": "lower",
        "baseline": 4.0,
        "target": 2.0,
        "document": _t("订单审核SOP V2.0", "Order review SOP v2.0"),
        "lessons": _t("需求调研必须覆盖一线操作场景", "Requirements must cover frontline work"),
    },
    {
        "trigger": "feedback",
        "channel": "user_feedback",
        "scenario": _t("客服热线", "Customer service hotline"),
        "process_step": _t("投诉处理", "complaint handling"),
        "issue": _t("投诉处理流程不清晰", "an unclear complaint process"),
        "effect": _t("客户重复来电", "customers call again and again"),
        "quantification": _t("投诉率高于目标1.5个百分点", "complaint rate 1.5 points above target"),
        "scope": _t("全部客服坐席", "All service agents"),
        "metric": _t("投诉率(%)", "Complaint rate (%)"),
        "current": 3.5,
        "benchmark": 2.0,
        "whys": [
            _t("因为客户问题一次未解决", "Issues are not solved on first contact"),
            _t("因为坐席找不到最新产品信息", "Agents cannot find current product data"),
            _t("因为产品信息更新不及时", "Product data is updated late"),
        ],
        "root_cause": _t("产品信息无人负责同步", "Nobody owns product data sync"),
        "causes": [
            ("man", _t("新员工培训不足", "New staff under-trained"), _t("入职培训仅1天", "One-day induction")),
            ("machine", _t("工单系统响应慢", "Ticket system is slow"), _t("高峰期卡顿", "Lags at peak")),
            ("material", _t("产品信息更新不及时", "Product data updated late"), _t("", "")),
            ("method", _t("投诉处理流程不清晰", "Complaint process unclear"), _t("", "")),
            ("environment", _t("高峰期人力不足", "Too few people at peak"), _t("", "")),
            ("measurement", _t("满意度问卷设计不合理", "Survey design is poor"), _t("", "")),
        ],
        "solutions": [
            _t("建立产品信息每日同步机制", "Daily product data sync"),
            _t("增加新员工模拟培训", "Add simulated training for new staff"),
        ],
        "actions": [
            _t("指定产品信息同步责任人", "Name a product data owner"),
            _t("编写投诉处理话术手册", "Write a complaint handling script"),
        ],
        "kpi": _t("投诉率", "Complaint rate"),
        "unit": _t("%", "%"),
        "direction": "lower",
        "baseline": 3.5,
        "target": 2.0,
        "document": _t("投诉处理制度 2026版", "Complaint policy 2026"),
        "lessons": _t("信息同步要有明确责任人", "Data sync needs a named owner"),
    },
    {
        "trigger": "quality",
        "channel": "interview",
        "scenario": _t("同城配送", "Same-city delivery"),
        "process_step": _t("分拣出库", "sorting and dispatch"),
        "issue": _t("分拣错误频发", "frequent sorting errors"),
        "effect": _t("物流时效延误", "late deliveries"),
        "quantification": _t("准时送达率仅85%", "on-time rate only 85%"),
        "scope": _t("华东三个仓库", "Three east-region warehouses"),
        "metric": _t("准时送达率(%)", "On-time rate (%)"),
        "current": 85.0,
        "benchmark": 97.0,
        "whys": [
            _t("因为包裹被分到错误线路", "Parcels go to the wrong route"),
            _t("因为面单地址识别错误", "Labels are misread"),
            _t("因为扫码枪老化", "Scanners are worn out"),
            _t("因为设备更新无计划", "No plan to renew equipment"),
            _t("因为设备预算按年一次性审批", "Equipment budget is approved once a year"),
        ],
        "root_cause": _t("设备生命周期无人管理", "No one manages equipment life cycle"),
        "causes": [
            ("machine", _t("扫码枪老化", "Worn scanners"), _t("识别率下降", "Lower read rate")),
            ("environment", _t("仓内照明不足", "Poor warehouse lighting"), _t("夜班尤甚", "Worse at night")),
        ],
        "solutions": [
            _t("更换扫码设备并建立巡检", "Replace scanners and inspect them"),
            _t("分拣口增加复核岗", "Add a check post at sorting"),
        ],
        "actions": [_t("采购新扫码枪", "Buy new scanners"), _t("制定设备巡检表", "Create an inspection checklist")],
        "kpi": _t("准时送达率", "On-time delivery rate"),
        "unit": _t("%", "%"),
        "direction": "higher",
        "baseline": 85.0,
        "target": 97.0,
        "document": _t("设备巡检检查表", "Equipment inspection checklist"),
        "lessons": _t("设备状态要纳入日常巡检", "Equipment state belongs in daily checks"),
    },
    {
        "trigger": "cost",
        "channel": "benchmark",
        "scenario": _t("履约运营", "Order fulfilment"),
        "process_step": _t("包材采购", "packaging purchase"),
        "issue": _t("包材成本环比上升", "packaging cost rising month on month"),
        "effect": _t("单均履约成本超预算", "cost per order over budget"),
        "quantification": _t("单均成本上升0.8元", "cost per order up 0.8 yuan"),
        "scope": _t("全部自营订单", "All own-fulfilled orders"),
        "metric": _t("单均包材成本(元)", "Packaging cost per order (yuan)"),
        "current": 2.6,
        "benchmark": 1.8,
        "whys": [
            _t("因为包材单价上涨", "Packaging prices went up"),
            _t("因为供应商单一", "There is one supplier"),
            _t("因为没有年度招标", "There is no yearly tender"),
        ],
        "root_cause": _t("采购策略缺少比价机制", "No price comparison in purchasing"),
        "causes": [
            ("material", _t("纸箱规格过多", "Too many box sizes"), _t("小件用大箱", "Big boxes for small items")),
            ("method", _t("无比价流程", "No price comparison"), _t("", "")),
        ],
        "solutions": [_t("包材统一招标", "Tender packaging yearly"), _t("精简纸箱规格", "Cut the number of box sizes")],
        "actions": [
            _t("组织年度包材招标", "Run the packaging tender"),
            _t("发布纸箱选用规则", "Publish box selection rules"),
        ],
        "kpi": _t("单均包材成本", "Packaging cost per order"),
        "unit": _t("元", "yuan"),
        "direction": "lower",
        "baseline": 2.6,
        "target": 1.8,
        "document": _t("包材采购管理制度", "Packaging purchasing policy"),
        "lessons": _t("成本异常要先对标再行动", "Benchmark before acting on cost"),
    },
    {
        "trigger": "process",
        "channel": "interview",
        "scenario": _t("跨部门协作", "Cross-department work"),
        "process_step": _t("合同审批", "contract approval"),
        "issue": _t("审批节点冗余", "redundant approval steps"),
        "effect": _t("项目启动推迟", "projects start late"),
        "quantification": _t("平均审批周期7天", "approval takes 7 days on average"),
        "scope": _t("销售、法务、财务三部门", "Sales, legal and finance"),
        "metric": _t("审批周期(天)", "Approval time (days)"),
        "current": 7.0,
        "benchmark": 3.0,
        "whys": [
            _t("因为需要五级签字", "Five signatures are needed"),
            _t("因为责任边界不清", "Responsibilities are unclear"),
        ],
        "root_cause": _t("审批权限表多年未修订", "The approval matrix is years old"),
        "causes": [
            ("method", _t("串行审批", "Serial approvals"), _t("", "")),
            ("man", _t("审批人经常出差", "Approvers often travel"), _t("", "")),
        ],
        "solutions": [
            _t("修订审批权限表,并行会签", "Revise the approval matrix, approve in parallel"),
            _t("上线移动审批", "Approve on mobile"),
        ],
        "actions": [_t("修订审批权限表", "Revise the approval matrix"), _t("开通移动审批", "Enable mobile approval")],
        "kpi": _t("审批周期", "Approval time"),
        "unit": _t("天", "days"),
        "direction": "lower",
        "baseline": 7.0,
        "target": 3.0,
        "document": _t("合同审批权限表 V3", "Contract approval matrix v3"),
        "lessons": _t("流程要定期复盘", "Review processes regularly"),
    },
]


def sample_period(
    n_departments: int = 3,
    problems_per_department: int = 4,
    *,
    period: str = "2026-11",
    seed: int = 0,
    lang: Lang = "zh",
) -> model.PeriodResult:
    """A realistic period: `n_departments` departments with `problems_per_department` problems each.

    With the defaults every stage and priority occurs; each problem brings its 5-Why chain,
    fishbone causes, verification, solutions, actions, progress, KPIs and standards as its stage
    needs (about 10 problem-level rows per problem). Every computed column, the trend's last row
    and the late flags come from `ci_excel.compute`, as in a real run.
    """
    config = Config(lang=lang)
    departments = [
        _department(
            j,
            problems_per_department,
            period=period,
            seed=seed,
            lang=lang,
            late=j == _late_index(n_departments),
            config=config,
        )
        for j in range(n_departments)
    ]
    current = figures(period, departments)
    trend = [*(_scaled(current, p, f) for p, f in ((_shift(period, -2), 0.7), (_shift(period, -1), 0.85))), current]
    unreadable = Issue(
        "file-unreadable", "submissions/采购部_草稿.xlsx", params={"reason": "不是Excel文件"}, period=period
    )
    return model.PeriodResult(
        period=period,
        departments=departments,
        trend=trend,
        missing=list(MISSING),
        issues=[unreadable],
        generated_on=_period_end(period),
    )


def figures(period: str, departments: list[model.DepartmentResult]) -> model.PeriodFigures:
    """The headline figures of the given departments, as consolidation computes them (no earlier period)."""
    return period_figures(period, departments, previous_problem_ids=None)


# ---- one department -------------------------------------------------------------------------


def _late_index(n: int) -> int:
    return min(2, n - 1)


def _department_name(j: int) -> str:
    base = _DEPARTMENTS[j % len(_DEPARTMENTS)]
    return base if j < len(_DEPARTMENTS) else f"{base}{j // len(_DEPARTMENTS) + 1}"


def _department(
    j: int, n_problems: int, *, period: str, seed: int, lang: Lang, late: bool, config: Config
) -> model.DepartmentResult:
    """What department `j` typed, validated shape (Records), through `compute.compute_department`."""
    rng = random.Random(seed * 100_003 + j)
    name = _department_name(j)
    end = _period_end(period)
    tables: dict[str, list[Row]] = {s.key: [] for s in TABLE_SHEETS}
    history: dict[str, list[int]] = {}
    for i in range(n_problems):
        _add_problem(tables, history, j * n_problems + i, i + 1, rng=rng, lang=lang, end=end, config=config)
    if j == 0:
        _inject(tables)
    submitted = end + timedelta(days=9 if late else -2 - j % 3)  # the deadline is the 5th of the next month
    people = _PEOPLE if lang == "zh" else _PEOPLE_EN
    info = {
        "department": name,
        "period": period,
        "contact": people[j % len(people)],
        "contact_info": f"dept{j + 1:03d}@example.com",
        "submitted_on": submitted,
    }
    path = f"submissions/{name}/ci_register.xlsx"
    source = model.SourceFile(
        path=path,
        sha256=f"{j:064x}",
        size=20_000 + j,
        department=name,
        period=period,
        template_version="1.0",
        sheets=("info", *(s.key for s in TABLE_SHEETS)),
        outcome="warnings",
    )
    records = {
        key: [
            model.Record(values=row, file=path, sheet_name=SHEETS[key].name(lang), row=n)
            for n, row in enumerate(rows, start=2)
        ]
        for key, rows in tables.items()
    }
    sub = model.Submission(
        department=name,
        period=period,
        info=info,
        files=[source],
        tables=records,
        issues=_issues(tables, name, period, path, lang, first=j == 0),
        stats={key: model.SheetStats(len(rows), len(rows)) for key, rows in tables.items()},
    )
    return compute_department(sub, config=config, stage_history=history, lang=lang)


def _row(sheet: str, **values: Any) -> Row:
    """A row of the sheet's input columns as validation returns them (None when not given)."""
    spec = SHEETS[sheet]
    row: Row = {c.key: None for c in spec.columns}
    unknown = set(values) - set(row)
    if unknown:
        raise KeyError(f"{sheet}: unknown input columns {sorted(unknown)}")
    row.update(values)
    return row


def _inject(tables: dict[str, list[Row]]) -> None:
    for sheet, column, value in INJECTED:
        if tables[sheet]:
            tables[sheet][0][column] = value


# ---- one problem and everything that hangs off it ---------------------------------------------


def _add_problem(
    tables: dict[str, list[Row]],
    history: dict[str, list[int]],
    g: int,
    number: int,
    *,
    rng: random.Random,
    lang: Lang,
    end: date,
    config: Config,
) -> None:
    """Append problem `number` (global index g) and the rows that bring it to stage g % 6 + 1."""
    sc = _SCENARIOS[g % len(_SCENARIOS)]
    stage = g % 6 + 1
    pid = f"P-{number:03d}"
    text = {k: v[lang] for k, v in sc.items() if isinstance(v, dict)}
    rc_id = f"{pid}-R1"
    _root_causes(tables, sc, pid, rc_id, stage=stage, g=g, rng=rng, lang=lang, end=end)
    _solutions(tables, sc, pid, rc_id, stage=stage, g=g, rng=rng, lang=lang, end=end)
    _results(tables, sc, pid, stage=stage, g=g, rng=rng, lang=lang, end=end)
    if stage >= 5:
        kind = _STANDARD_KINDS[g % len(_STANDARD_KINDS)]
        tables["standards"].append(
            _row(
                "standards",
                problem_id=pid,
                kind=kind,
                document=text["document"],
                effective_on=end - timedelta(days=rng.randint(1, 20)),
                rollout_scope=text["scope"],
                lessons=text["lessons"],
                closed=stage == 6,
            )
        )
    if stage in (2, 3) and g % 4 == 1:  # at this stage for the last periods: stalled
        history[pid] = [stage] * config.stalled_periods
    impact, difficulty = _LEVELS[g % len(_LEVELS)]
    people = _PEOPLE if lang == "zh" else _PEOPLE_EN
    tables["problems"].append(
        _row(
            "problems",
            problem_id=pid,
            trigger=sc["trigger"],
            channel=sc["channel"],
            scenario=text["scenario"],
            process_step=text["process_step"],
            issue=text["issue"],
            effect=text["effect"],
            quantification=text["quantification"],
            scope=text["scope"],
            impact=impact,
            difficulty=difficulty,
            owner=people[g % len(people)],
            identified_on=end - timedelta(days=10 + 9 * stage + rng.randint(0, 6)),
            metric=text["metric"],
            current_value=sc["current"],
            benchmark_value=sc["benchmark"],
        )
    )


def _root_causes(
    tables: dict[str, list[Row]],
    sc: dict[str, Any],
    pid: str,
    rc_id: str,
    *,
    stage: int,
    g: int,
    rng: random.Random,
    lang: Lang,
    end: date,
) -> None:
    """5-Why chain, fishbone causes and verification (a second root cause, on the fishbone only, every fifth)."""
    if stage == 1:
        if g % 2:  # some stage-1 problems already have fishbone causes but no root cause yet
            for category, cause, sub in sc["causes"][:2]:
                tables["fishbone"].append(
                    _row(
                        "fishbone",
                        problem_id=pid,
                        category=category,
                        cause=cause[lang],
                        sub_cause=sub[lang] or None,
                        frequency=rng.randint(3, 40),
                        is_root=False,
                    )
                )
        return
    whys = [w[lang] for w in sc["whys"]] + [None] * (5 - len(sc["whys"]))
    tables["why_chains"].append(
        _row(
            "why_chains",
            problem_id=pid,
            root_cause_id=rc_id,
            **{f"why_{i + 1}": w for i, w in enumerate(whys)},
            root_cause=sc["root_cause"][lang],
        )
    )
    second = f"{pid}-R2" if g % 5 == 0 else None  # a root cause found only on the fishbone
    for k, (category, cause, sub) in enumerate(sc["causes"]):
        root_id = rc_id if k == 0 else second if k == 1 else None
        tables["fishbone"].append(
            _row(
                "fishbone",
                problem_id=pid,
                category=category,
                cause=cause[lang],
                sub_cause=sub[lang] or None,
                frequency=rng.randint(5, 60) if (g + k) % 4 else None,
                is_root=root_id is not None,
                root_cause_id=root_id,
            )
        )
    conclusion = None if stage == 2 and g % 3 == 0 else ("partial" if stage == 2 else "confirmed")
    if conclusion:
        tables["verification"].append(
            _row(
                "verification",
                root_cause_id=rc_id,
                method="data" if g % 2 else "trial",
                evidence=sc["causes"][0][1][lang] + (",抽样数据支持" if lang == "zh" else ": sample supports it"),
                sample_size=rng.randint(10, 200),
                support_share=round(rng.uniform(0.55, 0.95), 2),
                conclusion=conclusion,
                verified_on=end - timedelta(days=rng.randint(5, 25)),
            )
        )


def _solutions(
    tables: dict[str, list[Row]],
    sc: dict[str, Any],
    pid: str,
    rc_id: str,
    *,
    stage: int,
    g: int,
    rng: random.Random,
    lang: Lang,
    end: date,
) -> None:
    """Two candidate solutions (the first passing and selected from stage 3 on), its actions and their progress."""
    if stage == 1:
        return
    n = int(pid[2:])
    first = ""
    for k, description in enumerate(sc["solutions"]):
        good = k == 0 and stage >= 3
        scores = [5, 4, 3, 3] if good else [3, 2, rng.randint(2, 4), 2]
        if good and g % 2:
            scores = [4, 4, 4, 3]
        sid = f"S-{n:03d}{'AB'[k]}"
        first = first or sid
        tables["solutions"].append(
            _row(
                "solutions",
                solution_id=sid,
                problem_id=pid,
                root_cause_id=rc_id,
                description=description[lang],
                category=_SOLUTION_CATEGORIES[(g + k) % 4],
                effectiveness=scores[0],
                feasibility=scores[1],
                cost=scores[2],
                risk=scores[3],
                total=sum(scores) if g % 3 else None,
                selected=good,
            )
        )
    if stage >= 3:
        for k, what in enumerate(sc["actions"]):
            _action(tables, first, f"A-{n:03d}-{k + 1}", what, stage=stage, g=g + k, rng=rng, lang=lang, end=end)


def _action(
    tables: dict[str, list[Row]],
    sid: str,
    aid: str,
    what: dict[str, str],
    *,
    stage: int,
    g: int,
    rng: random.Random,
    lang: Lang,
    end: date,
) -> None:
    """An action and its progress row: under way at stage 3 (some overdue), done from stage 4 on."""
    start = end - timedelta(days=rng.randint(20, 60))
    due = end + timedelta(days=rng.randint(5, 30)) if stage == 3 and g % 3 else end - timedelta(days=rng.randint(1, 25))
    if stage == 3:
        status = ("in_progress", "delayed", "not_started")[g % 3]
        percent = {"in_progress": 0.6, "delayed": 0.3, "not_started": 0.0}[status]
        finished = None
    else:
        status, percent = "done", 1.0
        finished = due + timedelta(days=rng.randint(-5, 4))
    people = _PEOPLE if lang == "zh" else _PEOPLE_EN
    tables["progress"].append(
        _row(
            "progress",
            action_id=aid,
            status=status,
            percent_done=percent,
            finished_on=finished,
            blockers=("等待系统排期" if lang == "zh" else "Waiting for IT slot") if status == "delayed" else None,
            updated_on=end - timedelta(days=rng.randint(0, 5)),
        )
    )
    tables["actions"].append(
        _row(
            "actions",
            action_id=aid,
            solution_id=sid,
            what=what[lang],
            who=people[(g + 3) % len(people)],
            how=("按周推进,周会跟踪" if lang == "zh" else "Weekly steps, tracked in the weekly meeting"),
            start_on=start,
            due_on=due,
            resources=("2人" if lang == "zh" else "2 people"),
            deliverable=None,
        )
    )


def _results(
    tables: dict[str, list[Row]],
    sc: dict[str, Any],
    pid: str,
    *,
    stage: int,
    g: int,
    rng: random.Random,
    lang: Lang,
    end: date,
) -> None:
    """A KPI from stage 4 on: met from stage 5, missed at stage 4."""
    if stage < 4:
        return
    base, target = sc["baseline"], sc["target"]
    share = rng.uniform(1.0, 1.2) if stage >= 5 else rng.uniform(0.3, 0.9)
    tables["results"].append(
        _row(
            "results",
            problem_id=pid,
            kpi=sc["kpi"][lang],
            unit=sc["unit"][lang],
            direction=sc["direction"],
            baseline=base,
            target=target,
            actual=round(base + (target - base) * share, 2),
            measured_on=end - timedelta(days=rng.randint(0, 10)),
            annual_benefit=float(rng.randrange(20_000, 400_000, 5_000)) if g % 2 == 0 else None,
        )
    )


# ---- issues and periods ----------------------------------------------------------------------


# Where each department's findings sit: (sheet, column letter, column key, value typed, wanted code).
_ISSUE_PLACES = (
    ("problems", "H", "quantification", "大促期间投诉明显上升", "quantification-no-number"),
    ("actions", "G", "due_on", "下周五", "not-date"),
    ("results", "E", "baseline", "约4小时", "not-number"),
)


def _issues(
    tables: dict[str, list[Row]], department: str, period: str, path: str, lang: Lang, *, first: bool
) -> list[Issue]:
    """A few findings per department, using only codes that exist in CODES (file-unreadable always does)."""
    out = []
    for k, (sheet, col, column, value, wanted) in enumerate(_ISSUE_PLACES):
        if not tables[sheet]:
            continue
        spec = SHEETS[sheet]
        cell = f"{col}{k + 3}"
        value = INJECTED_ISSUE_VALUE if first and column == "baseline" else value
        out.append(
            Issue(
                wanted if wanted in CODES else "file-unreadable",
                path,
                sheet=spec.name(lang),
                cell=cell,
                column=spec.column(column).header(lang),
                value=value,
                params={"cell": cell, "reason": value},
                department=department,
                period=period,
                row=k + 3,
            )
        )
    return out


def _period_end(period: str) -> date:
    year, month = map(int, period.split("-"))
    return date(year, month, calendar.monthrange(year, month)[1])


def _shift(period: str, months: int) -> str:
    year, month = map(int, period.split("-"))
    index = year * 12 + month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _scaled(current: model.PeriodFigures, period: str, f: float) -> model.PeriodFigures:
    """An earlier period: the same portfolio, smaller and less advanced."""

    def s(x: float) -> int:
        return round(x * f)

    by_stage = {k: s(v) for k, v in current.by_stage.items()}
    problems = sum(by_stage.values())
    by_priority = {k: s(v) for k, v in current.by_priority.items()}
    return model.PeriodFigures(
        period=period,
        departments=max(1, s(current.departments)) if current.departments else 0,
        problems=problems,
        new=s(current.new),
        closed=by_stage.get(6, 0),
        open=problems - by_stage.get(6, 0),
        overdue_actions=s(current.overdue_actions * 1.3),
        kpis=s(current.kpis),
        kpis_met=s(current.kpis_met * f),
        benefit=round(current.benefit * f * f, 2),
        by_stage=by_stage,
        by_priority=by_priority,
    )
