"""Validated submissions -> tables with every computed column (SPEC section 4), and the digests.

`compute_department` (`tables.py`) turns one model.Submission into a model.DepartmentResult: each
input sheet's rows with the schema's input columns plus the sheet's `computed` columns, and a
derived "root_causes" table. `department_digest` (`digest.py`) counts what every output shows of a
department, once; `period_digest` folds the digests into the period (one ranking rule,
`rank_departments`; one mean; one stage type) and `period_figures` (`figures.py`) gives the trend's
headline figures from them. `periods.py` holds the period's calendar. The rules themselves live in
scoring.py.
"""

from ci_excel.compute.digest import (
    CLOSED_STAGE,
    department_digest,
    issue_severity,
    mean,
    most_errors,
    most_problems,
    period_digest,
    rank_departments,
    stage_key,
)
from ci_excel.compute.figures import combine_figures, period_figures
from ci_excel.compute.periods import deadline, is_late, period_end
from ci_excel.compute.tables import compute_department, sheet_columns

__all__ = [
    "CLOSED_STAGE",
    "combine_figures",
    "compute_department",
    "deadline",
    "department_digest",
    "is_late",
    "issue_severity",
    "mean",
    "most_errors",
    "most_problems",
    "period_digest",
    "period_end",
    "period_figures",
    "rank_departments",
    "sheet_columns",
    "stage_key",
]
