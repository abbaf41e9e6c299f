"""`send` and `serve`: the reports e-mailed to departments, and the web app they upload to."""

from __future__ import annotations

from pathlib import Path

import click

from ci_excel import console
from ci_excel.cli.options import CONFIG, DB, EXIT_DATA_ERRORS, EXIT_OK, LANG, NO_WAIT, OUT, PERIOD
from ci_excel.cli.running import run, waiting


@click.command()
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
            on_wait=waiting,
        )
        console.print_send(report)
        return EXIT_DATA_ERRORS if report.failed or report.skipped else EXIT_OK

    run(action)


def _smtp_password() -> str:
    import os

    from ci_excel.mail.settings import PASSWORD_ENV

    return os.environ.get(PASSWORD_ENV) or click.prompt("SMTP password", hide_input=True, err=True)


@click.command()
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

    run(action)
