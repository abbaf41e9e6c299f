"""The command line: parses arguments, calls the library, prints, maps errors to exit codes.

This is the only module that imports click or prints. Exit codes: 0 clean or warnings only,
1 errors found in the data, 2 usage (bad arguments, bad configuration).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ci_excel import __version__
from ci_excel.errors import CiExcelError, NotBuiltYet, UsageError

LANG = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                    help="Language of templates, messages and reports.")
DB = click.option("--db", "db_url", metavar="URL", default=None,
                  help="History store: an SQLAlchemy URL (default: sqlite file output/ci_history.sqlite).")
CONFIG = click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                      help="Settings file (default: ci_excel.toml in the working folder, if any).")
OUT = click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("output"),
                   show_default=True, help="Output folder.")
PERIOD = click.option("--period", required=True, metavar="YYYY-MM", help="The reporting month, e.g. 2026-11.")


def _run(action: Callable[[], int | None]) -> None:
    """Call the library; turn its exceptions into a clean message and exit code."""
    try:
        code = action() or 0
    except NotBuiltYet as exc:
        click.secho(f"Not built yet: {exc}", fg="yellow", err=True)
        sys.exit(2)
    except UsageError as exc:
        click.secho(f"Error: {exc}", fg="red", err=True)
        sys.exit(2)
    except CiExcelError as exc:
        click.secho(f"Error: {exc}", fg="red", err=True)
        sys.exit(1)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ci-excel")
def main() -> None:
    """ci-excel: continuous improvement on Excel.

    Departments fill the templates; the PMO validates and consolidates them every month into a
    history store, Word reports and a portfolio summary workbook.
    """


@main.command()
@LANG
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("workbook_templates"), show_default=True, help="Where to write the templates.")
def templates(lang: str, out_dir: Path) -> None:
    """Write the blank templates: ci_register.xlsx and one workbook per step."""

    def action() -> None:
        from ci_excel.templates import write_templates

        for path in write_templates(out_dir, lang=lang):  # type: ignore[arg-type]
            click.echo(f"wrote {path}")

    _run(action)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="A readable table grouped by file, or JSON.")
@LANG
@click.option("--feedback", "feedback_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Also write annotated copies of files with issues into this folder.")
def validate(paths: tuple[Path, ...], fmt: str, lang: str, feedback_dir: Path | None) -> None:
    """Check workbooks (files or folders) and say exactly what to fix, cell by cell.

    Files of one department and period are merged, so references across per-step workbooks
    resolve. Exit code 0: clean or warnings only; 1: errors found; 2: usage.
    """
    raise_not_built("validate")


@main.command()
@click.argument("submissions_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@PERIOD
@OUT
@DB
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@LANG
@CONFIG
@click.option("--pdf", is_flag=True, help="Also make PDF copies of the Word reports (needs LibreOffice).")
def consolidate(submissions_dir: Path, period: str, out_dir: Path, db_url: str | None, jobs: int | None,
                lang: str, config_path: Path | None, pdf: bool) -> None:
    """The PMO's monthly run: validate every workbook, store the period, write all reports.

    Outputs go to OUT/PERIOD/ (reports/, portfolio_summary.xlsx, feedback/, validation.json,
    manifest.json, distribution.xlsx), swapped in atomically when the run completes.
    """

    def action() -> int:
        from ci_excel.config import load_config
        from ci_excel.pipeline import consolidate as run

        config = load_config(config_path)
        with _progress_bar("Reading workbooks") as progress:
            summary = run(submissions_dir, period=period, out=out_dir, db_url=db_url, jobs=jobs,
                          lang=lang, config=config, pdf=pdf, progress=progress)  # type: ignore[arg-type]
        _print_summary(summary)
        return 0

    _run(action)


@main.command()
@PERIOD
@OUT
@DB
@LANG
@CONFIG
@click.option("--pdf", is_flag=True, help="Also make PDF copies of the Word reports (needs LibreOffice).")
def report(period: str, out_dir: Path, db_url: str | None, lang: str, config_path: Path | None, pdf: bool) -> None:
    """Re-render a stored period's reports from the history store, without re-reading workbooks."""

    def action() -> None:
        from ci_excel.config import load_config
        from ci_excel.pipeline import render_from_store

        outputs = render_from_store(period=period, out=out_dir, db_url=db_url, lang=lang,  # type: ignore[arg-type]
                                    config=load_config(config_path), pdf=pdf)
        click.echo(f"Re-rendered {len(outputs)} files under {out_dir / period}")

    _run(action)


@main.command()
@DB
@OUT
@LANG
def history(db_url: str | None, out_dir: Path, lang: str) -> None:
    """List the stored periods with headline figures, missing and late departments."""

    def action() -> None:
        from ci_excel.pipeline import open_store

        _print_history(open_store(db_url, out_dir).history_rows())

    _run(action)


@main.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("demo_output"),
              show_default=True, help="Where to write the demo submissions and outputs.")
@LANG
def demo(out_dir: Path, lang: str) -> None:
    """Write a realistic multi-department, three-month sample (with mistakes) and consolidate it."""
    raise_not_built("demo")


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr, driven by the library's (done, total) callback."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=_console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _console(*, stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def _print_summary(summary: Any) -> None:
    lines = [
        f"Period {summary.period}: {summary.files} files, {len(summary.departments)} departments, "
        f"{summary.errors} errors, {summary.warnings} warnings.",
        f"Outputs: {summary.out_dir}",
    ]
    if summary.missing:
        lines.append("Did not submit: " + ", ".join(summary.missing))
    if summary.late:
        lines.append("Submitted late: " + ", ".join(summary.late))
    if summary.other_period:
        lines.append(f"Skipped, another period: {len(summary.other_period)} files (see validation.json)")
    click.echo("\n".join(lines))


def _print_history(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    if not rows:
        click.echo("The history store holds no period yet. Run 'ci-excel consolidate' first.")
        return
    table = Table(title="ci-excel history")
    for key in rows[0]:
        table.add_column(key, overflow="fold")
    for row in rows:
        table.add_row(*(", ".join(v) if isinstance(v, list) else str(v) for v in row.values()))
    _console().print(table)


def raise_not_built(command: str) -> None:
    def action() -> None:
        raise NotBuiltYet(f"'ci-excel {command}' is not built yet.")

    _run(action)


def echo(*args: Any, **kwargs: Any) -> None:
    click.echo(*args, **kwargs)


if __name__ == "__main__":
    main()
