"""The reference deck (report_template.pptx) whose slide master and layouts every deck uses.

16:9, the Office theme with its fonts named for both scripts (Arial for Latin text, Noto Sans CJK SC
for East Asian text, as the Word reports: render/fonts.py), the master's title style in the reports'
blue. The PMO may restyle the master in PowerPoint (colours, fonts, a logo); decks take its layouts
"Title Slide" and "Title Only" and drop its sample slides.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.presentation import Presentation as PresentationObject
from pptx.util import Emu

from ci_excel import fileio
from ci_excel.config import Config
from ci_excel.render.fonts import DOCX_EAST_ASIA, DOCX_LATIN

TEMPLATE_NAME = "report_template.pptx"
ASSET = Path(__file__).resolve().parent.parent.parent / "assets" / TEMPLATE_NAME
LATIN = DOCX_LATIN
EAST_ASIAN = DOCX_EAST_ASIA
TITLE_COLOR = "1F4E79"
SLIDE_W, SLIDE_H = 12192000, 6858000  # EMU, 16:9 (33.867 cm x 19.05 cm)
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_P = "http://schemas.openxmlformats.org/presentationml/2006/main"
_SCALE = SLIDE_W / 9144000  # python-pptx's default deck is 4:3


def deck_template(config: Config, *, cwd: Path | None = None) -> Path | None:
    """The PMO's reference deck: report_template.pptx beside the Word reference document the config
    names (or workbook_templates/report_template.pptx in the working folder), when it is there; else
    None (the package's own)."""
    word = config.report_template_path(cwd=cwd)
    candidates = [word.with_suffix(".pptx")] if word is not None else []
    candidates.append((cwd or Path.cwd()) / "workbook_templates" / TEMPLATE_NAME)
    return next((p for p in candidates if p.is_file()), None)


def template_path(explicit: Path | None = None) -> Path:
    """The reference deck to use: an explicit one, else the copy shipped with the package."""
    return explicit if explicit is not None else ASSET


def write_reference_deck(path: Path) -> Path:
    """Write the reference deck to `path` (atomically) and return it."""
    prs = build_reference_deck()
    path.parent.mkdir(parents=True, exist_ok=True)
    return fileio.atomic_write(path, lambda tmp: prs.save(str(tmp)))


def build_reference_deck() -> PresentationObject:
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(SLIDE_W), Emu(SLIDE_H)
    master = prs.slide_master
    shapes: list[Any] = list(master.placeholders)
    for layout in prs.slide_layouts:
        shapes.extend(layout.placeholders)
    for shape in shapes:
        shape.left, shape.width = Emu(round(shape.left * _SCALE)), Emu(round(shape.width * _SCALE))
    _title_only(prs)
    _theme_fonts(master)
    _title_style(master)
    _sample(prs)
    return prs


def _title_only(prs: PresentationObject) -> None:
    """The body slides' title: a band across the top (the deck's geometry in render/deck/layout.py)."""
    for layout in prs.slide_layouts:
        if layout.name == "Title Only":
            title = layout.placeholders[0]
            title.left, title.top = Emu(381000), Emu(228600)
            title.width, title.height = Emu(SLIDE_W - 2 * 381000), Emu(558800)


def _theme_fonts(master: object) -> None:
    """Major and minor theme fonts: Arial for Latin, Noto Sans CJK SC for East Asian text."""
    theme = master.part.part_related_by(RT.THEME)  # type: ignore[attr-defined]
    root = etree.fromstring(theme.blob)
    for kind in ("majorFont", "minorFont"):
        font = root.find(f".//{{{_A}}}{kind}")
        font.find(f"{{{_A}}}latin").set("typeface", LATIN)
        font.find(f"{{{_A}}}ea").set("typeface", EAST_ASIAN)
        for script in font.findall(f"{{{_A}}}font"):
            if script.get("script") in ("Hans", "Hant"):
                script.set("typeface", EAST_ASIAN)
    theme._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _title_style(master: object) -> None:
    """Titles left-aligned, bold, in the reports' blue."""
    element = master._element  # type: ignore[attr-defined]
    lvl1 = element.find(f"{{{_P}}}txStyles/{{{_P}}}titleStyle/{{{_A}}}lvl1pPr")
    lvl1.set("algn", "l")
    rpr = lvl1.find(f"{{{_A}}}defRPr")
    rpr.set("b", "1")
    fill = rpr.find(f"{{{_A}}}solidFill")
    if fill is not None:
        rpr.remove(fill)
    fill = etree.SubElement(rpr, f"{{{_A}}}solidFill")
    etree.SubElement(fill, f"{{{_A}}}srgbClr", val=TITLE_COLOR)
    rpr.insert(0, fill)


def _sample(prs: PresentationObject) -> None:
    """One sample slide per layout the decks use (dropped by every deck), for whoever restyles it."""
    layouts = {layout.name: layout for layout in prs.slide_layouts}
    cover = prs.slides.add_slide(layouts["Title Slide"])
    cover.shapes.title.text = "持续改进月度评审 · Continuous improvement review"
    cover.placeholders[1].text = "2026-01"
    body = prs.slides.add_slide(layouts["Title Only"])
    body.shapes.title.text = "总体概览 · Headline figures"
