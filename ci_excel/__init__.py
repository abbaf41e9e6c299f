"""ci-excel: run a continuous-improvement programme on Excel (templates, validation, reports)."""

__version__ = "0.1.0"
