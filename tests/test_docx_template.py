"""The reference document: committed copies match the generator; styles a PMO can restyle."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

from ci_excel.render.fonts import DOCX_EAST_ASIA
from ci_excel.render.reference_doc import ASSET, NUMBERING_ID, TABLE_STYLE, build_reference_document

ROOT = Path(__file__).resolve().parent.parent
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def style_summary(doc: object) -> dict[str, tuple[str | None, str | None]]:
    styles = doc.styles.element  # type: ignore[attr-defined]
    out = {}
    for style in styles.findall(qn("w:style")):
        fonts = style.find(f"{W}rPr/{W}rFonts")
        size = style.find(f"{W}rPr/{W}sz")
        out[style.get(qn("w:styleId"))] = (
            fonts.get(qn("w:eastAsia")) if fonts is not None else None,
            size.get(qn("w:val")) if size is not None else None,
        )
    return out


def test_committed_templates_match_the_generator() -> None:
    fresh = style_summary(build_reference_document())
    for path in (ASSET, ROOT / "workbook_templates" / "report_template.docx"):
        assert style_summary(Document(str(path))) == fresh, path


def test_every_style_names_an_east_asian_font() -> None:
    doc = build_reference_document()
    summary = style_summary(doc)
    assert summary and all(east == DOCX_EAST_ASIA for east, _ in summary.values())
    defaults = doc.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert defaults.get(qn("w:eastAsia")) == DOCX_EAST_ASIA


def test_headings_are_numbered_and_tables_styled() -> None:
    doc = build_reference_document()
    for level in (1, 2, 3):
        num = doc.styles[f"Heading {level}"].element.pPr.numPr
        assert num.numId.val == NUMBERING_ID and num.ilvl.val == level - 1
    assert doc.styles["TOC Heading"].element.pPr.numPr.numId.val == 0
    table = doc.styles[TABLE_STYLE].element
    assert table.find(f"{W}tblStylePr[@{W}type='firstRow']") is not None
    assert doc.settings.element.find(qn("w:updateFields")) is None  # Word asks nothing on opening
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
