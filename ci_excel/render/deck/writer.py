"""`write_deck`: reports/portfolio.pptx, the monthly review deck, from the period's digests and the
departments' deck parts.

The departments' `DeckPart`s (A3 pages, most overdue actions), made in their workers, wait in a
`DeckSpool`: an anonymous temporary file, so a run with hundreds of departments keeps none of them in
memory; the deck reads them back one at a time as it writes their slides.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ci_excel.compute import period_digest
from ci_excel.model import PeriodDigest, PeriodOutline, PeriodResult
from ci_excel.render.deck import slides
from ci_excel.render.deck.a3 import a3_slide
from ci_excel.render.deck.a3_content import DeckPart, deck_part
from ci_excel.render.deck.appendix import appendix_xml, deck_footer, numbered
from ci_excel.render.deck.layout import BODY_TOP, BODY_W, MARGIN, Deck, Rect, frozen_heap
from ci_excel.schema import Lang
from ci_excel.text import phrase

if TYPE_CHECKING:  # portfolio_digest imports docx_department, which imports the A3 content of this package
    from ci_excel.render.portfolio_digest import PortfolioDigest

DECK = "portfolio.pptx"


class DeckSpool:
    """The departments' deck parts on disk, each found again by its department."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="ci-excel-deck-")  # noqa: SIM115 - closed by close()
        self._where: dict[str, int] = {}

    def add(self, part: DeckPart) -> None:
        self._file.seek(0, 2)
        self._where[part.department] = self._file.tell()
        pickle.dump(part, self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def get(self, department: str) -> DeckPart | None:
        offset = self._where.get(department)
        if offset is None:
            return None
        self._file.seek(offset)
        part: DeckPart = pickle.load(self._file)
        return part

    def appendix(self, department: str) -> bytes:
        part = self.get(department)
        return part.appendix if part is not None else b""

    def parts(self, departments: list[str]) -> Iterator[DeckPart]:
        """The parts of `departments`, in that order (those that have one)."""
        for name in departments:
            part = self.get(name)
            if part is not None:
                yield part

    def close(self) -> None:
        self._file.close()


A3_SLIDES = 40  # A3 pages in the deck (departments in rank order); every one is in its department's Word report


def deck_path(out_dir: Path) -> Path:
    return out_dir / "reports" / DECK


def write_deck(
    target: Path,
    outline: PeriodOutline,
    period: PeriodDigest,
    portfolio: PortfolioDigest,
    spool: DeckSpool,
    *,
    lang: Lang,
    generated_on: date,
    template: bytes | None = None,
) -> Path:
    """The review deck: portfolio slides, an A3 per P1 problem (departments in rank order, problems in
    priority order; the first A3_SLIDES, and the section says how many there are), then the appendix
    (a slide per department, by name, as its worker made it). Written atomically."""
    with frozen_heap():
        return _write_deck(
            target, outline, period, portfolio, spool, lang=lang, generated_on=generated_on, template=template
        )


def _write_deck(
    target: Path,
    outline: PeriodOutline,
    period: PeriodDigest,
    portfolio: PortfolioDigest,
    spool: DeckSpool,
    *,
    lang: Lang,
    generated_on: date,
    template: bytes | None,
) -> Path:
    deck = Deck(lang, deck_footer(lang, outline.period), template)
    data = slides.DeckInputs(outline, period, portfolio, generated_on)
    ranked = [d.department for d in period.departments]
    slides.title(deck, data)
    slides.headline(deck, data)
    slides.distribution(deck, data)
    slides.trend(deck, data)
    slides.off_track(deck, (page for part in spool.parts(ranked) for page in part.a3))
    slides.overdue(deck, data)
    slides.kpis(deck, data)
    slides.ranking(deck, data)
    slides.quality(deck, data)
    _section(deck, phrase("a3_pages", lang))
    pages = 0
    for part in spool.parts(ranked):
        for page in part.a3:
            if pages < A3_SLIDES:
                a3_slide(deck, page)
            pages += 1
    note = (
        phrase("a3_none", lang)
        if not pages
        else (phrase("a3_more", lang, shown=A3_SLIDES, total=pages) if pages > A3_SLIDES else "")
    )
    if note:
        deck.text(deck.prs.slides[-1], Rect(MARGIN, BODY_TOP + 40.0, BODY_W, 24.0), note)
    _section(deck, phrase("appendix_departments", lang))
    appendix = []
    for digest in sorted(period.departments, key=lambda d: d.department):
        stored = spool.get(digest.department)
        if stored is None or not stored.appendix:  # its worker made none (a worker lost): made here
            xml = appendix_xml(digest, stored, lang=lang, period=outline.period, template=template)
            spool.add(replace(stored or DeckPart(digest.department, (), ()), appendix=xml))
        appendix.append(partial(_appendix_slide, spool, digest.department))
    deck.finished_slides(appendix)
    return deck.save(target)


def _appendix_slide(spool: DeckSpool, department: str, number: int) -> bytes:
    return numbered(spool.appendix(department), number)


def _section(deck: Deck, title: str) -> None:
    deck.title_slide(title, "")


def render_deck(result: PeriodResult, target: Path, *, lang: Lang, template: Path | None = None) -> Path:
    """The deck of a whole period in memory (tests, benchmarks): each department folded as a run folds it."""
    from ci_excel.render.portfolio_digest import PortfolioDigest

    portfolio, spool = PortfolioDigest(), DeckSpool()
    try:
        for dept in result.departments:
            portfolio.add(dept)
            spool.add(deck_part(dept, lang))
        period = period_digest(portfolio.digests, general=result.issues)
        return write_deck(
            target,
            result.outline,
            period,
            portfolio,
            spool,
            lang=lang,
            generated_on=result.generated_on or date.today(),
            template=template.read_bytes() if template is not None else None,
        )
    finally:
        spool.close()
