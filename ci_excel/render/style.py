"""The one palette of every output (Word reports, their charts, the summary workbook, the templates)
and the page geometry, read from the reference document.

Colours are hex "RRGGBB"; `css` gives "#RRGGBB" for matplotlib and xlsxwriter. A priority class has
one colour (bars, matrix labels, dashboard points) and one fill (cells, matrix squares) everywhere.
"""

from __future__ import annotations

from typing import Any

RED = "C0392B"  # also P1: a problem, a miss, an overdue action
GREEN = "1E8449"  # met, done, confirmed
CHART_GREEN = "27AE60"
GREY = "7F8C8D"
AMBER = "B9770E"  # warnings, late submissions
CHART_GREY = "95A5A6"
BLUE = "2E86C1"
LIGHT_BLUE = "AED6F1"
NAVY = "1F4E79"  # headers, titles and links
TEXT = "1B2631"
GRID = "E5E8E8"
OVERDUE_FILL = "F5B7B1"
PRIORITY = {"P1": RED, "P2": "D68910", "P3": "B7950B", "P4": GREY}
STAGES = ("D6EAF8", "AED6F1", "85C1E9", "5DADE2", BLUE, CHART_GREEN)  # stages 1-6, light to dark; closed green
PRIORITY_FILLS = {"P1": "F8D7DA", "P2": "FDE5CC", "P3": "FFF6BF", "P4": "E9ECEF"}

EMU_PER_TWIP = 635
A4_TEXT_WIDTH_TWIPS = 9412  # 16.6 cm: A4 minus 2.2 cm margins, when a document gives no section
DPI = 200  # pictures (fishbones, and every figure with --figures png) are drawn at print resolution


def css(color: str) -> str:
    """ "RRGGBB" as "#RRGGBB" (matplotlib, xlsxwriter)."""
    return f"#{color}"


def text_width_twips(section: Any) -> int:
    """The text width of a python-docx section: page width minus the left and right margins."""
    try:
        width = section.page_width - section.left_margin - section.right_margin
    except TypeError:  # a section without page size or margins
        return A4_TEXT_WIDTH_TWIPS
    return int(width) // EMU_PER_TWIP if width and width > 0 else A4_TEXT_WIDTH_TWIPS
