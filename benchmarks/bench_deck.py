"""How long the review deck takes to write, and how much memory it needs, for N departments.

    python -m benchmarks.bench_deck [--n 300] [--problems 4] [--lang zh]

On the sample data (benchmarks.sample_data.sample_period), as a run does it: each department's DeckPart
(A3 pages, most overdue actions) is made and spooled to disk and its digest folded (`fold`), then
the deck is written (`write`). Prints seconds per phase, the slides and the file's size, and the
peak of Python's allocations (tracemalloc) in each phase: the fold's peak is what the run holds for
the deck while departments go by, the write's is python-pptx holding the deck being written (lxml's
own allocations are not traced: the process's peak RSS is printed too, and includes the sample data).
Run it with two sizes (e.g. --n 100 and --n 300) to see how each grows.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

from pptx import Presentation

from benchmarks.sample_data import sample_period
from ci_excel.compute import period_digest
from ci_excel.render.deck import DeckSpool, deck_part, write_deck
from ci_excel.render.portfolio_digest import PortfolioDigest
from ci_excel.schema import Lang


def measure(n: int, problems: int, lang: Lang) -> dict[str, float]:
    result = sample_period(n, problems, lang=lang)
    target = Path(tempfile.mkdtemp(prefix="bench-deck-")) / "portfolio.pptx"
    portfolio, spool = PortfolioDigest(), DeckSpool()
    tracemalloc.start()
    started = time.perf_counter()
    for dept in result.departments:
        portfolio.add(dept)
        spool.add(deck_part(dept, lang))
    folded = period_digest(portfolio.digests, general=result.issues)
    fold_s = time.perf_counter() - started
    _, fold_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    rss_before = _rss_mb()
    started = time.perf_counter()
    write_deck(
        target, result.outline, folded, portfolio, spool, lang=lang, generated_on=result.generated_on or date.today()
    )
    write_s = time.perf_counter() - started
    rss_growth = _rss_mb() - rss_before
    _, write_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    spool.close()
    slides = len(Presentation(str(target)).slides)
    return {
        "departments": n,
        "fold_s": fold_s,
        "write_s": write_s,
        "slides": slides,
        "mb": target.stat().st_size / 1e6,
        "fold_peak_mb": fold_peak / 1e6,
        "write_peak_mb": write_peak / 1e6,
        "rss_growth_mb": rss_growth,
    }


def _rss_mb() -> float:
    """The process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--problems", type=int, default=4)
    parser.add_argument("--lang", choices=["zh", "en"], default="zh")
    args = parser.parse_args()
    m = measure(args.n, args.problems, args.lang)
    print(f"deck for {m['departments']} departments: {m['slides']:.0f} slides, {m['mb']:.1f} MB")
    print(f"  fold (DeckPart per department, spooled): {m['fold_s']:.2f} s, peak {m['fold_peak_mb']:.1f} MB")
    print(f"  write_deck:                              {m['write_s']:.2f} s, peak {m['write_peak_mb']:.1f} MB")
    print(f"  per slide: {1000 * m['write_s'] / m['slides']:.1f} ms")
    print(
        f"  process peak RSS {_rss_mb():.0f} MB (the sample data of every department included); "
        f"it grew {m['rss_growth_mb']:.0f} MB while the deck was written"
    )


if __name__ == "__main__":
    main()
