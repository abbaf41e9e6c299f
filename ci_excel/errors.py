"""Exceptions mean "cannot continue"; bad data in a workbook is an Issue, never an exception."""


class CiExcelError(Exception):
    """Base class of every error the CLI turns into a clean message."""


class UsageError(CiExcelError):
    """The command was given something it cannot work with (exit code 2)."""


class ConfigError(UsageError):
    """ci_excel.toml holds a value that cannot be used."""


class OutputError(CiExcelError):
    """What ci-excel writes cannot be written (a full disk, a read-only folder, no permission): the
    run stops, the previous outputs and the history store as they were."""


class Busy(CiExcelError):
    """Another run holds a lock this one needs, and it was told not to wait (exit code 4)."""
