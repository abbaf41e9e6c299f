"""Report figures as pictures, drawn once per distinct input and cached.

`Charts.png(data)` returns PNG bytes and never draws the same input twice: the key hashes the
input's repr, the language, the style version, resolution, font and the drawing code; PNG bytes are
kept in memory for the process and, when a cache folder is given, on disk across runs. matplotlib
and the drawing modules (`drawers`) are imported on the first figure that must be drawn, so a
process that draws no picture (a native-chart portfolio) never loads them.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ci_excel import fileio
from ci_excel.render.figures import ChartData
from ci_excel.render.fonts import cjk_family
from ci_excel.render.style import DPI
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
            from ci_excel.render.drawers import draw_png

            png = draw_png(data, self.lang)
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


# The drawing code is part of the style: editing a drawing module invalidates cached figures. The
# modules are read as files, not imported (importing them loads matplotlib).
_DRAWING_MODULES = ("drawers", "drawing", "draw_diagrams", "draw_plots", "figures", "text_width")


@lru_cache(maxsize=1)
def _style() -> str:
    """The style version, drawing code, matplotlib version and CJK font every key includes."""
    sources = (importlib.util.find_spec(f"ci_excel.render.{name}") for name in _DRAWING_MODULES)
    code = hashlib.sha256(b"".join(Path(s.origin or "").read_bytes() for s in sources if s)).hexdigest()[:16]
    return f"{STYLE_VERSION}|{code}|{importlib.metadata.version('matplotlib')}|{DPI}|{cjk_family()}"


def chart_key(data: ChartData, lang: Lang) -> str:
    """Hash of the chart's input, language, style and code version, resolution, font and matplotlib."""
    text = f"{type(data).__name__}|{lang}|{_style()}|{data!r}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
