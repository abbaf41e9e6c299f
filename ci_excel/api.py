"""The analyst's way in: the history store as pandas DataFrames, and a period exported for BI tools.

    from ci_excel.api import open_history

    history = open_history("output")            # or open_history(db="postgresql+psycopg://...")
    history.figures()                           # one row of headline figures per stored period
    problems = history.entity("2026-11", "problems", labels="zh")
    history.export("2026-11", "exports/2026-11", format="xlsx")

Frames are typed from the schema (dates datetime64, numbers float, whole numbers nullable Int64,
yes/no nullable boolean, text str); every entity frame starts with its period and department.
Reading never creates or changes a store.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Mapping
from dataclasses import fields
from functools import partial
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd

from ci_excel import fileio
from ci_excel.errors import UsageError
from ci_excel.model import PeriodFigures
from ci_excel.schema import INFO, SHEETS, ColType, ColumnSpec
from ci_excel.sessions import check_period, open_store
from ci_excel.store import ENTITIES, Store

Labels = Literal["key", "zh", "en"]
Format = Literal["csv", "parquet", "xlsx"]
LABELS: tuple[str, ...] = get_args(Labels)
FORMATS: tuple[str, ...] = get_args(Format)
PARQUET_HINT = "pip install 'ci-excel[parquet]'"

_DTYPES: dict[ColType, Any] = {
    kind: pd.api.types.pandas_dtype(name)
    for kind, name in {
        ColType.INT: "Int64",
        ColType.NUMBER: "float64",
        ColType.PERCENT: "float64",
        ColType.MONEY: "float64",
        ColType.BOOL: "boolean",
        ColType.DATE: "datetime64[us]",
    }.items()
}  # anything else (text, enum keys, periods) is str
_TEXT = pd.StringDtype(na_value=float("nan"))  # pandas' default "str"
_LIST_SEPARATOR = "; "  # list-valued computed columns (problems.flags) become one text cell
_XLSX_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}
_PRIORITIES = tuple(SHEETS["problems"].column("priority").enum.by_key)  # type: ignore[union-attr]
_FIGURE_COLUMNS = (
    *(f.name for f in fields(PeriodFigures) if not f.name.startswith("by_")),
    *(f"stage_{s}" for s in range(1, 7)),
    *_PRIORITIES,
    "missing",
    "late",
    "stored_at",
)
_ISSUE_COLUMNS = (
    "period",
    "department",
    "severity",
    "code",
    "file",
    "sheet",
    "cell",
    "column",
    "value",
    "row",
    "message",
)


class MissingExtra(UsageError):
    """An export format needs a package that is not installed."""


def open_history(out: str | Path = "output", db: str | None = None) -> History:
    """The history store of the consolidate runs in `out` (its ci_history.sqlite), or at the SQLAlchemy URL `db`."""
    return History(open_store(db, Path(out)))


class History:
    """Read-only views of a history store; close it (or use `with`) when done."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def periods(self) -> list[str]:
        """The stored periods, oldest first."""
        return self.store.periods()

    def figures(self) -> pd.DataFrame:
        """One row per stored period: headline figures, problems by stage and priority, missing and late."""
        return pd.DataFrame([_figures_row(row) for row in self.store.history_rows()], columns=list(_FIGURE_COLUMNS))

    def entities(self, period: str, *, labels: Labels = "key") -> dict[str, pd.DataFrame]:
        """Every entity sheet of a stored period (problems ... root_causes), one DataFrame each."""
        rows = self._rows(period, labels)
        return {name: entity_frame(name, rows[name], labels=labels) for name in ENTITIES}

    def entity(self, period: str, name: str, *, labels: Labels = "key") -> pd.DataFrame:
        """One entity sheet of a stored period, e.g. entity("2026-11", "actions")."""
        if name not in ENTITIES:
            raise UsageError(f"no entity {name!r}; choose one of {', '.join(ENTITIES)}")
        return entity_frame(name, self._rows(period, labels)[name], labels=labels)

    def issues(self, period: str, *, lang: Literal["zh", "en"] = "zh") -> pd.DataFrame:
        """The period's validation issues (general ones first), messages in `lang`."""
        self._check(period)
        found = [*self.store.load_outline(period).issues]
        found += [i for d in self.store.iter_departments(period) for i in d.issues]
        rows = [i.as_dict(lang) | {"row": i.row, "period": i.period or period} for i in found]
        frame = pd.DataFrame(rows, columns=list(_ISSUE_COLUMNS))
        return frame.astype({"row": "Int64"})

    def export(self, period: str, folder: str | Path, *, format: Format = "csv", labels: Labels = "key") -> list[Path]:
        """Write a period for BI tools into `folder`: a CSV (UTF-8 with BOM) or Parquet file per entity,
        or one Excel workbook with a sheet per entity. Each file is written atomically."""
        _writer(format)  # a format that cannot be written fails before anything is read
        return export_frames(
            self.entities(period, labels=labels), folder, format=format, stem=f"ci_excel_{period}", labels=labels
        )

    def _check(self, period: str) -> None:
        check_period(period)
        stored = self.store.periods()
        if period not in stored:
            raise UsageError(f"period {period} is not in the history store; stored: {', '.join(stored) or 'none'}")

    def _rows(self, period: str, labels: str) -> dict[str, list[dict[str, Any]]]:
        """entity -> rows of every department, in stored order, each with its period and department."""
        _check_labels(labels)
        self._check(period)
        found: dict[str, list[dict[str, Any]]] = {name: [] for name in ENTITIES}
        for dept in self.store.iter_departments(period):
            for name in ENTITIES:
                head = {"period": period, "department": dept.department}
                found[name] += [head | row for row in dept.tables[name]]
        return found


# -- frames -------------------------------------------------------------------------------------


def columns(name: str) -> tuple[ColumnSpec, ...]:
    """An entity frame's columns: period and department (as on the info form), then the sheet's own."""
    spec = SHEETS[name]
    return (INFO.column("period"), INFO.column("department"), *spec.columns, *spec.computed)


def entity_frame(name: str, rows: list[dict[str, Any]], *, labels: Labels = "key") -> pd.DataFrame:
    """Stored rows of one entity as a typed DataFrame, columns named by key or by zh/en header."""
    specs = columns(name)
    frame = pd.DataFrame({c.key: _typed(c, [row.get(c.key) for row in rows]) for c in specs})
    return frame.rename(columns=column_labels(name, _check_labels(labels)))


def column_labels(name: str, labels: Labels) -> dict[str, str]:
    """key -> column label of an entity frame (the key itself for labels="key")."""
    return {c.key: c.key if labels == "key" else c.header(labels) for c in columns(name)}


def _typed(spec: ColumnSpec, values: list[Any]) -> pd.Series:
    series = pd.Series([_cell(v) for v in values], dtype=object)
    if spec.type == ColType.DATE:
        return pd.to_datetime(series).astype(_DTYPES[spec.type])
    return series.astype(_DTYPES.get(spec.type, _TEXT))


def _cell(value: Any) -> Any:
    """A list (problems.flags) as one text, none at all as missing: what every file format can hold."""
    if isinstance(value, list | tuple):
        return _LIST_SEPARATOR.join(map(str, value)) or None
    return value


def _check_labels(labels: str) -> Labels:
    if labels not in LABELS:
        raise UsageError(f"labels must be one of {', '.join(LABELS)} (got {labels!r})")
    return labels  # type: ignore[return-value]


def _figures_row(row: dict[str, Any]) -> dict[str, Any]:
    """A history row with its stage and priority counts spread into columns stage_1..6, P1..P4."""
    stages = {f"stage_{s}": row["by_stage"].get(s, 0) for s in range(1, 7)}
    priorities = {p: row["by_priority"].get(p, 0) for p in _PRIORITIES}
    return {k: v for k, v in row.items() if k not in ("by_stage", "by_priority")} | stages | priorities


# -- writers ------------------------------------------------------------------------------------


def export_frames(
    frames: Mapping[str, pd.DataFrame],
    folder: str | Path,
    *,
    format: Format = "csv",
    stem: str = "ci_excel",
    labels: Labels = "key",
) -> list[Path]:
    """Write frames (as `History.entities` gives them, perhaps filtered) into `folder`: a CSV (UTF-8
    with BOM) or Parquet file per frame, or one workbook `<stem>.xlsx` with a sheet per frame, entity
    sheets named in the `labels` language. Each file is written atomically."""
    writer = _writer(format)
    target = Path(folder)
    with fileio.writing(target):
        return writer(frames, target, stem, _check_labels(labels))


_Writer = Callable[[Mapping[str, pd.DataFrame], Path, str, Labels], list[Path]]


def _writer(format: str) -> _Writer:
    if format not in FORMATS:
        raise UsageError(f"format must be one of {', '.join(FORMATS)} (got {format!r})")
    if format == "parquet" and importlib.util.find_spec("pyarrow") is None:
        raise MissingExtra(f"Parquet export needs pyarrow, which is not installed: {PARQUET_HINT}")
    return {"csv": _write_csv, "parquet": _write_parquet, "xlsx": _write_xlsx}[format]


def _per_frame(
    frames: Mapping[str, pd.DataFrame], folder: Path, suffix: str, write: Callable[[pd.DataFrame, Path], object]
) -> list[Path]:
    return [
        fileio.atomic_write(folder / f"{fileio.safe_filename(name)}{suffix}", partial(write, frame))
        for name, frame in frames.items()
    ]


def _write_csv(frames: Mapping[str, pd.DataFrame], folder: Path, _stem: str, _labels: Labels) -> list[Path]:
    """UTF-8 with a BOM, so Excel opens the Chinese text correctly; dates as YYYY-MM-DD."""
    return _per_frame(
        frames,
        folder,
        ".csv",
        lambda frame, tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig", date_format="%Y-%m-%d"),
    )


def _write_parquet(frames: Mapping[str, pd.DataFrame], folder: Path, _stem: str, _labels: Labels) -> list[Path]:
    return _per_frame(frames, folder, ".parquet", lambda frame, tmp: frame.to_parquet(tmp, index=False))


def _write_xlsx(frames: Mapping[str, pd.DataFrame], folder: Path, stem: str, labels: Labels) -> list[Path]:
    """One workbook, a sheet per frame; text is never taken for a formula, a number or a link."""

    def write(tmp: Path) -> None:
        with pd.ExcelWriter(
            tmp,
            engine="xlsxwriter",
            date_format="yyyy-mm-dd",
            datetime_format="yyyy-mm-dd",
            engine_kwargs={"options": _XLSX_OPTIONS},
        ) as book:
            for name, frame in frames.items():
                frame.to_excel(book, sheet_name=_sheet_name(name, labels), index=False, freeze_panes=(1, 0))

    return [fileio.atomic_write(folder / f"{fileio.safe_filename(stem)}.xlsx", write)]


def _sheet_name(name: str, labels: Labels) -> str:
    """An entity's sheet as the templates name it (for zh/en labels), else the name, within Excel's rules."""
    if name in SHEETS and labels != "key":
        return SHEETS[name].name(labels)
    return re.sub(r"[\\/?*\[\]:]", "_", name)[:31] or "Sheet"
