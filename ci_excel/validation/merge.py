"""The files of one department and period merged into one Submission."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace

from ci_excel.config import Config
from ci_excel.model import Record, SheetStats, Submission
from ci_excel.validation.cross import _cross_sheet
from ci_excel.validation.results import FileCheck, MergeResult, _Ctx, _with_outcome


def merge(
    checks: Sequence[FileCheck],
    *,
    canonical_department: Callable[[str], str] | None = None,
    threshold: float | None = None,
    config: Config | None = None,
) -> MergeResult:
    """One Submission per (department, period), with the cross-sheet rules applied.

    `config` gives the scoring rules (weights and threshold) the rules share with `scoring`;
    `threshold`, when given, overrides the threshold alone (the older way to pass it).
    """
    groups, loose = group_checks(checks, canonical_department=canonical_department)
    rules = _scoring_rules(config, threshold)
    submissions = [
        merge_group(dep, per, [checks[i] for i in group], config=rules) for (dep, per), group in sorted(groups.items())
    ]
    return MergeResult(submissions, [i for n in loose for i in checks[n].issues])


def group_checks(
    checks: Sequence[FileCheck],
    *,
    canonical_department: Callable[[str], str] | None = None,
) -> tuple[dict[tuple[str, str], list[int]], list[int]]:
    """Indexes of the checks of each (department, period), and of those that name neither."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    loose: list[int] = []
    for n, check in enumerate(checks):
        if not check.department or not check.period:
            loose.append(n)
            continue
        department = canonical_department(check.department) if canonical_department else check.department
        groups[(department, check.period)].append(n)
    return dict(groups), loose


def merge_group(
    department: str,
    period: str,
    group: Sequence[FileCheck],
    threshold: float | None = None,
    *,
    config: Config | None = None,
) -> Submission:
    """The files of one department and period as one Submission, with the cross-sheet rules applied
    (scoring rules from `config`, default Config(); `threshold` overrides its threshold alone)."""
    rules = _scoring_rules(config, threshold)
    group = sorted(group, key=lambda c: c.source.path)
    ctx = _Ctx("", department, period)
    tables: dict[str, list[Record]] = defaultdict(list)
    stats: dict[str, SheetStats] = defaultdict(SheetStats)
    owner: dict[str, FileCheck] = {}
    for check in group:
        for key, sheet_stats in check.stats.items():
            stats[key].add(sheet_stats)
            if not sheet_stats.read:
                continue
            if key in owner:
                _duplicate_sheet(ctx, owner[key], check, key, stats[key])
                continue
            owner[key] = check
            tables[key].extend(check.records.get(key, []))
    typed: dict[str, set[str]] = defaultdict(set)
    for check in group:
        for space, ids in check.rejected_ids.items():
            typed[space] |= ids
    _exclude(tables, stats, _cross_sheet(tables, ctx, rules, typed))
    info = next((c.info for c in group if c.info.get("department")), group[0].info)
    issues = [
        i if i.department == department else replace(i, department=department)
        for i in (*(i for c in group for i in c.issues), *ctx.issues)
    ]
    files = [_with_outcome(c.source, issues) for c in group]
    return Submission(department, period, dict(info), files, dict(tables), issues, dict(stats))


def _exclude(tables: dict[str, list[Record]], stats: dict[str, SheetStats], rejected: set[int]) -> None:
    """Drop rows rejected by cross-sheet rules, moving them from used to rejected."""
    for key, rows in tables.items():
        kept = [r for r in rows if id(r) not in rejected]
        stats[key].used -= len(rows) - len(kept)
        stats[key].rejected += len(rows) - len(kept)
        tables[key] = kept


def _duplicate_sheet(ctx: _Ctx, first: FileCheck, second: FileCheck, key: str, stats: SheetStats) -> None:
    """A sheet given by two files: the second file's rows are rejected, naming both files."""
    name = second.sheet_names.get(key, key)
    ctx.file = second.source.path
    ctx.add("sheet-duplicate", sheet=name, first=first.source.path, second=second.source.path)
    moved = len(second.records.get(key, []))
    stats.used -= moved
    stats.rejected += moved


def _scoring_rules(config: Config | None, threshold: float | None) -> Config:
    """The Config whose weights and threshold the cross-sheet rules use."""
    rules = config or Config()
    return rules if threshold is None or threshold == rules.threshold else replace(rules, threshold=threshold)
