"""The summary workbook's look: its font per language, palette and cell formats (made once per workbook)."""

from __future__ import annotations

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from ci_excel.render.style import PRIORITY, css
from ci_excel.render.style import PRIORITY_FILLS as PALETTE_FILLS
from ci_excel.schema import Lang

FONT = {"zh": "Microsoft YaHei", "en": "Calibri"}
PRIORITY_COLOURS = {k: css(v) for k, v in PRIORITY.items()}
PRIORITY_FILLS = {k: css(v) for k, v in PALETTE_FILLS.items()}
STAGE_COLOURS = ["#D6E4F0", "#A9CCE3", "#7FB3D5", "#5499C7", "#2874A6", "#1B4F72"]
DATA_STYLES = ("quoted", "int", "number", "percent", "money", "date")  # the first formats: xf ids 1, 2, ... (rows.py)
_RED_FILL = {"bg_color": "#F8D7DA", "font_color": "#9C0006"}
_GREEN_FILL = {"bg_color": "#D4EDDA", "font_color": "#155724"}
_ORANGE_FILL = {"bg_color": "#FDE5CC", "font_color": "#7E4A00"}


class Styles:
    """The workbook's formats, made once."""

    def __init__(self, book: Workbook, lang: Lang) -> None:
        self.lang = lang
        self.font = FONT[lang]
        add = book.add_format
        self.text: Format | None = None  # plain text cells carry no style: smaller, faster files
        self.quoted = add({"quote_prefix": True})
        self.header = add({"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78", "valign": "vcenter"})
        self.by_kind: dict[str, Format] = {
            "int": add({"num_format": "0"}),
            "number": add({"num_format": "#,##0.##"}),
            "percent": add({"num_format": "0%"}),
            "money": add({"num_format": "#,##0"}),
            "date": add({"num_format": "yyyy-mm-dd"}),
        }
        self._register_data_styles()
        self.title = add({"bold": True, "font_size": 16, "font_color": "#1B4F72"})
        self.subtitle = add({"font_color": "#555555"})
        self.heading = add({"bold": True, "font_size": 11, "bottom": 2, "bottom_color": "#1B4F72"})
        self.label = add({"bottom": 1, "bottom_color": "#DDDDDD"})
        self.figure = add(
            {
                "bold": True,
                "font_size": 12,
                "align": "right",
                "bottom": 1,
                "bottom_color": "#DDDDDD",
                "num_format": "#,##0",
            }
        )
        self.figure_pct = add(
            {
                "bold": True,
                "font_size": 12,
                "align": "right",
                "bottom": 1,
                "bottom_color": "#DDDDDD",
                "num_format": "0%",
            }
        )
        self.figure_text = add(
            {"bold": True, "align": "right", "bottom": 1, "bottom_color": "#DDDDDD", "text_wrap": True}
        )
        self.red = add(_RED_FILL)
        self.green = add(_GREEN_FILL)
        self.orange = add(_ORANGE_FILL)
        self.priority = {k: add({"bg_color": v}) for k, v in PRIORITY_FILLS.items()}

    def _register_data_styles(self) -> None:
        """Give the data cells' formats their xf ids now, in DATA_STYLES order: rows.py writes those ids
        into cells that xlsxwriter never sees. (xlsxwriter numbers a format when a cell first uses it.)"""
        for n, name in enumerate(DATA_STYLES, 1):
            fmt = self.quoted if name == "quoted" else self.by_kind[name]
            if fmt._get_xf_index() != n:
                raise RuntimeError(f"the summary workbook's {name} format got xf id {fmt.xf_index}, not {n}")
