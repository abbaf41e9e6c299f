"""The options several commands share, and the exit codes (the package docstring lists them)."""

from __future__ import annotations

from pathlib import Path

import click

EXIT_OK, EXIT_DATA_ERRORS, EXIT_USAGE, EXIT_INTERNAL, EXIT_BUSY = 0, 1, 2, 3, 4

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
