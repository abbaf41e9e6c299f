"""A period's portfolio outputs, folded one department at a time.

The summary workbook, the portfolio report and the review deck are fed each department as it is done, with its
digest (`compute.department_digest`, counted once in the department's worker, for both), and then
closed with the period's outline and the digests folded once (`compute.period_digest`), so what
stays in memory is a digest per department, not their rows: the run's memory does not grow with the
number of departments. The deck's share of each department (its A3 pages, made in its worker) waits
on disk in a `DeckSpool` until the deck is written.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ci_excel.compute import combine_figures, department_digest, period_digest, period_figures
from ci_excel.issues import Issue
from ci_excel.model import DepartmentDigest, DepartmentResult, PeriodFigures, PeriodOutline
from ci_excel.render import docx
from ci_excel.render.deck import DeckPart, DeckSpool, deck_part, deck_path, write_deck
from ci_excel.render.distribution import write_distribution
from ci_excel.render.pdf import convert_to_pdf
from ci_excel.render.portfolio_digest import PortfolioDigest
from ci_excel.render.summary import SummaryWriter
from ci_excel.render.summary.rows import SheetRows
from ci_excel.schema import Lang

SUMMARY = "portfolio_summary.xlsx"
DISTRIBUTION = "distribution.xlsx"


class PeriodOutputs:
    """The summary workbook, portfolio report and distribution list of one period, in `folder`."""

    def __init__(self, folder: Path, period: str, *, lang: Lang) -> None:
        self.folder, self.lang = folder, lang
        self.summary = SummaryWriter(folder / SUMMARY, lang=lang)
        self.digest = PortfolioDigest()
        self.departments: list[DepartmentResult] = []  # each without its rows and issues
        self.digests: list[DepartmentDigest] = []
        self.issues: list[Issue] = []  # every department's, for validation.json
        self.reports: dict[str, Path] = {}  # department -> its report, when written
        self.figures: PeriodFigures = period_figures(period, [], previous_problem_ids=None)
        self.outline = PeriodOutline(period, [])  # the period's own, given at close
        self.spool = DeckSpool()

    def add(
        self,
        dept: DepartmentResult,
        figures: PeriodFigures,
        report: Path | None,
        *,
        digest: DepartmentDigest | None = None,
        deck: DeckPart | None = None,
        rows: SheetRows | None = None,
    ) -> None:
        """Fold in one department (its report and, usually, its digest, deck part and summary rows were
        made in a worker); its rows are not kept."""
        if report is not None:
            self.reports[dept.department] = report
        digest = digest or department_digest(dept)
        self.digests.append(digest)
        self.summary.add(dept, digest, rows)
        self.digest.add(dept, digest)
        self.departments.append(replace(dept, tables={}, issues=[]))
        self.issues.extend(dept.issues)
        self.figures = combine_figures(self.figures, figures)
        self.spool.add(deck or deck_part(dept, self.lang))

    @property
    def late(self) -> list[str]:
        return [d.department for d in self.departments if d.late]

    def close(self, outline: PeriodOutline, *, pdf: bool, jobs: int, final_dir: Path) -> None:
        """Write the summary workbook, the portfolio report and deck, PDFs when asked, and the distribution list.

        The portfolio report is drawn in this process, which must have taken the run's render
        settings (`docx.use_settings`).
        """
        self.outline = outline
        self.digest.folded = folded = period_digest(self.digests, general=outline.issues)
        self.summary.close(outline, folded)
        portfolio = docx.portfolio_path(self.folder)
        docx.render_portfolio(self.digest, outline, portfolio)
        settings = docx.current_settings()
        try:
            write_deck(
                deck_path(self.folder),
                outline,
                folded,
                self.digest,
                self.spool,
                lang=self.lang,
                generated_on=settings.generated_on,
                template=settings.deck_template,
            )
        finally:
            self.spool.close()
        reports = self.reports
        pdfs = convert_to_pdf([*reports.values(), portfolio], jobs=jobs) if pdf else {}
        write_distribution(
            self.departments,
            reports,
            {k: pdfs[v] for k, v in reports.items() if v in pdfs},
            self.folder / DISTRIBUTION,
            lang=self.lang,
            final_dir=final_dir,
        )

    def discard(self) -> None:
        """Give up: drop the summary workbook written so far and the deck's spool."""
        self.summary.discard()
        self.spool.close()
