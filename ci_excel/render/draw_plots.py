"""The charts as pictures (`--figures png`): Pareto, Gantt, KPI panels, KPI run charts, trend and
stacked bars, drawn in inches so long Chinese labels wrap instead of overlapping."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from ci_excel.render.drawing import MAX_HEIGHT, WIDTH, Paper, em_inches, new_figure
from ci_excel.render.figures import (
    BLUE,
    GREEN,
    GREY,
    LIGHT_BLUE,
    RED,
    GanttBar,
    GanttData,
    KpiBar,
    KpiData,
    KpiRunsData,
    ParetoData,
    StackedBarsData,
    TrendData,
)
from ci_excel.render.text_width import text_em, wrap
from ci_excel.schema import Lang, column_label
from ci_excel.text import phrase

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
    width_em = max(4.0, (slot - 0.08) / em_inches(7))
    total = sum(values) or 1.0
    running, points = 0.0, []
    for x, (label, value) in enumerate(items):
        plot.add_patch(Rectangle((x + 0.2, 0), 0.6, value, fc=BLUE, ec="none"))
        plot.text(x + 0.5, value, f"{value:g}", ha="center", va="bottom", fontsize=7)
        plot.text(
            x + 0.5,
            -0.06 / ((top - bottom) / high),
            "\n".join(wrap(label, width_em, max_lines=3)),
            ha="center",
            va="top",
            fontsize=7,
            linespacing=1.1,
        )
        running += value
        points.append((x + 0.5, 100 * running / total))
    share = Paper(fig, origin=(left, bottom), unit=(slot, (top - bottom) * 0.95 / 100))
    share.plot([p[0] for p in points], [p[1] for p in points], color=RED, marker="o", ms=3.5, lw=1.4)
    share.plot([0, len(items)], [80, 80], color=GREY, ls="--", lw=0.8)
    for pct in range(0, 101, 20):
        share.text(len(items) + 0.06 / slot, pct, f"{pct}%", ha="left", va="center", fontsize=7)
    frame.text(
        WIDTH - 0.12, (bottom + top) / 2, phrase("cumulative", lang), rotation=90, va="center", ha="right", fontsize=8
    )
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
    plot = Paper(
        fig,
        origin=(left - d0 * (right - left) / (d1 - d0), bottom + row_h / 2),
        unit=((right - left) / (d1 - d0), row_h),
    )
    frame = Paper(fig)
    labels = "%m-%d" if (last - first).days < 300 else "%Y-%m"
    for tick in mdates.AutoDateLocator(minticks=4, maxticks=8).tick_values(mdates.num2date(d0), mdates.num2date(d1)):
        if d0 <= tick <= d1:
            plot.plot([tick, tick], [-0.5, len(bars) - 0.5], color="#e5e8e8", lw=0.6, zorder=0.5)
            plot.text(
                tick, -0.5 - 0.08 / row_h, mdates.num2date(tick).strftime(labels), ha="center", va="top", fontsize=7
            )
    frame.plot([left, right], [bottom, bottom], color="#1b2631", lw=0.8)
    frame.plot([left, left], [bottom, top], color="#1b2631", lw=0.8)
    for y, bar in enumerate(reversed(bars)):
        frame.text(
            left - 0.08,
            bottom + row_h * (y + 0.5),
            "\n".join(wrap(bar.label, 19, max_lines=2)),
            ha="right",
            va="center",
            fontsize=7,
            linespacing=1.15,
        )
        _gantt_bar(plot, y, bar, data.period_end, lang)
    end = mdates.date2num(data.period_end)
    plot.plot([end, end], [-0.5, len(bars) - 0.5], color=RED, ls="--", lw=0.9)
    plot.text(
        end, len(bars) - 0.5 + 0.04 / row_h, phrase("period_end", lang), color=RED, fontsize=7, ha="center", va="bottom"
    )
    return fig


def _gantt_legend(paper: Paper, lang: Lang) -> None:
    """What the bar colours mean, in one line under the time axis."""
    x = 1.95
    keys = (
        ("legend_planned", LIGHT_BLUE, "none", None),
        ("legend_progress", BLUE, "none", None),
        ("legend_done", GREEN, "none", None),
        ("legend_overdue", "none", RED, "////"),
    )
    for key, face, edge, hatch in keys:
        paper.add_patch(Rectangle((x, 0.05), 0.22, 0.1, fc=face, ec=edge, hatch=hatch, lw=0.6))
        label = phrase(key, lang)
        paper.text(x + 0.27, 0.1, label, fontsize=6.5, va="center", ha="left", color="#424949")
        x += 0.45 + text_em(label) * em_inches(6.5)


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
        plot.text(
            end + 1,
            y,
            phrase("days_overdue_n", lang, n=bar.days_overdue),
            color=RED,
            fontsize=6.5,
            va="center",
            ha="left",
        )
    elif bar.percent is not None and not done:
        plot.text(due + 1, y, f"{bar.percent:.0%}", fontsize=6.5, va="center", ha="left", color="#424949")


# ---- KPI bars -----------------------------------------------------------------------------


def draw_kpis(data: KpiData, lang: Lang) -> Figure:
    """One small panel per KPI: baseline, target and actual bars, achievement underneath."""
    per_row = min(3, len(data.kpis))
    rows = -(-len(data.kpis) // per_row)
    panel_w, panel_h = WIDTH / 3, 2.3
    fig = new_figure(panel_w * per_row, panel_h * rows)
    names = (
        column_label("results", "baseline", lang),
        column_label("results", "target", lang),
        column_label("results", "actual", lang),
    )
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
        paper.add_patch(
            Rectangle(
                (center - slot * 0.32, min(y(0), y(value))), slot * 0.64, abs(y(value) - y(0)), fc=color, ec="none"
            )
        )
        paper.text(center, max(y(0), y(value)) + 0.03, f"{value:g}", ha="center", va="bottom", fontsize=7)
    title = kpi.label + (f" ({kpi.unit})" if kpi.unit else "")
    paper.text(
        panel_w / 2,
        bottom + plot_h + 0.22,
        "\n".join(wrap(title, (panel_w - 0.3) / em_inches(8), max_lines=2)),
        ha="center",
        va="bottom",
        fontsize=8,
        linespacing=1.2,
    )
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
        ax = fig.add_axes(
            (
                (col * panel_w + 0.42) / width,
                ((rows - 1 - row) * panel_h + 0.35) / height,
                (panel_w - 0.55) / width,
                (panel_h - 0.95) / height,
            )
        )
        xs = list(range(len(run.periods)))
        color = RED if run.slipped else BLUE
        ax.plot(
            xs,
            [float("nan") if v is None else v for v in run.actual],
            marker="o",
            ms=3.5,
            lw=1.4,
            color=color,
            label=column_label("results", "actual", lang),
        )
        ax.plot(
            xs,
            [float("nan") if v is None else v for v in run.target],
            ls="--",
            lw=1.0,
            color=GREY,
            label=column_label("results", "target", lang),
        )
        ax.set_xticks(xs, [p[2:] for p in run.periods], fontsize=6.5)
        ax.tick_params(axis="y", labelsize=6.5)
        ax.set_xlim(-0.3, len(xs) - 0.7)
        ax.grid(axis="y", color="#e5e8e8", lw=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        title = run.label + (f" ({run.unit})" if run.unit else "")
        ax.set_title(
            "\n".join(wrap(title, (panel_w - 0.4) / em_inches(8), max_lines=2)),
            fontsize=8,
            color=RED if run.slipped else "#1b2631",
        )
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
            ax.annotate(
                f"{values[-1]:g}",
                (xs[-1], values[-1]),
                xytext=(4, 0),
                textcoords="offset points",
                fontsize=7,
                color=color,
                va="center",
            )
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
    labels = [
        "\n".join(wrap(c, 20 if data.horizontal else max(4.0, 60.0 / max(n, 1)), max_lines=2)) for c in data.categories
    ]
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
        ax.legend(
            fontsize=7, ncol=min(len(data.series), 6), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False
        )
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig
