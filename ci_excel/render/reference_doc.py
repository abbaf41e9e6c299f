"""Build the reference document (report_template.docx) whose styles every Word report uses.

The PMO may restyle it in Word; reports take its styles, page setup and numbering and drop its
sample body. Every style names an East Asian font (w:eastAsia), headings 1-3 are numbered
(1, 1.1, 1.1.1) through a multilevel list linked to the styles, and "CI Table" styles tables
with a coloured header row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from ci_excel import fileio
from ci_excel.render.fonts import DOCX_EAST_ASIA, DOCX_EAST_ASIA_ALT, DOCX_LATIN
from ci_excel.render.style import NAVY

TEMPLATE_NAME = "report_template.docx"
ASSET = Path(__file__).resolve().parent.parent / "assets" / TEMPLATE_NAME
TABLE_STYLE = "CI Table"
TABLE_TEXT = "Table Text"
FIGURE = "Figure"
NUMBERING_ID = 90  # the heading list's w:numId (high, to stay clear of the template's own lists)

_HEADINGS = {1: (16, NAVY, 18, 8), 2: (13, NAVY, 14, 6), 3: (11, "2E75B6", 10, 4)}


def write_reference_document(path: Path) -> Path:
    """Write the reference document to `path` (atomically) and return it."""
    doc = build_reference_document()
    return fileio.atomic_write(path, lambda tmp: doc.save(str(tmp)))


def template_path(explicit: Path | None = None) -> Path:
    """The reference document to use: an explicit one, else the copy shipped with the package."""
    return explicit if explicit is not None else ASSET


def build_reference_document() -> DocumentObject:
    doc = Document()
    _trim(doc)
    _page_setup(doc)
    _fonts(doc)
    _paragraph_styles(doc)
    _table_style(doc)
    _heading_numbering(doc)
    _font_table(doc)
    quiet_open(doc)
    _sample_body(doc)
    return doc


_KEPT_TABLE_STYLES = {"TableNormal", "TableGrid"}
_DROPPED_PARTS = ("stylesWithEffects", "customXml", "thumbnail")


def _trim(doc: DocumentObject) -> None:
    """Drop what every report would otherwise carry for nothing: ~100 unused table styles, the Word 2010
    stylesWithEffects copy, customXml and the thumbnail (together ~800 KB of XML to parse and write)."""
    styles = doc.styles.element
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) == "table" and style.get(qn("w:styleId")) not in _KEPT_TABLE_STYLES:
            styles.remove(style)
    for owner in (doc.part, doc.part.package):
        for rel_id, rel in list(owner.rels.items()):
            if rel.reltype.rsplit("/", 1)[-1] in _DROPPED_PARTS:
                owner.drop_rel(rel_id) if owner is doc.part else owner.rels.pop(rel_id)


def _page_setup(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin, section.bottom_margin = Cm(2.4), Cm(2.2)
    section.header_distance = section.footer_distance = Cm(1.1)


def set_fonts(rpr: etree._Element) -> None:
    """Explicit Latin and East Asian fonts on a w:rPr (theme font attributes removed)."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr, value in (
        ("w:ascii", DOCX_LATIN),
        ("w:hAnsi", DOCX_LATIN),
        ("w:eastAsia", DOCX_EAST_ASIA),
        ("w:cs", DOCX_LATIN),
        ("w:hint", "eastAsia"),
    ):
        fonts.set(qn(attr), value)


def _fonts(doc: DocumentObject) -> None:
    """Document defaults and every style get rFonts with w:eastAsia, and zh-CN as East Asian language."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_fonts(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    for style in styles.findall(qn("w:style")):
        set_fonts(_rpr(style))


def _rpr(style: Any) -> etree._Element:
    """The style's w:rPr, created in schema order (before tblPr/tblStylePr: Word is strict about it)."""
    return style.get_or_add_rPr()


def _paragraph_styles(doc: DocumentObject) -> None:
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.15
    for level, (size, color, before, after) in _HEADINGS.items():
        style = styles[f"Heading {level}"]
        style.font.size, style.font.bold = Pt(size), True
        style.font.color.rgb = RGBColor.from_string(color)
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(before), Pt(after)
        style.paragraph_format.keep_with_next = True
    title = styles["Title"]
    title.font.size, title.font.bold = Pt(26), True
    title.font.color.rgb = RGBColor.from_string(NAVY)
    for name, points, color in (
        ("Subtitle", 14.0, "404040"),
        ("Caption", 9, "595959"),
        ("Header", 8.5, "595959"),
        ("Footer", 8.5, "595959"),
    ):
        styles[name].font.size = Pt(points)
        styles[name].font.color.rgb = RGBColor.from_string(color)
        styles[name].font.italic = False
    _custom_paragraph(doc, TABLE_TEXT, size=8.5, after=0, line=1.0)
    _custom_paragraph(doc, FIGURE, size=10.5, after=2, line=1.0, center=True, keep_next=True)
    for level in (1, 2):
        _custom_paragraph(
            doc, f"TOC {level}", size=10.0, after=1, line=1.1, indent=0.6 * (level - 1), tab=True, builtin=True
        )
    _custom_paragraph(doc, "TOC Heading", size=16, after=8, line=1.0, bold=True, builtin=True)
    toc_heading = doc.styles["TOC Heading"]
    toc_heading.base_style = doc.styles["Normal"]
    toc_heading.font.color.rgb = RGBColor.from_string(NAVY)
    _set_numbering(toc_heading.element.get_or_add_pPr(), level=0, num_id=0)


def _custom_paragraph(
    doc: DocumentObject,
    name: str,
    *,
    size: float,
    after: float,
    line: float,
    center: bool = False,
    keep_next: bool = False,
    indent: float = 0.0,
    tab: bool = False,
    bold: bool = False,
    builtin: bool = False,
) -> None:
    try:
        style = doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH, builtin=builtin)
        style.base_style = doc.styles["Normal"]
    style.font.size, style.font.bold = Pt(size), bold
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(after), line
    fmt.left_indent = Cm(indent) if indent else None
    fmt.keep_with_next = keep_next or None
    if center:
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if tab:
        fmt.tab_stops.add_tab_stop(Cm(16.6), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
    set_fonts(_rpr(style.element))


def _table_style(doc: DocumentObject) -> None:
    border = 'w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"'
    xml = f"""<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="CITable">
  <w:name w:val="{TABLE_STYLE}"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/><w:qFormat/>
  <w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr>
  <w:tblPr><w:tblBorders><w:top {border}/><w:left {border}/><w:bottom {border}/><w:right {border}/>
    <w:insideH {border}/><w:insideV {border}/></w:tblBorders>
    <w:tblCellMar><w:top w:w="28" w:type="dxa"/><w:left w:w="70" w:type="dxa"/><w:bottom w:w="28" w:type="dxa"/>
    <w:right w:w="70" w:type="dxa"/></w:tblCellMar></w:tblPr>
  <w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:color w:val="FFFFFF"/></w:rPr>
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{NAVY}"/></w:tcPr></w:tblStylePr>
  <w:tblStylePr w:type="band2Horz"><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="EEF3F8"/></w:tcPr></w:tblStylePr>
</w:style>"""
    style = parse_xml(xml)
    set_fonts(_rpr(style))
    doc.styles.element.append(style)


def _heading_numbering(doc: DocumentObject) -> None:
    """A multilevel list 1 / 1.1 / 1.1.1 linked to Heading 1-3 (w:numPr in each heading style)."""
    numbering = doc.part.numbering_part.element
    levels = "".join(
        f"""<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:pStyle w:val="Heading{i + 1}"/>
        <w:lvlText w:val="{".".join(f"%{k + 1}" for k in range(i + 1))}"/><w:lvlJc w:val="left"/>
        <w:pPr><w:ind w:left="{567 + 142 * i}" w:hanging="{567 + 142 * i}"/></w:pPr></w:lvl>"""
        for i in range(3)
    )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{NUMBERING_ID}">'
        f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>'
    )
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="{NUMBERING_ID}"><w:abstractNumId w:val="{NUMBERING_ID}"/></w:num>')
    )
    for level in (1, 2, 3):
        ppr = doc.styles[f"Heading {level}"].element.get_or_add_pPr()
        _set_numbering(ppr, level=level - 1, num_id=NUMBERING_ID)


def _set_numbering(ppr: Any, *, level: int, num_id: int) -> None:
    """w:numPr in schema order (python-docx places it between the right siblings)."""
    num_pr = ppr.get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


def _font_table(doc: DocumentObject) -> None:
    """Describe the East Asian face so Word without it substitutes a Chinese sans-serif font."""
    part = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    root = etree.fromstring(part.blob)
    root.append(
        etree.fromstring(
            f'<w:font {nsdecls("w")} w:name="{DOCX_EAST_ASIA}"><w:altName w:val="{DOCX_EAST_ASIA_ALT}"/>'
            '<w:panose1 w:val="020B0500000000000000"/><w:charset w:val="86"/><w:family w:val="swiss"/>'
            '<w:pitch w:val="variable"/></w:font>'
        )
    )
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def quiet_open(doc: DocumentObject) -> None:
    """Word asks nothing on opening: no "update the fields?" question (a PMO template may carry it).
    The contents are a TOC field Word refreshes with References > Update Table."""
    settings = doc.settings.element
    for element in settings.findall(qn("w:updateFields")):
        settings.remove(element)


def _sample_body(doc: DocumentObject) -> None:
    """One example of each style, so the PMO sees what it restyles; reports drop this body."""
    doc.add_paragraph("报告标题 Report title", style="Title")
    doc.add_paragraph("副标题 Subtitle", style="Subtitle")
    for level in (1, 2, 3):
        doc.add_paragraph(f"{level}级标题 Heading {level}", style=f"Heading {level}")
    doc.add_paragraph("正文:在电商大促场景下,订单审核环节存在人工重复录入信息问题。Body text.", style="Normal")
    table = doc.add_table(rows=3, cols=3)
    table.style = doc.styles[TABLE_STYLE]
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            cell.paragraphs[0].text = "表头 Header" if r == 0 else f"单元格 {r}.{c}"
            cell.paragraphs[0].style = doc.styles[TABLE_TEXT]
    doc.add_paragraph("图 1 图题 Caption", style="Caption")
    section = doc.sections[0]
    section.header.paragraphs[0].text = "部门 · 期间 Department · Period"
    section.footer.paragraphs[0].text = "第 1 页 Page 1"


def clear_body(doc: DocumentObject) -> None:
    """Remove the template's sample body, keeping the final section properties."""
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
