"""The demo's building blocks: a register row that evolves month by month (`Entry`), a department
and how it submits, a planted mistake, and one builder per sheet so the departments' modules read like
what a department types."""

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


def problem(
    since: int,
    pid: str,
    trigger: str,
    channel: str,
    scenario: str,
    step: str,
    issue: str,
    effect: str,
    quantification: str,
    scope: str,
    impact: str,
    difficulty: str,
    owner: str,
    identified_on: date,
    metric: str | None = None,
    current: float | None = None,
    benchmark: float | None = None,
) -> Entry:
    return Entry(
        "problems",
        since,
        {
            "problem_id": pid,
            "trigger": trigger,
            "channel": channel,
            "scenario": scenario,
            "process_step": step,
            "issue": issue,
            "effect": effect,
            "quantification": quantification,
            "scope": scope,
            "impact": impact,
            "difficulty": difficulty,
            "owner": owner,
            "identified_on": identified_on,
            "metric": metric,
            "current_value": current,
            "benchmark_value": benchmark,
        },
    )


def why(since: int, pid: str, rc: str, whys: tuple[str, ...], root: str) -> Entry:
    chain = {f"why_{i}": (whys[i - 1] if i <= len(whys) else None) for i in range(1, 6)}
    return Entry("why_chains", since, {"problem_id": pid, "root_cause_id": rc, **chain, "root_cause": root})


def fish(
    since: int, pid: str, category: str, cause: str, sub: str | None, frequency: int | None, root: str | None = None
) -> Entry:
    return Entry(
        "fishbone",
        since,
        {
            "problem_id": pid,
            "category": category,
            "cause": cause,
            "sub_cause": sub,
            "frequency": frequency,
            "is_root": root is not None,
            "root_cause_id": root,
        },
    )


def verify(
    since: int, rc: str, method: str, evidence: str, sample: int, share: float, conclusion: str, on: date
) -> Entry:
    return Entry(
        "verification",
        since,
        {
            "root_cause_id": rc,
            "method": method,
            "evidence": evidence,
            "sample_size": sample,
            "support_share": share,
            "conclusion": conclusion,
            "verified_on": on,
        },
    )


def solution(
    since: int, sid: str, pid: str, rc: str | None, description: str, category: str, scores: str, selected: bool
) -> Entry:
    """`scores` is "EFCR", e.g. "5432" for effectiveness 5, feasibility 4, cost 3, risk 2."""
    e, f, c, r = (int(ch) for ch in scores)
    return Entry(
        "solutions",
        since,
        {
            "solution_id": sid,
            "problem_id": pid,
            "root_cause_id": rc,
            "description": description,
            "category": category,
            "effectiveness": e,
            "feasibility": f,
            "cost": c,
            "risk": r,
            "total": e + f + c + r,
            "selected": selected,
        },
    )


State = tuple[str, float, date | None, str | None, date]  # status, % done, finished on, blockers, updated on


def action(
    since: int,
    aid: str,
    sid: str,
    what: str,
    who: str,
    how: str,
    start: date,
    due: date,
    resources: str | None,
    deliverable: str | None,
    *states: State,
) -> tuple[Entry, Entry]:
    """The plan row and its progress row; `states` holds the progress of each month from `since` on."""
    plan = Entry(
        "actions",
        since,
        {
            "action_id": aid,
            "solution_id": sid,
            "what": what,
            "who": who,
            "how": how,
            "start_on": start,
            "due_on": due,
            "resources": resources,
            "deliverable": deliverable,
        },
    )
    rows = [
        {"action_id": aid, "status": s, "percent_done": p, "finished_on": f, "blockers": b, "updated_on": u}
        for s, p, f, b, u in states
    ]
    later = tuple((since + i, row) for i, row in enumerate(rows[1:], start=1))
    return plan, Entry("progress", since, rows[0], later)


def kpi(
    since: int,
    pid: str,
    name: str,
    unit: str,
    direction: str,
    baseline: float,
    target: float,
    benefit: float | None,
    measured: dict[int, tuple[float, date]],
) -> Entry:
    """A KPI row; `measured` maps a month to (actual, measured on); before the first, actual is blank."""
    later = tuple(
        (m, {"actual": a, "measured_on": on, "annual_benefit": benefit}) for m, (a, on) in sorted(measured.items())
    )
    return Entry(
        "results",
        since,
        {
            "problem_id": pid,
            "kpi": name,
            "unit": unit,
            "direction": direction,
            "baseline": baseline,
            "target": target,
            "actual": None,
            "measured_on": None,
            "annual_benefit": None,
        },
        later,
    )


def standard(
    since: int, pid: str, kind: str, document: str, effective: date, scope: str, lessons: str, closed_in: int | None
) -> Entry:
    later = () if closed_in is None or closed_in <= since else ((closed_in, {"closed": True}),)
    return Entry(
        "standards",
        since,
        {
            "problem_id": pid,
            "kind": kind,
            "document": document,
            "effective_on": effective,
            "rollout_scope": scope,
            "lessons": lessons,
            "closed": closed_in is not None and closed_in <= since,
        },
        later,
    )


def flat(*items: Entry | tuple[Entry, ...]) -> tuple[Entry, ...]:
    out: list[Entry] = []
    for item in items:
        out.extend(item if isinstance(item, tuple) else (item,))
    return tuple(out)
