"""The report's table of contents: a Word TOC field (levels 1-2) in a Table of Contents block, whose
shown entries are written with the report, each a link to its heading with a PAGEREF field for its
page (References > Update Table works; `toc_pages` fills the page numbers from the PDF)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ci_excel.render.docx_xml import EMPTY, Xml, bookmarked, complex_field, hyperlink, join, paragraph, runs_xml
from ci_excel.schema import Lang
from ci_excel.text import phrase

TOC_MAX_ENTRIES = 40  # beyond this the table of contents lists level-1 headings only (one page)
TOC_HINT = "_ci_toc_hint"  # the bookmark on the hint under the contents, removed once page numbers are filled


@dataclass
class Heading:
    level: int
    text: str
    number: str
    bookmark: str


def toc_xml(headings: Sequence[Heading], ppr: Callable[[str], Xml], lang: Lang, hint_id: int) -> Xml:
    """The TOC field in a Table of Contents block: heading, entries, the field's end, the hint
    (bookmarked `hint_id`); `ppr` gives a paragraph's properties for a style name."""
    depth = 2 if sum(h.level <= 2 for h in headings) <= TOC_MAX_ENTRIES else 1  # long reports: chapters only
    shown = [h for h in headings if h.level <= depth]
    begin = Xml(
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> '
        f'TOC \\o "1-{depth}" \\h \\z \\u </w:instrText></w:r><w:r><w:fldChar '
        'w:fldCharType="separate"/></w:r>'
    )
    end = Xml('<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    entries = []
    for n, h in enumerate(shown):
        entry = join(
            [
                runs_xml(f"{h.number}  {h.text}"),
                Xml("<w:r><w:tab/></w:r>"),
                complex_field(f"PAGEREF {h.bookmark} \\h", ""),
            ]
        )
        entries.append(
            paragraph(
                ppr(f"TOC {h.level}"),
                begin if n == 0 else EMPTY,
                hyperlink(h.bookmark, entry),
                end if n == len(shown) - 1 else EMPTY,
            )
        )
    if not entries:
        entries.append(paragraph(EMPTY, begin, end))
    heading = paragraph(ppr("TOC Heading"), runs_xml(phrase("toc", lang)))
    hint = paragraph(ppr("Caption"), bookmarked(hint_id, TOC_HINT, runs_xml(phrase("toc_hint", lang))))
    return Xml(
        '<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/><w:docPartUnique/>'
        f"</w:docPartObj></w:sdtPr><w:sdtContent>{heading}{join(entries)}{hint}</w:sdtContent></w:sdt>"
    )
