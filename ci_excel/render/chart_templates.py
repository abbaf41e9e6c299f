"""Word charts of one shape dressed once, then filled with each chart's own numbers and texts.

Dressing a chart through python-pptx's objects costs milliseconds, and a report has a few charts
per problem (its plan's Gantt, its Pareto, its KPI panels). A chart builder passes every number and
text it puts into a chart through a `Values`: built with plain `Values` it is the chart itself (the deck,
the embedded workbook); built with `Marks` every value becomes a stand-in, so the chart dressed once
per shape (what its key says: counts, blanks, colours, language) is a template whose stand-ins are
then replaced, in one pass, by another chart's values (texts through the reports' escaping point).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from typing import Any

from ci_excel.render.chart_parts import ChartSpec, ChartStyle, NativeChart, chart_size, word_chart
from ci_excel.render.chart_workbook import category_workbook
from ci_excel.render.docx_xml import escaped

_NUMBER_MARK = 7_000_000.125  # the k-th number's stand-in is this + k: exact in binary, unlike any real value
_MARKED = re.compile(r"7\d{6}\.125|\u27e6v\d+\u27e7")
_TEMPLATES: dict[Hashable, str] = {}
_MAX_TEMPLATES = 512  # shapes kept per process (a run has a few dozen)


class Values:
    """The numbers and texts a builder puts into a chart, in the order it puts them."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    def num(self, value: float) -> float:
        """A number shown in the chart."""
        self.seen.append(value)
        return self._number(value)

    def blank_or(self, value: float | None) -> float | None:
        """A number or a blank (a blank is part of the chart's shape, never a stand-in)."""
        return None if value is None else self.num(value)

    def text(self, value: str) -> str:
        self.seen.append(value)
        return self._text(value)

    def _number(self, value: float) -> float:
        return value

    def _text(self, value: str) -> str:
        return value


class Marks(Values):
    """Stand-ins in place of the values: what a template is dressed with."""

    def _number(self, value: float) -> float:
        return _NUMBER_MARK + len(self.seen) - 1

    def _text(self, value: str) -> str:
        return f"\u27e6v{len(self.seen) - 1}\u27e7"


def templated_chart(key: Hashable, build: Callable[[Values], ChartSpec], style: ChartStyle) -> NativeChart:
    """The Word chart `build` makes, from the template of its shape `key` (dressed on first use)."""
    real = Values()
    spec = build(real)
    template = _TEMPLATES.get((key, style))
    if template is None:
        template = word_chart(build(Marks()), style).xml.decode()
        if len(_TEMPLATES) >= _MAX_TEMPLATES:
            _TEMPLATES.clear()
        _TEMPLATES[(key, style)] = template
    xml = _MARKED.sub(lambda m: _shown(real.seen[_index(m.group())]), template)
    return NativeChart(xml.encode(), category_workbook(spec.data), *chart_size(spec, style))


def _index(mark: str) -> int:
    return int(mark[2:-1]) if mark.startswith("\u27e6") else int(float(mark) - _NUMBER_MARK)


def _shown(value: Any) -> str:
    """A value as python-pptx writes it: numbers as Python prints them, texts escaped."""
    return escaped(value) if isinstance(value, str) else repr(value)
