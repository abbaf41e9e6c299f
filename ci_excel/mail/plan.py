"""Which messages a period's outputs make: one per department, one for the PMO.

Everything shown comes from what consolidate stored and wrote: the departments' info, computed
rows and issues from the store; the files from distribution.xlsx (reports, PDFs) and
manifest.json (feedback workbooks). Figures are taken from `compute.period_figures`, never
recomputed here.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ci_excel.compute import period_figures
from ci_excel.config import Config
from ci_excel.errors import UsageError
from ci_excel.mail.compose import PMO, Letter, unique_names
from ci_excel.mail.settings import MailSettings
from ci_excel.model import DepartmentResult
from ci_excel.render.distribution import read_distribution
from ci_excel.render.docx import portfolio_path
from ci_excel.render.feedback_names import FeedbackNames
from ci_excel.render.period import DISTRIBUTION, SUMMARY
from ci_excel.run_folders import MANIFEST
from ci_excel.schema import Lang
from ci_excel.store import Store
from ci_excel.text import phrase

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_LIST_AT_MOST = 5  # problems and actions named in a body


@dataclass
class Plan:
    """The period's messages, the departments that get none (and why), and the departments' info."""

    letters: list[Letter] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (department, reason)
    departments: list[DepartmentResult] = field(default_factory=list)  # without rows, for distribution.xlsx
    reports: dict[str, tuple[Path | None, Path | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Context:
    period: str
    folder: Path
    config: Config
    settings: MailSettings
    lang: Lang


def make_plan(
    store: Store,
    period: str,
    folder: Path,
    *,
    config: Config,
    settings: MailSettings,
    lang: Lang,
    only: Sequence[str] = (),
) -> Plan:
    """Every message of the period (of the `only` departments, then without the PMO's)."""
    ctx = _Context(period, folder, config, settings, lang)
    plan = Plan(reports=_reports(folder))
    feedback = _feedback(folder)
    wanted = _wanted(only, config, store.department_names(period))
    totals = {"p1": 0, "overdue": 0, "errors": 0}
    sources: list[str] = []
    for dept in store.iter_departments(period):
        sources.append(_source(dept))
        plan.departments.append(replace(dept, tables={}, issues=[]))
        counts = _counts(dept)
        for key in totals:
            totals[key] += counts[key]
        if wanted is None or dept.department in wanted:
            _add(plan, _department_letter(ctx, dept, counts, plan.reports, feedback))
    if wanted is None:
        _add(plan, _pmo_letter(ctx, totals, len(plan.departments), _source_of(sources)))
    return plan


def _add(plan: Plan, outcome: Letter | tuple[str, str]) -> None:
    if isinstance(outcome, Letter):
        plan.letters.append(outcome)
    else:
        plan.skipped.append(outcome)


def _wanted(only: Sequence[str], config: Config, stored: list[str]) -> set[str] | None:
    if not only:
        return None
    names = {config.canonical_department(name) for name in only}
    unknown = sorted(names - set(stored))
    if unknown:
        raise UsageError(f"--only: {', '.join(unknown)} not in this period; stored: {', '.join(stored) or 'none'}")
    return names


# -- the files --------------------------------------------------------------------------------


def _reports(folder: Path) -> dict[str, tuple[Path | None, Path | None]]:
    path = folder / DISTRIBUTION
    if not path.is_file():
        raise UsageError(f"{path} is missing: run 'ci-excel consolidate' (or 'ci-excel report') for this period")
    return read_distribution(path)


def _feedback(folder: Path) -> dict[str, list[Path]]:
    """Source file label -> its feedback workbook(s), as the run named them (manifest.json)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {folder / MANIFEST}: {exc}; run 'ci-excel consolidate' again") from exc
    written = {str(p) for p in manifest.get("feedback", [])}
    names = FeedbackNames(folder / "feedback")
    found: dict[str, list[Path]] = {}
    for entry in manifest.get("inputs", []):
        claimed = names.claim(entry["file"])
        options = (
            claimed,
            claimed.with_suffix(".xlsx"),
            claimed.with_suffix(".xlsm"),
            claimed.with_name(claimed.name + ".xlsx"),
        )
        found[entry["file"]] = [p for p in dict.fromkeys(options) if str(p.relative_to(folder)) in written]
    return found


# -- a department's message -------------------------------------------------------------------


def _counts(dept: DepartmentResult) -> dict[str, Any]:
    figures = period_figures(dept.period, [dept], previous_problem_ids=None)
    return {
        "p1": figures.by_priority.get("P1", 0),
        "overdue": figures.overdue_actions,
        "errors": sum(i.is_error for i in dept.issues),
        "p1_rows": [p for p in dept.rows("problems") if p.get("priority") == "P1"],
        "overdue_rows": [a for a in dept.rows("actions") if a.get("overdue")],
    }


def _department_letter(
    ctx: _Context,
    dept: DepartmentResult,
    counts: dict[str, Any],
    reports: dict[str, tuple[Path | None, Path | None]],
    feedback: dict[str, list[Path]],
) -> Letter | tuple[str, str]:
    to, cc = _addresses(ctx.config, dept)
    if not to:
        return dept.department, phrase("mail_no_address", ctx.lang)
    report, pdf = reports.get(dept.department, (None, None))
    if report is None or not report.is_file():
        return dept.department, phrase("mail_no_report", ctx.lang)
    files = [report, *([pdf] if pdf is not None and pdf.is_file() else [])]
    files += [p for f in dept.files for p in feedback.get(f.path, []) if p.is_file()]
    attachments = unique_names(files)
    values = _values(
        ctx,
        department=dept.department,
        contact=str(dept.info.get("contact") or ""),
        counts=counts,
        attachments=attachments,
        departments=1,
    )
    return Letter(
        dept.department,
        to,
        cc,
        _fill(ctx, "subject", values, pmo=False),
        _fill(ctx, "body", values, pmo=False),
        tuple(attachments),
        _source(dept),
    )


def _source(dept: DepartmentResult) -> str:
    """The department's version: the SHA-256 of each file it submitted (as stored)."""
    return _source_of(f"{f.path}\t{f.sha256}" for f in dept.files)


def _source_of(parts: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()


def _addresses(config: Config, dept: DepartmentResult) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The roster's email and cc for the department; without roster email, the info sheet's."""
    entry = next((d for d in config.roster if d.name == dept.department), None)
    if entry is not None and entry.email:
        return entry.email, entry.cc
    found = tuple(dict.fromkeys(_EMAIL.findall(str(dept.info.get("contact_info") or ""))))
    return found, entry.cc if entry is not None else ()


def _pmo_letter(ctx: _Context, totals: dict[str, int], departments: int, source: str) -> Letter | tuple[str, str]:
    if not ctx.settings.pmo:
        return "PMO", phrase("mail_no_pmo", ctx.lang)
    portfolio = portfolio_path(ctx.folder)
    files = [p for p in (portfolio, portfolio.with_suffix(".pdf"), ctx.folder / SUMMARY) if p.is_file()]
    attachments = unique_names(files)
    values = _values(ctx, department="PMO", contact="", counts=totals, attachments=attachments, departments=departments)
    return Letter(
        PMO,
        ctx.settings.pmo,
        (),
        _fill(ctx, "subject", values, pmo=True),
        _fill(ctx, "body", values, pmo=True),
        tuple(attachments),
        source,
    )


# -- the text ---------------------------------------------------------------------------------


def _values(
    ctx: _Context,
    *,
    department: str,
    contact: str,
    counts: dict[str, Any],
    attachments: Iterable[Any],
    departments: int,
) -> dict[str, str]:
    listed = "\n".join(f"- {a.name} ({a.size / 1024:,.0f} KB)" for a in attachments)
    return {
        "department": department,
        "period": ctx.period,
        "contact": contact,
        "p1_problems": str(counts["p1"]),
        "overdue_actions": str(counts["overdue"]),
        "data_errors": str(counts["errors"]),
        "attention": _attention(ctx.lang, counts),
        "attachments": listed,
        "departments": str(departments),
    }


def _attention(lang: Lang, counts: dict[str, Any]) -> str:
    """A few lines: P1 problems, overdue actions and data errors, each named when there are few."""
    lines = []
    if counts["p1"]:
        lines.append(phrase("mail_p1", lang, n=counts["p1"]))
        lines += [
            f"    {p['problem_id']}: {p.get('statement') or ''}" for p in counts.get("p1_rows", [])[:_LIST_AT_MOST]
        ]
    if counts["overdue"]:
        lines.append(phrase("mail_overdue", lang, n=counts["overdue"]))
        lines += [
            f"    {a['action_id']}: {a.get('what') or ''} ({a.get('due_on')})"
            for a in counts.get("overdue_rows", [])[:_LIST_AT_MOST]
        ]
    if counts["errors"]:
        lines.append(phrase("mail_errors", lang, n=counts["errors"]))
    return "\n".join(lines) or phrase("mail_nothing", lang)


def _fill(ctx: _Context, name: str, values: dict[str, str], *, pmo: bool) -> str:
    """A template of plain {field}s (checked when the settings were read)."""
    return ctx.settings.template(name, ctx.lang, pmo=pmo).format_map(values)
