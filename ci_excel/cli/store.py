"""`history` and `export`: what the history store holds, as a table and as files for BI tools."""

from __future__ import annotations

from pathlib import Path

import click

from ci_excel import console
from ci_excel.cli.options import DB, LANG, OUT, PERIOD
from ci_excel.cli.running import run


@click.command()
@DB
@OUT
@LANG
def history(db_url: str | None, out_dir: Path, lang: str) -> None:
    """List the stored periods with headline figures, missing and late departments."""

    def action() -> None:
        from ci_excel.pipeline import history_table
        from ci_excel.sessions import open_store

        console.print_history(*history_table(open_store(db_url, out_dir), lang))  # type: ignore[arg-type]

    run(action)


@click.command()
@PERIOD
@OUT
@DB
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet", "xlsx"]),
    default="csv",
    show_default=True,
    help="A CSV (UTF-8 with BOM) or Parquet file per entity, or one Excel workbook.",
)
@click.option(
    "--to", "folder", type=click.Path(file_okay=False, path_type=Path), required=True, help="The folder to write into."
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Column headers in this language (default: the column keys, e.g. problem_id).",
)
def export(period: str, out_dir: Path, db_url: str | None, fmt: str, folder: Path, lang: str | None) -> None:
    """Export a stored period's sheets for BI tools: problems, actions, results ... one table each."""

    def action() -> None:
        from ci_excel.api import open_history

        with open_history(out_dir, db_url) as history:
            written = history.export(period, folder, format=fmt, labels=lang or "key")  # type: ignore[arg-type]
        click.echo(f"Exported {period}: {len(written)} files in {folder}")
        for path in written:
            click.echo(f"wrote {path}")

    run(action)
