"""Settings: every default of SPEC sections 4 and 5, overridable from `ci_excel.toml`.

`load_config()` reads the given file, else `ci_excel.toml` in the working folder, else returns the
defaults. A key that is unknown or a value that cannot be used raises ConfigError naming the key
and what is allowed; docs/configuration.md documents every setting.

Modules:
  model     Config, Weights, Department and the defaults
  load      load_config, config_from_dict: a file or parsed TOML -> Config
  sections  each section's parser (lang, db_url, scoring, priority, statement, roster, mail, run, ...)
  values    generic TOML value parsing (check_keys, parse_int, parse_number, parse_text,
            parse_template, addresses), shared with [mail] in ci_excel.mail.settings
  checks    check_db_url, check_report_template and check_scheduler, shared with the command line
"""

from __future__ import annotations

from ci_excel.config.checks import check_db_url, check_report_template, check_scheduler
from ci_excel.config.load import config_from_dict, load_config
from ci_excel.config.model import (
    CONFIG_FILE,
    DEFAULT_MATRIX,
    DEFAULT_REPORT_TEMPLATE,
    DEFAULT_STATEMENTS,
    Config,
    Department,
    RunSettings,
    Weights,
)
from ci_excel.config.values import addresses, check_keys, parse_int, parse_number, parse_template, parse_text

__all__ = [
    "CONFIG_FILE",
    "DEFAULT_MATRIX",
    "DEFAULT_REPORT_TEMPLATE",
    "DEFAULT_STATEMENTS",
    "Config",
    "Department",
    "RunSettings",
    "Weights",
    "addresses",
    "check_db_url",
    "check_keys",
    "check_report_template",
    "check_scheduler",
    "config_from_dict",
    "load_config",
    "parse_int",
    "parse_number",
    "parse_template",
    "parse_text",
]
