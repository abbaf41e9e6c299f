"""Schema -> template-shaped workbooks (xlsxwriter): the blank templates and pre-filled copies.

Layout (the readers depend on it): an instructions sheet first; the info form (label in A, value
in B, from row 2); one table sheet per step sheet with the header in row 1 ("*" marks required
columns), the worked example in row 2 (grey italic, every id cell starting with the marker 示例- or
EXAMPLE-, by which it is recognised and ignored when read; see ci_excel.examples) and data from row 3; a
hidden `_lists` sheet feeding every dropdown and a hidden `_meta` sheet with the template id,
version, language, workbook stem and the sheet names as written.

Modules, one concern each:
  workbook     write_workbook: one workbook, sheet by sheet (form, tables, hidden `_lists` and `_meta`)
  cells        what a cell holds: header text, values as written, the total formula, row heights
  validations  the `_lists` columns, dropdowns, input messages and typed warning rules
  formats      every cell format and style, made once per workbook
  guide        the instructions sheet and its bilingual text
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ci_excel.schema import REGISTER, STEP_WORKBOOKS, TABLE_SHEETS, Lang
from ci_excel.templates.cells import (
    LAST_VALIDATED_ROW,
    cell_value,
    header_text,
    scores_total,
    sheet_names,
    total_formula,
)
from ci_excel.templates.guide import column_guide, example_statement, statement_formula
from ci_excel.templates.validations import enum_columns, list_range
from ci_excel.templates.workbook import write_workbook

__all__ = [
    "LAST_VALIDATED_ROW",
    "REPORT_TEMPLATE",
    "cell_value",
    "column_guide",
    "enum_columns",
    "example_statement",
    "header_text",
    "list_range",
    "scores_total",
    "sheet_names",
    "statement_formula",
    "total_formula",
    "write_templates",
    "write_workbook",
]

REPORT_TEMPLATE = "report_template.docx"
DECK_TEMPLATE = "report_template.pptx"


def write_templates(out: Path, *, lang: Lang = "zh") -> list[Path]:
    """Write the blank register (every sheet) and one workbook per step into `out`, and the Word
    reference document `report_template.docx` and the reference deck `report_template.pptx` when they are
    not there yet (a PMO's restyled copies are kept).
    """
    from ci_excel.render.deck import write_reference_deck
    from ci_excel.render.reference_doc import write_reference_document

    plans: dict[str, Sequence[str]] = {REGISTER: [s.key for s in TABLE_SHEETS], **STEP_WORKBOOKS}
    paths = [write_workbook(out / f"{stem}.xlsx", sheets, lang=lang, workbook=stem) for stem, sheets in plans.items()]
    reference = out / REPORT_TEMPLATE
    if not reference.exists():
        paths.append(write_reference_document(reference))
    deck = out / DECK_TEMPLATE
    if not deck.exists():
        paths.append(write_reference_deck(deck))
    return paths
