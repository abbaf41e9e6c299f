"""The PMO's status board: every expected department and where its submission stands.

Expected departments, as for `consolidate` (SPEC section 5): the roster in `ci_excel.toml`;
without one, every department that submitted in an earlier period of the history store. Beside
them the board lists any department that was given a link or uploaded, so nobody who works with
the server is out of sight. Status of a department, from its latest version: missing (nothing
uploaded), with errors (its latest upload has errors, or is not its own workbook for the period),
clean with warnings, clean; late when its latest upload came after the deadline day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ci_excel.compute import deadline
from ci_excel.config import Config
from ci_excel.store import Store
from ci_excel.web.uploads import Uploads, Version, department_key


@dataclass(frozen=True)
class BoardRow:
    department: str
    key: str
    status: str  # missing | errors | warnings | clean
    late: bool
    latest: Version | None
    uploads: int
    expected: bool


@dataclass(frozen=True)
class Board:
    period: str
    deadline: date
    source: str  # src_roster | src_history | src_links: where the expected departments come from
    rows: list[BoardRow]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def expected(self) -> int:
        return sum(1 for r in self.rows if r.expected)


def expected_departments(config: Config, store: Store | None, period: str) -> tuple[list[str], str]:
    """The departments expected for `period`, and where they come from (a text key)."""
    if config.roster_names():
        return config.roster_names(), "src_roster"
    seen = store.departments_seen(before=period) if store is not None else []
    return seen, "src_history" if seen else "src_links"


def board(period: str, *, config: Config, store: Store | None, uploads: Uploads, linked: Sequence[str]) -> Board:
    expected, source = expected_departments(config, store, period)
    others = sorted((set(linked) | set(uploads.departments(period))) - set(expected))
    due = deadline(period, config)
    rows = [_row(name, uploads.versions(period, name), due, expected=name in expected) for name in [*expected, *others]]
    return Board(period, due, source, rows)


def _row(department: str, versions: list[Version], due: date, *, expected: bool) -> BoardRow:
    latest = versions[-1] if versions else None
    return BoardRow(
        department,
        department_key(department),
        status_of(latest),
        latest is not None and latest.time.astimezone().date() > due,
        latest,
        len(versions),
        expected,
    )


def status_of(version: Version | None) -> str:
    if version is None:
        return "missing"
    if version.errors or version.not_taken:
        return "errors"
    return "warnings" if version.warnings else "clean"
