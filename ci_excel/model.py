"""The values that flow between stages: read -> validate -> compute -> store -> render.

Rows are plain dicts keyed by schema column keys (typed values, None when blank), so adding a
column means editing the schema, not these classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ci_excel.issues import Issue

Row = dict[str, Any]


@dataclass(frozen=True)
class Record:
    """One validated input row and where it came from."""

    values: Row
    file: str
    sheet_name: str  # as named in the workbook
    row: int  # 1-based sheet row
    cells: dict[str, str] = field(default_factory=dict)  # column key -> A1 reference


@dataclass
class SheetStats:
    """Reconciliation for one sheet: every data row read is used, rejected or ignored."""

    read: int = 0
    used: int = 0
    rejected: int = 0  # excluded by an error (its own, or one in a row it depends on)
    ignored: int = 0  # the template's example row left in place

    def add(self, other: SheetStats) -> None:
        self.read += other.read
        self.used += other.used
        self.rejected += other.rejected
        self.ignored += other.ignored


@dataclass(frozen=True)
class SourceFile:
    """One workbook that was read: identity, what it claims, and how it went."""

    path: str
    sha256: str
    size: int
    department: str | None = None
    period: str | None = None
    template_version: str | None = None
    sheets: tuple[str, ...] = ()  # sheet keys found
    outcome: str = "ok"  # ok | warnings | errors | unreadable | skipped | other_period
    kind: str = ""  # the format it was read as, from its content (xlsx, xlsm, xlsb, xls, ods)
    snapshot: str = ""  # the run's copy that was read and hashed (feedback annotates this copy)


@dataclass
class Submission:
    """One department's data for one period, merged from all its files and validated."""

    department: str
    period: str
    info: Row
    files: list[SourceFile]
    tables: dict[str, list[Record]]  # sheet key -> rows that passed (errors excluded)
    issues: list[Issue]
    stats: dict[str, SheetStats]

    def rows(self, sheet: str) -> list[Row]:
        return [r.values for r in self.tables.get(sheet, [])]


@dataclass(frozen=True, slots=True)
class KpiPoint:
    """One KPI of a problem as stored for an earlier period (KPI history: same problem id and KPI name)."""

    period: str
    actual: float | None
    target: float | None
    met: bool | None
    stage: str  # the problem's stage in that period ("1".."6", "" unknown)


KpiHistory = dict[tuple[str, str], tuple[KpiPoint, ...]]  # (problem_id, kpi) -> earlier periods, oldest first


@dataclass
class DepartmentResult:
    """A department's period with every computed field: what the store keeps and renderers show.

    `tables` maps sheet keys (plus "root_causes") to rows holding the schema's input columns and
    the sheet's `computed` columns (priority, stage, score, overdue, achievement ...).
    """

    department: str
    period: str
    info: Row
    tables: dict[str, list[Row]]
    issues: list[Issue]
    files: list[SourceFile] = field(default_factory=list)
    late: bool = False  # submitted after the deadline day
    kpi_history: KpiHistory = field(default_factory=dict)  # its KPIs in earlier stored periods (not stored again)

    def rows(self, sheet: str) -> list[Row]:
        return self.tables.get(sheet, [])


@dataclass(frozen=True)
class PeriodFigures:
    """Headline figures of one period: one row of the trend."""

    period: str
    departments: int
    problems: int
    new: int  # problems not seen in the previous period
    closed: int  # stage 6
    open: int
    overdue_actions: int
    kpis: int
    kpis_met: int
    benefit: float
    by_stage: dict[int, int] = field(default_factory=dict)
    by_priority: dict[str, int] = field(default_factory=dict)


@dataclass
class PeriodOutline:
    """A period without its departments' rows: what the portfolio outputs need besides the
    departments themselves, which they fold in one at a time (so memory does not grow with them)."""

    period: str
    trend: list[PeriodFigures]  # every stored period up to and including this one, oldest first
    missing: list[str] = field(default_factory=list)  # expected departments with no submission
    issues: list[Issue] = field(default_factory=list)  # issues not tied to one department
    generated_on: date | None = None

    @property
    def figures(self) -> PeriodFigures | None:
        """This period's row of `trend`, when the trend holds it."""
        return next((f for f in self.trend if f.period == self.period), None)

    @property
    def previous_figures(self) -> PeriodFigures | None:
        """The latest stored period before this one (month-over-month change), if any."""
        earlier = [f for f in self.trend if f.period < self.period]
        return earlier[-1] if earlier else None


@dataclass
class PeriodResult:
    """A whole period in memory: its outline's fields and every department (loaded from the store,
    or built by tests and benchmarks; the monthly run never holds one)."""

    period: str
    departments: list[DepartmentResult]
    trend: list[PeriodFigures]
    missing: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    generated_on: date | None = None

    @property
    def outline(self) -> PeriodOutline:
        return PeriodOutline(self.period, self.trend, self.missing, self.issues, self.generated_on)

    @property
    def figures(self) -> PeriodFigures | None:
        return self.outline.figures

    @property
    def all_issues(self) -> list[Issue]:
        return [*self.issues, *(i for d in self.departments for i in d.issues)]

    @property
    def late(self) -> list[str]:
        return [d.department for d in self.departments if d.late]


@dataclass(frozen=True, slots=True)
class DepartmentDigest:
    """One department's figures, counted once by `compute.department_digest`: what every output shows
    of a department once its rows are gone (the Word portfolio, the summary workbook). Small, so a
    period's outputs can keep one per department.

    Stage and priority counts are in schema order (STAGE 1..6, PRIORITY P1..P4); means are None
    when no row gives a value; `benefit` is None when no amount is recorded.
    """

    department: str
    late: bool
    submitted_on: Any
    contact: Any
    contact_info: Any
    files: int
    problems: int  # all problems, including any whose stage is blank
    stages: tuple[int, ...]  # problems per stage
    priorities: tuple[int, ...]  # problems per priority class
    closed: int  # stage 6
    p1_open: int  # P1 problems not closed
    avg_stage: float | None
    progress: float | None  # mean progress of the problems that give one
    actions: int
    overdue_actions: int
    kpis: int
    kpis_met: int
    achievement: float | None  # mean achievement of the KPIs that give one
    benefit: float | None
    solutions: int
    passing: int
    errors: int
    warnings: int
    stage_priority: tuple[tuple[str, str, int], ...] = ()  # (stage key or "", priority, problems)
    matrix: tuple[tuple[str, str, str, int], ...] = ()  # (priority, impact or "", difficulty or "", problems)
    categories: tuple[tuple[str, int, int], ...] = ()  # (solution category, candidates, selected)
    p1_off_track: int = 0  # P1 problems not closed that carry a health flag
    kpis_missed: int = 0  # KPIs measured and below target
    gains_not_held: int = 0  # problems closed earlier whose KPI slipped back past its target

    @property
    def open(self) -> int:
        return self.problems - self.closed

    @property
    def closure_rate(self) -> float:
        """Closed problems' share (0 when there are none)."""
        return self.closed / self.problems if self.problems else 0.0

    @property
    def kpi_rate(self) -> float | None:
        """KPIs met's share (None when there are no KPIs)."""
        return self.kpis_met / self.kpis if self.kpis else None


@dataclass(frozen=True)
class PeriodDigest:
    """The departments' digests folded into the period by `compute.period_digest`: the departments in
    rank order and the period's totals, which the summary dashboard and the Word portfolio format."""

    departments: tuple[DepartmentDigest, ...]  # ranked (compute.rank_departments)
    problems: int
    closed: int
    p1_open: int
    actions: int
    overdue_actions: int
    kpis: int
    kpis_met: int
    benefit: float | None
    solutions: int
    passing: int
    errors: int  # the departments' and the period's general issues
    warnings: int
    stages: tuple[int, ...]
    priorities: tuple[int, ...]
    stage_priority: dict[tuple[str, str], int] = field(default_factory=dict)
    matrix: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (priority, impact, difficulty)
    cells: dict[tuple[str, str], int] = field(default_factory=dict)  # (impact, difficulty), every priority
    categories: dict[str, tuple[int, int]] = field(default_factory=dict)  # category -> (candidates, selected)
    p1_off_track: int = 0
    kpis_missed: int = 0
    gains_not_held: int = 0

    @property
    def late(self) -> list[str]:
        return [d.department for d in self.departments if d.late]

    @property
    def open(self) -> int:
        return self.problems - self.closed

    @property
    def kpi_rate(self) -> float | None:
        return self.kpis_met / self.kpis if self.kpis else None

    @property
    def failing(self) -> int:
        return self.solutions - self.passing

    @property
    def pass_rate(self) -> float | None:
        return self.passing / self.solutions if self.solutions else None
