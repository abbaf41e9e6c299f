"""The portfolio summary workbook (portfolio_summary.xlsx), written with xlsxwriter in constant memory.

Sheets: a dashboard with headline figures and native charts; one Excel table per entity
(problems, root causes, solutions, actions, results, standards); a department scoreboard; the
trend from the history store; every validation issue. Column labels, sheet names and enum labels
come from the schema; its phrases from the text catalogue (`ci_excel.text`), worded as in the
reports. Text typed by departments is always written as a string, with a quote prefix when it
would look like a formula.

`SummaryWriter` takes departments one at a time: their rows stream to disk (xlsxwriter's
constant_memory mode) and only each department's digest (`compute.department_digest`) is kept; at
`close` the digests are folded into the period (`compute.period_digest`, which ranks them) and the
dashboard and scoreboard format that: nothing here counts, averages or ranks departments.

Content and packaging are apart: `columns` (the column model and cell writing), `sheets` (the
entity, scoreboard, trend and issues tables), `dashboard`, `charts` and `style` say what the
workbook shows (its words from the text catalogue, `ci_excel.text`); `plumbing` holds what
constant_memory mode takes (the staged workbook, rows streamed to disk, small sheets replayed in
row order, chart caches, and the Excel tables added after xlsxwriter is done through
`xlsx_tables`, since it cannot make them in that mode); `writer` puts them together.
"""

from ci_excel.render.summary.dashboard import headline
from ci_excel.render.summary.writer import SummaryWriter, write_summary

__all__ = ["SummaryWriter", "headline", "write_summary"]
