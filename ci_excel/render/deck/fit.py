"""Text that fits its box: measured with the deck's fonts, wrapped as PowerPoint wraps, shortened with "…".

Widths come from the font files themselves (Pillow), plus the quarter em LibreOffice puts where Chinese
and Latin text meet: Chinese with the CJK face the deck names for East
Asian text (Noto Sans CJK here), everything else with the wider of that face and DejaVu Sans (what
LibreOffice draws for Arial where Arial and its metric twin are not installed; Arial is narrower), so an
estimate never comes out short. Lines break between words, and anywhere in Chinese text, as
PowerPoint and LibreOffice break them; a word wider than the line breaks between its characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

ELLIPSIS = "…"
LINE_SPACING = 1.2  # a line's height in font sizes (PowerPoint's single spacing for these faces)
SLACK = 0.94  # the share of a line's width the estimate may fill: rounding, kerning, hinting
_TOKEN = re.compile(r"\s+|[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff]+")
NO_LINE_START = frozenset(",。、;:!?)】」』》〉”’%…·,.;:!?)]}")  # punctuation no line starts with
_UNITS = 1000  # glyph widths are measured at this size and scaled


@lru_cache(maxsize=1)
def _faces() -> tuple[Any, Any, Any, Any]:
    """(CJK regular, CJK bold, Latin regular, Latin bold) Pillow fonts at _UNITS px."""
    from PIL import ImageFont

    from ci_excel.render.fonts import measuring_faces

    regular, bold, latin, latin_bold = (ImageFont.truetype(path, _UNITS) for path in measuring_faces())
    return regular, bold, latin, latin_bold


@lru_cache(maxsize=8192)
def _char_em(char: str, bold: bool) -> float:
    """A character's advance in ems: the widest of the faces that may draw it."""
    cjk_regular, cjk_bold, latin_regular, latin_bold = _faces()
    cjk, latin = (cjk_bold, latin_bold) if bold else (cjk_regular, latin_regular)
    width = float(cjk.getlength(char))
    if ord(char) < 0x2E80:
        width = max(width, float(latin.getlength(char)))
    return width / _UNITS


AUTOSPACE = 0.25  # ems LibreOffice adds where Chinese and Latin text meet ("spacing between Asian and non-Asian text")


def _is_cjk(char: str) -> bool:
    return ord(char) >= 0x2E80


def text_width(text: str, size_pt: float, *, bold: bool = False) -> float:
    """The width of one line of `text` in points (with the space where Chinese and Latin text meet)."""
    ems = sum(_char_em(c, bold) for c in text)
    ems += AUTOSPACE * sum(
        1 for a, b in pairwise(text) if not a.isspace() and not b.isspace() and _is_cjk(a) != _is_cjk(b)
    )
    return ems * size_pt


@dataclass(frozen=True)
class Box:
    """Where text goes: width and height of the text area in points (inside the frame's margins)."""

    width_pt: float
    height_pt: float
    size_pt: float
    bold: bool = False

    @property
    def max_lines(self) -> int:
        return max(1, int(self.height_pt // (self.size_pt * LINE_SPACING)))


def wrap(text: str, width_pt: float, size_pt: float, *, bold: bool = False) -> list[str]:
    """`text` broken into lines no wider than `width_pt` (times SLACK); newlines are kept."""
    limit = width_pt * SLACK
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        lines.extend(_wrap_paragraph(paragraph, limit, size_pt, bold))
    return lines


def _wrap_paragraph(text: str, limit: float, size_pt: float, bold: bool) -> list[str]:
    lines, line, used = [], "", 0.0
    for token in _TOKEN.findall(text):
        width = text_width(token, size_pt, bold=bold)
        if line and not token.isspace() and not line[-1].isspace() and _is_cjk(line[-1]) != _is_cjk(token[0]):
            width += AUTOSPACE * size_pt
        hangs = token in NO_LINE_START and bool(line)  # kept on the line, hanging past its end, as both renderers do
        if used + width <= limit or (not line and token.isspace()) or hangs:
            line, used = line + token, used + width
            continue
        if token.isspace():  # a break between words: the space goes with the line
            lines.append(line.rstrip())
            line, used = "", 0.0
            continue
        if line.strip():
            lines.append(line.rstrip())
        line, used = "", 0.0
        for char in token:  # a word wider than the line, or the start of a new line
            char_width = _char_em(char, bold) * size_pt
            if used + char_width > limit and line:
                lines.append(line)
                line, used = "", 0.0
            line, used = line + char, used + char_width
    lines.append(line.rstrip())
    return lines


def fit(text: Any, box: Box, *, max_lines: int | None = None) -> str:
    """`text` as it fits `box` (at most `max_lines` lines): whole when it fits, else cut at a line's end
    with "…"."""
    value = "" if text is None else str(text)
    allowed = min(box.max_lines, max_lines or box.max_lines)
    lines = wrap(value, box.width_pt, box.size_pt, bold=box.bold)
    if len(lines) <= allowed:
        return value
    kept = lines[:allowed]
    last = kept[-1]
    limit = box.width_pt * SLACK
    while last and text_width(last + ELLIPSIS, box.size_pt, bold=box.bold) > limit:
        last = last[:-1]
    kept[-1] = last.rstrip() + ELLIPSIS
    return "\n".join(kept)


def lines_needed(text: Any, box: Box) -> int:
    """How many lines `text` takes in `box`'s width."""
    return len(wrap("" if text is None else str(text), box.width_pt, box.size_pt, bold=box.bold))
