"""What the command line shows: validation tables, run summaries, history, send reports, a progress
bar (rich). Only the CLI calls these; library code never prints."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ci_excel.text import Lang, phrase


def print_validation(run: Any, lang: Lang, written: list[Path]) -> None:
    """A table per file (rich), then a one-line summary."""
    from rich.console import Console
    from rich.table import Table

    out = Console(width=None if sys.stdout.isatty() else 160, highlight=False)
    severity = {
        "error": f"[red]{phrase('cli_error', lang)}[/red]",
        "warning": f"[yellow]{phrase('cli_warning', lang)}[/yellow]",
    }
    headers = [phrase(f"cli_{key}", lang) for key in ("severity", "code", "cell", "column", "value", "message")]
    for path, issues in run.issues_by_file().items():
        if not issues:
            out.print(f"[green]OK[/green] {path}")
            continue
        table = Table(title=path, title_justify="left", show_lines=False, expand=False)
        for name in headers:
            table.add_column(name, overflow="fold")
        for i in issues:
            where = f"{i.sheet}!{i.cell}" if i.cell else i.sheet
            table.add_row(severity[i.severity], i.code, where, i.column, i.value, i.message(lang))
        out.print(table)
    errors = sum(i.is_error for i in run.issues)
    warnings = len(run.issues) - errors
    out.print(phrase("cli_checked", lang, files=len(run.files), errors=errors, warnings=warnings))
    for path in written:
        out.print(phrase("cli_feedback", lang, path=path))


def print_send(report: Any) -> None:
    verb = "to send" if report.dry_run else "sent"
    click.echo(
        f"Period {report.period}: {len(report.sent)} {verb}, {len(report.already)} already sent, "
        f"{len(report.skipped)} skipped, {len(report.failed)} failed recipient(s)."
    )
    for department, reason in report.skipped:
        click.echo(f"Skipped {department}: {reason}")
    for department, address, reason in report.failed:
        click.echo(f"Failed {department} -> {address}: {reason}")
    for path in report.written:
        click.echo(f"wrote {path}")


@contextmanager
def progress_bar(labels: dict[str, str]) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr, driven by the library's (phase, done, total) callback."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("", total=None)

        def update(phase: str, done: int, total: int) -> None:
            bar.update(task, description=labels.get(phase, phase), completed=done, total=total)

        yield update


def console(*, stderr: bool = False) -> Any:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # Piped or captured output is not folded to 80 columns: tables stay one line per row.
    return Console(stderr=stderr, highlight=False, width=None if stream.isatty() else 200)


def print_summary(summary: Any) -> None:
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


def print_history(headers: list[str], rows: list[list[str]]) -> None:
    from rich.table import Table

    if not rows:
        click.echo("The history store holds no period yet. Run 'ci-excel consolidate' first.")
        return
    table = Table(title="ci-excel history")
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console().print(table)
