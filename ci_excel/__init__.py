"""ci-excel: run a continuous-improvement programme on Excel (templates, validation, reports)."""

# The one place the version is written: pyproject.toml reads it ([tool.setuptools.dynamic]),
# `ci-excel --version` and manifest.json print it.
__version__ = "0.1.0"
