"""The two figures that are no chart type, drawn as pictures: the fishbone (人机料法环测) and the
impact x difficulty priority matrix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle

from ci_excel.render.drawing import MAX_HEIGHT, WIDTH, Paper, em_inches, new_figure
from ci_excel.render.figures import PRIORITY_COLORS, PRIORITY_EDGES, RED, FishboneData, MatrixData
from ci_excel.render.text_width import wrap
from ci_excel.schema import FISHBONE, LEVEL, PRIORITY, Lang, column_label
from ci_excel.text import phrase

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
    em = em_inches(fontsize)
    text_w = (_col_w() * 0.8 - 0.14) / em
    line_h = em * 1.32
    blocks: dict[str, list[_Block]] = {k: [] for k in keys}
    for cause in data.causes:
        if cause.category in blocks:
            blocks[cause.category].append(
                _Block(
                    tuple(wrap(cause.cause, text_w, max_lines=4)),
                    tuple(wrap("- " + cause.sub_cause, text_w / 0.9, max_lines=2)) if cause.sub_cause else (),
                    cause.is_root,
                )
            )
    hidden = {k: max(0, len(v) - limit) for k, v in blocks.items()}
    blocks = {k: v[:limit] for k, v in blocks.items()}

    def stack(k: str) -> float:
        more = line_h * 1.2 if hidden[k] else 0.0
        return max(0.35, sum(b.height(line_h) for b in blocks[k]) + more)

    top_h = _TITLE_H + 0.12 + max(stack(k) for k in keys[:3]) + 0.12
    bottom_h = _TITLE_H + 0.12 + max(stack(k) for k in keys[3:]) + 0.12
    head_lines = wrap(data.effect, (_HEAD_W - 0.25) / em_inches(8.5), max_lines=8)
    head_h = len(head_lines) * em_inches(8.5) * 1.35 + 0.2
    top_h, bottom_h = max(top_h, head_h / 2 + 0.2), max(bottom_h, head_h / 2 + 0.25)
    return {
        "fontsize": fontsize,
        "line_h": line_h,
        "blocks": blocks,
        "hidden": hidden,
        "top_h": top_h,
        "bottom_h": bottom_h,
        "height": top_h + bottom_h + 0.1,
        "head": head_lines,
        "head_h": head_h,
        "keys": keys,
    }


def _fishbone_draw(ax: Any, layout: dict[str, Any], lang: Lang) -> None:
    spine_y = layout["bottom_h"] + 0.05
    height = layout["height"]
    ax.plot([_MARGIN, WIDTH - _HEAD_W], [spine_y, spine_y], color="#34495e", lw=2.2, solid_capstyle="butt")
    ax.arrow((WIDTH - _HEAD_W - 0.2, spine_y), (WIDTH - _HEAD_W + 0.06, spine_y), color="#34495e", lw=2.2)
    head_x0, head_h = WIDTH - _HEAD_W + 0.08, layout["head_h"]
    ax.add_patch(
        FancyBboxPatch(
            (head_x0, spine_y - head_h / 2),
            _HEAD_W - 0.08 - _MARGIN,
            head_h,
            boxstyle="round,pad=0,rounding_size=0.06",
            fc="#fdebd0",
            ec="#d68910",
            lw=1.2,
        )
    )
    ax.text(
        head_x0 + (_HEAD_W - 0.08 - _MARGIN) / 2,
        spine_y,
        "\n".join(layout["head"]),
        ha="center",
        va="center",
        fontsize=8.5,
        fontweight="bold",
        linespacing=1.35,
    )
    for index, key in enumerate(layout["keys"]):
        top = index < 3
        x0 = _MARGIN + (index % 3) * _col_w()
        end_y = height - _TITLE_H if top else _TITLE_H
        _bone(ax, key, x0, spine_y, end_y, top, layout, lang)
    ax.text(_MARGIN, 0.02, phrase("root_legend", lang), fontsize=6.5, color=RED, ha="left", va="bottom")


def _bone(
    ax: Any, key: str, x0: float, spine_y: float, end_y: float, top: bool, layout: dict[str, Any], lang: Lang
) -> None:
    col_w = _col_w()
    x_end, x_spine = x0 + col_w * 0.8, x0 + col_w - 0.04

    def bone_x(y: float) -> float:
        return x_spine + (x_end - x_spine) * (y - spine_y) / (end_y - spine_y)

    ax.plot([x_spine, x_end], [spine_y, end_y], color="#34495e", lw=1.4)
    title_y = end_y + _TITLE_H / 2 if top else end_y - _TITLE_H / 2
    ax.text(
        x_end,
        title_y,
        FISHBONE.label(key, lang),
        ha="center",
        va="center",
        fontsize=9,
        fontweight="bold",
        color="white",
        bbox={"boxstyle": "round,pad=0.25", "fc": "#34495e", "ec": "none"},
    )
    line_h, fontsize = layout["line_h"], layout["fontsize"]
    y = end_y - 0.12 if top else spine_y - 0.12
    for block in layout["blocks"][key]:
        rib_y = y - line_h * 0.55
        bx = min(bone_x(y), bone_x(y - block.height(line_h)), bone_x(rib_y))
        bx_rib = bone_x(rib_y)
        color = RED if block.is_root else "#1b2631"
        ax.plot([bx - 0.1, bx_rib], [rib_y, rib_y], color="#7f8c8d", lw=0.7)
        ax.text(
            bx - 0.12,
            y,
            "\n".join(block.lines),
            ha="right",
            va="top",
            fontsize=fontsize,
            color=color,
            fontweight="bold" if block.is_root else "normal",
            linespacing=1.2,
        )
        if block.sub:
            sub_y = y - len(block.lines) * line_h
            ax.text(
                bx - 0.12,
                sub_y,
                "\n".join(block.sub),
                ha="right",
                va="top",
                fontsize=fontsize * 0.9,
                color="#626567",
                linespacing=1.2,
            )
        y -= block.height(line_h)
    if layout["hidden"][key]:
        ax.text(
            bone_x(y - line_h * 0.5) - 0.12,
            y,
            phrase("more_n", lang, n=layout["hidden"][key]),
            ha="right",
            va="top",
            fontsize=fontsize * 0.9,
            color="#626567",
            style="italic",
        )


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
            grid.text(
                xi + 0.04,
                yi + 0.95,
                PRIORITY.label(cls, lang),
                ha="left",
                va="top",
                fontsize=8,
                fontweight="bold",
                color=PRIORITY_EDGES[cls],
            )
            _place(
                grid,
                xi,
                yi,
                cells.get((impact, difficulty), []),
                cls,
                data.counts_only,
                lang,
                unlabelled=tallies.get((impact, difficulty), 0),
            )
    for n, level in enumerate(levels):
        grid.text(n + 0.5, -0.06, LEVEL.label(level, lang), ha="center", va="top", fontsize=9)
        grid.text(-0.03, n + 0.5, LEVEL.label(level, lang), ha="right", va="center", fontsize=9)
    paper = Paper(fig)
    paper.text(
        x0 + 1.5 * cell_w, 0.08, column_label("problems", "difficulty", lang), ha="center", va="bottom", fontsize=9
    )
    paper.text(
        0.1,
        y0 + 1.5 * cell_h,
        column_label("problems", "impact", lang),
        ha="left",
        va="center",
        fontsize=9,
        rotation=90,
    )
    return fig


def _place(
    ax: Any, xi: int, yi: int, labels: list[str], cls: str, counts_only: bool, lang: Lang, *, unlabelled: int = 0
) -> None:
    if counts_only:
        if n := len(labels) + unlabelled:
            ax.text(
                xi + 0.5,
                yi + 0.45,
                str(n),
                ha="center",
                va="center",
                fontsize=20,
                fontweight="bold",
                color=PRIORITY_EDGES[cls],
            )
            ax.text(
                xi + 0.5,
                yi + 0.2,
                phrase("n_problems", lang, n=n),
                ha="center",
                va="center",
                fontsize=7.5,
                color="#424949",
            )
        return
    per_row, rows = 4, 5
    shown = labels if len(labels) <= per_row * rows else labels[: per_row * rows - 1]
    for n, label in enumerate(shown):
        r, c = divmod(n, per_row)
        text = wrap(label, 7.5, max_lines=1)[0]
        ax.text(
            xi + 0.13 + c * 0.245,
            yi + 0.74 - r * 0.15,
            text,
            ha="center",
            va="center",
            fontsize=7,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": PRIORITY_EDGES[cls], "lw": 0.6},
        )
    if len(shown) < len(labels):
        ax.text(
            xi + 0.95,
            yi + 0.04,
            phrase("more_n", lang, n=len(labels) - len(shown)),
            ha="right",
            va="bottom",
            fontsize=6.5,
            color="#424949",
        )
