"""A problem's KPIs as the report shows them: the panels' data, the run over the stored periods
(`KpiHistory`, same problem and KPI name), the met/missed emphasis of the KPI table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ci_excel.model import KpiHistory, Row
from ci_excel.render import figures as ch
from ci_excel.render.docx_format import fmt
from ci_excel.render.docx_xml import Styled, sanitize
from ci_excel.render.style import GREEN, RED
from ci_excel.schema import Lang


def kpi_bars(kpis: Sequence[Row]) -> ch.KpiData:
    """A panel per KPI: baseline, target, actual."""
    return ch.KpiData(
        tuple(
            ch.KpiBar(
                sanitize(k.get("kpi")),
                sanitize(k.get("unit") or ""),
                _num(k.get("baseline")),
                _num(k.get("target")),
                _num(k.get("actual")),
                _num(k.get("achievement")),
                k.get("met"),
            )
            for k in kpis
        )
    )


def kpi_runs(problem: Row, kpis: Sequence[Row], history: KpiHistory, period: str) -> tuple[ch.KpiRun, ...]:
    """Each KPI measured in an earlier stored period, over those periods and this one."""
    slipped = "gain_not_held" in (problem.get("flags") or ())
    runs = []
    for k in kpis:
        earlier = [p for p in history.get((str(problem.get("problem_id")), str(k.get("kpi"))), ()) if p.period < period]
        if not any(p.actual is not None for p in earlier):
            continue
        periods = (*(p.period for p in earlier), period)
        actual = (*(p.actual for p in earlier), _num(k.get("actual")))
        target = (*(p.target for p in earlier), _num(k.get("target")))
        runs.append(
            ch.KpiRun(
                sanitize(k.get("kpi")),
                sanitize(k.get("unit") or ""),
                periods,
                actual,
                target,
                slipped and k.get("met") is False,
            )
        )
    return tuple(runs)


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def met_emphasis(lang: Lang) -> Any:
    def emphasis(row: Row, key: str) -> Styled | None:
        if key == "met" and row.get("met") is not None:
            return Styled(fmt("results", "met", row.get("met"), lang), color=GREEN if row["met"] else RED, bold=True)
        return None

    return emphasis
