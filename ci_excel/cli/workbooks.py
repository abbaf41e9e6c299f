"""`templates` and `validate`: the workbooks departments fill, and checking what they sent."""

from __future__ import annotations

from pathlib import Path

import click

from ci_excel import console
from ci_excel.cli.options import CONFIG, DB, LANG
from ci_excel.cli.running import run
from ci_excel.errors import UsageError


@click.command()
@LANG
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("workbook_templates"),
    show_default=True,
    help="Where to write the templates.",
)
@click.option(
    "--prefill",
    is_flag=True,
    help="Write each department's register for --period instead, its open problems carried forward "
    "from the history store, into OUT/prefilled-PERIOD/.",
)
@click.option("--period", default=None, metavar="YYYY-MM", help="With --prefill: the month the registers are for.")
@click.option(
    "--department",
    "departments",
    multiple=True,
    metavar="DEPT",
    help="With --prefill: only this department (repeatable; default: every stored department).",
)
@click.option(
    "--from",
    "runs_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="With --prefill: the --out folder of the consolidate runs (its history store).",
)
@DB
def templates(
    lang: str,
    out_dir: Path,
    prefill: bool,
    period: str | None,
    departments: tuple[str, ...],
    runs_dir: Path,
    db_url: str | None,
) -> None:
    """Write the blank templates: ci_register.xlsx and one workbook per step (or, with --prefill, next
    month's register per department)."""

    def action() -> None:
        if prefill:
            _prefill(lang, out_dir, period, departments, runs_dir, db_url)
            return
        if period or departments:
            raise UsageError("--period and --department go with --prefill")
        from ci_excel.templates import write_templates

        for path in write_templates(out_dir, lang=lang):  # type: ignore[arg-type]
            click.echo(f"wrote {path}")

    run(action)


def _prefill(
    lang: str, out_dir: Path, period: str | None, departments: tuple[str, ...], runs_dir: Path, db_url: str | None
) -> None:
    from ci_excel.sessions import check_period, open_store
    from ci_excel.templates.prefill import prefill_all

    if not period:
        raise UsageError("--prefill needs --period YYYY-MM, the month the registers are for")
    store = open_store(db_url, runs_dir)
    try:
        made = prefill_all(
            store,
            check_period(period),
            out_dir / f"prefilled-{period}",
            departments=departments,
            lang=lang,  # type: ignore[arg-type]
        )
    finally:
        store.close()
    for each in made:
        source = f"from {each.source_period}" if each.source_period else "nothing stored before: info only"
        click.echo(
            f"wrote {each.path} ({each.problems} open problems {source}; {each.closed_left_out} closed left out)"
        )


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A readable table grouped by file, or JSON.",
)
@LANG
@click.option(
    "--feedback",
    "feedback_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write annotated copies of files with issues into this folder.",
)
@CONFIG
def validate(paths: tuple[Path, ...], fmt: str, lang: str, feedback_dir: Path | None, config_path: Path | None) -> None:
    """Check workbooks (files or folders) and say exactly what to fix, cell by cell.

    Files of one department and period are merged, so references across per-step workbooks
    resolve. Exit code 0: clean or warnings only; 1: errors found; 2: usage.
    """

    def action() -> int:
        import json
        import os
        import tempfile

        from ci_excel import worker_server

        worker_server.start(worker_server.SANDBOXED)  # the readers' code imports while this process imports its own
        from ci_excel.config import load_config
        from ci_excel.feedback_run import write_run_feedback
        from ci_excel.validation import validate_paths

        config = load_config(config_path)  # the scoring rules the cross-sheet checks share with the reports
        root = _common_root(paths)
        with tempfile.TemporaryDirectory(prefix="ci-excel-") as work:  # the copies read, for the feedback
            run = validate_paths(list(paths), root=root, config=config, work_dir=Path(work) if feedback_dir else None)
            if not run.files:
                raise UsageError("no files found in " + ", ".join(map(str, paths)))
            written = (
                write_run_feedback(
                    run,
                    feedback_dir,
                    lang=lang,  # type: ignore[arg-type]
                    root=root,
                    workers=os.cpu_count() or 1,
                )
                if feedback_dir
                else []
            )
        if fmt == "json":
            click.echo(json.dumps(run.to_json(lang), ensure_ascii=False, indent=2, default=str))  # type: ignore[arg-type]
        else:
            console.print_validation(run, lang, written)  # type: ignore[arg-type]
        return 1 if run.has_errors else 0

    run(action)


def _common_root(paths: tuple[Path, ...]) -> Path:
    """The folder issues name files relative to: the common parent of what was given."""
    import os

    folders = [p.resolve() if p.is_dir() else p.resolve().parent for p in paths]
    return Path(os.path.commonpath(folders))
