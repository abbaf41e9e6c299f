"""Running a command: the library called, its exceptions turned into one message and an exit code."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from typing import NoReturn

import click

from ci_excel.cli.options import EXIT_BUSY, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE
from ci_excel.errors import Busy, CiExcelError, UsageError


class _Stopped(BaseException):
    """SIGTERM, raised where the run is, so it unwinds as for Ctrl+C: workers stopped, run folder removed."""


def _stop(signum: int, _frame: object) -> None:
    raise _Stopped(signum)


def run(action: Callable[[], int | None]) -> None:
    """Call the library; turn its exceptions into a clean message and exit code."""
    signal.signal(signal.SIGTERM, _stop)
    try:
        code = action() or EXIT_OK
    except UsageError as exc:
        fail(f"Error: {exc}", EXIT_USAGE)
    except Busy as exc:
        fail(f"Not started: {exc}", EXIT_BUSY)
    except CiExcelError as exc:
        fail(f"Error: {exc}", EXIT_INTERNAL)
    except (KeyboardInterrupt, _Stopped) as exc:
        signum = exc.args[0] if isinstance(exc, _Stopped) else signal.SIGINT
        fail(
            f"Stopped ({signal.Signals(signum).name}): the previous outputs and the history store are as they were.",
            128 + signum,
        )
    except Exception as exc:  # a bug: one clear line and its own exit code, the traceback for the report
        import traceback

        traceback.print_exc(file=sys.stderr)
        fail(f"Internal error: {type(exc).__name__}: {exc}. Please report it with the lines above.", EXIT_INTERNAL)
    sys.exit(code)


def fail(message: str, code: int) -> NoReturn:
    """Say what went wrong, in red on stderr, and exit with `code`."""
    click.secho(message, fg="red", err=True)
    sys.exit(code)


def waiting(message: str) -> None:
    """Say, on stderr, that the run waits for another run of the period."""
    click.echo(f"{message[0].upper()}{message[1:]}; Ctrl+C stops.", err=True)
