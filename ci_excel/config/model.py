"""The settings model: Config, its parts and every default of SPEC sections 4 and 5."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ci_excel.config.checks import check_report_template
from ci_excel.schema import SOLUTIONS, Lang, fold

if TYPE_CHECKING:
    from ci_excel.mail.settings import MailSettings

CONFIG_FILE = "ci_excel.toml"
DEFAULT_REPORT_TEMPLATE = Path("workbook_templates") / "report_template.docx"

DEFAULT_MATRIX: dict[str, dict[str, str]] = {
    # impact -> difficulty -> priority class (SPEC section 4)
    "high": {"low": "P1", "medium": "P1", "high": "P2"},
    "medium": {"low": "P2", "medium": "P2", "high": "P3"},
    "low": {"low": "P3", "medium": "P3", "high": "P4"},
}
DEFAULT_STATEMENTS: dict[str, str] = {
    "zh": "在{scenario},{process_step}存在{issue},导致{effect},影响程度为{quantification}",
    "en": "In {scenario}, {process_step} has {issue}, causing {effect}; magnitude: {quantification}",
}


@dataclass(frozen=True)
class Weights:
    """Weight of each solution-score dimension (the manual's plain sum: all 1)."""

    effectiveness: float = 1.0
    feasibility: float = 1.0
    cost: float = 1.0
    risk: float = 1.0

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def max_total(self) -> float:
        """The highest solution total these weights allow: every rating at the schema's maximum (5)."""
        return sum(w * (SOLUTIONS.column(k).maximum or 0) for k, w in self.as_dict().items())


@dataclass(frozen=True)
class Department:
    """One roster entry: the canonical name, what else departments type for it, and where its
    reports are mailed (`ci-excel send`; without `email`, the info sheet's contact info)."""

    name: str
    aliases: tuple[str, ...] = ()
    email: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()


EXECUTORS = ("local", "dask")
Executor = Literal["local", "dask"]


@dataclass(frozen=True)
class RunSettings:
    """[run]: where a consolidation's reading and department work runs (docs/cluster.md)."""

    executor: Executor = "local"  # "local": this machine's process pools; "dask": a dask.distributed cluster
    scheduler: str | None = None  # the dask scheduler's address, e.g. "tcp://10.0.0.5:8786"


@dataclass(frozen=True)
class Config:
    """Every setting with its default; built by load_config()."""

    weights: Weights = field(default_factory=Weights)
    threshold: float = 12.0
    matrix: dict[str, dict[str, str]] = field(default_factory=lambda: {k: dict(v) for k, v in DEFAULT_MATRIX.items()})
    statements: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_STATEMENTS))
    stalled_periods: int = 2
    lang: Lang = "zh"
    deadline_day: int = 5
    roster: tuple[Department, ...] = ()
    db_url: str | None = None
    report_template: Path | None = None
    mail: MailSettings | None = None  # [mail]; None: the defaults (see ci_excel.mail.settings)
    run: RunSettings = field(default_factory=RunSettings)

    def canonical_department(self, name: str) -> str:
        """The roster name for a name or alias (folded, case-insensitive); else the trimmed name."""
        text = fold(name)
        return self._aliases.get(text.lower(), text)

    def roster_names(self) -> list[str]:
        """The expected departments (roster names, in roster order); empty without a roster."""
        return [d.name for d in self.roster]

    def report_template_path(self, *, cwd: Path | None = None) -> Path | None:
        """The Word reference document: the configured one (which must exist), else
        workbook_templates/report_template.docx in the working folder when present, else None
        (the renderer then uses the copy shipped with ci-excel)."""
        if self.report_template is not None:
            return check_report_template(self.report_template)
        default = (cwd or Path.cwd()) / DEFAULT_REPORT_TEMPLATE
        return check_report_template(default) if default.is_file() else None

    @cached_property
    def _aliases(self) -> dict[str, str]:
        return {fold(a).lower(): d.name for d in self.roster for a in (d.name, *d.aliases)}
