"""Text frames' paragraphs and properties written as DrawingML directly (lxml), a frame at a time.

python-pptx's text API walks its element classes for every property it sets (several milliseconds a
paragraph); a deck has tens of thousands of paragraphs, so they are written here as XML: exact line
spacing, no space before or after, the Latin and East Asian faces on every run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

from ci_excel.render.deck.fit import LINE_SPACING
from ci_excel.render.deck.template import EAST_ASIAN, LATIN
from ci_excel.render.docx_xml import sanitize

A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
_AUTOFIT = tuple(f"{{{A_NS}}}{tag}" for tag in ("noAutofit", "normAutofit", "spAutoFit"))
ALIGN = {"left": "l", "right": "r", "center": "ctr"}


@dataclass(frozen=True)
class Para:
    """One paragraph: its text (newlines are line breaks) and its look."""

    text: str
    size: float
    bold: bool = False
    color: str | None = None
    align: str = "left"


def paragraph_xml(p: Para) -> str:
    spacing = round(p.size * LINE_SPACING * 100)
    ppr = (
        f'<a:pPr algn="{ALIGN.get(p.align, "l")}"><a:lnSpc><a:spcPts val="{spacing}"/></a:lnSpc>'
        '<a:spcBef><a:spcPts val="0"/></a:spcBef><a:spcAft><a:spcPts val="0"/></a:spcAft></a:pPr>'
    )
    fill = f'<a:solidFill><a:srgbClr val="{p.color}"/></a:solidFill>' if p.color else ""
    rpr = (
        f'<a:rPr lang="zh-CN" altLang="en-US" sz="{round(p.size * 100)}" b="{1 if p.bold else 0}" dirty="0">'
        f'{fill}<a:latin typeface="{LATIN}"/><a:ea typeface="{EAST_ASIAN}"/></a:rPr>'
    )
    runs = f"<a:br>{rpr}</a:br>".join(
        f"<a:r>{rpr}<a:t>{escape(sanitize(line))}</a:t></a:r>" for line in p.text.split("\n")
    )
    end = f'<a:endParaRPr lang="zh-CN" sz="{round(p.size * 100)}" dirty="0"/>'
    return f"<a:p>{ppr}{runs}{end}</a:p>"


def set_paragraphs(tx_body: etree._Element, paragraphs: Sequence[Para]) -> None:
    """Replace the text body's paragraphs with `paragraphs` (one empty paragraph when there are none)."""
    for old in tx_body.findall(f"{{{A_NS}}}p"):
        tx_body.remove(old)
    body = "".join(paragraph_xml(p) for p in paragraphs) or "<a:p/>"
    holder = etree.fromstring(f'<a:x xmlns:a="{A_NS}">{body}</a:x>')
    for p in list(holder):
        tx_body.append(p)


def set_body(body_pr: etree._Element, *, inset_x: float, inset_y: float, anchor: str | None = "t") -> None:
    """Wrapped text, fixed insets (points), no autofit: the box never grows or shrinks its text."""
    body_pr.set("wrap", "square")
    for side, value in (("lIns", inset_x), ("rIns", inset_x), ("tIns", inset_y), ("bIns", inset_y)):
        body_pr.set(side, str(round(value * 12700)))
    if anchor is not None:
        body_pr.set("anchor", anchor)
    for child in list(body_pr):
        if child.tag in _AUTOFIT:
            body_pr.remove(child)


def set_table(
    tbl: etree._Element,
    widths: Sequence[int],
    rows: Sequence[tuple[int, Sequence[Para]]],
    *,
    margin_x: int,
    margin_y: int,
) -> None:
    """The table's grid and rows (heights in EMU, one paragraph per cell), replacing python-pptx's."""
    for child in list(tbl):
        if child.tag != f"{{{A_NS}}}tblPr":
            tbl.remove(child)
    tcpr = f'<a:tcPr marL="{margin_x}" marR="{margin_x}" marT="{margin_y}" marB="{margin_y}" anchor="ctr"/>'
    grid = "".join(f'<a:gridCol w="{w}"/>' for w in widths)
    body = "".join(
        f'<a:tr h="{height}">'
        + "".join(f"<a:tc><a:txBody><a:bodyPr/><a:lstStyle/>{paragraph_xml(p)}</a:txBody>{tcpr}</a:tc>" for p in cells)
        + "</a:tr>"
        for height, cells in rows
    )
    holder = etree.fromstring(f'<a:x xmlns:a="{A_NS}"><a:tblGrid>{grid}</a:tblGrid>{body}</a:x>')
    for child in list(holder):
        tbl.append(child)
