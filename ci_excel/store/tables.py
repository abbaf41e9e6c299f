"""The store's tables, generated from the schema: one per entity, keyed by (period, department,
row_no) and referencing the submission row of that department and period."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from ci_excel.model import PeriodFigures
from ci_excel.schema import INFO, SHEETS, TABLE_SHEETS, ColType, ColumnSpec

ENTITIES: tuple[str, ...] = (*(s.key for s in TABLE_SHEETS), "root_causes")
_JSON_COLUMNS = {("problems", "flags")}  # list-valued computed columns

_TYPES: dict[ColType, Callable[[], sa.types.TypeEngine[Any]]] = {
    ColType.TEXT: sa.Text,
    ColType.INT: sa.Integer,
    ColType.NUMBER: sa.Float,
    ColType.PERCENT: sa.Float,
    ColType.MONEY: sa.Float,
    ColType.DATE: sa.Date,
    ColType.PERIOD: lambda: sa.String(7),
    ColType.ENUM: lambda: sa.String(64),
    ColType.BOOL: sa.Boolean,
}  # enums and periods hold our own keys (validation normalises what was typed), so they stay bounded

METADATA = sa.MetaData()


def _column(sheet: str, spec: ColumnSpec, *, prefix: str = "") -> sa.Column[Any]:
    kind = sa.JSON() if (sheet, spec.key) in _JSON_COLUMNS else _TYPES[spec.type]()
    return sa.Column(prefix + spec.key, kind, nullable=True)


def _submission_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["period", "department"], ["submissions.period", "submissions.department"], ondelete="CASCADE"
    )


SCHEMA_VERSION = sa.Table(
    "schema_version",
    METADATA,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_on", sa.DateTime, nullable=False),
)
PERIODS = sa.Table(
    "periods",
    METADATA,
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("stored_at", sa.DateTime, nullable=False),
    sa.Column("generated_on", sa.Date),
    *(
        sa.Column(f.name, sa.Integer, nullable=False)
        for f in fields(PeriodFigures)
        if f.name not in ("period", "benefit", "by_stage", "by_priority")
    ),
    sa.Column("benefit", sa.Float, nullable=False),
    sa.Column("by_stage", sa.JSON, nullable=False),
    sa.Column("by_priority", sa.JSON, nullable=False),
    sa.Column("run_id", sa.Text),  # the run folder whose outputs show this stored period
)
SUBMISSIONS = sa.Table(
    "submissions",
    METADATA,
    sa.Column("period", sa.String(7), sa.ForeignKey("periods.period", ondelete="CASCADE"), primary_key=True),
    sa.Column("department", sa.Text, primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("late", sa.Boolean, nullable=False),
    *(_column("info", c, prefix="info_") for c in INFO.columns),
    sa.Column("info_extra", sa.JSON),  # info keys the schema does not declare, if any
)
FILES = sa.Table(
    "source_files",
    METADATA,
    sa.Column("period", sa.String(7), primary_key=True),
    sa.Column("department", sa.Text, primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("claimed_department", sa.Text),
    sa.Column("claimed_period", sa.Text),
    sa.Column("template_version", sa.Text),
    sa.Column("sheets", sa.JSON, nullable=False),
    sa.Column("outcome", sa.String(32), nullable=False),
    _submission_fk(),
)
MISSING = sa.Table(
    "missing_departments",
    METADATA,
    sa.Column("period", sa.String(7), sa.ForeignKey("periods.period", ondelete="CASCADE"), primary_key=True),
    sa.Column("department", sa.Text, primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),
)
ISSUES = sa.Table(
    "issues",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("period", sa.String(7), sa.ForeignKey("periods.period", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("department", sa.Text),  # the submission it belongs to; NULL: period-level
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("sheet", sa.Text, nullable=False),
    sa.Column("cell", sa.Text, nullable=False),
    sa.Column("column", sa.Text, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("issue_department", sa.Text, nullable=False),
    sa.Column("issue_period", sa.Text, nullable=False),
    sa.Column("row", sa.Integer),
    _submission_fk(),
)
ENTITY_TABLES: dict[str, sa.Table] = {
    sheet: sa.Table(
        sheet,
        METADATA,
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("department", sa.Text, primary_key=True),
        sa.Column("row_no", sa.Integer, primary_key=True, autoincrement=False),
        *(_column(sheet, c) for c in (*SHEETS[sheet].columns, *SHEETS[sheet].computed)),
        _submission_fk(),
    )
    for sheet in ENTITIES
}
sa.Index("ix_problems_department", ENTITY_TABLES["problems"].c.department, ENTITY_TABLES["problems"].c.period)
# Messages `ci-excel send` handed to the SMTP server: kept when a period is stored again (no FK to
# periods, not one of _PERIOD_CHILDREN), so a re-run consolidation resends only what changed.
SENT = sa.Table(
    "sent_messages",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("period", sa.String(7), nullable=False, index=True),
    sa.Column("department", sa.Text, nullable=False),  # "": the PMO's message
    sa.Column("recipients", sa.JSON, nullable=False),  # the addresses the server accepted
    sa.Column("attachments", sa.JSON, nullable=False),  # [{name, sha256, size}]
    sa.Column("digest", sa.String(64), nullable=False),  # of the attachments: what a resend compares
    sa.Column("message_id", sa.Text, nullable=False),
    sa.Column("sent_at", sa.DateTime, nullable=False),
)

# Child tables first: the order periods are deleted in.
_PERIOD_CHILDREN: tuple[sa.Table, ...] = (*ENTITY_TABLES.values(), ISSUES, FILES, MISSING, SUBMISSIONS)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
