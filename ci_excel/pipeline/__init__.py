"""The PMO's monthly run: discover -> read and validate in parallel -> one department at a time:
merge, compute, store, report -> portfolio outputs -> swap into place.

Reading spills each checked workbook's rows to disk; then every department is merged, computed
and reported in a worker process and handed back to this process, which writes it to the period
being stored and folds it into the portfolio outputs before dropping it. So memory holds a few
departments and a few figures per department, whatever their number.

Outputs are built in a run folder (run_folders.py) and swapped into `output/<period>` only when
complete, so a failed or killed run leaves the previous outputs in place; the store takes the
period in one short transaction after every output is written and before the swap, naming the
run folder, so the next writer finishes a swap a kill interrupted. One writer of a period at a
time: a run holds the period's lock on the output folder and on the store (sessions.py) from
before it writes anything until its outputs are in place; run_files.py writes its manifest.

`monthly.py` holds `consolidate`, `read_phase.py` the reading phase, `running.py` the run's settings
and the departments' fold, `from_store.py` what is made from the store alone (`report`, `history`).
"""

from ci_excel.pipeline.from_store import history_table, render_from_store
from ci_excel.pipeline.monthly import ConsolidationSummary, consolidate, summarize
from ci_excel.pipeline.read_phase import Reading, read_submissions, split_by_period

__all__ = [
    "ConsolidationSummary",
    "Reading",
    "consolidate",
    "history_table",
    "read_submissions",
    "render_from_store",
    "split_by_period",
    "summarize",
]
