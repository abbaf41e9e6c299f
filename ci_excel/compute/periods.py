"""A period's calendar: its last day, the submission deadline, and whether a department was late."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from ci_excel.config import Config
from ci_excel.model import Row


def period_end(period: str) -> date:
    """The last day of a YYYY-MM period."""
    year, month = (int(p) for p in period.split("-"))
    return date(year, month, calendar.monthrange(year, month)[1])


def deadline(period: str, config: Config) -> date:
    """Submissions are due by `deadline_day` of the month after the period (clamped to its end)."""
    first_next = period_end(period) + timedelta(days=1)
    last_day = calendar.monthrange(first_next.year, first_next.month)[1]
    return first_next.replace(day=min(config.deadline_day, last_day))


def is_late(info: Row, period: str, config: Config) -> bool:
    """Submitted (info submitted_on) after the deadline; unknown dates are not late."""
    submitted = info.get("submitted_on")
    return isinstance(submitted, date) and submitted > deadline(period, config)
