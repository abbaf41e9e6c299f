"""How long the Word reports take, and how that compares with a naive python-docx build.

    python -m benchmarks.bench_reports [--n 300] [--problems 4] [--naive-n 5] [--jobs 2]

Four measurements in one run, on the same sample data (benchmarks.sample_data.sample_period):
- optimized: render_all() for all N departments plus the portfolio, with `--jobs` worker
  processes and the chart cache (memory per worker + disk), starting from an empty cache;
- optimized, every figure drawn: the same run with the cache bypassed (the sample data repeats
  scenarios across departments, so real portfolios reuse fewer figures than it does);
- optimized, 1 process, no figure reuse: the builder alone, a fresh chart cache per report;
- naive: the same report content built the way a first script would: python-docx's high-level
  API with `table.cell(r, c)` for every cell, a fresh pyplot figure per chart, no cache, one
  process; run on the first `--naive-n` departments and extrapolated per report.
Prints wall time and work time per report (charts + build + save as timed inside the processes
that did them, so it stays meaningful on a busy machine), where the time goes and the ratios.
The naive build draws with the same (already optimised) chart code, so its figure is a floor.
"""

from __future__ import annotations

import argparse
import io
import struct
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Emu, Twips

from benchmarks.sample_data import sample_period
from ci_excel.render import charts as ch
from ci_excel.render import drawers, drawing
from ci_excel.render import figures as fig
from ci_excel.render.docx import render_all
from ci_excel.render.docx_base import EMU_PER_INCH, MAX_IMAGE_IN, ReportDoc, Timings
from ci_excel.render.docx_department import build_department
from ci_excel.render.docx_xml import Styled, column_widths, runs_xml, sanitize
from ci_excel.render.reference_doc import ASSET, TABLE_STYLE, TABLE_TEXT, clear_body
from ci_excel.render.style import DPI
from ci_excel.schema import Lang
from ci_excel.text import phrase

# ---- the naive build: same content, high-level python-docx, pyplot, no cache -------------------


def pyplot_png(data: fig.ChartData, lang: Lang) -> bytes:
    """A fresh pyplot figure per chart, drawn by the same code, saved and closed."""
    import matplotlib.pyplot as plt

    original = drawing.new_figure

    def pyplot_figure(width: float, height: float) -> Any:
        drawing.use_report_style()
        return plt.figure(figsize=(width, height), dpi=DPI)

    drawing.new_figure = pyplot_figure  # type: ignore[assignment]
    try:
        fig = drawers.DRAWERS[type(data)](data, lang)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI)
        plt.close(fig)
        return buffer.getvalue()
    finally:
        drawing.new_figure = original  # type: ignore[assignment]


@dataclass
class NaiveDoc:
    """ReportDoc's interface, built through python-docx's object API one call at a time."""

    template: bytes
    lang: Lang
    timings: Timings = field(default_factory=Timings)
    parts: list[str] = field(default_factory=list)  # cover spacer the builders append; written as paragraphs
    _figures: int = 0

    def __post_init__(self) -> None:
        self.doc = Document(io.BytesIO(self.template))
        clear_body(self.doc)
        self._started = time.perf_counter()

    def _flush_parts(self) -> None:
        for xml in self.parts:
            declared = xml.replace("<w:p>", f"<w:p {nsdecls('w', 'r', 'wp', 'a', 'pic')}>", 1)
            self.doc.element.body.sectPr.addprevious(parse_xml(declared))
        self.parts.clear()

    def paragraph(self, *runs: str, style: str | None = None, extra: str = "") -> None:
        self._flush_parts()
        p = self.doc.add_paragraph(style=style)
        for run in runs:
            p._p.append(parse_xml(run.replace("<w:r>", f"<w:r {nsdecls('w')}>", 1)))

    def text(self, text: Any, *, style: str | None = None, bold: bool = False, color: str | None = None) -> None:
        self._flush_parts()
        run = self.doc.add_paragraph(style=style).add_run(sanitize(text))
        run.bold = bold or None

    def label_value(self, label: str, value: Any) -> None:
        self._flush_parts()
        p = self.doc.add_paragraph()
        p.add_run(f"{label}:").bold = True
        p.add_run(sanitize(value))

    def label_runs(self, label: str, value: Any, after: str = "") -> list[str]:
        return [runs_xml(f"{label}:", bold=True), runs_xml(f"{sanitize(value)}{after}")]

    def run(self, text: Any, *, bold: bool = False, color: str | None = None, size: float | None = None) -> str:
        return runs_xml(text, bold=bold, color=color, size=size)

    def section_ref(self, bookmark: str) -> str:
        return ""

    def heading(self, text: Any, level: int = 1, *, bookmark: str | None = None) -> None:
        self._flush_parts()
        self.doc.add_heading(sanitize(text), level)

    def page_break(self) -> None:
        self._flush_parts()
        self.doc.add_page_break()

    def toc(self) -> None:
        self.text(phrase("toc", self.lang), style="TOC Heading")

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        weights: Sequence[float],
        *,
        align: Sequence[str] | None = None,
    ) -> None:
        self._flush_parts()
        widths = column_widths(weights)
        table = self.doc.add_table(rows=len(rows) + 1, cols=len(headers))
        table.style = self.doc.styles[TABLE_STYLE]
        for r, values in enumerate([list(headers), *rows]):
            for c, value in enumerate(values):
                cell = table.cell(r, c)
                cell.width = Twips(widths[c])
                cell.text = sanitize(value.text if isinstance(value, Styled) else value)
                cell.paragraphs[0].style = self.doc.styles[TABLE_TEXT]
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        tr_pr.append(parse_xml(f"<w:tblHeader {nsdecls('w')}/>"))

    def figure(self, data: fig.ChartData, caption: str) -> None:
        started = time.perf_counter()
        png = pyplot_png(data, self.lang)
        self.timings.charts += time.perf_counter() - started
        self._flush_parts()
        width_px, height_px = struct.unpack(">II", png[16:24])
        scale = min(1.0, MAX_IMAGE_IN[0] * DPI / width_px, MAX_IMAGE_IN[1] * DPI / height_px)
        self.doc.add_picture(io.BytesIO(png), width=Emu(round(width_px / DPI * scale * EMU_PER_INCH)))
        self._figures += 1
        self.doc.add_paragraph(f"{phrase('figure_n', self.lang, n=self._figures)}  {caption}", style="Caption")

    def frame(self, header: str) -> None:
        section = self.doc.sections[0]
        section.different_first_page_header_footer = True
        section.header.paragraphs[0].text = header
        footer = section.footer.paragraphs[0]
        footer.text = ""
        footer._p.append(parse_xml(f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"/>'))

    def save(self, target: Path) -> Path:
        self._flush_parts()
        built = time.perf_counter()
        self.doc.save(str(target))
        self.timings.save += time.perf_counter() - built
        self.timings.build += built - self._started - self.timings.charts
        self.timings.reports += 1
        return target


# ---- runs ---------------------------------------------------------------------------------------


def run_naive(result: Any, n: int, out: Path) -> tuple[int, Timings]:
    template = ASSET.read_bytes()
    timings = Timings()
    for k, dept in enumerate(result.departments[:n]):
        doc = NaiveDoc(template, "zh")
        build_department(doc, dept, generated_on=result.generated_on)  # type: ignore[arg-type]
        doc.save(out / f"naive_{k}.docx")
        timings.add(doc.timings)
    return n, timings


def run_no_reuse(result: Any, n: int, out: Path) -> tuple[int, Timings]:
    template = ASSET.read_bytes()
    timings = Timings()
    for k, dept in enumerate(result.departments[:n]):
        doc = ReportDoc(template, "zh", ch.Charts(lang="zh"))
        build_department(doc, dept, generated_on=result.generated_on)
        doc.save(out / f"fresh_{k}.docx")
        timings.add(doc.timings)
    return n, timings


@dataclass
class Measured:
    """One variant: wall seconds, reports written and where their time went."""

    label: str
    wall: float
    reports: int
    timings: Timings

    def per_report(self) -> tuple[float, float]:
        """Wall time and work time (charts + build + save, summed over the processes doing it) a report."""
        work = self.timings.charts + self.timings.build + self.timings.save
        return self.wall / max(self.reports, 1), work / max(self.reports, 1)


def measure(label: str, run: Callable[[], tuple[int, Timings]]) -> Measured:
    wall = time.perf_counter()
    reports, timings = run()
    return Measured(label, time.perf_counter() - wall, reports, timings)


def describe(m: Measured) -> str:
    wall, work = m.per_report()
    spent = m.timings.charts + m.timings.build + m.timings.save or 1.0
    shares = ", ".join(
        f"{k} {v / spent:.0%}"
        for k, v in (("charts", m.timings.charts), ("docx build", m.timings.build), ("save", m.timings.save))
    )
    return (
        f"{m.label:<46} {wall * 1000:7.1f} ms/report wall {work * 1000:7.1f} ms work   ({shares}; {m.reports} reports)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300, help="departments (default 300)")
    parser.add_argument("--problems", type=int, default=4, help="problems per department (default 4)")
    parser.add_argument("--naive-n", type=int, default=5, help="departments built naively (default 5)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for the optimized run (default 2)")
    args = parser.parse_args()
    result = sample_period(n_departments=args.n, problems_per_department=args.problems)
    stats = ch.ChartStats()
    with tempfile.TemporaryDirectory(prefix="bench_reports_") as tmp:
        root = Path(tmp)
        ch.Charts(lang="zh").png(fig.TrendData(("2026-11",), (("new", (1.0,)),)))  # font cache, imports: once

        def optimized(folder: str, cache: Path | None, reuse: bool = True) -> Callable[[], tuple[int, Timings]]:
            def run() -> tuple[int, Timings]:
                done = render_all(
                    result, root / folder, lang="zh", jobs=args.jobs, cache_dir=cache, reuse_figures=reuse
                )
                stats.rendered, stats.cached = done.charts.rendered, done.charts.cached
                return len(done.paths), done.timings

            return run

        cached = measure(f"optimized ({args.jobs} processes, chart cache)", optimized("opt", root / "cache"))
        reuse = ch.ChartStats(stats.rendered, stats.cached)
        drawn = measure(f"optimized ({args.jobs} processes, every figure drawn)", optimized("all", None, False))
        fresh = measure(
            "optimized, 1 process, no figure reuse",
            lambda: run_no_reuse(result, min(args.naive_n * 4, args.n), _mk(root / "fresh")),
        )
        naive = measure(
            "naive (table.cell, pyplot per chart, 1 process)",
            lambda: run_naive(result, args.naive_n, _mk(root / "naive")),
        )
    print(f"{args.n} departments x {args.problems} problems (+ the portfolio report), jobs={args.jobs}")
    for m in (cached, drawn, fresh, naive):
        print(describe(m))
    print(
        f"{'':<46} chart cache: {reuse.rendered} figures drawn, {reuse.cached} reused "
        f"({reuse.cached / max(1, reuse.rendered + reuse.cached):.0%} of inputs were identical)"
    )
    naive_wall, naive_work = naive.per_report()
    for m in (cached, drawn, fresh):
        wall, work = m.per_report()
        print(f"speed-up vs naive, {m.label}: {naive_wall / wall:.1f}x wall, {naive_work / work:.1f}x work")


def _mk(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


if __name__ == "__main__":
    main()
