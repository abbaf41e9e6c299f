"""Exceptions mean "cannot continue"; bad data in a workbook is an Issue, never an exception."""


class CiExcelError(Exception):
    """Base class of every error the CLI turns into a clean message."""


class UsageError(CiExcelError):
    """The command was given something it cannot work with (exit code 2)."""


class ConfigError(UsageError):
    """ci_excel.toml holds a value that cannot be used."""
