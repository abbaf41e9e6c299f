"""The WordprocessingML the reports are written in, as text: runs, fields, table rows.

Every piece is an `Xml` (a str that mypy tells apart): built only here or from other `Xml`, so text
typed by departments reaches a report through one escaping point, `escaped` (control characters
removed, markup characters escaped, for element text and attribute values alike). Elements are
emitted with their children in schema order (the Open XML SDK check in the tests holds them to it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NewType
from xml.sax.saxutils import escape

from ci_excel.render.style import A4_TEXT_WIDTH_TWIPS, NAVY
from ci_excel.render.text_width import WIDEST_LATIN_EM, text_em

Xml = NewType("Xml", str)
EMPTY = Xml("")
TEXT_WIDTH_TWIPS = A4_TEXT_WIDTH_TWIPS
LINK = NAVY
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_UNCLEAN = re.compile("[\x00-\x09\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")  # what sanitize changes
_UNSAFE = re.compile('[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff&<>"]')  # what escaped changes
_QUOTE = {'"': "&quot;"}


def sanitize(value: Any) -> str:
    """Text safe for WordprocessingML: no control characters, tabs as spaces, CRLF as newline."""
    text = "" if value is None else str(value)
    if _UNCLEAN.search(text) is None:  # most text: one scan
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _INVALID_XML.sub("", text)


def escaped(value: Any) -> str:
    """The one escaping point: `value` as element text or an attribute value."""
    text = "" if value is None else str(value)
    if _UNSAFE.search(text) is None:  # most text: one scan
        return text
    return escape(sanitize(text), _QUOTE)


def join(parts: Sequence[Xml]) -> Xml:
    return Xml("".join(parts))


@dataclass(frozen=True)
class Styled:
    """A table cell or run with emphasis: colour (hex), bold, background fill, a link to a bookmark."""

    text: str
    color: str | None = None
    bold: bool = False
    fill: str | None = None
    link: str | None = None


Cell = str | Styled


def runs_xml(text: Any, *, bold: bool = False, color: str | None = None, size: float | None = None) -> Xml:
    """One or more w:r elements; newlines become line breaks."""
    props = (
        ("<w:b/>" if bold else "")
        + (f'<w:color w:val="{color}"/>' if color else "")
        + (f'<w:sz w:val="{round(size * 2)}"/>' if size else "")
    )
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    clean = sanitize(text)
    if "\n" not in clean:  # most runs: one line
        return Xml(f'<w:r>{rpr}<w:t xml:space="preserve">{escaped(clean)}</w:t></w:r>')
    inner = "<w:br/>".join(f'<w:t xml:space="preserve">{escaped(line)}</w:t>' for line in clean.split("\n"))
    return Xml(f"<w:r>{rpr}{inner}</w:r>")


def complex_field(instr: str, shown: str = "1") -> Xml:
    """A complex field (PAGE, NUMPAGES, PAGEREF …) showing `shown` until Word or LibreOffice updates it."""
    return Xml(
        f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> '
        f'{escaped(instr)} </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'<w:r><w:t>{escaped(shown)}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def hyperlink(anchor: str, runs: Xml) -> Xml:
    """`runs` as a link to the bookmark `anchor` in the same document."""
    return Xml(f'<w:hyperlink w:anchor="{escaped(anchor)}" w:history="1">{runs}</w:hyperlink>')


def bookmarked(bookmark_id: int, name: str, runs: Xml) -> Xml:
    return Xml(
        f'<w:bookmarkStart w:id="{bookmark_id}" w:name="{escaped(name)}"/>{runs}<w:bookmarkEnd w:id="{bookmark_id}"/>'
    )


def paragraph(ppr: Xml, *runs: Xml) -> Xml:
    return Xml(f"<w:p>{ppr}{''.join(runs)}</w:p>")


def paragraph_properties(style_id: str | None, extra: Xml = EMPTY) -> Xml:
    """w:pPr with its style first, then `extra` (already in schema order: keepNext, spacing, ind, jc)."""
    inner = (f'<w:pStyle w:val="{escaped(style_id)}"/>' if style_id else "") + extra
    return Xml(f"<w:pPr>{inner}</w:pPr>" if inner else "")


# ---- tables -----------------------------------------------------------------------------------


def column_widths(
    weights: Sequence[float], minimums: Sequence[int] | None = None, total: int = TEXT_WIDTH_TWIPS
) -> list[int]:
    """Twips per column: proportional to `weights`, never below a column's minimum, summing to `total`."""
    floors = [max(480, m) for m in (minimums or [0] * len(weights))]
    if sum(floors) >= total:  # more minimum than page: share the page by the minimums
        return [int(total * f / sum(floors)) for f in floors]
    fixed: dict[int, int] = {}
    while True:
        free = [i for i in range(len(weights)) if i not in fixed]
        room = total - sum(fixed.values())
        weight = sum(weights[i] for i in free) or 1.0
        widths = {i: int(room * weights[i] / weight) for i in free}
        short = {i: floors[i] for i, w in widths.items() if w < floors[i]}
        if not short:
            return [fixed.get(i, widths.get(i, 0)) for i in range(len(weights))]
        fixed.update(short)


@lru_cache(maxsize=16384)
def min_twips(texts: tuple[str, ...], *, size_pt: float = 8.5, bold: bool = False, cap_em: float = 11.0) -> int:
    """The width a column needs so its longest unbreakable word fits (CJK text breaks anywhere).
    Cached: a report asks thousands of times, mostly of one header or one value seen before."""
    longest = 0.0
    for text in texts:
        if longest >= cap_em:
            break
        if max(WIDEST_LATIN_EM * len(text), 1.0) > longest:  # else no word of it can be wider
            longest = max(longest, max(map(_word_em, text.split()), default=0.0))
    return int(min(cap_em, longest) * size_pt * 20 * (1.08 if bold else 1.0)) + 170


@lru_cache(maxsize=16384)
def _word_em(word: str) -> float:
    """A word's width in em; a word with CJK in it breaks anywhere (one character's width)."""
    return text_em(word) if word.isascii() else 1.0


def table_row(
    cells: Sequence[Any],
    widths: Sequence[int],
    aligns: Sequence[str],
    text_style: str | None,
    *,
    header: bool = False,
    keep: bool = False,
) -> Xml:
    """A w:tr that does not split across pages (the header row repeats on each page)."""
    trpr = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>" if header else "<w:trPr><w:cantSplit/></w:trPr>"
    pstyle = f'<w:pStyle w:val="{escaped(text_style)}"/>' if text_style else ""
    keep_next = "<w:keepNext/>" if keep else ""
    out = [f"<w:tr>{trpr}"]
    for value, width, align in zip(cells, widths, aligns, strict=False):
        jc = f'<w:jc w:val="{align}"/>' if align != "left" and not header else ""
        ppr = f"<w:p><w:pPr>{pstyle}{keep_next}{jc}</w:pPr>"
        if isinstance(value, Styled):
            fill = f'<w:shd w:val="clear" w:color="auto" w:fill="{value.fill}"/>' if value.fill else ""
            runs = cell_runs(value)
        else:
            fill, runs = "", runs_xml(value)
        out.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{fill}</w:tcPr>{ppr}{runs}</w:p></w:tc>')
    out.append("</w:tr>")
    return Xml("".join(out))


def cell_runs(styled: Styled) -> Xml:
    runs = runs_xml(styled.text, bold=styled.bold, color=styled.color)
    return hyperlink(styled.link, runs) if styled.link else runs
