"""The table sheets: one per entity (problems .. standards), the department scoreboard, the trend
and the issues; each as a `Table` spec and the rows it shows.

The scoreboard formats the period digest in its rank order (`compute.rank_departments`): nothing here
counts, averages or ranks departments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import xlsxwriter

from ci_excel import model, schema
from ci_excel.compute import issue_severity
from ci_excel.issues import CODES, Issue
from ci_excel.render.summary.columns import Col, Cond, Row, Table, schema_col, sheet_name
from ci_excel.render.summary.style import PRIORITY_FILLS
from ci_excel.schema import Lang
from ci_excel.scoring import FLAGS, flag_label
from ci_excel.text import phrase

LABELS = {"departments": "departments_submitted"}  # figure -> its catalogue label, where they differ


def _ref(spec: Table, key: str, row: int = 2) -> str:
    """A relative A1 reference to `key`'s column in sheet row `row`, for formula conditions."""
    c = next(i for i, col in enumerate(spec.columns) if col.key == key)
    return f"${xlsxwriter.utility.xl_col_to_name(c)}{row}"


# ---- entity sheets ---------------------------------------------------------------------------

# Per entity: the columns shown first, columns left out, and extra columns joined from other sheets.
LEAD: dict[str, tuple[str, ...]] = {
    "problems": ("problem_id", "statement", "priority", "stage", "progress", "flags", "owner", "impact", "difficulty"),
    "root_causes": ("root_cause_id", "problem_id", "root_cause", "source", "verified"),
    "solutions": (
        "solution_id",
        "problem_id",
        "root_cause_id",
        "description",
        "category",
        "effectiveness",
        "feasibility",
        "cost",
        "risk",
        "score",
        "passes",
        "rank",
        "recommended",
        "selected",
    ),
    "actions": (
        "action_id",
        "solution_id",
        "what",
        "who",
        "how",
        "start_on",
        "due_on",
        "status",
        "percent_done",
        "overdue",
        "days_overdue",
        "late",
        "days_late",
    ),
    "results": (
        "problem_id",
        "kpi",
        "unit",
        "direction",
        "baseline",
        "target",
        "actual",
        "achievement",
        "improvement",
        "met",
        "annual_benefit",
        "measured_on",
    ),
    "standards": ("problem_id", "kind", "document", "effective_on", "closed", "rollout_scope", "lessons"),
}
_OMIT: dict[str, frozenset[str]] = {"solutions": frozenset({"total"})}  # the typed total; `score` is recomputed
_JOINED = {"actions": ("progress", "action_id", ("finished_on", "updated_on", "blockers"))}


def entity_table(sheet: str, lang: Lang) -> Table:
    spec = schema.SHEETS[sheet]
    keys = [*LEAD[sheet], *(k for k in spec.by_key if k not in LEAD[sheet] and k not in _OMIT.get(sheet, ()))]
    columns = [*_owner_cols(lang), *(schema_col(sheet, k, lang) for k in keys)]
    if sheet in _JOINED:
        other, _, extra = _JOINED[sheet]
        columns += [schema_col(other, k, lang, out_key=f"{other}.{k}") for k in extra]
    _relabel(sheet, columns, lang)
    table = Table(sheet_name(spec.name(lang)), f"tbl_{sheet}", columns, freeze_cols=3)
    table.conditions.extend(_entity_conditions(sheet, table, lang))
    return table


def _owner_cols(lang: Lang) -> list[Col]:
    return [schema_col("info", "department", lang), schema_col("info", "period", lang)]


def entity_rows(d: model.DepartmentResult, sheet: str) -> Iterator[Row]:
    owner = {"department": d.department, "period": d.period}
    joined = _join_index(d, sheet)
    for row in d.rows(sheet):
        yield {**row, **owner, **joined.get(row.get("action_id"), {})} if joined else {**row, **owner}


def _join_index(d: model.DepartmentResult, sheet: str) -> dict[Any, Row]:
    if sheet not in _JOINED:
        return {}
    other, key, extra = _JOINED[sheet]
    return {r.get(key): {f"{other}.{k}": r.get(k) for k in extra} for r in d.rows(other)}


def _relabel(sheet: str, columns: list[Col], lang: Lang) -> None:
    """Labels for columns whose values are keys outside an enum: flags, root-cause source, unverified."""
    for i, col in enumerate(columns):
        if sheet == "problems" and col.key == "flags":
            flags = {key: flag_label(key, lang) for key in FLAGS}  # the Word reports' labels too
            columns[i] = Col(col.key, col.header, "list", col.width, flags)
        elif sheet == "root_causes" and col.key == "source":
            columns[i] = Col(col.key, col.header, "text", col.width, get=_source_label(lang))
        elif sheet == "root_causes" and col.key == "verified":
            columns[i] = Col(
                col.key,
                col.header,
                "label",
                col.width,
                col.labels,
                get=_or_default("verified", phrase("not_verified", lang)),
            )


def _source_label(lang: Lang) -> Callable[[Row], Any]:
    """Where a root cause was found ("why_chains+fishbone"), as the sheets' names."""
    names = {key: schema.sheet_label(key, lang) for key in ("why_chains", "fishbone")}
    names["5why"] = names["why_chains"]

    def label(row: Row) -> Any:
        source = row.get("source")
        return " + ".join(names.get(part, part) for part in source.split("+")) if isinstance(source, str) else source

    return label


def _or_default(key: str, default: str) -> Callable[[Row], Any]:
    return lambda row: row.get(key) or default


def _entity_conditions(sheet: str, table: Table, lang: Lang) -> list[Cond]:
    no = schema.YES_NO.label("no", lang)
    yes = schema.YES_NO.label("yes", lang)
    if sheet == "problems":
        return [
            *_priority_conditions("priority"),
            Cond("flags", {"type": "no_blanks"}, "orange"),
            Cond(
                "progress",
                {
                    "type": "data_bar",
                    "bar_color": "#63BE7B",
                    "bar_solid": True,
                    "min_type": "num",
                    "min_value": 0,
                    "max_type": "num",
                    "max_value": 1,
                },
            ),
        ]
    if sheet == "root_causes":
        confirmed = schema.CONCLUSION.label("confirmed", lang)
        return [Cond("verified", {"type": "cell", "criteria": "!=", "value": f'"{confirmed}"'}, "orange")]
    if sheet == "solutions":
        return [
            Cond("score", {"type": "formula", "criteria": f'={_ref(table, "passes")}="{no}"'}, "red"),
            Cond("passes", {"type": "cell", "criteria": "==", "value": f'"{no}"'}, "red"),
            Cond("recommended", {"type": "cell", "criteria": "==", "value": f'"{yes}"'}, "green"),
        ]
    if sheet == "actions":
        return [
            Cond("days_overdue", {"type": "cell", "criteria": ">", "value": 0}, "red"),
            Cond("overdue", {"type": "cell", "criteria": "==", "value": f'"{yes}"'}, "red"),
            Cond(
                "percent_done",
                {
                    "type": "data_bar",
                    "bar_color": "#5499C7",
                    "bar_solid": True,
                    "min_type": "num",
                    "min_value": 0,
                    "max_type": "num",
                    "max_value": 1,
                },
            ),
        ]
    if sheet == "results":
        return [
            Cond(
                "achievement",
                {
                    "type": "data_bar",
                    "bar_color": "#63BE7B",
                    "bar_solid": True,
                    "min_type": "num",
                    "min_value": 0,
                    "max_type": "num",
                    "max_value": 1,
                },
            ),
            Cond("met", {"type": "cell", "criteria": "==", "value": f'"{no}"'}, "red"),
        ]
    if sheet == "standards":
        return [Cond("closed", {"type": "cell", "criteria": "==", "value": f'"{yes}"'}, "green")]
    return []


def _priority_conditions(column: str) -> list[Cond]:
    return [
        Cond(column, {"type": "text", "criteria": "begins with", "value": key}, f"priority:{key}")
        for key in PRIORITY_FILLS
    ]


# ---- scoreboard, trend, issues ---------------------------------------------------------------


def scoreboard_table(lang: Lang) -> Table:
    stages = [c.key for c in schema.STAGE.choices]
    cols = [
        Col("rank", phrase("rank", lang), "int", 7),
        schema_col("info", "department", lang),
        Col("status", phrase("submission_status", lang), "text", 12),
        Col("problems", phrase("problems", lang), "int", 10),
        *(Col(f"stage_{s}", schema.STAGE.label(s, lang), "int", 12) for s in stages),
        Col("p1_open", phrase("p1_open", lang), "int", 12),
        Col("avg_stage", phrase("avg_stage", lang), "number", 10),
        Col("avg_progress", phrase("avg_progress", lang), "percent", 11),
        Col("overdue_actions", phrase("overdue_actions", lang), "int", 11),
        Col("kpis", phrase("kpis", lang), "int", 9),
        Col("kpis_met", phrase("kpis_met", lang), "int", 11),
        Col("kpi_rate", phrase("kpi_rate", lang), "percent", 11),
        Col("benefit", phrase("benefit", lang), "money", 16),
        Col("errors", phrase("errors", lang), "int", 10),
        Col("warnings", phrase("warnings", lang), "int", 10),
        schema_col("info", "submitted_on", lang),
        schema_col("info", "contact", lang),
        schema_col("info", "contact_info", lang),
    ]
    table = Table(phrase("scoreboard", lang), "tbl_scoreboard", cols, freeze_cols=2)
    table.conditions += [
        Cond("status", {"type": "cell", "criteria": "==", "value": f'"{phrase("missing", lang)}"'}, "red"),
        Cond("status", {"type": "cell", "criteria": "==", "value": f'"{phrase("late", lang)}"'}, "orange"),
        Cond("overdue_actions", {"type": "cell", "criteria": ">", "value": 0}, "red"),
        Cond(
            "avg_progress",
            {
                "type": "data_bar",
                "bar_color": "#5499C7",
                "bar_solid": True,
                "min_type": "num",
                "min_value": 0,
                "max_type": "num",
                "max_value": 1,
            },
        ),
        Cond(
            "kpi_rate",
            {
                "type": "data_bar",
                "bar_color": "#63BE7B",
                "bar_solid": True,
                "min_type": "num",
                "min_value": 0,
                "max_type": "num",
                "max_value": 1,
            },
        ),
    ]
    return table


def ranked(period: model.PeriodDigest, missing: list[str], lang: Lang) -> Iterator[Row]:
    """The scoreboard's rows: departments in the period's rank order (compute.rank_departments), then
    the missing ones."""
    for rank, d in enumerate(period.departments, 1):
        yield _scoreboard_row(d, rank, lang)
    for name in missing:
        yield {"department": name, "status": phrase("missing", lang)}


def _scoreboard_row(d: model.DepartmentDigest, rank: int, lang: Lang) -> Row:
    return {
        "rank": rank,
        "department": d.department,
        "status": phrase("late" if d.late else "submitted", lang),
        "problems": d.problems,
        **{f"stage_{c.key}": n for c, n in zip(schema.STAGE.choices, d.stages, strict=True)},
        "p1_open": d.p1_open,
        "avg_stage": round(d.avg_stage or 0.0, 2),
        "avg_progress": d.progress or 0.0,
        "overdue_actions": d.overdue_actions,
        "kpis": d.kpis,
        "kpis_met": d.kpis_met,
        "kpi_rate": d.kpi_rate,
        "benefit": d.benefit,
        "errors": d.errors,
        "warnings": d.warnings,
        "submitted_on": d.submitted_on,
        "contact": d.contact,
        "contact_info": d.contact_info,
    }


def trend_table(lang: Lang) -> Table:
    stages, priorities = schema.STAGE.choices, schema.PRIORITY.choices
    cols = [
        schema_col("info", "period", lang),
        *(
            Col(k, phrase(LABELS.get(k, k), lang), "int", 11)
            for k in ("departments", "problems", "new", "closed", "open", "overdue_actions", "kpis", "kpis_met")
        ),
        Col("kpi_rate", phrase("kpi_rate", lang), "percent", 11),
        Col("benefit", phrase("benefit", lang), "money", 16),
        *(Col(f"stage_{c.key}", c.label(lang), "int", 12) for c in stages),
        *(Col(f"priority_{c.key}", c.label(lang), "int", 12) for c in priorities),
    ]
    return Table(phrase("sheet_trend", lang), "tbl_trend", cols)


def trend_row(f: model.PeriodFigures) -> Row:
    row: Row = {
        k: getattr(f, k)
        for k in (
            "period",
            "departments",
            "problems",
            "new",
            "closed",
            "open",
            "overdue_actions",
            "kpis",
            "kpis_met",
            "benefit",
        )
    }
    row["kpi_rate"] = f.kpis_met / f.kpis if f.kpis else None
    row |= {f"stage_{k}": v for k, v in f.by_stage.items()}
    row |= {f"priority_{k}": v for k, v in f.by_priority.items()}
    return row


def issues_table(lang: Lang) -> Table:
    severities = {"error": phrase("error", lang), "warning": phrase("warning", lang)}
    cols = [
        schema_col("info", "department", lang),
        schema_col("info", "period", lang),
        Col("severity", phrase("severity", lang), "label", 10, severities),
        Col("code", phrase("code", lang), "text", 18),
        Col("file", phrase("file", lang), "text", 36),
        Col("sheet", phrase("sheet", lang), "text", 14),
        Col("cell", phrase("cell", lang), "text", 9),
        Col("column", phrase("column", lang), "text", 14),
        Col("value", phrase("value", lang), "text", 18),
        Col("message", phrase("message", lang), "text", 70),
    ]
    table = Table(phrase("issues", lang), "tbl_issues", cols, freeze_cols=1)
    table.conditions.append(
        Cond("severity", {"type": "cell", "criteria": "==", "value": f'"{severities["error"]}"'}, "red")
    )
    return table


def issue_row(issue: Issue, period: str, lang: Lang) -> Row:
    known = issue.code in CODES
    return {
        "department": issue.department,
        "period": issue.period or period,
        "severity": issue_severity(issue),
        "code": issue.code,
        "file": issue.file,
        "sheet": issue.sheet,
        "cell": issue.cell,
        "column": issue.column,
        "value": issue.value,
        "message": issue.message(lang) if known else issue.code,
    }
