"""The Word building blocks shared by the department and portfolio reports.

`ReportDoc` writes WordprocessingML directly: body parts are accumulated as XML text and parsed
once on save, tables are emitted row by row (never `table.cell(r, c)`), so a report with many
tables costs milliseconds. Styles come from the reference document by name; text typed by
departments is sanitised (control characters never reach the XML). Figures are native chart parts
(content from `native_charts`, packaged here) or, for the fishbone, the matrix and `figures="png"`,
pictures from the chart cache.
"""

from __future__ import annotations

import io
import re
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from docx import Document
from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from ci_excel import fileio
from ci_excel.render.chart_parts import WORKBOOK_RID, ChartStyle, NativeChart
from ci_excel.render.charts import Charts
from ci_excel.render.docx_matrix import matrix_table
from ci_excel.render.docx_package import document_frame, write_package
from ci_excel.render.docx_toc import Heading, toc_xml
from ci_excel.render.docx_xml import (
    EMPTY,
    Styled,
    Xml,
    bookmarked,
    column_widths,
    complex_field,
    escaped,
    min_twips,
    paragraph,
    paragraph_properties,
    runs_xml,
    sanitize,
    table_row,
)
from ci_excel.render.figures import ChartData, MatrixData
from ci_excel.render.fonts import DOCX_EAST_ASIA, DOCX_LATIN
from ci_excel.render.native_charts import native_charts
from ci_excel.render.reference_doc import FIGURE, TABLE_STYLE, TABLE_TEXT, clear_body, quiet_open
from ci_excel.render.style import DPI, EMU_PER_TWIP, text_width_twips
from ci_excel.schema import Lang
from ci_excel.text import colon, phrase

EMU_PER_INCH = 914400
MAX_IMAGE_IN = (6.5, 8.8)
CHART_CT = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
XLSX_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_URI = "http://schemas.openxmlformats.org/drawingml/2006/chart"
FigureMode = Literal["native", "png"]  # native: editable DrawingML charts; png: matplotlib pictures for all
CORE_PROPERTY_CHARS = 255  # the longest title python-docx (and Word) take
_NS = nsdecls("w", "r", "wp", "a", "pic")
_REF_OPEN, _REF_CLOSE = "⟦ref:", "⟧"  # a section reference until the heading numbers are known
_SPACER = Xml('<w:p><w:pPr><w:spacing w:before="0" w:after="60"/></w:pPr></w:p>')
_KEEP_NEXT = Xml("<w:keepNext/>")


@dataclass
class Timings:
    """Where the time of a report goes (seconds): charts, building the XML, saving the file."""

    charts: float = 0.0
    build: float = 0.0
    save: float = 0.0
    reports: int = 0

    def add(self, other: Timings) -> None:
        self.charts += other.charts
        self.build += other.build
        self.save += other.save
        self.reports += other.reports


@dataclass
class ReportDoc:
    """One report being built: body XML parts, headings for the TOC, figures through the chart cache."""

    template: bytes
    lang: Lang
    charts: Charts
    timings: Timings = field(default_factory=Timings)
    figures: FigureMode = "native"
    doc: DocumentObject = field(init=False)
    parts: list[Xml] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    _toc_at: int | None = None
    _counters: list[int] = field(default_factory=lambda: [0, 0, 0])
    _figures: int = 0
    _started: float = field(default_factory=time.perf_counter)
    _ids: int = 100
    _styles: dict[str, str | None] = field(default_factory=dict)
    _chart_style: ChartStyle = field(init=False)
    _native: int = 0
    text_width: int = field(init=False)  # twips, from the reference document's section

    def __post_init__(self) -> None:
        self.doc = Document(io.BytesIO(self.template))
        clear_body(self.doc)
        quiet_open(self.doc)
        names = {s.name: s.style_id for s in self.doc.styles}
        for name in (
            "Title",
            "Subtitle",
            "Heading 1",
            "Heading 2",
            "Heading 3",
            "Caption",
            TABLE_TEXT,
            FIGURE,
            "TOC 1",
            "TOC 2",
            "TOC Heading",
            TABLE_STYLE,
            "Normal",
            "Header",
            "Footer",
        ):
            self._styles[name] = names.get(name)
        self.text_width = text_width_twips(self.doc.sections[0])
        self._chart_style = chart_style(self.doc)

    # ---- paragraphs ---------------------------------------------------------------------

    def _ppr(self, style: str | None, extra: Xml = EMPTY) -> Xml:
        return paragraph_properties(self._styles.get(style or "") if style else None, extra)

    def paragraph(self, *runs: Xml, style: str | None = None, extra: Xml = EMPTY) -> None:
        self.parts.append(paragraph(self._ppr(style, extra), *runs))

    def text(self, text: Any, *, style: str | None = None, bold: bool = False, color: str | None = None) -> None:
        """A paragraph; a bold one is a label for what follows and stays on its page."""
        self.paragraph(runs_xml(text, bold=bold, color=color), style=style, extra=_KEEP_NEXT if bold else EMPTY)

    def label_value(self, label: str, value: Any) -> None:
        self.paragraph(*self.label_runs(label, value))

    def label_runs(self, label: str, value: Any, after: str = "") -> list[Xml]:
        return [runs_xml(label + colon(self.lang), bold=True), runs_xml(f"{sanitize(value)}{after}")]

    def run(self, text: Any, *, bold: bool = False, color: str | None = None, size: float | None = None) -> Xml:
        return runs_xml(text, bold=bold, color=color, size=size)

    def section_ref(self, bookmark: str) -> str:
        """The number of the heading at `bookmark`, filled in on save (the heading may come later)."""
        return f"{_REF_OPEN}{bookmark}{_REF_CLOSE}"

    def heading(self, text: Any, level: int = 1, *, bookmark: str | None = None) -> None:
        """A numbered heading with a bookmark (`bookmark`, else a new one) for the contents and links."""
        self._counters[level - 1] += 1
        for i in range(level, 3):
            self._counters[i] = 0
        number = ".".join(str(n) for n in self._counters[:level])
        self._ids += 1
        mark = bookmark or f"_Toc_ci{self._ids}"
        clean = sanitize(text).replace("\n", " ")
        self.headings.append(Heading(level, clean, number, mark))
        self.parts.append(paragraph(self._ppr(f"Heading {level}"), bookmarked(self._ids, mark, runs_xml(clean))))

    def page_break(self) -> None:
        self.parts.append(Xml('<w:p><w:r><w:br w:type="page"/></w:r></w:p>'))

    def toc(self) -> None:
        """A Word table of contents (levels 1-2): a TOC field whose shown entries are written on save,
        each a link to its heading with a PAGEREF field for its page (References > Update Table works)."""
        self._toc_at = len(self.parts)
        self.parts.append(EMPTY)

    def _fill_section_refs(self, before: int) -> None:
        """Section numbers in place of the references written before the contents (page 1)."""
        numbers = {h.bookmark: h.number for h in self.headings}
        pattern = re.compile(f"{_REF_OPEN}(.*?){_REF_CLOSE}")
        for n in range(before):
            if _REF_OPEN in self.parts[n]:
                self.parts[n] = Xml(pattern.sub(lambda m: escaped(numbers.get(m.group(1), "—")), self.parts[n]))

    def _toc_xml(self) -> Xml:
        self._ids += 1
        return toc_xml(self.headings, lambda style: self._ppr(style), self.lang, self._ids)

    # ---- tables -------------------------------------------------------------------------

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        weights: Sequence[float],
        *,
        align: Sequence[str] | None = None,
    ) -> None:
        """A styled table fitting the text width, header row repeated on every page."""
        columns = list(
            zip(
                *[headers, *([c.text if isinstance(c, Styled) else sanitize(c) for c in r] for r in rows)], strict=False
            )
        )
        needs = [max(min_twips(col[:1], bold=True), min_twips(col[1:])) for col in columns]
        widths = column_widths(weights, needs, total=self.text_width)
        style_id = self._styles.get(TABLE_STYLE)
        text_style = self._styles.get(TABLE_TEXT)
        aligns = list(align or ["left"] * len(widths))
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        tbl_style = f'<w:tblStyle w:val="{style_id}"/>' if style_id else ""
        out = [
            f'<w:tbl><w:tblPr>{tbl_style}<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
            f'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>',
            table_row(headers, widths, aligns, text_style, header=True, keep=True),
        ]
        keep = len(rows) <= 12  # a short table stays on one page
        out.extend(
            table_row(row, widths, aligns, text_style, keep=keep and n < len(rows) - 1) for n, row in enumerate(rows)
        )
        out.append("</w:tbl>")
        self.parts.append(Xml("".join(out)))
        self.parts.append(_SPACER)

    # ---- figures ------------------------------------------------------------------------

    def figure(self, data: ChartData, caption: str) -> None:
        """A native chart when the figure is a chart type and the run wants them, else the cached picture."""
        if self.figures == "native" and isinstance(data, MatrixData):
            matrix_table(self, data, caption)
            return
        started = time.perf_counter()
        native = native_charts(data, self.lang, self._chart_style) if self.figures == "native" else None
        png = self.charts.png(data) if native is None else b""
        self.timings.charts += time.perf_counter() - started
        if native is None:
            self.image(png, caption)
        else:
            self.native(native, caption)

    def native(self, charts: Sequence[NativeChart], caption: str) -> None:
        """Charts side by side in one figure paragraph, each a chart part with its embedded workbook."""
        self._figures += 1
        alt = escaped(caption)
        self.parts.append(paragraph(self._ppr(FIGURE), *(self._chart_run(chart, alt) for chart in charts)))
        self.caption(caption, numbered=False)

    def _chart_run(self, chart: NativeChart, alt: str) -> Xml:
        rel_id = self._add_chart_part(chart)
        self._ids += 1
        return Xml(
            f'<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{chart.width_emu}" cy="{chart.height_emu}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:docPr id="{self._ids}" name="Chart {self._ids}" descr="{alt}"/><wp:cNvGraphicFramePr/>'
            f'<a:graphic><a:graphicData uri="{CHART_URI}"><c:chart xmlns:c="{CHART_URI}" r:id="{rel_id}"/>'
            "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
        )

    def _add_chart_part(self, chart: NativeChart) -> str:
        """word/charts/chartN.xml related from the document, its workbook word/embeddings/…N.xlsx from it."""
        self._native += 1
        package = self.doc.part.package
        n = self._native
        workbook = Part(PackURI(f"/word/embeddings/Microsoft_Excel_Sheet{n}.xlsx"), XLSX_CT, chart.xlsx, package)
        part = Part(PackURI(f"/word/charts/chart{n}.xml"), CHART_CT, chart.xml, package)
        part.rels.add_relationship(RT.PACKAGE, workbook, WORKBOOK_RID)
        return self.doc.part.relate_to(part, RT.CHART)

    def image(self, png: bytes, caption: str) -> None:
        rel_id, _ = self.doc.part.get_or_add_image(io.BytesIO(png))
        width_px, height_px = struct.unpack(">II", png[16:24])
        width_in, height_in = width_px / DPI, height_px / DPI
        scale = min(1.0, MAX_IMAGE_IN[0] / width_in, MAX_IMAGE_IN[1] / height_in)
        cx, cy = round(width_in * scale * EMU_PER_INCH), round(height_in * scale * EMU_PER_INCH)
        self._ids += 1
        self._figures += 1
        alt = escaped(caption)
        self.parts.append(
            Xml(
                f'<w:p>{self._ppr(FIGURE)}<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
                f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
                f'<wp:docPr id="{self._ids}" name="Figure {self._figures}" descr="{alt}"/><wp:cNvGraphicFramePr>'
                '<a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr><a:graphic><a:graphicData '
                'uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr>'
                f'<pic:cNvPr id="{self._ids}" name="figure{self._figures}.png"/><pic:cNvPicPr/></pic:nvPicPr>'
                f'<pic:blipFill><a:blip r:embed="{rel_id}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
                f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect">'
                "<a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing>"
                f"</w:r></w:p>"
            )
        )
        self.caption(caption, numbered=False)

    def caption(self, caption: str, *, numbered: bool = True) -> None:
        """ "Figure N  caption" under a figure (`numbered`: count it as a new figure first)."""
        if numbered:
            self._figures += 1
        self.text(phrase("figure_n", self.lang, n=self._figures) + "  " + caption, style="Caption")

    # ---- frame and output ---------------------------------------------------------------

    def frame(self, header: str) -> None:
        """Header with department and period, footer 'page X of Y'; the cover page has neither.

        The header text is also the document title (Word's properties, the PDF's title)."""
        props = self.doc.core_properties
        title = header[:CORE_PROPERTY_CHARS]  # Word's limit for a core property
        props.title, props.author, props.last_modified_by, props.comments = title, "ci-excel", "ci-excel", ""
        section = self.doc.sections[0]
        section.different_first_page_header_footer = True
        head = section.header
        head.is_linked_to_previous = False
        _replace_paragraphs(head, paragraph(self._ppr("Header"), runs_xml(header)))
        page = phrase("page", self.lang, page="\x00", pages="\x01")
        before, rest = page.split("\x00")
        middle, after = rest.split("\x01")
        centered = self._ppr("Footer", Xml('<w:jc w:val="center"/>'))
        footer = paragraph(
            centered,
            runs_xml(before),
            complex_field("PAGE"),
            runs_xml(middle),
            complex_field("NUMPAGES"),
            runs_xml(after),
        )
        _replace_paragraphs(section.footer, footer)
        for part in (section.first_page_header, section.first_page_footer):
            part.is_linked_to_previous = False

    def save(self, target: Path) -> Path:
        if self._toc_at is not None:
            self.parts[self._toc_at] = self._toc_xml()
            self._fill_section_refs(self._toc_at)
        head, tail = document_frame(self.doc)
        self.doc.part._element = parse_xml(head + tail)  # the body is streamed in by write_package
        built = time.perf_counter()
        fileio.atomic_write(target, lambda tmp: write_package(self.doc, tmp, head, self.parts, tail))
        self.timings.save += time.perf_counter() - built
        self.timings.build += built - self._started - self.timings.charts
        self.timings.reports += 1
        return target


def chart_style(doc: DocumentObject) -> ChartStyle:
    """Chart text in the reference document's default fonts (so a restyled template restyles the charts)."""
    fonts = doc.styles.element.find(
        qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr") + "/" + qn("w:rFonts")
    )
    latin = (fonts.get(qn("w:ascii")) if fonts is not None else None) or DOCX_LATIN
    east_asian = (fonts.get(qn("w:eastAsia")) if fonts is not None else None) or DOCX_EAST_ASIA
    return ChartStyle(text_width_twips(doc.sections[0]) * EMU_PER_TWIP, latin, east_asian)


def _replace_paragraphs(part: Any, xml: Xml) -> None:
    element = part._element
    for p in list(element):
        element.remove(p)
    element.append(parse_xml(xml.replace("<w:p>", f"<w:p {nsdecls('w')}>", 1)))
