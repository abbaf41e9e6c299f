"""Rows in and out: a period's results as table rows to insert, and stored rows back as the
model's values (PeriodFigures, DepartmentResult, Issue, SourceFile, SentRecord)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ci_excel.issues import Issue
from ci_excel.model import DepartmentResult, PeriodFigures, Row, SourceFile
from ci_excel.schema import INFO, SHEETS
from ci_excel.store.tables import (
    _PERIOD_CHILDREN,
    ENTITIES,
    ENTITY_TABLES,
    FILES,
    ISSUES,
    PERIODS,
    SUBMISSIONS,
    _now,
)

# -- rows in --------------------------------------------------------------------------------------


def _delete_period(conn: Connection, period: str) -> None:
    for table in _PERIOD_CHILDREN:
        conn.execute(table.delete().where(table.c.period == period))
    conn.execute(PERIODS.delete().where(PERIODS.c.period == period))


def _period_head(figures: PeriodFigures, generated_on: date | None) -> Row:
    head = asdict(figures) | {"stored_at": _now(), "generated_on": generated_on}
    head["by_stage"] = {str(k): v for k, v in figures.by_stage.items()}
    return head


def _department_rows(dept: DepartmentResult, seq: int) -> Iterator[tuple[sa.Table, list[Row]]]:
    """(table, rows) of one department in insertion order: parents before children."""
    yield SUBMISSIONS, [_submission_row(dept, seq)]
    yield FILES, [_file_row(dept, i, f) for i, f in enumerate(dept.files)]
    yield ISSUES, _issue_rows(dept.period, dept.department, dept.issues)
    for sheet, table in ENTITY_TABLES.items():
        columns = [c.name for c in table.columns]
        yield (
            table,
            [
                {k: row.get(k) for k in columns} | {"period": dept.period, "department": dept.department, "row_no": i}
                for i, row in enumerate(dept.rows(sheet))
            ],
        )


def _submission_row(dept: DepartmentResult, seq: int) -> Row:
    info = {f"info_{c.key}": dept.info.get(c.key) for c in INFO.columns}
    extra = {k: v for k, v in dept.info.items() if k not in INFO.by_key}
    return info | {
        "period": dept.period,
        "department": dept.department,
        "seq": seq,
        "late": dept.late,
        "info_extra": extra or None,
    }


def _file_row(dept: DepartmentResult, seq: int, source: SourceFile) -> Row:
    return {
        "period": dept.period,
        "department": dept.department,
        "seq": seq,
        "file": source.path,
        "sha256": source.sha256,
        "size": source.size,
        "claimed_department": source.department,
        "claimed_period": source.period,
        "template_version": source.template_version,
        "sheets": list(source.sheets),
        "outcome": source.outcome,
    }


def _issue_rows(period: str, department: str | None, issues: Iterable[Issue]) -> list[Row]:
    return [
        {
            "period": period,
            "department": department,
            "code": i.code,
            "severity": i.severity,
            "file": i.file,
            "sheet": i.sheet,
            "cell": i.cell,
            "column": i.column,
            "value": i.value,
            "params": i.params,
            "issue_department": i.department,
            "issue_period": i.period,
            "row": i.row,
        }
        for i in issues
    ]


# -- rows out -------------------------------------------------------------------------------------


def _figures_of(row: sa.RowMapping) -> PeriodFigures:
    values = {f.name: row[f.name] for f in fields(PeriodFigures)}
    values["by_stage"] = {int(k): v for k, v in row["by_stage"].items()}
    return PeriodFigures(**values)


_ALL = object()  # no department filter


def _of(table: sa.Table, period: str, department: object) -> list[Any]:
    """Where-clauses: the period's rows, of one department (None: the period's own) unless _ALL."""
    found = [table.c.period == period]
    if department is not _ALL:
        found.append(table.c.department.is_(None) if department is None else table.c.department == department)
    return found


def _load_issues(conn: Connection, period: str, department: object = _ALL) -> dict[str | None, list[Issue]]:
    found: dict[str | None, list[Issue]] = defaultdict(list)
    for r in conn.execute(sa.select(ISSUES).where(*_of(ISSUES, period, department)).order_by(ISSUES.c.id)).mappings():
        found[r["department"]].append(
            Issue(
                code=r["code"],
                file=r["file"],
                sheet=r["sheet"],
                cell=r["cell"],
                column=r["column"],
                value=r["value"],
                params=r["params"],
                department=r["issue_department"],
                period=r["issue_period"],
                row=r["row"],
            )
        )
    return found


def _load_departments(
    conn: Connection, period: str, issues: dict[str | None, list[Issue]], department: object = _ALL
) -> list[DepartmentResult]:
    files = _load_files(conn, period, department)
    tables = _load_tables(conn, period, department)
    query = sa.select(SUBMISSIONS).where(*_of(SUBMISSIONS, period, department)).order_by(SUBMISSIONS.c.seq)
    return [
        DepartmentResult(
            department=r["department"],
            period=period,
            info={c.key: r[f"info_{c.key}"] for c in INFO.columns} | (r["info_extra"] or {}),
            tables={sheet: tables[r["department"]][sheet] for sheet in ENTITIES},
            issues=issues.get(r["department"], []),
            files=files.get(r["department"], []),
            late=r["late"],
        )
        for r in conn.execute(query).mappings()
    ]


def _load_files(conn: Connection, period: str, department: object) -> dict[str, list[SourceFile]]:
    found: dict[str, list[SourceFile]] = defaultdict(list)
    query = sa.select(FILES).where(*_of(FILES, period, department)).order_by(FILES.c.department, FILES.c.seq)
    for r in conn.execute(query).mappings():
        found[r["department"]].append(
            SourceFile(
                path=r["file"],
                sha256=r["sha256"],
                size=r["size"],
                department=r["claimed_department"],
                period=r["claimed_period"],
                template_version=r["template_version"],
                sheets=tuple(r["sheets"]),
                outcome=r["outcome"],
            )
        )
    return found


def _load_tables(conn: Connection, period: str, department: object) -> dict[str, dict[str, list[Row]]]:
    """department -> sheet -> rows (schema columns, in stored order)."""
    found: dict[str, dict[str, list[Row]]] = defaultdict(lambda: {s: [] for s in ENTITIES})
    for sheet, table in ENTITY_TABLES.items():
        spec = SHEETS[sheet]
        keys = [c.key for c in (*spec.columns, *spec.computed)]
        query = sa.select(table).where(*_of(table, period, department)).order_by(table.c.department, table.c.row_no)
        for r in conn.execute(query).mappings():
            found[r["department"]][sheet].append({k: r[k] for k in keys})
    return found


def _group(rows: Iterable[Any]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for key, value in rows:
        grouped[key].append(value)
    return grouped


# -- sent messages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentRecord:
    """One message the SMTP server accepted, as `Store.sent` gives it back."""

    period: str
    department: str  # "": the PMO's message
    recipients: tuple[str, ...]
    attachments: tuple[dict[str, Any], ...]
    digest: str
    message_id: str
    sent_at: datetime
