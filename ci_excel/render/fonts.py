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
import shutil
import subprocess
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


LATIN_MEASURE = "DejaVu Sans"  # what LibreOffice draws for Arial where neither it nor its metric twin is installed


@lru_cache(maxsize=1)
def measuring_faces() -> tuple[str, str, str, str]:
    """Font files to measure text with: (CJK regular, CJK bold, Latin regular, Latin bold).

    Asked of fontconfig, the lookup LibreOffice itself uses on Linux, which costs a few milliseconds
    where matplotlib's costs its import (about 1.5 s of a run's main process); matplotlib's lookup
    where fontconfig is missing or lacks one of the faces."""
    extra = os.environ.get(FONT_ENV)
    installed = _fontconfig_families()
    cjk = next((family for family in CJK_FAMILIES if family in installed), None)
    wanted = [] if extra else [(cjk, False), (cjk, True)]
    wanted += [(LATIN_MEASURE, False), (LATIN_MEASURE, True)]
    files = [_fontconfig_file(family, bold) if family in installed else None for family, bold in wanted]
    regular, bold, latin, latin_bold = [extra, extra, *files] if extra else files
    if regular and bold and latin and latin_bold:
        return regular, bold, latin, latin_bold
    return matplotlib_faces()


def matplotlib_faces() -> tuple[str, str, str, str]:
    """`measuring_faces` as matplotlib finds them (with the CJK font it registers)."""
    from matplotlib import font_manager

    def face(family: str, weight: str) -> str:
        return str(font_manager.findfont(font_manager.FontProperties(family=family, weight=weight)))

    cjk = cjk_family()
    return face(cjk, "regular"), face(cjk, "bold"), face(LATIN_MEASURE, "regular"), face(LATIN_MEASURE, "bold")


def _fontconfig(*args: str) -> str:
    """What a fontconfig command prints; "" when fontconfig is not installed or fails."""
    command = shutil.which(args[0])
    if command is None:
        return ""
    try:
        done = subprocess.run([command, *args[1:]], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout if done.returncode == 0 else ""


def _fontconfig_families() -> set[str]:
    listed = _fontconfig("fc-list", "--format", "%{family}\n")
    return {name.strip() for line in listed.splitlines() for name in line.split(",")}


def _fontconfig_file(family: str | None, bold: bool) -> str | None:
    """The file fontconfig draws `family` from, if that family is what it found."""
    found = _fontconfig(
        "fc-match", "--format", "%{family}\t%{file}", f"{family}:weight={'bold' if bold else 'regular'}"
    )
    families, _, path = found.partition("\t")
    return path if family in {name.strip() for name in families.split(",")} and os.path.isfile(path) else None
