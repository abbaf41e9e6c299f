"""Which fonts the reports use, and how matplotlib finds a font with Chinese glyphs.

Word documents name `DOCX_EAST_ASIA` for East Asian text: Noto Sans CJK SC is what renders here
(fonts-noto-cjk, installed by the README's commands) and in LibreOffice's PDF export. Windows has
no Noto by default, so the reference document's font table describes the face (GB2312 charset,
sans-serif family, panose) with Microsoft YaHei as its alternate name: Word then substitutes its
own Chinese sans-serif face instead of a Latin one. Latin text uses Arial (Liberation Sans here,
metric-compatible).
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from ci_excel.errors import CiExcelError

DOCX_EAST_ASIA = "Noto Sans CJK SC"
DOCX_EAST_ASIA_ALT = "Microsoft YaHei"
DOCX_LATIN = "Arial"

# Families tried in order; the first one matplotlib knows is used for every chart.
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
)
FONT_ENV = "CI_EXCEL_CJK_FONT"  # path of a .ttf/.otf/.ttc to use when none of the above is installed


class FontMissing(CiExcelError):
    """No font with Chinese glyphs is available to draw the charts."""


@lru_cache(maxsize=1)
def cjk_family() -> str:
    """The family name of an installed font with Chinese glyphs, registering CI_EXCEL_CJK_FONT if set."""
    from matplotlib import font_manager

    extra = os.environ.get(FONT_ENV)
    if extra:
        font_manager.fontManager.addfont(extra)
        return font_manager.FontProperties(fname=extra).get_name()
    for attempt in range(2):
        known = {f.name for f in font_manager.fontManager.ttflist}
        for family in CJK_FAMILIES:
            if family in known:
                return family
        if attempt == 0:  # matplotlib's font cache may predate the font's installation: look for the files
            for path in _font_files():
                font_manager.fontManager.addfont(str(path))
    raise FontMissing(
        "No Chinese font found for the report charts. Install one (Debian/Ubuntu: "
        "`apt-get install fonts-noto-cjk`; then delete ~/.cache/matplotlib) or set "
        f"{FONT_ENV} to the path of a .ttf/.otf/.ttc font with Chinese glyphs."
    )


# Where the usual CJK fonts live on Linux, Windows and macOS.
_FONT_GLOBS = (
    "/usr/share/fonts/**/NotoSansCJK*.tt[cf]",
    "/usr/share/fonts/**/NotoSansCJK*.otf",
    "/usr/share/fonts/**/wqy-*.tt[cf]",
    "C:/Windows/Fonts/msyh.tt[cf]",
    "C:/Windows/Fonts/simhei.ttf",
    "/System/Library/Fonts/PingFang.ttc",
    "/Library/Fonts/*CJK*.tt[cf]",
)


def _font_files() -> list[str]:
    import glob

    found = [path for pattern in _FONT_GLOBS for path in sorted(glob.glob(pattern, recursive=True))]
    return found + _packaged_fonts()


def _packaged_fonts() -> list[str]:
    """Noto Sans CJK SC from the `mplfonts` wheel (a dependency): Chinese charts on a machine with no CJK font."""
    from importlib.util import find_spec

    spec = find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = os.path.join(next(iter(spec.submodule_search_locations)), "fonts")
    path = os.path.join(folder, "NotoSansCJKsc-Regular.otf")
    return [path] if os.path.isfile(path) else []


def matplotlib_rc() -> dict[str, Any]:
    """rcParams for every chart: the CJK font first (it has Latin glyphs too), DejaVu as a fallback."""
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [cjk_family(), "DejaVu Sans"],
        "axes.unicode_minus": False,
        "svg.fonttype": "none",
    }
