"""The impact x difficulty priority matrix as a Word table (native figures): three by three cells
coloured by their priority class, each listing its problems (or, in the portfolio, their count).

A table is what the matrix is: editable in Word, exact in LibreOffice, and about a hundred times
cheaper than drawing it; `--figures png` keeps the picture (`draw_diagrams.draw_matrix`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ci_excel.render.docx_xml import Styled
from ci_excel.render.figures import MatrixData
from ci_excel.render.style import PRIORITY, PRIORITY_FILLS
from ci_excel.schema import LEVEL, column_label
from ci_excel.schema import PRIORITY as PRIORITY_ENUM
from ci_excel.text import Lang, list_sep, phrase

if TYPE_CHECKING:
    from ci_excel.render.docx_base import ReportDoc

MAX_LABELS = 24  # problem ids listed in one cell; the rest are counted


def matrix_table(doc: ReportDoc, data: MatrixData, caption: str) -> None:
    """Rows: impact high to low; columns: difficulty low to high (the picture's layout)."""
    lang = doc.lang
    levels = [c.key for c in reversed(LEVEL.choices)]  # low, medium, high
    classes = {(i, d): p for i, d, p in data.cells}
    labels: dict[tuple[str, str], list[str]] = {}
    for label, impact, difficulty in data.points:
        labels.setdefault((impact, difficulty), []).append(label)
    tallies = {(i, d): n for i, d, n in data.counts}
    rows = []
    for impact in reversed(levels):
        row: list[str | Styled] = [Styled(LEVEL.label(impact, lang), bold=True)]
        for difficulty in levels:
            cls = classes.get((impact, difficulty), "P4")
            found = labels.get((impact, difficulty), [])
            contents = _contents(found, tallies.get((impact, difficulty), 0), data.counts_only, lang)
            row.append(
                Styled(f"{PRIORITY_ENUM.label(cls, lang)}\n{contents}", color=PRIORITY[cls], fill=PRIORITY_FILLS[cls])
            )
        rows.append(row)
    corner = f"{column_label('problems', 'impact', lang)} \\ {column_label('problems', 'difficulty', lang)}"
    doc.table(
        [corner, *(LEVEL.label(level, lang) for level in levels)],
        rows,
        [16, 28, 28, 28],
        align=["left", "left", "left", "left"],
    )
    doc.caption(caption)


def _contents(labels: list[str], unlabelled: int, counts_only: bool, lang: Lang) -> str:
    if counts_only:
        n = len(labels) + unlabelled
        return phrase("n_problems", lang, n=n) if n else "—"
    shown = labels[:MAX_LABELS]
    more = f" {phrase('more_n', lang, n=len(labels) - len(shown))}" if len(labels) > len(shown) else ""
    return (list_sep(lang).join(shown) + more) if shown else "—"
