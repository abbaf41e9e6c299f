"""The command line: parses arguments, calls the library, prints, maps errors to exit codes.

With console.py (what it shows), the only code that imports click or prints: `options.py` (shared
options, exit codes), `running.py` (errors to exit codes), one module per command group
(`workbooks`, `runs`, `store`, `delivery`). Exit codes, the same for every command:
0 done, the data clean or with warnings only; 1 done, errors found in the data; 2 usage (bad
arguments, bad configuration: nothing written); 3 could not finish: a disk, folder or store that
cannot be used (one sentence: what failed and what to do) or a bug (with its traceback, to report);
4 another run of the period is going and --no-wait was given; 130/143 stopped by Ctrl+C/SIGTERM.
After 2, 3, 4 or a stop, the previous outputs and the history store are as they were.
"""

from __future__ import annotations

import click

from ci_excel import __version__
from ci_excel.cli.delivery import send, serve
from ci_excel.cli.runs import consolidate, demo, report
from ci_excel.cli.store import export, history
from ci_excel.cli.workbooks import templates, validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ci-excel")
def main() -> None:
    """ci-excel: continuous improvement on Excel.

    Departments fill the templates; the PMO validates and consolidates them every month into a
    history store, Word reports and a portfolio summary workbook.
    """


for _command in (templates, validate, consolidate, report, history, export, send, serve, demo):
    main.add_command(_command)
