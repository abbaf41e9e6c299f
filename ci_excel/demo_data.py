"""The demo's business content: five departments' registers over three months (2026-09 .. 2026-11).

Each row is an `Entry` that appears in a given month and changes in later months, so a month's
workbook is a snapshot of one evolving register: problems move through the six steps, actions
finish (some late, some overdue), KPIs get measured and problems close with standards. The
scenarios are the manual's: e-commerce peak-sale order review, customer-service complaints,
logistics timeliness, fulfilment cost anomalies and cross-department approvals.

The planted mistakes live in `MISTAKES`, apart from the clean content, so tests know them exactly.
Values are typed as the template writer takes them: enum keys, bools, dates, percents as fractions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

Row = dict[str, Any]

PERIODS: tuple[str, ...] = ("2026-09", "2026-10", "2026-11")


def d(month_day: str, year: int = 2026) -> date:
    """A 2026 date from "MM-DD": keeps the tables readable."""
    month, day = month_day.split("-")
    return date(year, int(month), int(day))


@dataclass(frozen=True)
class Entry:
    """One register row: present from month `since` (0 = 2026-09), with changes from later months."""

    sheet: str
    since: int
    row: Row
    later: tuple[tuple[int, Row], ...] = ()

    def at(self, month: int) -> Row | None:
        """The row as the department's workbook holds it in `month`, or None before it appears."""
        if month < self.since:
            return None
        row = dict(self.row)
        for changed_in, change in self.later:
            if changed_in <= month:
                row.update(change)
        return row


@dataclass(frozen=True)
class Department:
    """A department's register over the demo months, and how it submits."""

    name: str
    contact: str
    contact_info: str
    entries: tuple[Entry, ...]
    submitted_on: tuple[date | None, ...]  # per month; None: no submission that month
    per_step: bool = False  # submits the six per-step workbooks instead of the register


@dataclass(frozen=True)
class Mistake:
    """A typical error planted in one month's workbook, and the kind of finding it must produce.

    `where` picks the row to change (all its items must match); None appends `change` as a new row.
    """

    department: str
    month: int
    sheet: str
    where: Row | None
    change: Row
    kind: str  # enum_typo, bad_date, missing_required, unknown_ref, done_without_date, percent_as_number,
    #            total_mismatch, example_left
    column: str = ""


# --- builders: one call per row keeps the tables below close to what a department types ---------

def problem(since: int, pid: str, trigger: str, channel: str, scenario: str, step: str, issue: str, effect: str,
            quantification: str, scope: str, impact: str, difficulty: str, owner: str, identified_on: date,
            metric: str | None = None, current: float | None = None, benchmark: float | None = None) -> Entry:
    return Entry("problems", since, {
        "problem_id": pid, "trigger": trigger, "channel": channel, "scenario": scenario, "process_step": step,
        "issue": issue, "effect": effect, "quantification": quantification, "scope": scope, "impact": impact,
        "difficulty": difficulty, "owner": owner, "identified_on": identified_on, "metric": metric,
        "current_value": current, "benchmark_value": benchmark,
    })


def why(since: int, pid: str, rc: str, whys: tuple[str, ...], root: str) -> Entry:
    chain = {f"why_{i}": (whys[i - 1] if i <= len(whys) else None) for i in range(1, 6)}
    return Entry("why_chains", since, {"problem_id": pid, "root_cause_id": rc, **chain, "root_cause": root})


def fish(since: int, pid: str, category: str, cause: str, sub: str | None, frequency: int | None,
         root: str | None = None) -> Entry:
    return Entry("fishbone", since, {"problem_id": pid, "category": category, "cause": cause, "sub_cause": sub,
                                     "frequency": frequency, "is_root": root is not None, "root_cause_id": root})


def verify(since: int, rc: str, method: str, evidence: str, sample: int, share: float, conclusion: str,
           on: date) -> Entry:
    return Entry("verification", since, {"root_cause_id": rc, "method": method, "evidence": evidence,
                                         "sample_size": sample, "support_share": share,
                                         "conclusion": conclusion, "verified_on": on})


def solution(since: int, sid: str, pid: str, rc: str | None, description: str, category: str, scores: str,
             selected: bool) -> Entry:
    """`scores` is "EFCR", e.g. "5432" for effectiveness 5, feasibility 4, cost 3, risk 2."""
    e, f, c, r = (int(ch) for ch in scores)
    return Entry("solutions", since, {
        "solution_id": sid, "problem_id": pid, "root_cause_id": rc, "description": description,
        "category": category, "effectiveness": e, "feasibility": f, "cost": c, "risk": r, "total": e + f + c + r,
        "selected": selected,
    })


State = tuple[str, float, date | None, str | None, date]  # status, % done, finished on, blockers, updated on


def action(since: int, aid: str, sid: str, what: str, who: str, how: str, start: date, due: date,
           resources: str | None, deliverable: str | None, *states: State) -> tuple[Entry, Entry]:
    """The plan row and its progress row; `states` holds the progress of each month from `since` on."""
    plan = Entry("actions", since, {"action_id": aid, "solution_id": sid, "what": what, "who": who, "how": how,
                                    "start_on": start, "due_on": due, "resources": resources,
                                    "deliverable": deliverable})
    rows = [{"action_id": aid, "status": s, "percent_done": p, "finished_on": f, "blockers": b, "updated_on": u}
            for s, p, f, b, u in states]
    later = tuple((since + i, row) for i, row in enumerate(rows[1:], start=1))
    return plan, Entry("progress", since, rows[0], later)


def kpi(since: int, pid: str, name: str, unit: str, direction: str, baseline: float, target: float,
        benefit: float | None, measured: dict[int, tuple[float, date]]) -> Entry:
    """A KPI row; `measured` maps a month to (actual, measured on); before the first, actual is blank."""
    later = tuple((m, {"actual": a, "measured_on": on, "annual_benefit": benefit}) for m, (a, on) in
                  sorted(measured.items()))
    return Entry("results", since, {"problem_id": pid, "kpi": name, "unit": unit, "direction": direction,
                                    "baseline": baseline, "target": target, "actual": None, "measured_on": None,
                                    "annual_benefit": None}, later)


def standard(since: int, pid: str, kind: str, document: str, effective: date, scope: str, lessons: str,
             closed_in: int | None) -> Entry:
    later = () if closed_in is None or closed_in <= since else ((closed_in, {"closed": True}),)
    return Entry("standards", since, {"problem_id": pid, "kind": kind, "document": document,
                                      "effective_on": effective, "rollout_scope": scope, "lessons": lessons,
                                      "closed": closed_in is not None and closed_in <= since}, later)


def _flat(*items: Entry | tuple[Entry, ...]) -> tuple[Entry, ...]:
    out: list[Entry] = []
    for item in items:
        out.extend(item if isinstance(item, tuple) else (item,))
    return tuple(out)


# --- 电商运营部: the manual's own example (大促订单审核人工重复录入) --------------------------------

ECOMMERCE = Department("电商运营部", "张敏", "zhangmin@example.com", submitted_on=(d("10-03"), d("11-04"), d("12-02")),
                       entries=_flat(
    problem(0, "P-001", "efficiency", "monitoring", "电商大促", "订单审核", "人工重复录入收货信息",
            "订单处理时效延长2小时", "大促期间客户投诉量上升30%", "大促期间全部订单(日均1.2万单)", "high", "medium",
            "张敏", d("09-02"), "订单处理时效(小时)", 4, 2),
    why(0, "P-001", "P-001-R1", ("订单处理慢:审核员在两个系统间重复录入收货信息", "系统无法自动抓取用户地址",
                                 "旧订单系统接口未对接新CRM", "去年系统升级时遗漏了该接口需求"),
        "需求调研阶段未覆盖一线操作场景"),
    fish(0, "P-001", "machine", "旧订单系统未对接新CRM地址接口", "地址需人工复制粘贴", 42, "P-001-R1"),
    fish(0, "P-001", "man", "大促临时审核员不熟悉系统", "培训仅半天", 15),
    fish(0, "P-001", "method", "审核规则未区分普通单与异常单", "全部订单逐单人工审核", 21),
    fish(0, "P-001", "environment", "大促零点订单峰值集中", None, 9),
    verify(0, "P-001-R1", "trial", "随机抽取10个大促工单在测试环境接入CRM地址接口,均无需重复录入", 10, 0.8,
           "confirmed", d("09-10")),
    solution(0, "S-001", "P-001", "P-001-R1", "开发订单地址自动抓取接口(对接新CRM)", "tool", "5432", True),
    solution(0, "S-002", "P-001", "P-001-R1", "大促期间增加临时录入人员", "people", "2324", False),
    solution(0, "S-003", "P-001", None, "普通订单免审、异常订单人工审核", "process", "3433", True),
    action(0, "A-001", "S-001", "开发订单地址自动抓取接口", "周涛", "对接新CRM地址接口,先在测试环境联调",
           d("09-12"), d("10-31"), "开发2人、测试1人", "接口上线",
           ("in_progress", 0.4, None, "CRM测试环境排期紧张,已协调夜间窗口", d("09-28")),
           ("done", 1.0, d("10-28"), None, d("10-29")),
           ("done", 1.0, d("10-28"), None, d("10-29"))),
    action(0, "A-002", "S-003", "制定异常订单识别规则", "张敏", "按金额、地址变更、黑名单三类规则筛出异常单",
           d("09-15"), d("10-15"), "运营1人", "异常单规则表",
           ("in_progress", 0.5, None, None, d("09-28")),
           ("done", 1.0, d("10-12"), None, d("10-29"))),
    action(1, "A-003", "S-001", "双11前小范围试运行接口", "周涛", "选取2个店铺试运行一周,核对地址准确率",
           d("10-25"), d("11-08"), "运营2人", "试运行报告",
           ("in_progress", 0.3, None, None, d("10-29")),
           ("done", 1.0, d("11-06"), None, d("11-27"))),
    kpi(0, "P-001", "大促订单平均处理时效", "小时", "lower", 4, 2, 860000,
        {1: (2.8, d("10-28")), 2: (1.8, d("11-20"))}),
    kpi(1, "P-001", "订单地址录入差错率", "%", "lower", 3.5, 1, None, {2: (0.6, d("11-20"))}),
    standard(2, "P-001", "sop", "订单审核SOP V2.1", d("11-15"), "全部电商渠道",
             "需求调研必须包含一线操作人员访谈", 2),
    standard(2, "P-001", "system", "订单系统地址自动抓取(上线编号REL-1107)", d("11-07"), "天猫、京东、抖音店铺",
             "上线前必须做小范围试运行", 2),

    problem(0, "P-002", "quality", "user_feedback", "电商日常促销", "优惠券配置", "优惠券叠加规则配置错误",
            "超额优惠与客户投诉", "9月误发优惠8.6万元,相关投诉126单", "全部自营店铺", "high", "low", "刘洋",
            d("08-28")),
    why(0, "P-002", "P-002-R1", ("优惠券被错误叠加使用", "叠加规则由运营凭经验手工配置", "配置后没有复核环节",
                                 "配置SOP未规定复核"), "优惠券配置缺少复核与系统校验机制"),
    verify(0, "P-002-R1", "data", "统计9月43次配置差错,其中37次未经复核", 43, 0.86, "confirmed", d("09-18")),
    solution(0, "S-004", "P-002", "P-002-R1", "上线优惠券配置系统校验规则", "tool", "4444", True),
    solution(0, "S-005", "P-002", "P-002-R1", "优惠券配置双人复核", "process", "3544", True),
    action(0, "A-004", "S-004", "开发优惠券叠加校验规则", "周涛", "配置保存时自动校验叠加与门槛冲突",
           d("09-10"), d("10-20"), "开发1人", "校验规则上线",
           ("in_progress", 0.5, None, None, d("09-28")),
           ("done", 1.0, d("10-18"), None, d("10-29"))),
    action(0, "A-005", "S-005", "修订优惠券配置SOP,增加双人复核", "刘洋", "配置人提交、复核人签字后生效",
           d("09-08"), d("09-25"), None, "优惠券配置SOP",
           ("done", 1.0, d("09-24"), None, d("09-28"))),
    kpi(0, "P-002", "优惠券配置差错次数", "次/月", "lower", 43, 5, 420000, {1: (6, d("10-31")), 2: (3, d("11-25"))}),
    standard(2, "P-002", "policy", "《优惠券配置双人复核制度》", d("11-01"), "电商运营部全部店铺",
             "规则类配置必须有系统校验,人工复核只作补充", None),

    problem(0, "P-003", "efficiency", "interview", "新品上架", "商品详情审核", "审核标准不统一,详情页反复退回",
            "新品上架周期延长", "平均上架周期7天(标杆3天)", "每月约300个新品", "medium", "high", "陈晨",
            d("09-06"), "新品上架周期(天)", 7, 3),
    why(0, "P-003", "P-003-R1", ("详情页被反复退回修改", "不同审核员掌握的标准不同", "审核标准只在口头传达"),
        "缺少统一的详情页审核标准"),

    problem(1, "P-004", "feedback", "user_feedback", "直播带货", "订单同步", "直播订单同步延迟导致超卖",
            "超卖订单需取消并赔付", "10月超卖订单312单,赔付2.1万元", "抖音、快手直播间", "high", "medium", "刘洋",
            d("10-08")),
    why(1, "P-004", "P-004-R1", ("直播期间库存显示有货但实际已售罄", "订单同步到WMS延迟约5分钟",
                                 "同步任务按5分钟批量运行", "批量任务沿用日常销售的配置"),
        "库存同步机制未针对直播高峰设计"),
    fish(1, "P-004", "machine", "订单批量同步间隔5分钟", None, 212, "P-004-R1"),
    fish(1, "P-004", "method", "直播备货未预留安全库存", None, 74),
    fish(1, "P-004", "man", "主播临时加推未通知仓库", None, 26),
    verify(2, "P-004-R1", "data", "比对10月直播订单时间戳,超卖订单中89%发生在同步间隔内", 312, 0.89,
           "confirmed", d("11-06")),
    solution(2, "S-006", "P-004", "P-004-R1", "直播场次启用实时库存同步", "tool", "5333", True),
    solution(2, "S-007", "P-004", None, "直播备货预留10%安全库存", "process", "3442", True),
    action(2, "A-006", "S-006", "直播场次切换为实时库存同步", "周涛", "直播开始前自动切换同步模式",
           d("11-05"), d("11-20"), "开发1人", "实时同步开关",
           ("in_progress", 0.7, None, "WMS接口限流,需仓储部扩容", d("11-27"))),
    action(2, "A-007", "S-007", "制定直播备货安全库存规则", "陈晨", "按预估销量的10%预留", d("11-10"), d("12-10"),
           None, "备货规则", ("in_progress", 0.5, None, None, d("11-27"))),

    problem(2, "P-005", "cost", "monitoring", "售后退货", "退货运费险", "运费险理赔率上升", "运费险支出增加",
            "11月运费险支出环比上升18%", "服饰类目", "low", "medium", "陈晨", d("11-12")),
))

# --- 客户服务部: 客服投诉率高 (fishbone across 人机料法环测) ---------------------------------------

SERVICE = Department("客户服务部", "王丽", "wangli@example.com", submitted_on=(d("10-04"), d("11-03"), d("12-03")),
                     entries=_flat(
    problem(0, "P-001", "feedback", "user_feedback", "售后咨询", "投诉处理", "投诉处理慢且反复转接",
            "客户满意度下降", "投诉率2.8%(目标1.5%)", "全部售后渠道", "high", "medium", "王丽", d("09-01"),
            "投诉率(%)", 2.8, 1.5),
    why(0, "P-001", "P-001-R1", ("投诉处理平均耗时3.5天", "投诉需要在多个小组间转接", "各小组职责边界不清",
                                 "流程文件未定义首问负责"), "投诉处理流程未明确首问负责制"),
    fish(0, "P-001", "man", "新员工培训不足", "入职培训仅3天", 46),
    fish(0, "P-001", "man", "话术不统一", None, 15),
    fish(0, "P-001", "machine", "工单系统响应慢", "高峰期打开工单需8秒", 31),
    fish(0, "P-001", "material", "产品信息更新不及时", "促销规则变更未同步到知识库", 88, "P-001-R2"),
    fish(0, "P-001", "method", "投诉处理流程不清晰", "无首问负责", 57, "P-001-R1"),
    fish(0, "P-001", "environment", "高峰期人力不足", "晚8-10点排班缺口6人", 22),
    fish(0, "P-001", "measurement", "满意度问卷设计不合理", "只在结案后发送", 9),
    verify(0, "P-001-R1", "data", "抽查9月412张投诉工单,58%经过2次以上转接", 412, 0.58, "confirmed", d("09-20")),
    verify(1, "P-001-R2", "trial", "试点知识库实时同步两周,相关投诉下降但未消除", 120, 0.45, "partial", d("10-16")),
    solution(0, "S-001", "P-001", "P-001-R1", "制定首问负责制并优化投诉处理流程", "process", "5444", True),
    solution(0, "S-002", "P-001", None, "增加新员工模拟培训", "people", "3445", True),
    solution(0, "S-003", "P-001", None, "扩招临时客服", "people", "2324", False),
    solution(1, "S-004", "P-001", "P-001-R2", "建立产品信息变更同步机制", "tool", "4333", True),
    action(0, "A-001", "S-001", "修订投诉处理流程,明确首问负责", "王丽", "梳理转接节点,首问客服跟进到结案",
           d("09-05"), d("09-30"), None, "投诉处理流程V3",
           ("done", 1.0, d("09-28"), None, d("09-29"))),
    action(1, "A-002", "S-001", "首问负责制试点", "李娜", "选2个班组试点一个月,每周复盘", d("10-01"), d("10-31"),
           "2个班组", "试点复盘报告",
           ("in_progress", 0.8, None, None, d("10-30")),
           ("done", 1.0, d("11-02"), None, d("11-26"))),
    action(0, "A-003", "S-002", "新员工模拟培训", "李娜", "搭建模拟工单环境,新人上岗前完成20个案例",
           d("10-08"), d("11-15"), "培训师1人", "模拟培训课程",
           ("not_started", 0.0, None, None, d("09-29")),
           ("in_progress", 0.4, None, None, d("10-30")),
           ("done", 1.0, d("11-14"), None, d("11-26"))),
    action(1, "A-004", "S-004", "产品信息变更同步到客服知识库", "赵敏", "运营变更促销规则时自动推送知识库",
           d("10-15"), d("11-30"), "开发1人", "知识库同步功能",
           ("not_started", 0.0, None, "等待IT排期", d("10-30")),
           ("done", 1.0, d("11-25"), None, d("11-26"))),
    kpi(0, "P-001", "投诉率", "%", "lower", 2.8, 1.5, None, {1: (2.1, d("10-31")), 2: (1.6, d("11-25"))}),
    kpi(1, "P-001", "首次解决率", "%", "higher", 62, 80, None, {2: (78, d("11-25"))}),

    problem(0, "P-002", "efficiency", "benchmark", "在线客服", "首次响应", "高峰时段首次响应慢", "排队客户放弃咨询",
            "首次响应平均95秒(标杆30秒)", "在线客服全部渠道", "medium", "low", "赵敏", d("09-03"),
            "首次响应时长(秒)", 95, 30),
    why(0, "P-002", "P-002-R1", ("高峰时段排队长", "所有咨询进入同一队列", "未按问题类型分流"),
        "咨询分流规则缺失"),
    verify(0, "P-002-R1", "data", "统计9月高峰时段咨询,67%为查物流类简单问题", 5200, 0.67, "confirmed",
           d("09-15")),
    solution(0, "S-005", "P-002", "P-002-R1", "智能分流与快捷回复", "tool", "4434", True),
    action(0, "A-005", "S-005", "上线咨询智能分流与物流查询快捷回复", "赵敏", "按关键词分流,物流类自动回复",
           d("09-10"), d("09-30"), "开发1人", "分流规则上线",
           ("done", 1.0, d("09-27"), None, d("09-29"))),
    kpi(0, "P-002", "首次响应时长", "秒", "lower", 95, 30, 150000, {1: (28, d("10-31")), 2: (26, d("11-25"))}),
    standard(1, "P-002", "system", "在线客服分流规则(系统配置)", d("10-10"), "在线客服全部渠道",
             "简单问题交给系统,人工专注复杂问题", 2),

    problem(1, "P-003", "quality", "interview", "电话回访", "回访记录", "回访记录缺失或不完整",
            "无法追溯客户承诺", "10月回访记录缺失率23%", "电话回访组", "medium", "low", "李娜", d("10-09")),
    why(1, "P-003", "P-003-R1", ("回访结束后未及时填写记录", "记录需在另一个系统手工填写",
                                 "通话系统与CRM未打通"),
        "回访记录与通话系统分离"),
    solution(2, "S-006", "P-003", "P-003-R1", "通话结束自动弹出记录表单", "tool", "4443", True),
    action(2, "A-006", "S-006", "通话系统嵌入回访记录表单", "赵敏", "挂机后弹窗,必填项未填不能结束",
           d("11-10"), d("12-15"), "开发1人", "回访表单",
           ("in_progress", 0.3, None, None, d("11-26"))),

    problem(0, "P-004", "cost", "monitoring", "客服外包", "外包结算", "外包坐席按人头计费", "淡季费用浪费",
            "外包费用环比上升15%", "外包坐席120人", "medium", "medium", "王丽", d("09-12")),
    why(1, "P-004", "P-004-R1", ("淡季外包坐席空闲", "合同按人头固定计费", "签约时未做话务量季节性测算"),
        "外包合同计费方式与话务量脱钩"),
    solution(2, "S-007", "P-004", "P-004-R1", "外包合同改为按接待量计费", "policy", "4434", True),
    action(2, "A-007", "S-007", "与外包商谈判计费方式", "王丽", "提供近12个月话务量数据,测算两种方案",
           d("11-05"), d("12-20"), None, "补充协议",
           ("in_progress", 0.2, None, None, d("11-26"))),
))

# --- 物流部: 物流时效慢 (submits the six per-step workbooks) ---------------------------------------

LOGISTICS = Department("物流部", "赵刚", "zhaogang@example.com", per_step=True,
                       submitted_on=(d("10-05"), d("11-05"), d("12-04")), entries=_flat(
    problem(0, "P-001", "feedback", "user_feedback", "华东区域配送", "干线转运", "中转仓分拣等待时间长",
            "物流时效慢,差评增加", "平均送达52小时(承诺48小时),差评中38%提及物流慢", "华东5省", "high", "medium",
            "赵刚", d("09-01"), "平均送达时长(小时)", 52, 36),
    why(0, "P-001", "P-001-R1", ("包裹在中转仓等待分拣", "夜间到仓车辆集中", "干线发车时刻表多年未调整",
                                 "缺少按单量动态排班机制"), "干线班次与分拣产能未联动规划"),
    fish(0, "P-001", "man", "夜班分拣人员不足", None, 34),
    fish(0, "P-001", "machine", "分拣线故障停机", "9月停机11小时", 12),
    fish(0, "P-001", "method", "干线班次计划固定不变", None, 51, "P-001-R1"),
    fish(0, "P-001", "environment", "雨季道路拥堵", None, 8),
    fish(0, "P-001", "measurement", "时效统计口径不一", "按发货还是揽收起算", 5),
    verify(0, "P-001-R1", "data", "抽取9月1200票运单,71%的超时发生在中转仓等待环节", 1200, 0.71, "confirmed",
           d("09-14")),
    solution(0, "S-001", "P-001", "P-001-R1", "按单量动态调整干线班次", "process", "5443", True),
    solution(0, "S-002", "P-001", "P-001-R1", "新增一条自动分拣线", "tool", "5213", False),
    action(0, "A-001", "S-001", "建立单量预测与班次联动表", "钱伟", "按前7天单量预测次日到仓量,调整班次",
           d("09-10"), d("10-10"), "计划员1人", "班次联动表",
           ("in_progress", 0.6, None, None, d("09-29")),
           ("done", 1.0, d("10-09"), None, d("10-30"))),
    action(1, "A-002", "S-001", "调整华东干线发车时刻", "钱伟", "与承运商协商错峰发车", d("10-11"), d("10-31"),
           None, "新版发车时刻表",
           ("done", 1.0, d("10-30"), None, d("10-30"))),
    action(1, "A-003", "S-001", "夜班弹性排班", "孙强", "高峰日增加4名夜班分拣员", d("10-15"), d("11-15"),
           "劳务外包4人", "弹性排班表",
           ("in_progress", 0.5, None, "外包人员到岗慢", d("10-30")),
           ("done", 1.0, d("11-18"), None, d("11-28"))),
    kpi(0, "P-001", "平均送达时长", "小时", "lower", 52, 40, 380000, {1: (46, d("10-31")), 2: (41, d("11-27"))}),
    kpi(1, "P-001", "准时送达率", "%", "higher", 78, 95, None, {1: (86, d("10-31")), 2: (93, d("11-27"))}),

    problem(0, "P-002", "quality", "user_feedback", "易碎品配送", "打包", "缓冲材料不足导致包裹破损",
            "破损理赔增加", "破损率1.2%,月理赔额4.3万元", "易碎品类目", "medium", "low", "孙强", d("09-04")),
    fish(0, "P-002", "material", "缓冲材料规格不符", "气泡膜厚度不足", 64, "P-002-R1"),
    fish(0, "P-002", "man", "打包手法不规范", None, 29),
    fish(0, "P-002", "method", "易碎品未单独打包", None, 18),
    verify(0, "P-002-R1", "trial", "更换加厚气泡膜试打包200件,破损0件", 200, 1.0, "confirmed", d("09-18")),
    solution(0, "S-003", "P-002", "P-002-R1", "制定易碎品专用包装标准", "policy", "4545", True),
    action(0, "A-004", "S-003", "采购加厚缓冲材料并制定打包标准", "孙强", "按品类规定包材规格与打包步骤",
           d("09-08"), d("09-30"), "包材预算2万元", "易碎品打包标准",
           ("done", 1.0, d("09-26"), None, d("09-29"))),
    kpi(1, "P-002", "易碎品破损率", "%", "lower", 1.2, 0.5, 410000, {1: (0.4, d("10-31")), 2: (0.7, d("11-27"))}),
    standard(1, "P-002", "checklist", "《易碎品打包检查表》WL-CK-012", d("10-08"), "全部仓库",
             "包材标准要附实物照片,新人一看就懂", 1),

    problem(1, "P-003", "efficiency", "interview", "退货逆向物流", "退货入库", "退货入库登记全部手工",
            "退款周期长", "退货入库平均3.2天", "华东仓、华南仓", "medium", "medium", "钱伟", d("10-10"),
            "退货入库时长(天)", 3.2, 1),
    why(1, "P-003", "P-003-R1", ("退货入库慢", "每件退货需手工登记", "退货包裹无统一面单"),
        "退货面单未与原订单关联"),
    verify(2, "P-003-R1", "data", "抽查11月500件退货,82%需手工查找原订单", 500, 0.82, "confirmed", d("11-08")),
    solution(2, "S-004", "P-003", "P-003-R1", "退货面单带原订单条码,扫码入库", "tool", "5334", True),
    action(2, "A-005", "S-004", "退货面单增加原订单条码", "钱伟", "与快递公司对接退货面单模板", d("11-10"),
           d("12-20"), "开发1人", "新退货面单", ("in_progress", 0.3, None, None, d("11-28"))),

    problem(2, "P-004", "process", "benchmark", "末端配送", "异常件处理", "异常件需三方电话确认",
            "异常件处理周期长", "异常件平均处理4天(标杆1天)", "全部末端网点", "low", "high", "孙强", d("11-16")),
))

# --- 财务部: 履约成本异常上升 -----------------------------------------------------------------------

FINANCE = Department("财务部", "陈静", "chenjing@example.com", submitted_on=(d("10-05"), d("11-09"), d("12-04")),
                     entries=_flat(
    problem(0, "P-001", "cost", "monitoring", "订单履约", "仓配成本核算", "单均履约成本环比上升", "毛利率下降",
            "单均履约成本由8.2元升至9.6元(+17%)", "全部自营订单", "high", "medium", "陈静", d("09-03"),
            "单均履约成本(元)", 9.6, 8.0),
    why(0, "P-001", "P-001-R1", ("单均履约成本上升", "小件订单拆单发货增多", "合单规则失效",
                                 "系统升级后合单参数被重置"), "系统变更缺少参数核对清单"),
    fish(0, "P-001", "method", "合单规则失效", "拆单率由6%升至19%", 41, "P-001-R1"),
    fish(0, "P-001", "machine", "WMS升级后参数被重置", None, 23, "P-001-R1"),
    fish(0, "P-001", "material", "包材采购单价上涨", "纸箱涨价12%", 18),
    fish(0, "P-001", "environment", "旺季临时仓租金", None, 12),
    fish(1, "P-001", "measurement", "成本分摊口径变化", "新增仓储折旧分摊", 9, "P-001-R2"),
    verify(0, "P-001-R1", "data", "抽样2000单,拆单率由6%升至19%,拆单订单单均成本高3.1元", 2000, 0.74,
           "confirmed", d("09-16")),
    verify(1, "P-001-R2", "data", "按新旧口径重算7-9月成本,口径变化贡献约0.3元", 3, 0.2, "partial", d("10-20")),
    solution(0, "S-001", "P-001", "P-001-R1", "恢复合单参数并建立系统变更参数核对清单", "process", "5554", True),
    solution(0, "S-002", "P-001", None, "更换第三方仓储", "tool", "4212", False),
    solution(1, "S-003", "P-001", None, "包材集中招标", "policy", "3343", True),
    action(0, "A-001", "S-001", "恢复WMS合单参数", "吴昊", "核对升级前后参数并恢复", d("09-15"), d("09-20"),
           None, "参数恢复记录",
           ("done", 1.0, d("09-18"), None, d("09-30"))),
    action(0, "A-002", "S-001", "编制系统变更参数核对清单", "吴昊", "与IT共同梳理关键参数,变更前后双人核对",
           d("09-20"), d("10-15"), None, "参数核对清单",
           ("in_progress", 0.5, None, None, d("09-30")),
           ("done", 1.0, d("10-20"), None, d("10-31"))),
    action(1, "A-003", "S-003", "包材集中招标", "陈静", "合并三个仓的包材需求统一招标", d("10-20"), d("11-25"),
           "采购部配合", "包材框架协议",
           ("in_progress", 0.3, None, None, d("10-31")),
           ("delayed", 0.5, None, "两家供应商报价未齐", d("11-28"))),
    kpi(0, "P-001", "单均履约成本", "元", "lower", 9.6, 8.2, 1680000, {1: (8.7, d("10-31")), 2: (8.3, d("11-28"))}),
    kpi(1, "P-001", "拆单率", "%", "lower", 19, 7, None, {1: (9, d("10-31")), 2: (6.5, d("11-28"))}),

    problem(0, "P-002", "process", "interview", "费用报销", "报销审批", "报销单据退回率高", "报销周期长",
            "报销平均周期12天,退回率22%", "全公司员工", "medium", "low", "吴昊", d("09-08")),
    why(0, "P-002", "P-002-R1", ("报销单据被退回", "发票信息与报销单不一致", "员工手工填写发票信息"),
        "缺少发票信息自动识别与验真"),
    verify(1, "P-002-R1", "data", "统计9月退回单据310张,72%为发票信息不符", 310, 0.72, "confirmed", d("10-12")),
    solution(1, "S-004", "P-002", "P-002-R1", "上线电子发票自动识别验真", "tool", "4444", True),
    action(1, "A-004", "S-004", "上线电子发票识别验真功能", "吴昊", "报销系统接入发票查验接口", d("10-15"),
           d("11-15"), "IT开发1人", "验真功能上线",
           ("in_progress", 0.4, None, None, d("10-31")),
           ("done", 1.0, d("11-13"), None, d("11-28"))),
    kpi(2, "P-002", "报销单据退回率", "%", "lower", 22, 8, 95000, {2: (9, d("11-28"))}),

    problem(1, "P-003", "cost", "benchmark", "应收账款", "平台对账", "平台对账差异长期挂账", "资金占用",
            "差异挂账金额230万元,账龄超90天占40%", "天猫、京东平台", "high", "high", "陈静", d("10-14")),
    why(1, "P-003", "P-003-R1", ("对账差异无法及时核销", "平台账单格式每月变化", "对账依赖人工Excel比对"),
        "缺少自动化对账工具"),
    solution(2, "S-005", "P-003", "P-003-R1", "开发平台账单自动对账脚本", "tool", "4334", True),
    action(2, "A-005", "S-005", "开发平台账单自动对账脚本", "吴昊", "按订单号自动匹配,差异生成清单",
           d("11-10"), d("12-31"), "IT开发1人", "对账脚本", ("in_progress", 0.2, None, None, d("11-28"))),
))

# --- 项目管理部: 跨部门审批冗余 (does not submit in the last month) ----------------------------------

PMO = Department("项目管理部", "孙磊", "sunlei@example.com", submitted_on=(d("10-02"), d("11-03"), None),
                 entries=_flat(
    problem(0, "P-001", "process", "interview", "跨部门项目立项", "立项审批", "审批节点冗余,3个部门重复会签",
            "项目启动延迟", "立项审批平均18个工作日(标杆7天)", "全部跨部门项目", "high", "medium", "孙磊",
            d("09-02"), "立项审批周期(工作日)", 18, 7),
    why(0, "P-001", "P-001-R1", ("立项审批周期长", "需7个节点依次会签", "各部门都要求会签以规避责任",
                                 "权责矩阵多年未更新"), "缺少清晰的跨部门审批权责矩阵(RACI)"),
    fish(0, "P-001", "method", "串行会签", "7个节点依次审批", 27, "P-001-R1"),
    fish(0, "P-001", "man", "审批人出差无人代签", None, 14),
    fish(0, "P-001", "machine", "OA不支持并行审批", None, 19, "P-001-R2"),
    fish(0, "P-001", "measurement", "无审批时效统计", None, 6),
    verify(0, "P-001-R1", "data", "统计上半年36个立项,78%的等待发生在重复会签节点", 36, 0.78, "confirmed",
           d("09-19")),
    solution(0, "S-001", "P-001", "P-001-R1", "精简审批节点并建立RACI权责矩阵", "process", "5454", True),
    solution(0, "S-002", "P-001", "P-001-R2", "OA改造支持并行会签", "tool", "4333", True),
    solution(0, "S-003", "P-001", None, "设立项目审批委员会周例会", "policy", "3332", False),
    action(0, "A-001", "S-001", "梳理审批节点与RACI矩阵", "孙磊", "逐个节点确认必要性,取消重复会签",
           d("09-07"), d("09-30"), None, "RACI矩阵",
           ("done", 1.0, d("09-29"), None, d("09-30"))),
    action(0, "A-002", "S-002", "OA并行会签改造", "郑凯", "OA流程引擎配置并行分支", d("09-20"), d("10-25"),
           "IT开发1人", "并行会签流程",
           ("in_progress", 0.3, None, None, d("09-30")),
           ("in_progress", 0.7, None, "OA厂商排期推迟", d("10-30"))),
    kpi(1, "P-001", "立项审批周期", "工作日", "lower", 18, 7, None, {1: (11, d("10-30"))}),

    problem(0, "P-002", "process", "user_feedback", "跨部门需求对接", "需求评审", "需求变更无记录,信息孤岛",
            "开发返工", "需求返工率25%", "技术、产品、运营三部门", "medium", "medium", "郑凯", d("09-10")),
    why(0, "P-002", "P-002-R1", ("开发按旧需求实现", "需求变更只在群聊中沟通", "没有统一的需求变更登记"),
        "缺少需求变更登记与通知机制"),
    solution(1, "S-004", "P-002", "P-002-R1", "建立需求变更单与自动通知", "process", "4544", True),
    action(1, "A-003", "S-004", "上线需求变更单", "郑凯", "在项目管理系统中增加变更单,变更自动通知相关人",
           d("10-10"), d("11-30"), None, "需求变更单",
           ("in_progress", 0.4, None, None, d("10-30"))),

    problem(1, "P-003", "quality", "monitoring", "项目周报", "数据汇总", "各部门周报数据口径不一",
            "管理层决策依据不可靠", "10月周报数据差异点17处", "全部在建项目", "low", "low", "孙磊", d("10-12")),
))

DEPARTMENTS: tuple[Department, ...] = (ECOMMERCE, SERVICE, LOGISTICS, FINANCE, PMO)

# --- the typical mistakes, each in one month's workbook of one department ---------------------------

MISTAKES: tuple[Mistake, ...] = (
    Mistake("客户服务部", 0, "problems", {"problem_id": "P-004"}, {"impact": "高高"}, "enum_typo", "impact"),
    Mistake("财务部", 0, "problems", {"problem_id": "P-002"}, {"owner": None}, "missing_required", "owner"),
    Mistake("物流部", 0, "progress", {"action_id": "A-001"}, {"percent_done": 60}, "percent_as_number",
            "percent_done"),
    Mistake("电商运营部", 1, "progress", {"action_id": "A-001"}, {"finished_on": None}, "done_without_date",
            "finished_on"),
    Mistake("物流部", 1, "progress", {"action_id": "A-003"}, {"updated_on": "2026/13/45"}, "bad_date", "updated_on"),
    Mistake("项目管理部", 1, "results", None,
            {"problem_id": "P-009", "kpi": "跨部门会议时长", "unit": "小时/周", "direction": "lower", "baseline": 6,
             "target": 3, "actual": None, "measured_on": None, "annual_benefit": None}, "unknown_ref", "problem_id"),
    Mistake("客户服务部", 1, "", None, {}, "example_left"),
    Mistake("财务部", 2, "solutions", {"solution_id": "S-004"}, {"total": 15}, "total_mismatch", "total"),
)
