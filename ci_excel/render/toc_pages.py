"""Page numbers for a report's contents, read off its PDF.

The contents are a Word TOC field whose shown entries each end in a PAGEREF field. Word fills
them on References > Update Table; LibreOffice shows a TOC field's entries as written. So once a
report has been laid out as a PDF, each heading's page is read from the PDF's outline (LibreOffice
exports one bookmark per heading, in document order) and written into the entry's shown page
number; the hint about updating is dropped. The report then opens in Word with the right page
numbers and converts again to a PDF whose contents are right.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ci_excel.fileio import atomic_write
from ci_excel.render.docx_toc import TOC_HINT

if TYPE_CHECKING:
    from pypdf import PdfReader

DOCUMENT_XML = "word/document.xml"
_HEADING_MARK = re.compile(r'<w:bookmarkStart w:id="\d+" w:name="(_Toc_ci[^"]*)"/>')
_HINT = re.compile(rf'<w:p>(?:(?!<w:p>).)*?w:name="{TOC_HINT}".*?</w:p>', re.S)


def _shown_page(bookmark: str) -> re.Pattern[str]:
    return re.compile(
        rf"(PAGEREF {re.escape(bookmark)} \\h </w:instrText></w:r><w:r><w:fldChar "
        r'w:fldCharType="separate"/></w:r><w:r><w:t>)[^<]*(</w:t>)'
    )


def outline_pages(pdf: Path) -> list[int] | None:
    """The 1-based page of each outline entry of the PDF, in document order (None: unreadable)."""
    from pypdf import PdfReader  # here: only runs that make PDFs pay for importing it
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(pdf)
        pages: list[int] = []
        _walk(reader, reader.outline, pages)
    except (PdfReadError, OSError, ValueError, KeyError):
        return None
    return pages


def _walk(reader: PdfReader, entries: list[Any], pages: list[int]) -> None:
    for entry in entries:
        if isinstance(entry, list):
            _walk(reader, entry, pages)
        else:
            page = reader.get_destination_page_number(entry)
            if page is None:
                raise ValueError("an outline entry without a page")
            pages.append(page + 1)


def fill_toc_pages(docx: Path, pdf: Path) -> bool:
    """Write the pages of `pdf` into the contents of `docx` (its layout); False when nothing was
    written: no contents, or the outline does not match the headings one for one."""
    try:
        with zipfile.ZipFile(docx) as package:
            body = package.read(DOCUMENT_XML).decode()
    except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError):  # not a report: nothing to number
        return False
    pages = outline_pages(pdf)
    marks = _HEADING_MARK.findall(body)
    if not marks or pages is None or len(pages) != len(marks) or "PAGEREF" not in body:
        return False
    for mark, page in zip(marks, pages, strict=True):
        body = _shown_page(mark).sub(rf"\g<1>{page}\g<2>", body)
    body = _HINT.sub("", body, count=1)
    atomic_write(docx, lambda tmp: _rewrite(docx, tmp, body.encode()))
    return True


def _rewrite(source: Path, target: Path, body: bytes) -> None:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, body if item.filename == DOCUMENT_XML else src.read(item))
