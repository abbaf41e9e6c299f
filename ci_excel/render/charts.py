"""Report figures drawn with matplotlib (Agg) at print resolution, cached by their input.

Every chart is a frozen dataclass of plain values (its input) and a `draw_*` function that turns
it into a Figure. `Charts.png(data)` returns PNG bytes and never draws the same input twice: the
key hashes the input's repr, the language, the style version, resolution and font; PNG bytes are
kept in memory for the process and, when a cache folder is given, on disk across runs.
Layouts are computed in inches so long Chinese labels wrap instead of overlapping or being cut.
"""

from __future__ import annotations

import hashlib
import os
import struct
import time
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np

matplotlib.use("Agg")

from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Affine2D

from ci_excel import fileio
from ci_excel.render.fonts import cjk_family, matplotlib_rc
from ci_excel.render.phrases import phrase
from ci_excel.schema import FISHBONE, LEVEL, PRIORITY, Lang, column_label

STYLE_VERSION = "3"
DPI = 200
WIDTH = 6.3  # inches: the text width of an A4 page with 2.5 cm margins
MAX_HEIGHT = 8.6
MEMORY_BYTES = 32 << 20  # PNG bytes kept in memory per process; the disk cache, when set, keeps the rest
CACHE_UNUSED_DAYS = 45  # a figure on disk that no run used for this long is deleted after a consolidate run
PRIORITY_COLORS = {"P1": "#f4b6b6", "P2": "#f9d9a8", "P3": "#fbf0b5", "P4": "#dfe3e8"}
PRIORITY_EDGES = {"P1": "#c0392b", "P2": "#d68910", "P3": "#b7950b", "P4": "#7f8c8d"}
BLUE, LIGHT_BLUE, GREEN, RED, GREY = "#2e86c1", "#aed6f1", "#27ae60", "#c0392b", "#95a5a6"


# ---- inputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cause:
    category: str  # FISHBONE key
    cause: str
    sub_cause: str = ""
    is_root: bool = False


@dataclass(frozen=True)
class FishboneData:
    effect: str
    causes: tuple[Cause, ...]


@dataclass(frozen=True)
class MatrixData:
    """Problems placed on the impact x difficulty grid; `cells` maps (impact, difficulty) to a class."""

    points: tuple[tuple[str, str, str], ...]  # (label, impact key, difficulty key)
    cells: tuple[tuple[str, str, str], ...]  # (impact key, difficulty key, priority key)
    counts_only: bool = False
    counts: tuple[tuple[str, str, int], ...] = ()  # (impact, difficulty, n): unlabelled problems, with counts_only


@dataclass(frozen=True)
class ParetoData:
    items: tuple[tuple[str, float], ...]  # (cause, frequency)


@dataclass(frozen=True)
class GanttBar:
    label: str
    start: date
    due: date
    finished: date | None = None
    percent: float | None = None
    status: str | None = None
    days_overdue: int | None = None


@dataclass(frozen=True)
class GanttData:
    bars: tuple[GanttBar, ...]
    period_end: date


@dataclass(frozen=True)
class KpiBar:
    label: str
    unit: str
    baseline: float | None
    target: float | None
    actual: float | None
    achievement: float | None
    met: bool | None


@dataclass(frozen=True)
class KpiData:
    kpis: tuple[KpiBar, ...]


@dataclass(frozen=True)
class KpiRun:
    """One KPI over the stored periods and this one: its actual and target per period."""

    label: str
    unit: str
    periods: tuple[str, ...]
    actual: tuple[float | None, ...]
    target: tuple[float | None, ...]
    slipped: bool = False  # the gain was not held


@dataclass(frozen=True)
class KpiRunsData:
    runs: tuple[KpiRun, ...]


@dataclass(frozen=True)
class TrendData:
    periods: tuple[str, ...]
    series: tuple[tuple[str, tuple[float, ...]], ...]  # (phrase key, values per period)


@dataclass(frozen=True)
class StackedBarsData:
    """Horizontal or vertical stacked bars: categories x series."""

    categories: tuple[str, ...]
    series: tuple[tuple[str, str, tuple[float, ...]], ...]  # (label, colour, values per category)
    horizontal: bool = False


ChartData = (FishboneData | MatrixData | ParetoData | GanttData | KpiData | KpiRunsData | TrendData
             | StackedBarsData)


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
            png = to_png(DRAWERS[type(data)](data, self.lang))  # type: ignore[arg-type]
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


# The drawing code itself is part of the style: editing this module invalidates cached figures.
_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def chart_key(data: ChartData, lang: Lang) -> str:
    """Hash of the chart's input, language, style and code version, resolution, font and matplotlib."""
    style = f"{STYLE_VERSION}|{_CODE}|{matplotlib.__version__}|{DPI}|{cjk_family()}"
    text = f"{type(data).__name__}|{lang}|{style}|{data!r}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_STYLED: list[bool] = []


def use_report_style() -> None:
    """Point matplotlib's fonts at the CJK face, once per process (tick labels are made at draw time,
    so a context manager around figure creation alone would not reach them)."""
    if not _STYLED:
        matplotlib.rcParams.update(matplotlib_rc())  # type: ignore[arg-type]
        _STYLED.append(True)


def new_figure(width: float, height: float) -> Figure:
    """A pyplot-free figure (no global figure registry, no window manager) in the report style."""
    use_report_style()
    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def to_png(fig: Figure) -> bytes:
    """Draw with Agg and write its RGBA buffer as PNG (filter 0, fast deflate).

    About twice as fast as Pillow's adaptive filtering on chart images, whose flat areas
    compress well either way; the buffer is used as is (no RGBA -> RGB copy).
    """
    canvas = fig.canvas
    canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    rgba = np.asarray(canvas.buffer_rgba())  # type: ignore[attr-defined]
    rows = np.empty((height, 1 + width * 4), dtype=np.uint8)
    rows[:, 0] = 0
    rows[:, 1:] = rgba.reshape(height, width * 4)
    pixels_per_metre = round(DPI / 0.0254)
    return b"".join((
        b"\x89PNG\r\n\x1a\n",
        _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)),
        _chunk(b"pHYs", struct.pack(">IIB", pixels_per_metre, pixels_per_metre, 1)),
        _chunk(b"IDAT", zlib.compress(rows.data, 1)),
        _chunk(b"IEND", b""),
    ))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


class Paper:
    """Draw on a figure in inches (optionally scaled units) without an Axes.

    Charts that need no ticks skip building an Axes with its spines and tick machinery, which
    costs more than the chart itself.
    """

    def __init__(self, fig: Figure, *, origin: tuple[float, float] = (0.0, 0.0),
                 unit: tuple[float, float] = (1.0, 1.0)) -> None:
        self.fig = fig
        self.transform = Affine2D().scale(*unit).translate(*origin) + fig.dpi_scale_trans

    def text(self, x: float, y: float, text: str, **kw: Any) -> Any:
        return self.fig.text(x, y, text, transform=self.transform, **kw)

    def plot(self, xs: Sequence[float], ys: Sequence[float], **kw: Any) -> None:
        self.fig.add_artist(Line2D(xs, ys, transform=self.transform, **kw))

    def add_patch(self, patch: Any) -> None:
        patch.set_transform(self.transform)
        self.fig.add_artist(patch)

    def arrow(self, start: tuple[float, float], end: tuple[float, float], **kw: Any) -> None:
        self.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, **kw))


# ---- text wrapping ------------------------------------------------------------------------


def char_em(ch: str) -> float:
    """Approximate advance width of a character in em (Noto Sans CJK)."""
    if unicodedata.east_asian_width(ch) in "WF":
        return 1.0
    if ch.isupper() or ch in "mwMW%@":
        return 0.72
    return 0.32 if ch in " .,:;|!il'()[]" else 0.58


def text_em(text: str) -> float:
    return sum(char_em(ch) for ch in text)


def _tokens(text: str) -> list[str]:
    """Latin words stay whole (with their trailing space); CJK characters stand alone."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if unicodedata.east_asian_width(ch) in "WF":
            tokens += [word, ch] if word else [ch]
            word = ""
        else:
            word += ch
            if ch == " ":
                tokens.append(word)
                word = ""
    return [t for t in [*tokens, word] if t]


def wrap(text: str, width_em: float, *, max_lines: int | None = None) -> list[str]:
    """Wrap mixed Chinese/Latin text to lines no wider than width_em; '…' marks a cut."""
    lines: list[str] = []
    line = ""
    for token in _tokens(" ".join(str(text).split())):
        for piece in _split_long(token, width_em):
            if line and text_em(line + piece.rstrip()) > width_em:
                lines.append(line.rstrip())
                line = piece.lstrip()
            else:
                line += piece
    lines.append(line.rstrip())
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_em(last + "…") > width_em:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines or [""]


def _split_long(token: str, width_em: float) -> list[str]:
    if text_em(token) <= width_em:
        return [token]
    pieces, piece = [], ""
    for ch in token:
        if text_em(piece + ch) > width_em:
            pieces.append(piece)
            piece = ""
        piece += ch
    return [*pieces, piece]


def _em_in(fontsize: float) -> float:
    return fontsize / 72.0


# ---- fishbone -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    lines: tuple[str, ...]
    sub: tuple[str, ...]
    is_root: bool

    def height(self, line_h: float) -> float:
        return (len(self.lines) + 0.9 * len(self.sub)) * line_h + 0.45 * line_h


def draw_fishbone(data: FishboneData, lang: Lang) -> Figure:
    """人机料法环测 in three columns above and below the spine; causes stack and wrap, never overlap."""
    keys = [c.key for c in FISHBONE.choices]
    fontsize, limit = 8.0, 40
    while True:
        layout = _fishbone_layout(data, keys, fontsize, limit)
        if layout["height"] <= MAX_HEIGHT or (fontsize <= 6.5 and limit <= 3):
            break
        fontsize, limit = (fontsize - 0.5, limit) if fontsize > 6.5 else (fontsize, max(3, limit - 2))
    fig = new_figure(WIDTH, layout["height"])
    _fishbone_draw(Paper(fig), layout, lang)
    return fig


_HEAD_W, _MARGIN, _TITLE_H = 1.45, 0.08, 0.34


def _col_w() -> float:
    return (WIDTH - _HEAD_W - 2 * _MARGIN) / 3


def _fishbone_layout(data: FishboneData, keys: list[str], fontsize: float, limit: int) -> dict[str, Any]:
    em = _em_in(fontsize)
    text_w = (_col_w() * 0.8 - 0.14) / em
    line_h = em * 1.32
    blocks: dict[str, list[_Block]] = {k: [] for k in keys}
    for cause in data.causes:
        if cause.category in blocks:
            blocks[cause.category].append(_Block(
                tuple(wrap(cause.cause, text_w, max_lines=4)),
                tuple(wrap("- " + cause.sub_cause, text_w / 0.9, max_lines=2)) if cause.sub_cause else (),
                cause.is_root))
    hidden = {k: max(0, len(v) - limit) for k, v in blocks.items()}
    blocks = {k: v[:limit] for k, v in blocks.items()}

    def stack(k: str) -> float:
        more = line_h * 1.2 if hidden[k] else 0.0
        return max(0.35, sum(b.height(line_h) for b in blocks[k]) + more)

    top_h = _TITLE_H + 0.12 + max(stack(k) for k in keys[:3]) + 0.12
    bottom_h = _TITLE_H + 0.12 + max(stack(k) for k in keys[3:]) + 0.12
    head_lines = wrap(data.effect, (_HEAD_W - 0.25) / _em_in(8.5), max_lines=8)
    head_h = len(head_lines) * _em_in(8.5) * 1.35 + 0.2
    top_h, bottom_h = max(top_h, head_h / 2 + 0.2), max(bottom_h, head_h / 2 + 0.25)
    return {"fontsize": fontsize, "line_h": line_h, "blocks": blocks, "hidden": hidden, "top_h": top_h,
            "bottom_h": bottom_h, "height": top_h + bottom_h + 0.1, "head": head_lines, "head_h": head_h,
            "keys": keys}


def _fishbone_draw(ax: Any, layout: dict[str, Any], lang: Lang) -> None:
    spine_y = layout["bottom_h"] + 0.05
    height = layout["height"]
    ax.plot([_MARGIN, WIDTH - _HEAD_W], [spine_y, spine_y], color="#34495e", lw=2.2, solid_capstyle="butt")
    ax.arrow((WIDTH - _HEAD_W - 0.2, spine_y), (WIDTH - _HEAD_W + 0.06, spine_y), color="#34495e", lw=2.2)
    head_x0, head_h = WIDTH - _HEAD_W + 0.08, layout["head_h"]
    ax.add_patch(FancyBboxPatch((head_x0, spine_y - head_h / 2), _HEAD_W - 0.08 - _MARGIN, head_h,
                                boxstyle="round,pad=0,rounding_size=0.06", fc="#fdebd0", ec="#d68910", lw=1.2))
    ax.text(head_x0 + (_HEAD_W - 0.08 - _MARGIN) / 2, spine_y, "\n".join(layout["head"]), ha="center",
            va="center", fontsize=8.5, fontweight="bold", linespacing=1.35)
    for index, key in enumerate(layout["keys"]):
        top = index < 3
        x0 = _MARGIN + (index % 3) * _col_w()
        end_y = height - _TITLE_H if top else _TITLE_H
        _bone(ax, key, x0, spine_y, end_y, top, layout, lang)
    ax.text(_MARGIN, 0.02, phrase("root_legend", lang), fontsize=6.5, color=RED, ha="left", va="bottom")


def _bone(ax: Any, key: str, x0: float, spine_y: float, end_y: float, top: bool, layout: dict[str, Any],
          lang: Lang) -> None:
    col_w = _col_w()
    x_end, x_spine = x0 + col_w * 0.8, x0 + col_w - 0.04

    def bone_x(y: float) -> float:
        return x_spine + (x_end - x_spine) * (y - spine_y) / (end_y - spine_y)

    ax.plot([x_spine, x_end], [spine_y, end_y], color="#34495e", lw=1.4)
    title_y = end_y + _TITLE_H / 2 if top else end_y - _TITLE_H / 2
    ax.text(x_end, title_y, FISHBONE.label(key, lang), ha="center", va="center", fontsize=9, fontweight="bold",
            color="white", bbox={"boxstyle": "round,pad=0.25", "fc": "#34495e", "ec": "none"})
    line_h, fontsize = layout["line_h"], layout["fontsize"]
    y = end_y - 0.12 if top else spine_y - 0.12
    for block in layout["blocks"][key]:
        rib_y = y - line_h * 0.55
        bx = min(bone_x(y), bone_x(y - block.height(line_h)), bone_x(rib_y))
        bx_rib = bone_x(rib_y)
        color = RED if block.is_root else "#1b2631"
        ax.plot([bx - 0.1, bx_rib], [rib_y, rib_y], color="#7f8c8d", lw=0.7)
        ax.text(bx - 0.12, y, "\n".join(block.lines), ha="right", va="top", fontsize=fontsize, color=color,
                fontweight="bold" if block.is_root else "normal", linespacing=1.2)
        if block.sub:
            sub_y = y - len(block.lines) * line_h
            ax.text(bx - 0.12, sub_y, "\n".join(block.sub), ha="right", va="top", fontsize=fontsize * 0.9,
                    color="#626567", linespacing=1.2)
        y -= block.height(line_h)
    if layout["hidden"][key]:
        ax.text(bone_x(y - line_h * 0.5) - 0.12, y, phrase("more_n", lang, n=layout["hidden"][key]), ha="right",
                va="top", fontsize=fontsize * 0.9, color="#626567", style="italic")


# ---- priority matrix ----------------------------------------------------------------------


def draw_matrix(data: MatrixData, lang: Lang) -> Figure:
    """The 3x3 impact x difficulty grid coloured by class, with each problem placed in its cell."""
    fig = new_figure(WIDTH, 3.7)
    x0, y0, cell_w, cell_h = 0.95, 0.55, (WIDTH - 1.05) / 3, 1.03
    grid = Paper(fig, origin=(x0, y0), unit=(cell_w, cell_h))
    levels = [c.key for c in reversed(LEVEL.choices)]  # low, medium, high
    classes = {(i, d): p for i, d, p in data.cells}
    cells: dict[tuple[str, str], list[str]] = {}
    tallies = {(impact, difficulty): n for impact, difficulty, n in data.counts}
    for label, impact, difficulty in data.points:
        cells.setdefault((impact, difficulty), []).append(label)
    for yi, impact in enumerate(levels):
        for xi, difficulty in enumerate(levels):
            cls = classes.get((impact, difficulty), "P4")
            grid.add_patch(Rectangle((xi, yi), 1, 1, fc=PRIORITY_COLORS[cls], ec="white", lw=3))
            grid.text(xi + 0.04, yi + 0.95, PRIORITY.label(cls, lang), ha="left", va="top", fontsize=8,
                      fontweight="bold", color=PRIORITY_EDGES[cls])
            _place(grid, xi, yi, cells.get((impact, difficulty), []), cls, data.counts_only, lang,
                   unlabelled=tallies.get((impact, difficulty), 0))
    for n, level in enumerate(levels):
        grid.text(n + 0.5, -0.06, LEVEL.label(level, lang), ha="center", va="top", fontsize=9)
        grid.text(-0.03, n + 0.5, LEVEL.label(level, lang), ha="right", va="center", fontsize=9)
    paper = Paper(fig)
    paper.text(x0 + 1.5 * cell_w, 0.08, column_label("problems", "difficulty", lang), ha="center", va="bottom",
               fontsize=9)
    paper.text(0.1, y0 + 1.5 * cell_h, column_label("problems", "impact", lang), ha="left", va="center", fontsize=9,
               rotation=90)
    return fig


def _place(ax: Any, xi: int, yi: int, labels: list[str], cls: str, counts_only: bool, lang: Lang, *,
           unlabelled: int = 0) -> None:
    if counts_only:
        if n := len(labels) + unlabelled:
            ax.text(xi + 0.5, yi + 0.45, str(n), ha="center", va="center", fontsize=20,
                    fontweight="bold", color=PRIORITY_EDGES[cls])
            ax.text(xi + 0.5, yi + 0.2, phrase("n_problems", lang, n=n), ha="center", va="center",
                    fontsize=7.5, color="#424949")
        return
    per_row, rows = 4, 5
    shown = labels if len(labels) <= per_row * rows else labels[: per_row * rows - 1]
    for n, label in enumerate(shown):
        r, c = divmod(n, per_row)
        text = wrap(label, 7.5, max_lines=1)[0]
        ax.text(xi + 0.13 + c * 0.245, yi + 0.74 - r * 0.15, text, ha="center", va="center", fontsize=7,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": PRIORITY_EDGES[cls], "lw": 0.6})
    if len(shown) < len(labels):
        ax.text(xi + 0.95, yi + 0.04, phrase("more_n", lang, n=len(labels) - len(shown)), ha="right",
                va="bottom", fontsize=6.5, color="#424949")


# ---- pareto -------------------------------------------------------------------------------


def draw_pareto(data: ParetoData, lang: Lang) -> Figure:
    """Frequencies sorted high to low, the cumulative share on a right-hand scale and the 80 % line."""
    items = sorted(data.items, key=lambda kv: -kv[1])
    if len(items) > 10:
        items = [*items[:9], (phrase("other", lang), sum(v for _, v in items[9:]))]
    fig = new_figure(WIDTH, 2.8)
    left, right, bottom, top = 0.6, WIDTH - 0.75, 0.62, 2.65
    values = [v for _, v in items]
    high = max(values or [1.0]) * 1.22 or 1.0  # bar labels stay clear of the 100 % marker
    slot = (right - left) / max(1, len(items))
    plot = Paper(fig, origin=(left, bottom), unit=(slot, (top - bottom) / high))
    frame = Paper(fig)
    for tick in MaxNLocator(nbins=6, integer=True).tick_values(0, high):
        if 0 <= tick <= high:
            plot.plot([-0.08 / slot, 0], [tick, tick], color="#1b2631", lw=0.8)
            plot.text(-0.12 / slot, tick, f"{tick:g}", ha="right", va="center", fontsize=7)
    frame.plot([left, right, right], [bottom, bottom, top], color="#1b2631", lw=0.8)
    frame.plot([left, left], [bottom, top], color="#1b2631", lw=0.8)
    frame.text(0.08, (bottom + top) / 2, phrase("frequency", lang), rotation=90, va="center", ha="left", fontsize=8)
    width_em = max(4.0, (slot - 0.08) / _em_in(7))
    total = sum(values) or 1.0
    running, points = 0.0, []
    for x, (label, value) in enumerate(items):
        plot.add_patch(Rectangle((x + 0.2, 0), 0.6, value, fc=BLUE, ec="none"))
        plot.text(x + 0.5, value, f"{value:g}", ha="center", va="bottom", fontsize=7)
        plot.text(x + 0.5, -0.06 / ((top - bottom) / high), "\n".join(wrap(label, width_em, max_lines=3)),
                  ha="center", va="top", fontsize=7, linespacing=1.1)
        running += value
        points.append((x + 0.5, 100 * running / total))
    share = Paper(fig, origin=(left, bottom), unit=(slot, (top - bottom) * 0.95 / 100))
    share.plot([p[0] for p in points], [p[1] for p in points], color=RED, marker="o", ms=3.5, lw=1.4)
    share.plot([0, len(items)], [80, 80], color=GREY, ls="--", lw=0.8)
    for pct in range(0, 101, 20):
        share.text(len(items) + 0.06 / slot, pct, f"{pct}%", ha="left", va="center", fontsize=7)
    frame.text(WIDTH - 0.12, (bottom + top) / 2, phrase("cumulative", lang), rotation=90, va="center", ha="right",
               fontsize=8)
    return fig


# ---- gantt --------------------------------------------------------------------------------


def draw_gantt(data: GanttData, lang: Lang) -> Figure:
    """Planned spans, progress, finished and overdue actions against the period end (drawn without Axes)."""
    bars = data.bars
    height = 0.95 + 0.36 * len(bars)
    fig = new_figure(WIDTH, height)
    _gantt_legend(Paper(fig), lang)
    first = min(b.start for b in bars)
    last = max([data.period_end, *(b.due for b in bars), *(b.finished for b in bars if b.finished)])
    pad = max(2, (last - first).days // 12)
    d0, d1 = mdates.date2num(first - timedelta(days=pad)), mdates.date2num(last + timedelta(days=pad * 2))
    left, right, bottom, top = 1.95, WIDTH - 0.6, 0.55, height - 0.3
    row_h = (top - bottom) / len(bars)
    plot = Paper(fig, origin=(left - d0 * (right - left) / (d1 - d0), bottom + row_h / 2),
                 unit=((right - left) / (d1 - d0), row_h))
    frame = Paper(fig)
    labels = "%m-%d" if (last - first).days < 300 else "%Y-%m"
    for tick in mdates.AutoDateLocator(minticks=4, maxticks=8).tick_values(mdates.num2date(d0), mdates.num2date(d1)):
        if d0 <= tick <= d1:
            plot.plot([tick, tick], [-0.5, len(bars) - 0.5], color="#e5e8e8", lw=0.6, zorder=0.5)
            plot.text(tick, -0.5 - 0.08 / row_h, mdates.num2date(tick).strftime(labels), ha="center", va="top",
                      fontsize=7)
    frame.plot([left, right], [bottom, bottom], color="#1b2631", lw=0.8)
    frame.plot([left, left], [bottom, top], color="#1b2631", lw=0.8)
    for y, bar in enumerate(reversed(bars)):
        frame.text(left - 0.08, bottom + row_h * (y + 0.5), "\n".join(wrap(bar.label, 19, max_lines=2)),
                   ha="right", va="center", fontsize=7, linespacing=1.15)
        _gantt_bar(plot, y, bar, data.period_end, lang)
    end = mdates.date2num(data.period_end)
    plot.plot([end, end], [-0.5, len(bars) - 0.5], color=RED, ls="--", lw=0.9)
    plot.text(end, len(bars) - 0.5 + 0.04 / row_h, phrase("period_end", lang), color=RED, fontsize=7, ha="center",
              va="bottom")
    return fig


def _gantt_legend(paper: Paper, lang: Lang) -> None:
    """What the bar colours mean, in one line under the time axis."""
    x = 1.95
    keys = (("legend_planned", LIGHT_BLUE, "none", None), ("legend_progress", BLUE, "none", None),
            ("legend_done", GREEN, "none", None), ("legend_overdue", "none", RED, "////"))
    for key, face, edge, hatch in keys:
        paper.add_patch(Rectangle((x, 0.05), 0.22, 0.1, fc=face, ec=edge, hatch=hatch, lw=0.6))
        label = phrase(key, lang)
        paper.text(x + 0.27, 0.1, label, fontsize=6.5, va="center", ha="left", color="#424949")
        x += 0.45 + text_em(label) * _em_in(6.5)


def _gantt_bar(plot: Paper, y: int, bar: GanttBar, period_end: date, lang: Lang) -> None:
    start, due = mdates.date2num(bar.start), mdates.date2num(bar.due)
    span = max(due - start, 0.5)
    done = bar.status == "done"

    def box(x: float, width: float, **kw: Any) -> None:
        plot.add_patch(Rectangle((x, y - 0.25), width, 0.5, **kw))

    box(start, span, fc=LIGHT_BLUE if not done else "#abebc6", ec="none")
    if bar.status == "cancelled":
        box(start, span, fc="none", ec=GREY, hatch="///", lw=0.5)
    elif done:
        box(start, span, fc=GREEN, ec="none", alpha=0.8)
        if bar.finished:
            plot.plot([mdates.date2num(bar.finished)], [y], marker="D", color="#145a32", ms=4, lw=0)
    elif bar.percent:
        box(start, span * min(max(bar.percent, 0.0), 1.0), fc=BLUE, ec="none")
    if bar.days_overdue:
        end = mdates.date2num(period_end)
        box(due, max(end - due, 0.5), fc="none", ec=RED, hatch="////", lw=0.6)
        plot.text(end + 1, y, phrase("days_overdue_n", lang, n=bar.days_overdue), color=RED, fontsize=6.5,
                  va="center", ha="left")
    elif bar.percent is not None and not done:
        plot.text(due + 1, y, f"{bar.percent:.0%}", fontsize=6.5, va="center", ha="left", color="#424949")


# ---- KPI bars -----------------------------------------------------------------------------


def draw_kpis(data: KpiData, lang: Lang) -> Figure:
    """One small panel per KPI: baseline, target and actual bars, achievement underneath."""
    per_row = min(3, len(data.kpis))
    rows = -(-len(data.kpis) // per_row)
    panel_w, panel_h = WIDTH / 3, 2.3
    fig = new_figure(panel_w * per_row, panel_h * rows)
    names = (column_label("results", "baseline", lang), column_label("results", "target", lang),
             column_label("results", "actual", lang))
    for n, kpi in enumerate(data.kpis):
        row, col = divmod(n, per_row)
        paper = Paper(fig, origin=(col * panel_w, (rows - 1 - row) * panel_h))
        _kpi_panel(paper, kpi, names, lang, panel_w)
    return fig


def _kpi_panel(paper: Paper, kpi: KpiBar, names: tuple[str, ...], lang: Lang, panel_w: float) -> None:
    """Bars drawn in inches: the value is printed on each bar, so no y axis is needed."""
    values = [kpi.baseline, kpi.target, kpi.actual]
    colors = [GREY, BLUE, GREEN if kpi.met else RED]
    known = [v for v in values if v is not None] or [1.0]
    low, high = min(0.0, *known), max(0.0, *known)
    span = (high - low) or 1.0
    bottom, plot_h, slot = 0.62, 1.15, (panel_w - 0.3) / 3

    def y(value: float) -> float:
        return bottom + (value - low) / span * plot_h

    paper.plot([0.12, panel_w - 0.12], [y(0), y(0)], color="#566573", lw=0.8)
    for x, (value, color, name) in enumerate(zip(values, colors, names, strict=True)):
        center = 0.15 + slot * (x + 0.5)
        paper.text(center, bottom - 0.06, name, ha="center", va="top", fontsize=7)
        if value is None:
            continue
        paper.add_patch(Rectangle((center - slot * 0.32, min(y(0), y(value))), slot * 0.64, abs(y(value) - y(0)),
                                  fc=color, ec="none"))
        paper.text(center, max(y(0), y(value)) + 0.03, f"{value:g}", ha="center", va="bottom", fontsize=7)
    title = kpi.label + (f" ({kpi.unit})" if kpi.unit else "")
    paper.text(panel_w / 2, bottom + plot_h + 0.22, "\n".join(wrap(title, (panel_w - 0.3) / _em_in(8), max_lines=2)),
               ha="center", va="bottom", fontsize=8, linespacing=1.2)
    if kpi.actual is None:
        note, color = phrase("not_measured", lang), GREY
    else:
        ach = f"{kpi.achievement:.0%}" if kpi.achievement is not None else "-"
        note, color = f"{column_label('results', 'achievement', lang)} {ach}", GREEN if kpi.met else RED
    paper.text(panel_w / 2, 0.12, note, ha="center", va="bottom", fontsize=7.5, color=color, fontweight="bold")


def draw_kpi_runs(data: KpiRunsData, lang: Lang) -> Figure:
    """One small run chart per KPI: actual per period (red when the gain was not held), target dashed."""
    per_row = min(3, len(data.runs))
    rows = -(-len(data.runs) // per_row)
    panel_w, panel_h = WIDTH / 3, 2.0
    fig = new_figure(panel_w * per_row, panel_h * rows)
    for n, run in enumerate(data.runs):
        row, col = divmod(n, per_row)
        width, height = panel_w * per_row, panel_h * rows
        ax = fig.add_axes(((col * panel_w + 0.42) / width, ((rows - 1 - row) * panel_h + 0.35) / height,
                           (panel_w - 0.55) / width, (panel_h - 0.95) / height))
        xs = list(range(len(run.periods)))
        color = RED if run.slipped else BLUE
        ax.plot(xs, [float("nan") if v is None else v for v in run.actual], marker="o", ms=3.5, lw=1.4, color=color,
                label=column_label("results", "actual", lang))
        ax.plot(xs, [float("nan") if v is None else v for v in run.target], ls="--", lw=1.0, color=GREY,
                label=column_label("results", "target", lang))
        ax.set_xticks(xs, [p[2:] for p in run.periods], fontsize=6.5)
        ax.tick_params(axis="y", labelsize=6.5)
        ax.set_xlim(-0.3, len(xs) - 0.7)
        ax.grid(axis="y", color="#e5e8e8", lw=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        title = run.label + (f" ({run.unit})" if run.unit else "")
        ax.set_title("\n".join(wrap(title, (panel_w - 0.4) / _em_in(8), max_lines=2)), fontsize=8,
                     color=RED if run.slipped else "#1b2631")
        if n == 0:
            ax.legend(fontsize=6.5, frameon=False, loc="best")
    return fig


# ---- trend and stacked bars ---------------------------------------------------------------


def draw_trend(data: TrendData, lang: Lang) -> Figure:
    fig = new_figure(WIDTH, 3.0)
    ax = fig.add_axes((0.08, 0.2, 0.9, 0.7))
    colors = [BLUE, GREEN, "#8e44ad", RED]
    xs = list(range(len(data.periods)))
    for (key, values), color in zip(data.series, colors, strict=False):
        ax.plot(xs, values, marker="o", ms=4, lw=1.6, color=color, label=phrase(key, lang))
        if values:
            ax.annotate(f"{values[-1]:g}", (xs[-1], values[-1]), xytext=(4, 0), textcoords="offset points",
                        fontsize=7, color=color, va="center")
    ax.set_xticks(xs, list(data.periods), fontsize=7, rotation=0 if len(xs) <= 12 else 45)
    ax.set_xlim(-0.4, len(xs) - 0.4 + 0.4)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(axis="y", color="#e5e8e8", lw=0.6)
    ax.legend(fontsize=7, ncol=4, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


def draw_stacked(data: StackedBarsData, lang: Lang) -> Figure:
    n = len(data.categories)
    height = 0.9 + 0.3 * n if data.horizontal else 3.2
    fig = new_figure(WIDTH, min(height, MAX_HEIGHT))
    ax = fig.add_axes((0.3, 0.5 / height, 0.66, 1 - 0.95 / height) if data.horizontal else (0.08, 0.22, 0.9, 0.66))
    positions = list(range(n))
    base = [0.0] * n
    for label, color, values in data.series:
        if data.horizontal:
            ax.barh(positions, values, left=base, color=color, label=label, height=0.6)
        else:
            ax.bar(positions, values, bottom=base, color=color, label=label, width=0.6)
        base = [b + v for b, v in zip(base, values, strict=True)]
    labels = ["\n".join(wrap(c, 20 if data.horizontal else max(4.0, 60.0 / max(n, 1)), max_lines=2))
              for c in data.categories]
    for p, total in zip(positions, base, strict=True):
        if data.horizontal:
            ax.text(total, p, f" {total:g}", va="center", fontsize=7)
        else:
            ax.text(p, total, f"{total:g}", ha="center", va="bottom", fontsize=7)
    if data.horizontal:
        ax.set_yticks(positions, labels, fontsize=7)
        ax.invert_yaxis()
        ax.set_xlim(0, max(base or [1]) * 1.12 or 1)
    else:
        ax.set_xticks(positions, labels, fontsize=7)
        ax.set_ylim(0, max(base or [1]) * 1.15 or 1)
    ax.tick_params(labelsize=7)
    (ax.xaxis if data.horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    if len(data.series) > 1:
        ax.legend(fontsize=7, ncol=min(len(data.series), 6), loc="lower center", bbox_to_anchor=(0.5, 1.0),
                  frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


DRAWERS: dict[type, Callable[[Any, Lang], Figure]] = {
    FishboneData: draw_fishbone, MatrixData: draw_matrix, ParetoData: draw_pareto, GanttData: draw_gantt,
    KpiData: draw_kpis, KpiRunsData: draw_kpi_runs, TrendData: draw_trend, StackedBarsData: draw_stacked,
}

def priority_series(values: Sequence[dict[str, float]], lang: Lang) -> tuple[tuple[str, str, tuple[float, ...]], ...]:
    """Stacked-bar series, one per priority class, from per-category counts keyed by class."""
    return tuple((PRIORITY.label(p.key, lang), PRIORITY_EDGES[p.key], tuple(float(v.get(p.key, 0)) for v in values))
                 for p in PRIORITY.choices)
