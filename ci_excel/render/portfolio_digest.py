"""What the portfolio outputs keep of the departments, folded in one at a time and then dropped: each
department's digest (`compute.department_digest`), the impact x difficulty classes, and only the
TOP_ROWS most overdue actions and first P1 problems (every one of them is in portfolio_summary.xlsx).
What it keeps is independent of the order departments are added in; ties go by department name."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ci_excel.compute import department_digest, period_digest
from ci_excel.config import Config
from ci_excel.model import DepartmentDigest, DepartmentResult, PeriodDigest, Row
from ci_excel.render.docx_department import matrix_cells
from ci_excel.render.first_page import FIRST_PAGE_ROWS
from ci_excel.scoring import off_track, priority_key

TOP_ROWS = 40  # overdue actions and P1 problems listed in the report; the summary workbook has them all
ACTION_KEYS = ("action_id", "what", "who", "due_on", "status")
PROBLEM_KEYS = ("problem_id", "statement", "stage", "owner", "progress")

T = TypeVar("T")
Key = tuple[Any, ...]


class _Last:
    """Heap entry ordered backwards, so the heap's root is the largest key kept."""

    __slots__ = ("key",)

    def __init__(self, key: Key) -> None:
        self.key = key

    def __lt__(self, other: _Last) -> bool:
        return other.key < self.key


class Top(Generic[T]):
    """The `size` items with the smallest keys offered so far, and how many were offered."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.total = 0
        self._heap: list[tuple[_Last, int, T]] = []

    def offer(self, key: Key, item: T) -> None:
        self.total += 1
        entry = (_Last(key), self.total, item)  # items never compare: _Last entries are never equal
        if len(self._heap) < self.size:
            heapq.heappush(self._heap, entry)
        elif key < self._heap[0][0].key:
            heapq.heapreplace(self._heap, entry)

    def items(self) -> list[T]:
        """What is kept, smallest key first."""
        return [item for _, _, item in sorted(self._heap, key=lambda e: (e[0].key, e[1]))]  # exact ties: first offered


@dataclass
class PortfolioDigest:
    """What the portfolio report needs of the departments, folded in one at a time."""

    digests: list[DepartmentDigest] = field(default_factory=list)
    classes: dict[tuple[str, str], tuple[str, int, str]] = field(default_factory=dict)  # cell -> (dept, row, class)
    overdue: Top[tuple[Any, ...]] = field(default_factory=lambda: Top(TOP_ROWS))  # (department, *ACTION_KEYS, days)
    p1: Top[tuple[Any, ...]] = field(default_factory=lambda: Top(TOP_ROWS))  # (department, *PROBLEM_KEYS)
    p1_off: Top[tuple[str, Row]] = field(default_factory=lambda: Top(FIRST_PAGE_ROWS))  # P1 not on track (page 1)
    most_overdue: Top[tuple[str, Row]] = field(default_factory=lambda: Top(FIRST_PAGE_ROWS))  # (page 1)
    folded: PeriodDigest | None = None  # the period's digest, when given by the caller

    @classmethod
    def of(cls, departments: Iterable[DepartmentResult]) -> PortfolioDigest:
        digest = cls()
        for dept in departments:
            digest.add(dept)
        return digest

    def add(self, dept: DepartmentResult, digest: DepartmentDigest | None = None) -> None:
        """Keep a department's digest (made from `dept` when not given) and the rows the report lists."""
        self.digests.append(digest or department_digest(dept))
        name = dept.department
        for n, p in enumerate(dept.rows("problems")):
            self._problem(name, n, p)
        for n, a in enumerate(dept.rows("actions")):
            if a.get("overdue"):
                key = (-(a.get("days_overdue") or 0), name, n)
                self.overdue.offer(key, (name, *(a.get(k) for k in ACTION_KEYS), a.get("days_overdue")))
                self.most_overdue.offer(key, (name, {k: a.get(k) for k in (*ACTION_KEYS, "days_overdue")}))

    def _problem(self, name: str, n: int, p: Row) -> None:
        impact, difficulty, cls = p.get("impact"), p.get("difficulty"), p.get("priority")
        if impact and difficulty and cls:  # the class rows give a cell: the last department by name wins
            cell = (str(impact), str(difficulty))
            if cell not in self.classes or (name, n) >= self.classes[cell][:2]:
                self.classes[cell] = (name, n, str(cls))
        if cls == "P1":
            self.p1.offer((priority_key(p), name, n), (name, *(p.get(k) for k in PROBLEM_KEYS)))
            if off_track(p):
                keys = ("problem_id", "issue", "statement", "owner", "flags")
                self.p1_off.offer((priority_key(p), name, n), (name, {k: p.get(k) for k in keys}))

    @property
    def departments(self) -> list[DepartmentDigest]:
        """One digest per department, by name."""
        return sorted(self.digests, key=lambda d: d.department)

    def period(self) -> PeriodDigest:
        """The departments folded into the period (ranked): `folded` when the caller folded them already."""
        return self.folded or period_digest(self.digests)

    def matrix_classes(self, config: Config | None) -> tuple[tuple[str, str, str], ...]:
        rows = [{"impact": i, "difficulty": d, "priority": c} for (i, d), (_, _, c) in sorted(self.classes.items())]
        return matrix_cells(rows, config)
