"""The command line, run for real through click's CliRunner."""

from __future__ import annotations

from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner

from ci_excel.cli import main
from ci_excel.schema import INSTRUCTIONS, META_SHEET, REGISTER, STEP_WORKBOOKS

COMMANDS = sorted(main.commands)  # type: ignore[attr-defined]


def test_the_group_has_help() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_text(name: str) -> None:
    command: click.Command = main.commands[name]  # type: ignore[attr-defined]
    assert command.callback is not None and (command.callback.__doc__ or "").strip()
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: main {name}" in result.output or f"Usage: ci-excel {name}" in result.output
    assert command.callback.__doc__.strip().splitlines()[0] in " ".join(result.output.split())
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden and param.name != "help":
            assert param.help, f"{name} {param.opts[0]} has no help"


def test_templates_writes_seven_english_workbooks(tmp_path: Path) -> None:
    out = tmp_path / "tpl"
    result = CliRunner().invoke(main, ["templates", "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    written = sorted(out.glob("*.xlsx"))
    assert sorted(p.stem for p in written) == sorted([REGISTER, *STEP_WORKBOOKS])
    assert result.output.count("wrote ") == 9  # seven workbooks, the Word reference document and the deck's
    assert (out / "report_template.docx").is_file() and (out / "report_template.pptx").is_file()
    restyled = (out / "report_template.docx").read_bytes()
    assert CliRunner().invoke(main, ["templates", "--out", str(out), "--lang", "en"]).exit_code == 0
    assert (out / "report_template.docx").read_bytes() == restyled  # a PMO's restyled copy is kept
    for path in written:
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames[0] == INSTRUCTIONS["en"]
        assert dict(wb[META_SHEET].iter_rows(values_only=True))["lang"] == "en"


def test_templates_defaults_to_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["templates"])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(tmp_path / "workbook_templates" / f"{REGISTER}.xlsx")
    assert wb.sheetnames[0] == INSTRUCTIONS["zh"]


def test_templates_rejects_an_unknown_language(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["templates", "--out", str(tmp_path), "--lang", "fr"])
    assert result.exit_code == 2
    assert not list(tmp_path.glob("*.xlsx"))
