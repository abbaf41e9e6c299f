"""The public Python API and `ci-excel export` over a real consolidation of two periods."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from ci_excel.api import MissingExtra, column_labels, export_frames, open_history
from ci_excel.cli import main
from ci_excel.schema import SHEETS, ColType
from ci_excel.sessions import default_db_url
from ci_excel.store import ENTITIES, ENTITY_TABLES, Store
from tests.pipeline_data import write_register

PERIOD = "2026-11"
DEPARTMENTS = {"电商运营部": 2, "客户服务部": 1}  # name -> problems closed
HAS_PYARROW = importlib.util.find_spec("pyarrow") is not None


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of a real consolidation of two periods (the second with 3 problems each)."""
    root = tmp_path_factory.mktemp("api")
    for period, problems in (("2026-10", 2), (PERIOD, 3)):
        for name, done in DEPARTMENTS.items():
            write_register(
                root / "in" / period / name / "ci_register.xlsx",
                name,
                period,
                problems=problems,
                done=min(done, problems),
            )
        if period == "2026-10":  # one issue to find: a file that is not a workbook (exit code 1)
            (root / "in" / period / "notes.xlsx").write_bytes(b"this is not a workbook")
        result = CliRunner().invoke(
            main,
            [
                "consolidate",
                str(root / "in" / period),
                "--period",
                period,
                "--out",
                str(root / "output"),
                "--jobs",
                "1",
            ],
        )
        assert result.exit_code == (1 if period == "2026-10" else 0), result.output
    return root / "output"


def _stored_counts(out: Path) -> dict[str, int]:
    """Rows of each entity table for the period, counted in the database itself."""
    engine = sa.create_engine(default_db_url(out))
    try:
        with engine.connect() as conn:
            return {
                name: conn.scalar(sa.select(sa.func.count()).select_from(table).where(table.c.period == PERIOD))
                for name, table in ENTITY_TABLES.items()
            }
    finally:
        engine.dispose()


def _typed_like(back: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """A frame read back from a file, given the exported frame's dtypes (files do not keep them all)."""
    return back.astype(frame.dtypes.to_dict())


def test_periods_and_figures(out: Path) -> None:
    with open_history(out) as history:
        assert history.periods() == ["2026-10", PERIOD]
        figures = history.figures().set_index("period")
    assert figures.loc[PERIOD, "departments"] == 2 and figures.loc[PERIOD, "problems"] == 6
    assert figures.loc[PERIOD, "closed"] == 3 and figures.loc["2026-10", "problems"] == 4
    assert figures.loc[PERIOD, [f"stage_{s}" for s in range(1, 7)]].sum() == 6
    assert {"P1", "P2", "P3", "P4", "missing", "late", "benefit", "stored_at"} <= set(figures.columns)


def test_a_frame_per_entity_with_the_stored_rows_and_types(out: Path) -> None:
    with open_history(out) as history:
        frames = history.entities(PERIOD)
    assert list(frames) == list(ENTITIES)
    assert {name: len(frame) for name, frame in frames.items()} == _stored_counts(out)
    assert len(frames["problems"]) == 6 and len(frames["results"]) == 3
    for name, frame in frames.items():
        spec = SHEETS[name]
        assert list(frame.columns) == ["period", "department", *(c.key for c in (*spec.columns, *spec.computed))]
        for column in (*spec.columns, *spec.computed):
            assert _kind(frame[column.key].dtype) == _expected_kind(column.type), (name, column.key)
    problems = frames["problems"]
    assert set(problems["department"]) == set(DEPARTMENTS) and set(problems["period"]) == {PERIOD}
    assert problems["identified_on"].iloc[0] == pd.Timestamp("2026-11-01")
    assert frames["solutions"]["effectiveness"].tolist() == [5] * 6
    assert frames["results"]["actual"].tolist() == [1.8] * 3


def _kind(dtype: object) -> str:
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    return {"Int64": "int", "float64": "float", "boolean": "bool"}.get(
        str(dtype), "text" if str(dtype) == "str" else str(dtype)
    )


def _expected_kind(kind: ColType) -> str:
    return {
        ColType.DATE: "date",
        ColType.INT: "int",
        ColType.NUMBER: "float",
        ColType.PERCENT: "float",
        ColType.MONEY: "float",
        ColType.BOOL: "bool",
    }.get(kind, "text")


def test_zh_and_en_labels_and_one_entity(out: Path) -> None:
    with open_history(out) as history:
        zh = history.entity(PERIOD, "problems", labels="zh")
        en = history.entity(PERIOD, "actions", labels="en")
        keys = history.entity(PERIOD, "problems")
    assert list(zh.columns[:4]) == ["填报期间", "部门", "问题编号", "触发场景"]
    assert "优先级" in zh.columns and zh["问题编号"].tolist() == keys["problem_id"].tolist()
    assert {"Action ID", "Due", "Days overdue"} <= set(en.columns)
    for name in ENTITIES:  # labels never collide, so a labelled frame keeps every column
        assert all(
            len(set(column_labels(name, lang).values())) == len(column_labels(name, lang)) for lang in ("zh", "en")
        )


def test_issues_of_a_period(out: Path) -> None:
    with open_history(out) as history:
        october, november = history.issues("2026-10", lang="en"), history.issues(PERIOD)
    assert list(october.columns[:4]) == ["period", "department", "severity", "code"]
    found = october[october.code == "file-not-workbook"]
    assert len(found) == 1 and found["severity"].iloc[0] == "error" and found["period"].iloc[0] == "2026-10"
    assert found["file"].iloc[0] == "notes.xlsx" and "is not an Excel/ODS workbook" in found["message"].iloc[0]
    assert november.empty and list(november.columns) == list(october.columns)


def test_csv_export_round_trip(out: Path, tmp_path: Path) -> None:
    with open_history(out) as history:
        frames = history.entities(PERIOD, labels="zh")
        written = history.export(PERIOD, tmp_path / "csv", labels="zh")
    assert [p.name for p in written] == [f"{name}.csv" for name in ENTITIES]
    assert written[0].read_bytes().startswith("\ufeff填报期间".encode())  # a BOM: Excel reads the Chinese
    for path, (name, frame) in zip(written, frames.items(), strict=True):
        back = pd.read_csv(path, encoding="utf-8-sig")
        pd.testing.assert_frame_equal(_typed_like(back, frame), frame, obj=name)
    assert not list((tmp_path / "csv").glob(".*"))  # no temporary file left behind


def test_xlsx_export_round_trip(out: Path, tmp_path: Path) -> None:
    with open_history(out) as history:
        frames = history.entities(PERIOD, labels="en")
        [path] = history.export(PERIOD, tmp_path / "x", format="xlsx", labels="en")
    assert path.name == f"ci_excel_{PERIOD}.xlsx"
    sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl")
    assert list(sheets) == [SHEETS[name].en for name in ENTITIES]
    for (name, frame), back in zip(frames.items(), sheets.values(), strict=True):
        pd.testing.assert_frame_equal(_typed_like(back, frame), frame, obj=name)


def test_export_frames_keeps_text_as_text(out: Path, tmp_path: Path) -> None:
    with open_history(out) as history:
        problems = history.entity(PERIOD, "problems")
    p1 = problems[problems.priority == "P1"].copy()
    p1["issue"] = '=HYPERLINK("http://x")'  # what a register may hold: never run as a formula in Excel
    p1["owner"] = "00123"
    [path] = export_frames(
        {"problems": p1, "P1/by dept": p1.groupby("department").size().reset_index()},
        tmp_path,
        format="xlsx",
        stem="p1",
        labels="zh",
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["1-问题识别", "P1_by dept"]
    header = [c.value for c in book["1-问题识别"][1]]
    issue, owner = (book["1-问题识别"].cell(2, header.index(key) + 1) for key in ("issue", "owner"))
    assert (issue.value, issue.data_type, owner.value, owner.data_type) == (p1["issue"].iloc[0], "s", "00123", "s")
    [csv] = export_frames({"problems": p1}, tmp_path / "csv")
    assert pd.read_csv(csv, encoding="utf-8-sig", dtype=str)["owner"].tolist() == ["00123"] * len(p1)


@pytest.mark.skipif(not HAS_PYARROW, reason="pyarrow is not installed")
def test_parquet_export_round_trip(out: Path, tmp_path: Path) -> None:
    with open_history(out) as history:
        frames = history.entities(PERIOD)
        written = history.export(PERIOD, tmp_path, format="parquet")
    for path, (name, frame) in zip(written, frames.items(), strict=True):
        pd.testing.assert_frame_equal(pd.read_parquet(path), frame, obj=name)


def test_parquet_without_pyarrow_says_what_to_install(
    out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # find_spec then fails as if it were not installed
    with open_history(out) as history, pytest.raises(MissingExtra, match=r"pip install 'ci-excel\[parquet\]'"):
        history.export(PERIOD, tmp_path / "p", format="parquet")
    assert not (tmp_path / "p").exists()
    result = CliRunner().invoke(
        main, ["export", "--period", PERIOD, "--out", str(out), "--format", "parquet", "--to", str(tmp_path / "p")]
    )
    assert result.exit_code == 2 and "pip install 'ci-excel[parquet]'" in result.output


def test_cli_export(out: Path, tmp_path: Path) -> None:
    target = tmp_path / "bi"
    result = CliRunner().invoke(
        main, ["export", "--period", PERIOD, "--out", str(out), "--format", "csv", "--to", str(target), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{name}.csv" for name in ENTITIES)
    assert f"Exported {PERIOD}: {len(ENTITIES)} files in {target}" in result.output
    assert pd.read_csv(target / "problems.csv", encoding="utf-8-sig").columns[2] == "Problem ID"
    db = CliRunner().invoke(
        main,
        ["export", "--period", PERIOD, "--db", default_db_url(out), "--format", "xlsx", "--to", str(tmp_path / "db")],
    )
    assert db.exit_code == 0, db.output
    assert (tmp_path / "db" / f"ci_excel_{PERIOD}.xlsx").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2025-01"], "period 2025-01 is not in the history store; stored: 2026-10, 2026-11"),
        (["--period", "2026-13"], "--period must be YYYY-MM"),
    ],
)
def test_cli_export_usage_errors(out: Path, tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(
        main, ["export", *args, "--out", str(out), "--format", "csv", "--to", str(tmp_path / "x")]
    )
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "x").exists()


def test_an_empty_store_has_no_periods_and_figures_with_columns(tmp_path: Path) -> None:
    Store(default_db_url(tmp_path)).close()
    with open_history(tmp_path) as history:
        assert history.periods() == [] and history.figures().empty
        assert list(history.figures().columns[:3]) == ["period", "departments", "problems"]


def test_no_store_is_a_usage_error_and_creates_nothing(tmp_path: Path) -> None:
    from ci_excel.errors import UsageError

    with pytest.raises(UsageError, match="no history store"):
        open_history(tmp_path / "nothing")
    assert not (tmp_path / "nothing").exists()


def test_unknown_entity_and_labels(out: Path) -> None:
    from ci_excel.errors import UsageError

    with open_history(out) as history:
        with pytest.raises(UsageError, match="no entity 'kpis'"):
            history.entity(PERIOD, "kpis")
        with pytest.raises(UsageError, match="labels must be one of key, zh, en"):
            history.entities(PERIOD, labels="fr")  # type: ignore[arg-type]
