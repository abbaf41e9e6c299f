"""The command line: parses arguments, calls the library, prints, maps errors to exit codes.

With console.py (what it shows), the only module that imports click or prints. Exit codes, the same for every command:
0 done, the data clean or with warnings only; 1 done, errors found in the data; 2 usage (bad
arguments, bad configuration: nothing written); 3 could not finish: a disk, folder or store that
cannot be used (one sentence: what failed and what to do) or a bug (with its traceback, to report);
4 another run of the period is going and --no-wait was given; 130/143 stopped by Ctrl+C/SIGTERM.
After 2, 3, 4 or a stop, the previous outputs and the history store are as they were.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Literal, NoReturn

import click

from ci_excel import __version__, console
from ci_excel.errors import Busy, CiExcelError, UsageError

LANG = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of templates, messages and reports.",
)
DB = click.option(
    "--db",
    "db_url",
    metavar="URL",
    default=None,
    help="History store: an SQLAlchemy URL (default: sqlite file output/ci_history.sqlite).",
)
CONFIG = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Settings file (default: ci_excel.toml in the working folder, if any).",
)
OUT = click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Output folder.",
)
PERIOD = click.option("--period", required=True, metavar="YYYY-MM", help="The reporting month, e.g. 2026-11.")


EXIT_OK, EXIT_DATA_ERRORS, EXIT_USAGE, EXIT_INTERNAL, EXIT_BUSY = 0, 1, 2, 3, 4
FIGURES = click.option(
    "--figures",
    type=click.Choice(["native", "png"]),
    default="native",
    show_default=True,
    help="Charts in the Word reports: native, editable Word charts, or pictures (for readers that cannot show charts).",
)
NO_WAIT = click.option(
    "--no-wait",
    is_flag=True,
    help=f"If another run of the period is going, stop at once (exit code {EXIT_BUSY}) instead of waiting for it.",
)


class _Stopped(BaseException):
    """SIGTERM, raised where the run is, so it unwinds as for Ctrl+C: workers stopped, run folder removed."""


def _stop(signum: int, _frame: object) -> None:
    raise _Stopped(signum)


def _run(action: Callable[[], int | None]) -> None:
    """Call the library; turn its exceptions into a clean message and exit code."""
    signal.signal(signal.SIGTERM, _stop)
    try:
        code = action() or EXIT_OK
    except UsageError as exc:
        _fail(f"Error: {exc}", EXIT_USAGE)
    except Busy as exc:
        _fail(f"Not started: {exc}", EXIT_BUSY)
    except CiExcelError as exc:
        _fail(f"Error: {exc}", EXIT_INTERNAL)
    except (KeyboardInterrupt, _Stopped) as exc:
        signum = exc.args[0] if isinstance(exc, _Stopped) else signal.SIGINT
        _fail(
            f"Stopped ({signal.Signals(signum).name}): the previous outputs and the history store are as they were.",
            128 + signum,
        )
    except Exception as exc:  # a bug: one clear line and its own exit code, the traceback for the report
        import traceback

        traceback.print_exc(file=sys.stderr)
        _fail(f"Internal error: {type(exc).__name__}: {exc}. Please report it with the lines above.", EXIT_INTERNAL)
    sys.exit(code)


def _fail(message: str, code: int) -> NoReturn:
    click.secho(message, fg="red", err=True)
    sys.exit(code)


def _waiting(message: str) -> None:
    click.echo(f"{message[0].upper()}{message[1:]}; Ctrl+C stops.", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ci-excel")
def main() -> None:
    """ci-excel: continuous improvement on Excel.

    Departments fill the templates; the PMO validates and consolidates them every month into a
    history store, Word reports and a portfolio summary workbook.
    """


@main.command()
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

    _run(action)


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


@main.command()
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
            console.print_validation(run, lang, written)
        return 1 if run.has_errors else 0

    _run(action)


def _common_root(paths: tuple[Path, ...]) -> Path:
    """The folder issues name files relative to: the common parent of what was given."""
    import os

    folders = [p.resolve() if p.is_dir() else p.resolve().parent for p in paths]
    return Path(os.path.commonpath(folders))


@main.command()
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
        from ci_excel.config import load_config
        from ci_excel.pipeline import consolidate as run

        config = load_config(config_path)
        where = " (dask cluster)" if (executor or config.run.executor) == "dask" else ""
        labels = {"read": f"Reading workbooks{where}", "departments": f"Department reports{where}"}
        with console.progress_bar(labels) as progress:
            summary = run(
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
                on_wait=_waiting,
                figures=figures,
                executor=executor,
                scheduler=scheduler,
            )
        console.print_summary(summary)
        return EXIT_DATA_ERRORS if summary.errors else EXIT_OK

    _run(action)


@main.command()
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
            on_wait=_waiting,
            figures=figures,
        )
        click.echo(f"Re-rendered {len(outputs)} files under {out_dir / period}")

    _run(action)


@main.command()
@DB
@OUT
@LANG
def history(db_url: str | None, out_dir: Path, lang: str) -> None:
    """List the stored periods with headline figures, missing and late departments."""

    def action() -> None:
        from ci_excel.pipeline import history_table
        from ci_excel.sessions import open_store

        console.print_history(*history_table(open_store(db_url, out_dir), lang))  # type: ignore[arg-type]

    _run(action)


@main.command()
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

    _run(action)


@main.command()
@PERIOD
@click.option(
    "--dry-run", is_flag=True, help="Write the messages (.eml) and the plan into OUT/PERIOD/mail/; send nothing."
)
@click.option(
    "--only",
    "only",
    multiple=True,
    metavar="DEPT",
    help="Send only this department's message (repeatable); the PMO's message is left out.",
)
@OUT
@DB
@CONFIG
@LANG
@NO_WAIT
def send(
    period: str,
    dry_run: bool,
    only: tuple[str, ...],
    out_dir: Path,
    db_url: str | None,
    config_path: Path | None,
    lang: str,
    no_wait: bool,
) -> None:
    """E-mail each department its report and feedback, and the PMO the portfolio, exactly once.

    SMTP settings come from [mail] in ci_excel.toml, the password from CI_EXCEL_SMTP_PASSWORD or
    a prompt. A second run sends only what was not sent or has changed. Exit code 0: all sent;
    1: some messages or recipients failed (listed); 3: the server cannot be reached or refused the login.
    """

    def action() -> int:
        from ci_excel.config import load_config
        from ci_excel.mail.send import send_period

        report = send_period(
            period=period,
            out=out_dir,
            db_url=db_url,
            config=load_config(config_path),
            lang=lang,  # type: ignore[arg-type]
            only=only,
            dry_run=dry_run,
            password=_smtp_password,
            wait=not no_wait,
            on_wait=_waiting,
        )
        console.print_send(report)
        return EXIT_DATA_ERRORS if report.failed or report.skipped else EXIT_OK

    _run(action)


def _smtp_password() -> str:
    import os

    from ci_excel.mail.settings import PASSWORD_ENV

    return os.environ.get(PASSWORD_ENV) or click.prompt("SMTP password", hide_input=True, err=True)


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (127.0.0.1: this machine only; 0.0.0.0: every interface).",
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@OUT
@DB
@CONFIG
@click.option(
    "--submissions",
    "submissions_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("submissions"),
    show_default=True,
    help="Where each department's latest upload goes: SUBMISSIONS/PERIOD/, what consolidate reads.",
)
@click.option(
    "--max-upload-mb", type=click.IntRange(1, 64), default=16, show_default=True, help="Largest upload accepted."
)
@click.option("--https", is_flag=True, help="Served behind an HTTPS reverse proxy: Secure cookies and HSTS.")
@LANG
def serve(
    host: str,
    port: int,
    out_dir: Path,
    db_url: str | None,
    config_path: Path | None,
    submissions_dir: Path,
    max_upload_mb: int,
    https: bool,
    lang: str,
) -> None:
    """Run the web app: departments upload and fix their workbook, the PMO sees the status board.

    The PMO signs in with the password in CI_EXCEL_ADMIN_PASSWORD (without it, one is made and
    printed at start) and gives each department its link from the board. See docs/serve.md.
    """

    def action() -> None:
        import os
        import secrets

        import uvicorn

        from ci_excel.config import load_config
        from ci_excel.web import ServeSettings, create_app
        from ci_excel.web.auth import PasswordHash

        password = os.environ.get("CI_EXCEL_ADMIN_PASSWORD") or ""
        if not password:
            password = secrets.token_urlsafe(12)
            click.echo(f"PMO password for this run (set CI_EXCEL_ADMIN_PASSWORD to choose one): {password}")
        settings = ServeSettings(
            out=out_dir,
            submissions=submissions_dir,
            admin=PasswordHash.of(password),
            db_url=db_url,
            config=load_config(config_path),
            max_upload=max_upload_mb << 20,
            https=https,
            lang=lang,  # type: ignore[arg-type]
        )
        click.echo(f"ci-excel serve on http://{host}:{port}/ (Ctrl+C stops)")
        uvicorn.run(
            create_app(settings), host=host, port=port, proxy_headers=True, server_header=False, log_level="info"
        )

    _run(action)


@main.command()
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

    _run(action)


if __name__ == "__main__":
    main()
