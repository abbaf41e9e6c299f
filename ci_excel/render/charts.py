"""Report figures as pictures, drawn once per distinct input and cached.

`Charts.png(data)` returns PNG bytes and never draws the same input twice: the key hashes the
input's repr, the language, the style version, resolution, font and the drawing code; PNG bytes are
kept in memory for the process and, when a cache folder is given, on disk across runs.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from ci_excel import fileio
from ci_excel.render import draw_diagrams, draw_plots, drawing, figures
from ci_excel.render.draw_diagrams import draw_fishbone, draw_matrix
from ci_excel.render.draw_plots import draw_gantt, draw_kpi_runs, draw_kpis, draw_pareto, draw_stacked, draw_trend
from ci_excel.render.drawing import DPI, to_png
from ci_excel.render.figures import (
    ChartData,
    FishboneData,
    GanttData,
    KpiData,
    KpiRunsData,
    MatrixData,
    ParetoData,
    StackedBarsData,
    TrendData,
)
from ci_excel.render.fonts import cjk_family
from ci_excel.schema import Lang

STYLE_VERSION = "3"
MEMORY_BYTES = 32 << 20  # PNG bytes kept in memory per process; the disk cache, when set, keeps the rest
CACHE_UNUSED_DAYS = 45  # a figure on disk that no run used for this long is deleted after a consolidate run

# ---- cache --------------------------------------------------------------------------------


@dataclass
class ChartStats:
    rendered: int = 0
    cached: int = 0
    seconds: float = 0.0


@dataclass
class Charts:
    """PNG bytes for chart inputs, drawn once per distinct input (memory, then optional disk cache)."""

    lang: Lang
    cache_dir: Path | None = None
    reuse: bool = True  # False: draw every figure (benchmarks measure the drawing itself)
    stats: ChartStats = field(default_factory=ChartStats)
    _memory: dict[str, bytes] = field(default_factory=dict, repr=False)
    _memory_bytes: int = field(default=0, repr=False)

    def png(self, data: ChartData) -> bytes:
        started = time.perf_counter()
        key = chart_key(data, self.lang)
        png = (self._memory.get(key) or self._from_disk(key)) if self.reuse else None
        if png is None:
            png = to_png(DRAWERS[type(data)](data, self.lang))
            self._to_disk(key, png)
            self.stats.rendered += 1
        else:
            self.stats.cached += 1
        if key not in self._memory:
            self._memory[key] = png
            self._memory_bytes += len(png)
        while self._memory_bytes > MEMORY_BYTES:  # bounded: drop the oldest figures
            self._memory_bytes -= len(self._memory.pop(next(iter(self._memory))))
        self.stats.seconds += time.perf_counter() - started
        return png

    def _path(self, key: str) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / key[:2] / f"{key}.png"

    def _from_disk(self, key: str) -> bytes | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            os.utime(path)  # marks it used: prune_cache keeps what recent runs used
            return path.read_bytes()
        except OSError:  # not cached (or pruned meanwhile): draw it
            return None

    def _to_disk(self, key: str, png: bytes) -> None:
        path = self._path(key)
        if path is not None:
            fileio.atomic_write(path, lambda tmp: tmp.write_bytes(png))


def prune_cache(cache_dir: Path, *, unused_days: float = CACHE_UNUSED_DAYS) -> int:
    """Delete the cached figures no run has used for `unused_days`; how many were deleted."""
    cutoff = time.time() - unused_days * 86400
    deleted = 0
    for path in cache_dir.glob("*/*.png"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
        except OSError:  # gone already (another run pruning)
            continue
    return deleted


# The drawing code is part of the style: editing a drawing module invalidates cached figures.
_CODE = hashlib.sha256(
    b"".join(Path(m.__file__ or "").read_bytes() for m in (drawing, draw_diagrams, draw_plots, figures))
).hexdigest()[:16]


def chart_key(data: ChartData, lang: Lang) -> str:
    """Hash of the chart's input, language, style and code version, resolution, font and matplotlib."""
    style = f"{STYLE_VERSION}|{_CODE}|{matplotlib.__version__}|{DPI}|{cjk_family()}"
    text = f"{type(data).__name__}|{lang}|{style}|{data!r}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


DRAWERS: dict[type, Callable[[Any, Lang], Figure]] = {
    FishboneData: draw_fishbone,
    MatrixData: draw_matrix,
    ParetoData: draw_pareto,
    GanttData: draw_gantt,
    KpiData: draw_kpis,
    KpiRunsData: draw_kpi_runs,
    TrendData: draw_trend,
    StackedBarsData: draw_stacked,
}
