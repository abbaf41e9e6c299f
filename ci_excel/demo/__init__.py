"""`ci-excel demo`: three months of realistic submissions from five departments, consolidated month
by month.

`run.py` writes the submissions and runs the consolidation, `content.py` lists the departments and
the planted mistakes, one module per department holds its register (`ecommerce`, `service`,
`logistics`, `finance`, `pmo`), and `rows.py` the row builders they are written with.
"""

from ci_excel.demo.content import DEPARTMENTS, MISTAKES
from ci_excel.demo.rows import PERIODS
from ci_excel.demo.run import OUTPUT, SUBMISSIONS, run_demo, snapshot, where_to_look, write_demo_submissions

__all__ = [
    "DEPARTMENTS",
    "MISTAKES",
    "OUTPUT",
    "PERIODS",
    "SUBMISSIONS",
    "run_demo",
    "snapshot",
    "where_to_look",
    "write_demo_submissions",
]
