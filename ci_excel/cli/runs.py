"""`consolidate`, `report` and `demo`: the monthly run, re-rendering a stored period, the demo."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import click

from ci_excel import console
from ci_excel.cli.options import CONFIG, DB, EXIT_DATA_ERRORS, EXIT_OK, FIGURES, LANG, NO_WAIT, OUT, PERIOD
from ci_excel.cli.running import run, waiting


@click.command()
@click.argument("submissions_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@PERIOD
@OUT
@DB
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@LANG
@CONFIG
@click.option("--pdf", is_flag=True, help="Also make PDF copies of the Word reports (needs LibreOffice).")
@NO_WAIT
@FIGURES
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default=None,
    help="Where reading and department reports run: this machine's worker processes (local, the "
    "default) or a dask.distributed cluster (dask; see docs/cluster.md). Default: [run] executor.",
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:8786",
    default=None,
    help="The dask scheduler's address, with --executor dask. Default: [run] scheduler.",
)
def consolidate(
    submissions_dir: Path,
    period: str,
    out_dir: Path,
    db_url: str | None,
    jobs: int | None,
    lang: str,
    config_path: Path | None,
    pdf: bool,
    no_wait: bool,
    figures: Literal["native", "png"],
    executor: Literal["local", "dask"] | None,
    scheduler: str | None,
) -> None:
    """The PMO's monthly run: validate every workbook, store the period, write all reports.

    Outputs go to OUT/PERIOD/ (reports/, portfolio_summary.xlsx, feedback/, validation.json,
    manifest.json, distribution.xlsx), swapped in atomically when the run completes.
    """

    def action() -> int:
        from ci_excel import worker_server
        from ci_excel.config import load_config

        config = load_config(config_path)
        if (executor or config.run.executor) == "local" and jobs != 1:
            worker_server.start(worker_server.preload_for(figures))  # imports the workers' code meanwhile
        from ci_excel.pipeline import consolidate as run_consolidation

        where = " (dask cluster)" if (executor or config.run.executor) == "dask" else ""
        labels = {"read": f"Reading workbooks{where}", "departments": f"Department reports{where}"}
        with console.progress_bar(labels) as progress:
            summary = run_consolidation(
                submissions_dir,
                period=period,
                out=out_dir,
                db_url=db_url,
                jobs=jobs,
                lang=lang,  # type: ignore[arg-type]
                config=config,
                pdf=pdf,
                progress=progress,
                wait=not no_wait,
                on_wait=waiting,
                figures=figures,
                executor=executor,
                scheduler=scheduler,
            )
        console.print_summary(summary)
        return EXIT_DATA_ERRORS if summary.errors else EXIT_OK

    run(action)


@click.command()
@PERIOD
@OUT
@DB
@LANG
@CONFIG
@click.option("--pdf", is_flag=True, help="Also make PDF copies of the Word reports (needs LibreOffice).")
@NO_WAIT
@FIGURES
def report(
    period: str,
    out_dir: Path,
    db_url: str | None,
    lang: str,
    config_path: Path | None,
    pdf: bool,
    no_wait: bool,
    figures: Literal["native", "png"],
) -> None:
    """Re-render a stored period's reports from the history store, without re-reading workbooks."""

    def action() -> None:
        from ci_excel.config import load_config
        from ci_excel.pipeline import render_from_store

        outputs = render_from_store(
            period=period,
            out=out_dir,
            db_url=db_url,
            lang=lang,  # type: ignore[arg-type]
            config=load_config(config_path),
            pdf=pdf,
            wait=not no_wait,
            on_wait=waiting,
            figures=figures,
        )
        click.echo(f"Re-rendered {len(outputs)} files under {out_dir / period}")

    run(action)


@click.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo_output"),
    show_default=True,
    help="Where to write the demo submissions and outputs.",
)
@LANG
def demo(out_dir: Path, lang: str) -> None:
    """Write a realistic multi-department, three-month sample (with mistakes) and consolidate it."""

    def action() -> int:
        from ci_excel.demo import OUTPUT, run_demo, where_to_look

        summaries = run_demo(out_dir, lang=lang, progress=lambda message: click.echo(message, err=True))  # type: ignore[arg-type]
        for summary in summaries:
            console.print_summary(summary)
        click.echo("\nWhere to look:")
        for label, path in where_to_look(out_dir, summaries):
            click.echo(f"  {label + ':':<34} {path}")
        click.echo(f"\nNext: ci-excel history --out {out_dir / OUTPUT}")
        return 0

    run(action)
