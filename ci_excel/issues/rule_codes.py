"""The issue codes of the rules within a row and across sheets (a department's files merged)."""

from __future__ import annotations

from ci_excel.issues.code import CodeRow

RULE_CODES: tuple[CodeRow, ...] = (
    # Rules within a row.
    (
        "quantification-no-number",
        "warning",
        "{sheet}!{cell}「{column}」没有数字。请量化影响,如「时效延长2小时」。",
        "{sheet}!{cell} ({column}) has no number. Quantify the effect, e.g. 'takes 2 hours longer'.",
    ),
    (
        "why-gap",
        "error",
        "{sheet}!{cell}「{column}」为空,但后面的 {next_why} 已填写。5Why 不可跳层,请补上这一层。",
        "{sheet}!{cell} ({column}) is empty while {next_why} is filled. Five whys have no gaps: fill this level.",
    ),
    (
        "why-shallow",
        "warning",
        "{sheet}!{cell} 的 5Why 只追问了 {depth} 层。请继续追问直到找到根本原因(通常3-5层)。",
        "The five whys at {sheet}!{cell} stop after {depth} level(s). Keep asking why until the root cause is "
        "reached (usually 3-5).",
    ),
    (
        "root-id-required",
        "error",
        "{sheet}!{cell}「{column}」:「是否根因」为「是」时必须填写根因编号(已有编号或新编号)。",
        "{sheet}!{cell} ({column}): a root-cause row needs a Root cause ID (an existing one or a new one).",
    ),
    (
        "total-mismatch",
        "warning",
        "{sheet}!{cell}「{column}」为 {value},但四项评分之和为 {computed};已按 {computed} 计算。请恢复模板的总分公式。",
        "{sheet}!{cell} ({column}) is {value} but the four scores add up to {computed}; {computed} was used. Restore "
        "the template's total formula.",
    ),
    (
        "due-before-start",
        "error",
        "{sheet}!{cell}「{column}」{value} 早于计划开始 {start}。请修正日期。",
        "{sheet}!{cell} ({column}) {value} is before the planned start {start}. Correct the dates.",
    ),
    (
        "finish-date-required",
        "error",
        "{sheet}!{cell}「{column}」:状态为「已完成」时必须填写实际完成日期。",
        "{sheet}!{cell} ({column}): a Done action needs its finish date.",
    ),
    (
        "finish-date-unexpected",
        "warning",
        "{sheet}!{cell}「{column}」已填写 {value},但状态不是「已完成」。请更新状态或删除该日期。",
        "{sheet}!{cell} ({column}) is {value} but the status is not Done. Update the status or clear the date.",
    ),
    (
        "done-not-complete",
        "warning",
        "{sheet}!{cell}「{column}」为 {share_text},但状态为「已完成」。请把进度改为 100% 或更新状态。",
        "{sheet}!{cell} ({column}) is {share_text} but the status is Done. Set it to 100% or update the status.",
    ),
    (
        "baseline-equals-target",
        "error",
        "{sheet}!{cell}「{column}」{value} 与基线值相同。目标值必须不同于基线值。",
        "{sheet}!{cell} ({column}) {value} equals the baseline. The target must differ from the baseline.",
    ),
    (
        "percent-scale-mixed",
        "warning",
        "{sheet}!{cell}「{column}」写成了百分比 {value}(按 {fraction} 读取),但同一行的 {others} 是普通数字;"
        "两种写法混用会算错达成率。请统一写法:都写百分比(如 60%、80%)或都写普通数字(如 60、80)。",
        "{sheet}!{cell} ({column}) is typed as a percent, {value} (read as {fraction}), but {others} in the same row "
        "is a plain number; mixing the two gives a wrong achievement. Write them the same way: all as percents "
        "(60%, 80%) or all as plain numbers (60, 80).",
    ),
    # Rules across sheets (merge).
    (
        "duplicate-id",
        "error",
        "{sheet}!{cell}「{column}」{value} 重复(首次出现在 {first})。编号在部门内必须唯一,请改用新编号。",
        "{sheet}!{cell} ({column}) {value} is a duplicate (first at {first}). Ids are unique in a department: use a "
        "new one.",
    ),
    (
        "duplicate-progress",
        "error",
        "{sheet}!{cell}「{column}」{value} 已在 {first} 行填写过进度。每个行动只保留一行最新状态。",
        "{sheet}!{cell} ({column}) {value} already has a progress row ({first}). Keep one row per action, its latest "
        "state.",
    ),
    (
        "ref-missing",
        "error",
        "{sheet}!{cell}「{column}」{value} 在「{target_zh}」表中不存在。请填写该表中已有的编号。",
        "{sheet}!{cell} ({column}) {value} does not exist in '{target_en}'. Use an id from that sheet.",
    ),
    (
        "ref-rejected",
        "error",
        "{sheet}!{cell}「{column}」{value} 所指的「{target_zh}」行有错误,本行一并未采用。请先修正那一行。",
        "{sheet}!{cell} ({column}) {value} points at a row of '{target_en}' that has errors, so this row was not "
        "used either. Fix that row first.",
    ),
    (
        "below-threshold",
        "warning",
        "{sheet}!{cell}:已采纳的方案总分 {total} 低于门槛 {threshold}。请确认是否采纳,或改选达标方案。",
        "{sheet}!{cell}: the selected solution scores {total}, below the threshold {threshold}. Confirm the choice or "
        "select a passing solution.",
    ),
    (
        "closed-kpi-missed",
        "warning",
        "{sheet}!{cell}:问题 {problem} 已标记关闭,但指标 {kpis} 未达到目标。请确认效果后再关闭。",
        "{sheet}!{cell}: problem {problem} is marked closed but KPI {kpis} missed its target. Confirm the effect "
        "before closing.",
    ),
)
