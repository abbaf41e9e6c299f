"""Report figures: Chinese glyphs present, long labels wrapped without overlaps or cut-offs, cached by input."""

from __future__ import annotations

import io
import itertools
import os
import time
import warnings
from datetime import date
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from ci_excel.render import charts as ch
from ci_excel.render import draw_diagrams, drawers, drawing, text_width
from ci_excel.render import figures as fig
from ci_excel.render.fonts import CJK_FAMILIES, cjk_family
from ci_excel.schema import FISHBONE

LONG = "审核员不熟悉大促期间新上线的订单审核流程,导致重复录入 and manual re-entry of address data"


def many_causes(per_category: int) -> fig.FishboneData:
    causes = tuple(
        fig.Cause(c.key, f"{c.zh}{n} {LONG[: 8 + 5 * n]}", "细分原因:高峰期系统卡顿" if n % 2 else "", n == 0)
        for c in FISHBONE.choices
        for n in range(per_category)
    )
    return fig.FishboneData("在电商大促场景下,订单审核环节存在人工重复录入信息问题,导致订单处理时效延长2小时", causes)


def sample_inputs() -> list[fig.ChartData]:
    cells = tuple(
        (i, d, "P1" if i == "high" else "P3") for i in ("high", "medium", "low") for d in ("low", "medium", "high")
    )
    return [
        many_causes(3),
        fig.MatrixData(tuple((f"P-{n:03d}", "high", "low") for n in range(25)), cells),
        fig.MatrixData(tuple(("", "low", "high") for _ in range(400)), cells, counts_only=True),
        fig.ParetoData(tuple((f"原因{n} {LONG[:12]}", float(60 - 4 * n)) for n in range(14))),
        fig.GanttData(
            (
                fig.GanttBar(
                    "A-001 开发订单地址自动抓取接口并上线试运行",
                    date(2026, 10, 1),
                    date(2026, 11, 10),
                    percent=0.4,
                    status="in_progress",
                    days_overdue=20,
                ),
                fig.GanttBar("A-002 培训", date(2026, 11, 2), date(2026, 11, 20), date(2026, 11, 18), 1.0, "done"),
                fig.GanttBar("A-003 取消的行动", date(2026, 11, 5), date(2026, 12, 5), status="cancelled"),
            ),
            date(2026, 11, 30),
        ),
        fig.KpiData(
            tuple(
                fig.KpiBar(f"订单处理时效{n} {LONG[:10]}", "小时", 4, 2, 2.5 if n else None, 0.75, False)
                for n in range(4)
            )
        ),
        fig.TrendData(
            ("2026-09", "2026-10", "2026-11"),
            (("new", (3, 4, 5)), ("closed", (1, 2, 2)), ("open", (10, 12, 15)), ("overdue", (2, 3, 1))),
        ),
        fig.StackedBarsData(("流程优化类", "工具升级类"), (("已采纳", fig.BLUE, (2.0, 3.0)),), horizontal=True),
    ]


def drawn(fig: Figure) -> list[Text]:
    """The texts placed on a drawn figure and its axes (the fishbone has no ticks)."""
    fig.canvas.draw()
    texts = [*fig.texts, *(t for ax in fig.axes for t in ax.texts)]
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def test_a_cjk_font_is_found() -> None:
    assert cjk_family() in CJK_FAMILIES


def test_missing_glyphs_fail_tests() -> None:
    """pyproject turns matplotlib's missing-glyph warning into an error; prove it catches one."""
    fig = Figure()
    fig.text(0.5, 0.5, "中文", fontfamily="DejaVu Sans")
    with pytest.raises(UserWarning, match=r"Glyph .* missing"):
        fig.savefig(io.BytesIO(), format="png")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_renders_without_missing_glyphs(lang: str, tmp_path: Path) -> None:
    charts = ch.Charts(lang=lang, cache_dir=tmp_path)  # type: ignore[arg-type]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for data in sample_inputs():
            png = charts.png(data)
            assert png.startswith(b"\x89PNG")
    assert charts.stats.rendered == len(sample_inputs())


@pytest.mark.parametrize(("per_category", "lang"), [(1, "zh"), (4, "zh"), (12, "zh"), (6, "en")])
def test_fishbone_labels_do_not_overlap_or_leave_the_figure(per_category: int, lang: str) -> None:
    fig = draw_diagrams.draw_fishbone(many_causes(per_category), lang)  # type: ignore[arg-type]
    texts = drawn(fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = fig.bbox
    boxes = [t.get_window_extent(renderer) for t in texts]
    for text, box in zip(texts, boxes, strict=True):
        assert box.x0 >= frame.x0 - 1 and box.x1 <= frame.x1 + 1, text.get_text()
        assert box.y0 >= frame.y0 - 1 and box.y1 <= frame.y1 + 1, text.get_text()
    for (a, box_a), (b, box_b) in itertools.combinations(zip(texts, boxes, strict=True), 2):
        assert not box_a.shrunk(0.98, 0.9).overlaps(box_b.shrunk(0.98, 0.9)), (a.get_text(), b.get_text())
    assert fig.get_figheight() <= drawing.MAX_HEIGHT + 0.01


def test_fishbone_shows_all_six_categories_and_marks_hidden_causes() -> None:
    texts = [t.get_text() for t in drawn(draw_diagrams.draw_fishbone(many_causes(40), "zh"))]
    assert all(c.zh in texts for c in FISHBONE.choices)
    assert any(t.startswith("…另有") for t in texts)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_other_charts_keep_everything_inside_the_figure(lang: str) -> None:
    """The tight box of all drawn artists (ticks, labels, legends) lies within the figure: nothing is cut."""
    for data in sample_inputs()[1:]:
        fig = drawers.DRAWERS[type(data)](data, lang)
        fig.canvas.draw()
        tight = fig.get_tightbbox(fig.canvas.get_renderer())  # type: ignore[attr-defined]
        width, height = fig.get_size_inches()
        assert tight.x0 >= -0.01 and tight.y0 >= -0.01, type(data).__name__
        assert tight.x1 <= width + 0.01 and tight.y1 <= height + 0.01, type(data).__name__


def test_wrap_breaks_chinese_and_keeps_latin_words() -> None:
    lines = text_width.wrap("在电商大促场景下 order review has manual re-entry", 8)
    assert all(text_width.text_em(line) <= 8 for line in lines)
    assert "review" in " ".join(lines).split()
    assert text_width.wrap("一二三四五六七八九十", 4, max_lines=2) == ["一二三四", "五六七…"]


def test_identical_inputs_are_drawn_once(tmp_path: Path) -> None:
    data = sample_inputs()[0]
    first = ch.Charts(lang="zh", cache_dir=tmp_path)
    png = first.png(data)
    assert first.png(fig.FishboneData(data.effect, data.causes)) == png  # type: ignore[attr-defined]
    assert (first.stats.rendered, first.stats.cached) == (1, 1)
    second = ch.Charts(lang="zh", cache_dir=tmp_path)  # a later run: read from disk
    assert second.png(data) == png and second.stats.rendered == 0
    english = ch.Charts(lang="en", cache_dir=tmp_path)
    english.png(data)
    assert english.stats.rendered == 1
    assert ch.chart_key(data, "zh") != ch.chart_key(sample_inputs()[1], "zh")


def test_figures_no_run_used_for_weeks_are_pruned(tmp_path: Path) -> None:
    used, unused = sample_inputs()[:2]
    ch.Charts(lang="zh", cache_dir=tmp_path).png(used)
    ch.Charts(lang="zh", cache_dir=tmp_path).png(unused)
    weeks_ago = time.time() - (ch.CACHE_UNUSED_DAYS + 1) * 86400
    for path in tmp_path.glob("*/*.png"):
        os.utime(path, (weeks_ago, weeks_ago))
    later = ch.Charts(lang="zh", cache_dir=tmp_path)
    later.png(used)  # read from disk: marked used again
    assert later.stats.rendered == 0
    assert ch.prune_cache(tmp_path) == 1
    assert [p.stem for p in tmp_path.glob("*/*.png")] == [ch.chart_key(used, "zh")]
