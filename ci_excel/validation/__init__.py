"""Raw cells -> typed records + Issue values; never raises on bad data.

`check_file` reads one workbook and does every single-sheet check (it runs in a worker process,
so its result is a plain picklable dataclass). `merge` groups the files of one department and
period and applies the cross-sheet rules of SPEC section 3. `validate_paths` does both for the
`validate` command. Every data row read is used, rejected (named by an error) or ignored (the
template's example row, named by a warning): `SheetStats` proves it.

Modules, in the order data flows through them:
  results  FileCheck, MergeResult, ValidationRun; `_Ctx`, what every issue of one file carries
  run      validate_paths: read every file in workers, then merge
  files    check_file: one workbook (snapshot, meta, info sheet, table sheets)
  sheets   sheet recognition and header rows
  tables   a table sheet typed column by column, each cell checked, each row finished
  cells    what people type: parse_value and the parser of each column type
  fast     fast paths for well-typed cells
  rows     single-row rules
  merge    merge, group_checks, merge_group: one Submission per department and period
  cross    cross-sheet rules
  docs     docs/issue_codes.md from the table of codes
"""

from __future__ import annotations

from ci_excel.validation.cells import Problem, parse_value
from ci_excel.validation.docs import ISSUE_CODES_DOC, issue_codes_markdown, write_issue_codes_doc
from ci_excel.validation.fast import _FAST, _SLOW
from ci_excel.validation.files import _check_book, check_file, file_label, file_sha, file_size
from ci_excel.validation.merge import group_checks, merge, merge_group
from ci_excel.validation.results import FileCheck, MergeResult, ValidationRun, _Ctx
from ci_excel.validation.run import no_gc_passes, validate_paths
from ci_excel.validation.sheets import HEADER_SCAN_ROWS

__all__ = [
    "HEADER_SCAN_ROWS",
    "ISSUE_CODES_DOC",
    "_FAST",
    "_SLOW",
    "FileCheck",
    "MergeResult",
    "Problem",
    "ValidationRun",
    "_Ctx",
    "_check_book",
    "check_file",
    "file_label",
    "file_sha",
    "file_size",
    "group_checks",
    "issue_codes_markdown",
    "merge",
    "merge_group",
    "no_gc_passes",
    "parse_value",
    "validate_paths",
    "write_issue_codes_doc",
]
