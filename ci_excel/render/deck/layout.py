"""The deck's geometry and its building blocks: slides with a title and a footer, fitted text boxes,
tables that continue on following slides, native charts.

Every text is fitted to its box before it is written (`fit.py`): a paragraph's line spacing is exact
(LINE_SPACING times the size), cells and boxes have fixed margins, so the height a text takes is the
number of its lines times that spacing, in PowerPoint and LibreOffice alike. Nothing grows a box.
"""

from __future__ import annotations

import gc
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.opc.constants import CONTENT_TYPE as CT
from pptx.opc.constants import RELATIONSHIP_TARGET_MODE as RTM
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.package import Part, _Relationship
from pptx.opc.packuri import PackURI

from ci_excel import fileio
from ci_excel.render.chart_parts import ChartSpec, ChartStyle, slide_chart
from ci_excel.render.deck.fit import LINE_SPACING, Box, fit, lines_needed
from ci_excel.render.deck.template import EAST_ASIAN, LATIN, template_path
from ci_excel.render.deck.text_xml import Para, set_body, set_paragraphs, set_table
from ci_excel.schema import Lang
from ci_excel.text import phrase

EMU_PER_PT = 12700
SLIDE_W, SLIDE_H = 960.0, 540.0  # points: 16:9
MARGIN = 30.0
TITLE_TOP, TITLE_H = 18.0, 44.0
BODY_TOP = 74.0
BODY_H = SLIDE_H - BODY_TOP - 34.0  # above the footer
BODY_W = SLIDE_W - 2 * MARGIN
FOOTER_TOP = SLIDE_H - 26.0
CELL_X, CELL_Y = 4.0, 2.5  # a table cell's margins (points)
ROW_SPARE = 0.35  # ems a table row keeps beyond its lines: LibreOffice sizes rows by the CJK face's full height
TEXT_SIZE = 11.0
TABLE_SIZE = 10.0
DARK = "1B2631"
RED = "C0392B"
GREY = "707B7C"
BAND = "1F4E79"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
COLLECT_EVERY = 8  # put-aside slides between two garbage collections (see `Deck._put_aside`)


def emu(points: float) -> int:
    return round(points * EMU_PER_PT)


@dataclass(frozen=True)
class Rect:
    """A box on the slide, in points."""

    left: float
    top: float
    width: float
    height: float

    def emu(self) -> tuple[int, int, int, int]:
        return emu(self.left), emu(self.top), emu(self.width), emu(self.height)


BODY = Rect(MARGIN, BODY_TOP, BODY_W, BODY_H)


@dataclass(frozen=True)
class Cell:
    """A table cell's text with its look."""

    text: Any
    bold: bool = False
    color: str | None = None


class Deck:
    """A presentation from the reference deck (its masters and layouts; its sample slides dropped)."""

    def __init__(self, lang: Lang, footer: str, template: Path | bytes | None = None) -> None:
        self.lang, self.footer = lang, footer
        source = io.BytesIO(template) if isinstance(template, bytes) else str(template_path(template))
        self.prs = Presentation(source)
        drop_slides(self.prs)
        names = {layout.name: layout for layout in self.prs.slide_layouts}
        self._title_layout = names.get("Title Slide", self.prs.slide_layouts[0])
        self._body_layout = names.get("Title Only", self.prs.slide_layouts[-1])
        self._aside: IO[bytes] = tempfile.TemporaryFile(prefix="ci-excel-slides-")  # noqa: SIM115 - closed by save()
        self._put_aside_count = 0
        self.chart_style = ChartStyle(emu(BODY_W), latin=LATIN, east_asian=EAST_ASIAN, size_pt=10.0)

    @property
    def count(self) -> int:
        return len(self.prs.slides)

    def title_slide(self, title: str, subtitle: str) -> Any:
        slide = self.prs.slides.add_slide(self._title_layout)
        placeholders = list(slide.placeholders)
        _fill_placeholder(placeholders[0], title, 36.0)
        if len(placeholders) > 1:
            _fill_placeholder(placeholders[1], subtitle, 20.0)
        return slide

    def slide(self, title: str, *, number: str | None = None) -> Any:
        """A body slide: its title (fitted to one line) and the footer with the slide's number (`number`
        in its place: a stand-in for a slide made apart, see `finished_slide`)."""
        slide = self.prs.slides.add_slide(self._body_layout)
        if slide.shapes.title is not None:
            _fill_placeholder(slide.shapes.title, title, 26.0)
        else:
            self.text(slide, Rect(MARGIN, TITLE_TOP, BODY_W, TITLE_H), title, size=26.0, bold=True)
        self.text(
            slide,
            Rect(MARGIN, FOOTER_TOP, BODY_W, 18.0),
            f"{self.footer} · {self.count if number is None else number}",
            size=9.0,
            color=GREY,
            align="right",
        )
        return slide

    def text(
        self,
        slide: Any,
        rect: Rect,
        text: Any,
        *,
        size: float = TEXT_SIZE,
        bold: bool = False,
        color: str | None = None,
        align: str = "left",
        max_lines: int | None = None,
    ) -> Any:
        """A text box holding `text` fitted to it (shortened with … when it does not fit)."""
        shape = slide.shapes.add_textbox(*rect.emu())
        box = Box(rect.width - 2 * CELL_X, rect.height - 2 * CELL_Y, size, bold)
        _write(shape, [Para(fit(text, box, max_lines=max_lines), size, bold, color or DARK, align)])
        return shape

    def lines(
        self, slide: Any, rect: Rect, items: Sequence[Cell], *, size: float = TEXT_SIZE, more: str = "more_n"
    ) -> Any:
        """A box of short paragraphs, one per item, each fitted to what room is left; when they do not all
        fit, the last line says how many more there are."""
        shape = slide.shapes.add_textbox(*rect.emu())
        box = Box(rect.width - 2 * CELL_X, rect.height - 2 * CELL_Y, size)
        room, placed, paragraphs = box.max_lines, 0, []
        for n, item in enumerate(items):
            left = len(items) - n
            reserve = 1 if left > 1 else 0  # a line for "… N more" unless this is the last item
            if room - reserve < 1:
                break
            text = fit(item.text, Box(box.width_pt, box.height_pt, size, item.bold), max_lines=min(3, room - reserve))
            paragraphs.append(Para(text, size, item.bold, item.color or DARK))
            room -= lines_needed(text, Box(box.width_pt, box.height_pt, size, item.bold))
            placed += 1
        if placed < len(items):
            paragraphs.append(Para(phrase(more, self.lang, n=len(items) - placed), size, color=GREY))
        if not items:
            paragraphs.append(Para(phrase("none", self.lang), size, color=GREY))
        _write(shape, paragraphs)
        return shape

    def band(self, slide: Any, rect: Rect, text: str, *, size: float = 11.0, color: str = BAND) -> Any:
        """A coloured heading band with white bold text (the A3's section headings)."""
        shape = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, *rect.emu())
        shape.fill.solid()
        shape.fill.fore_color.rgb = RGBColor.from_string(color)
        shape.line.fill.background()
        box = Box(rect.width - 2 * CELL_X, rect.height - 2 * CELL_Y, size, True)
        _write(shape, [Para(fit(text, box, max_lines=1), size, True, "FFFFFF", "center")], anchor="ctr")
        return shape

    def grid(
        self,
        slide: Any,
        rect: Rect,
        head: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        *,
        size: float = 9.0,
        max_lines: int = 2,
        align: Sequence[str] = (),
    ) -> int:
        """A table in `rect` with as many rows as fit; when some do not, its last row says how many more.
        Returns the number of rows shown."""
        total = sum(widths)
        cols = [rect.width * w / total for w in widths]
        header = [_fitted(Cell(h, bold=True), c, size, 1) for h, c in zip(head, cols, strict=True)]
        body = [
            [_fitted(v if isinstance(v, Cell) else Cell(v), c, size, max_lines) for v, c in zip(r, cols, strict=True)]
            for r in rows
        ]
        if not body:
            body = [[Cell(phrase("none", self.lang), color=GREY), *(Cell("") for _ in cols[1:])]]
        used, kept = _row_height(header, cols, size), 0
        one_line = size * LINE_SPACING + 2 * CELL_Y + ROW_SPARE * size
        for n, row in enumerate(body):
            height = _row_height(row, cols, size)
            reserve = one_line if n < len(body) - 1 else 0.0
            if used + height + reserve > rect.height:
                break
            used, kept = used + height, kept + 1
        shown = body[:kept]
        if kept < len(body):
            more = Cell(
                fit(
                    phrase("more_n", self.lang, n=len(body) - kept), Box(cols[0] - 2 * CELL_X, 99.0, size), max_lines=1
                ),
                color=GREY,
            )
            shown.append([more, *(Cell("") for _ in cols[1:])])
        _table(slide, rect, cols, [header, *shown], size, align)
        return kept

    def chart(self, slide: Any, spec: ChartSpec, rect: Rect) -> Any:
        return slide_chart(slide.shapes, spec, self.chart_style, rect.emu())

    def table(
        self,
        title: str,
        head: Sequence[str],
        rows: Sequence[Sequence[Any]],
        widths: Sequence[float],
        *,
        size: float = TABLE_SIZE,
        max_lines: int = 2,
        note: str | None = None,
        align: Sequence[str] = (),
    ) -> int:
        """`rows` under `head` on as many slides as they need (titled "… (continued)"); `widths` are shares
        of the body's width. Each slide is put aside once filled (`_put_aside`). Returns the slides' count."""
        total = sum(widths)
        cols = [BODY_W * w / total for w in widths]
        top = BODY_TOP + (22.0 if note else 0.0)
        height = BODY_TOP + BODY_H - top
        header = [_fitted(Cell(h, bold=True), c, size, 2) for h, c in zip(head, cols, strict=True)]
        body = [
            [_fitted(v if isinstance(v, Cell) else Cell(v), c, size, max_lines) for v, c in zip(r, cols, strict=True)]
            for r in rows
        ]
        pages = _paginate([_row_height(header, cols, size)], [_row_height(r, cols, size) for r in body], height)
        for n, (start, end) in enumerate(pages):
            name = title if n == 0 else f"{title} {phrase('continued', self.lang, n=n + 1, of=len(pages))}"
            slide = self.slide(name)
            if note:
                self.text(slide, Rect(MARGIN, BODY_TOP, BODY_W, 20.0), note, size=9.0, color=GREY)
            _table(slide, Rect(MARGIN, top, BODY_W, height), cols, [header, *body[start:end]], size, align)
            self._put_aside(slide)
        return len(pages)

    def _put_aside(self, slide: Any) -> None:
        """The last slide added, finished, kept as XML in a temporary file until the deck is saved: a
        ranking over hundreds of slides holds none of them (python-pptx holds about 0.6 MB a slide).

        A python-pptx slide is a cycle of objects (part, slide, shapes) around its XML, so it is freed
        only by a garbage collection, which its small count of Python objects rarely sets off: one runs
        every COLLECT_EVERY slides (cheap inside `frozen_heap`)."""
        rid = self.prs.slides._sldIdLst[-1].rId
        rels = self.prs.part.rels
        self._aside.seek(0, 2)
        offset = self._aside.tell()
        size = self._aside.write(slide.part.blob)
        aside = _FinishedSlide(slide.part.partname, self.prs.part.package, partial(self._read_aside, offset, size), 0)
        aside.relate_to(self._body_layout.part, RT.SLIDE_LAYOUT)  # its only relationship
        rels._rels[rid] = _Relationship(rels._base_uri, rid, RT.SLIDE, RTM.INTERNAL, aside)
        self._put_aside_count += 1
        if self._put_aside_count % COLLECT_EVERY == 0:
            gc.collect()

    def _read_aside(self, offset: int, size: int, _number: int) -> bytes:
        self._aside.seek(offset)
        return self._aside.read(size)

    def finished_slides(self, blobs: Iterable[Callable[[int], bytes]]) -> None:
        """Body slides made apart, added at the end of the deck, each's XML from its `blob` (given the
        slide's number) read only when the deck is saved: a deck of thousands holds none in memory.
        Added in one pass: python-pptx's own adding scans every slide and relationship per slide."""
        package, rels, ids = self.prs.part.package, self.prs.part.rels, self.prs.slides._sldIdLst
        next_id = max([255, *(int(s.id) for s in ids)]) + 1
        used, count, number = set(rels), len(rels), len(ids)
        for blob in blobs:
            number += 1
            slide = _FinishedSlide(PackURI(f"/ppt/slides/slide{number}.xml"), package, blob, number)
            slide.relate_to(self._body_layout.part, RT.SLIDE_LAYOUT)  # its only relationship
            count += 1
            while f"rId{count}" in used:
                count += 1
            rid = f"rId{count}"
            used.add(rid)
            rels._rels[rid] = _Relationship(rels._base_uri, rid, RT.SLIDE, RTM.INTERNAL, slide)
            ids._add_sldId(id=next_id, rId=rid)
            next_id += 1

    def save(self, target: Path) -> Path:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            return fileio.atomic_write(target, lambda tmp: self.prs.save(str(tmp)))
        finally:
            self._aside.close()


class _FinishedSlide(Part):
    """A slide part whose XML is made when the package is written."""

    def __init__(self, partname: Any, package: Any, blob: Callable[[int], bytes], number: int) -> None:
        super().__init__(partname, CT.PML_SLIDE, package)
        self._make, self._number = blob, number

    @property  # type: ignore[misc]  # read-only here: made from the spool, never set
    def blob(self) -> bytes:
        return self._make(self._number)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Everything this process holds so far left out of garbage collections for the block (`gc.freeze`),
    so the deck's collections walk only what the deck made: at 1,200 departments a collection over
    the whole run's state takes about 90 ms, one over the deck's about 5 ms."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def drop_slides(prs: Any) -> None:
    """Every slide out of `prs` (the reference deck's samples; a scratch deck's finished slide)."""
    ids = prs.slides._sldIdLst
    for sld in list(ids):
        prs.part.drop_rel(sld.rId)
        ids.remove(sld)


def _fill_placeholder(shape: Any, text: str, size: float) -> None:
    """A title placeholder's text, fitted; its colour and alignment stay the master's."""
    width, height = shape.width / EMU_PER_PT, shape.height / EMU_PER_PT
    fitted = fit(text, Box(width - 2 * CELL_X, height - 2 * CELL_Y, size, True), max_lines=2)
    shape.text_frame.word_wrap = True
    set_body(shape.text_frame._txBody.bodyPr, inset_x=CELL_X, inset_y=CELL_Y, anchor=None)
    tx_body = shape.text_frame._txBody
    set_paragraphs(tx_body, [Para(fitted, size, True)])
    for ppr in tx_body.iter(f"{{{_A}}}pPr"):  # the master aligns titles
        ppr.attrib.pop("algn", None)


def _write(shape: Any, paragraphs: list[Para], *, anchor: str = "t") -> None:
    tx_body = shape.text_frame._txBody  # written as XML: text_xml.py says why
    set_body(tx_body.bodyPr, inset_x=CELL_X, inset_y=CELL_Y, anchor=anchor)
    set_paragraphs(tx_body, paragraphs)


def line_rows_height(rows: int, size: float) -> float:
    """The height of `rows` one-line table rows (a header included)."""
    return rows * (size * LINE_SPACING + 2 * CELL_Y + ROW_SPARE * size)


def _fitted(cell: Cell, width: float, size: float, max_lines: int) -> Cell:
    box = Box(width - 2 * CELL_X, 10_000.0, size, cell.bold)
    return Cell(fit(cell.text, box, max_lines=max_lines), cell.bold, cell.color)


def _row_height(cells: Sequence[Cell], widths: Sequence[float], size: float) -> float:
    lines = max(
        lines_needed(c.text, Box(w - 2 * CELL_X, 10_000.0, size, c.bold)) for c, w in zip(cells, widths, strict=True)
    )
    return max(1, lines) * size * LINE_SPACING + 2 * CELL_Y + ROW_SPARE * size


def _paginate(head: list[float], rows: list[float], height: float) -> list[tuple[int, int]]:
    """(start, end) of the rows on each slide: as many as fit under the header row."""
    pages, start, used = [], 0, head[0]
    for n, h in enumerate(rows):
        if used + h > height and n > start:
            pages.append((start, n))
            start, used = n, head[0]
        used += h
    pages.append((start, len(rows)))
    return pages


def _table(
    slide: Any, rect: Rect, cols: Sequence[float], rows: Sequence[Sequence[Cell]], size: float, align: Sequence[str]
) -> Any:
    heights = [_row_height(r, cols, size) for r in rows]
    left, top, width, _ = rect.emu()
    frame = slide.shapes.add_table(1, 1, left, top, width, emu(sum(heights)))  # its grid and rows: set_table
    body = [
        (
            emu(h),
            [
                Para(
                    str(c.text),
                    size,
                    c.bold,
                    (c.color or DARK) if n else "FFFFFF",
                    align[k] if k < len(align) else "left",
                )
                for k, c in enumerate(cells)
            ],
        )
        for n, (cells, h) in enumerate(zip(rows, heights, strict=True))
    ]
    set_table(frame.table._tbl, [emu(w) for w in cols], body, margin_x=emu(CELL_X), margin_y=emu(CELL_Y))
    return frame
