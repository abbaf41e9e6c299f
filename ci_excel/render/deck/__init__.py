"""The monthly review deck (reports/portfolio.pptx): python-pptx, styled from the reference deck.

template     the reference deck (report_template.pptx): 16:9 master and layouts, fonts for both scripts
fit          text measured with the deck's fonts, wrapped and shortened with "…" to fit its box
layout       geometry, slides with title and footer, text boxes, tables over several slides, charts
slides       the portfolio slides: headline, charts, trend, lists, ranking, data quality
a3_content   a department's A3 pages and most overdue actions, built in its worker (picklable text)
a3           the A3 one-pager slide
appendix     a slide per department
writer       write_deck and the DeckSpool that keeps the departments' parts on disk meanwhile
"""

from ci_excel.render.deck.a3_content import A3Page, DeckPart, deck_part
from ci_excel.render.deck.template import write_reference_deck
from ci_excel.render.deck.writer import DECK, DeckSpool, deck_path, render_deck, write_deck

__all__ = [
    "DECK",
    "A3Page",
    "DeckPart",
    "DeckSpool",
    "deck_part",
    "deck_path",
    "render_deck",
    "write_deck",
    "write_reference_deck",
]
