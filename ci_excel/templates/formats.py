"""Cell formats and styles of a template workbook, made once per workbook."""

from __future__ import annotations

from typing import Any

from xlsxwriter.workbook import Workbook

from ci_excel.render.style import PRIORITY_FILLS, css
from ci_excel.schema import ColType

_NUMBER_FORMATS: dict[ColType, str] = {
    ColType.TEXT: "@",
    ColType.PERIOD: "@",
    ColType.DATE: "yyyy-mm-dd",
    ColType.PERCENT: "0%",
    ColType.MONEY: "#,##0",
    ColType.NUMBER: "General",
    ColType.INT: "0",
}
_PRIORITY_FILLS = {k: css(v) for k, v in PRIORITY_FILLS.items()}  # as in the reports and the summary workbook
_FONT = "Microsoft YaHei"


class _Formats:
    """Every cell format of a workbook, made once."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        base = {"font_name": _FONT, "font_size": 10, "valign": "top"}
        self.base = base
        head = {**base, "bold": True, "text_wrap": True, "border": 1, "valign": "vcenter", "align": "center"}
        self.header = book.add_format({**head, "bg_color": "#DDEBF7"})
        self.header_required = book.add_format({**head, "bg_color": "#FCE4D6", "font_color": "#9C0006"})
        label = {**base, "bold": True, "border": 1, "valign": "vcenter"}
        self.label = book.add_format({**label, "bg_color": "#F2F2F2"})
        self.label_required = book.add_format({**label, "bg_color": "#FCE4D6", "font_color": "#9C0006"})
        self.passed = book.add_format({"bg_color": "#C6EFCE", "font_color": "#006100"})
        self.failed = book.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self._data: dict[tuple[str, ColType], Any] = {}

    def _make(self, kind: str, type_: ColType) -> Any:
        key = (kind, type_)
        if key not in self._data:
            props: dict[str, Any] = {**self.base, "num_format": _NUMBER_FORMATS.get(type_, "General")}
            if kind == "example":
                props |= {"italic": True, "font_color": "#808080", "bg_color": "#F2F2F2"}
            if kind == "form":
                props |= {"border": 1, "valign": "vcenter"}
            if type_ == ColType.TEXT:
                props["text_wrap"] = kind != "form"
            self._data[key] = self.book.add_format(props)
        return self._data[key]

    def data(self, type_: ColType) -> Any:
        return self._make("data", type_)

    def example(self, type_: ColType) -> Any:
        return self._make("example", type_)

    def form_value(self, type_: ColType) -> Any:
        return self._make("form", type_)

    def text(self, name: str) -> Any:
        """Instruction-sheet formats, by role."""
        key = (name, ColType.TEXT)
        if key not in self._data:
            self._data[key] = self.book.add_format({**self.base, **_TEXT_STYLES[name]})
        return self._data[key]


_TEXT_STYLES: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 16, "font_color": "#1F4E79", "valign": "vcenter"},
    "subtitle": {"italic": True, "font_color": "#595959"},
    "heading": {"bold": True, "font_size": 12, "font_color": "#FFFFFF", "bg_color": "#1F4E79", "valign": "vcenter"},
    "subheading": {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True},
    "label": {"bold": True, "text_wrap": True, "border": 1, "bg_color": "#F2F2F2"},
    "label_required": {"bold": True, "text_wrap": True, "border": 1, "bg_color": "#FCE4D6", "font_color": "#9C0006"},
    "text": {"text_wrap": True, "border": 1},
    "matrix_head": {
        "bold": True,
        "border": 1,
        "align": "center",
        "valign": "vcenter",
        "bg_color": "#DDEBF7",
        "text_wrap": True,
    },
    **{
        f"matrix_{p}": {"border": 1, "align": "center", "valign": "vcenter", "bg_color": fill, "bold": True}
        for p, fill in _PRIORITY_FILLS.items()
    },
}
