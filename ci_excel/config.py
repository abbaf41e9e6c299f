"""Settings: every default of SPEC sections 4 and 5, overridable from `ci_excel.toml`.

`load_config()` reads the given file, else `ci_excel.toml` in the working folder, else returns the
defaults. A key that is unknown or a value that cannot be used raises ConfigError naming the key
and what is allowed; docs/configuration.md documents every setting.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any

from ci_excel.errors import ConfigError
from ci_excel.schema import LANGS, LEVEL, PRIORITY, PROBLEMS, Lang, fold

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


@dataclass(frozen=True)
class Department:
    """One roster entry: the canonical name and what else departments type for it."""

    name: str
    aliases: tuple[str, ...] = ()


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
            if not self.report_template.is_file():
                raise ConfigError(f"'report_template': {self.report_template} is not a file")
            return self.report_template
        default = (cwd or Path.cwd()) / DEFAULT_REPORT_TEMPLATE
        return default if default.is_file() else None

    @cached_property
    def _aliases(self) -> dict[str, str]:
        return {fold(a).lower(): d.name for d in self.roster for a in (d.name, *d.aliases)}


def load_config(path: Path | None = None, *, cwd: Path | None = None) -> Config:
    """Settings from `path`, else from ci_excel.toml in `cwd` (default: the working folder), else defaults."""
    if path is None:
        candidate = (cwd or Path.cwd()) / CONFIG_FILE
        if not candidate.is_file():
            return Config()
        path = candidate
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: settings file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a valid TOML file: {exc}") from exc
    try:
        return config_from_dict(data, base=path.parent)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def config_from_dict(data: Mapping[str, Any], *, base: Path | None = None) -> Config:
    """Build a Config from parsed TOML; relative paths resolve against `base`."""
    _known(data, _TOP, "")
    kwargs: dict[str, Any] = {}
    for key, parse in _TOP.items():
        if key in data:
            kwargs.update(parse(data[key], base))
    return Config(**kwargs)


# -- parsing helpers: each returns the Config fields it sets ------------------------------------


def _known(table: Mapping[str, Any], allowed: Mapping[str, Any] | tuple[str, ...], prefix: str) -> None:
    for key in table:
        if key not in allowed:
            names = ", ".join(allowed)
            raise ConfigError(f"unknown setting '{prefix}{key}'; allowed: {names}")


def _table(value: Any, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"'{key}' must be a table ([{key}])")
    return value


def _number(value: Any, key: str, *, minimum: float = 0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise ConfigError(f"'{key}' must be a number ≥ {minimum:g}, not {value!r}")
    return float(value)


def _int(value: Any, key: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"'{key}' must be a whole number from {low} to {high}, not {value!r}")
    return value


def _text(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"'{key}' must be a non-empty text, not {value!r}")
    return value.strip()


def _lang(value: Any, _base: Path | None) -> dict[str, Any]:
    if value not in LANGS:
        raise ConfigError(f"'lang' must be \"zh\" or \"en\", not {value!r}")
    return {"lang": value}


def _db_url(value: Any, _base: Path | None) -> dict[str, Any]:
    return {"db_url": _text(value, "db_url")}


def _report_template(value: Any, base: Path | None) -> dict[str, Any]:
    path = Path(_text(value, "report_template"))
    if base is not None and not path.is_absolute():
        path = base / path
    return {"report_template": path}


def _deadline_day(value: Any, _base: Path | None) -> dict[str, Any]:
    return {"deadline_day": _int(value, "deadline_day", 1, 31)}


def _stalled(value: Any, _base: Path | None) -> dict[str, Any]:
    return {"stalled_periods": _int(value, "stalled_periods", 1, 120)}


def _scoring(value: Any, _base: Path | None) -> dict[str, Any]:
    table = _table(value, "scoring")
    _known(table, ("threshold", "weights"), "scoring.")
    out: dict[str, Any] = {}
    if "threshold" in table:
        out["threshold"] = _number(table["threshold"], "scoring.threshold")
    if "weights" in table:
        weights = _table(table["weights"], "scoring.weights")
        _known(weights, tuple(Weights().as_dict()), "scoring.weights.")
        out["weights"] = Weights(**{k: _number(v, f"scoring.weights.{k}") for k, v in weights.items()})
    return out


def _level(text: Any, key: str) -> str:
    found = LEVEL.match(str(text))
    if found is None:
        raise ConfigError(f"'{key}': {text!r} is not a level; allowed: {', '.join(LEVEL.by_key)} (or 高/中/低)")
    return found


def _matrix(value: Any, _base: Path | None) -> dict[str, Any]:
    """[priority] impact = { difficulty = "P1", ... }: cells given override the default matrix."""
    matrix = {k: dict(v) for k, v in DEFAULT_MATRIX.items()}
    for impact_text, row in _table(value, "priority").items():
        impact = _level(impact_text, f"priority.{impact_text}")
        for difficulty_text, cls in _table(row, f"priority.{impact_text}").items():
            key = f"priority.{impact_text}.{difficulty_text}"
            difficulty = _level(difficulty_text, key)
            found = PRIORITY.match(str(cls))
            if found is None:
                raise ConfigError(f"'{key}' must be one of {', '.join(PRIORITY.by_key)}, not {cls!r}")
            matrix[impact][difficulty] = found
    return {"matrix": matrix}


def _statements(value: Any, _base: Path | None) -> dict[str, Any]:
    table = _table(value, "statement")
    _known(table, LANGS, "statement.")
    statements = dict(DEFAULT_STATEMENTS)
    allowed = [c.key for c in PROBLEMS.columns]
    for lang, template in table.items():
        template = _text(template, f"statement.{lang}")
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
        except ValueError as exc:
            raise ConfigError(f"'statement.{lang}' is not a valid template: {exc}") from exc
        unknown = sorted(n for n in names if n not in allowed)
        if unknown:
            raise ConfigError(f"'statement.{lang}' uses unknown field(s) {', '.join(unknown)}; "
                              f"allowed: {', '.join('{' + a + '}' for a in allowed)}")
        statements[lang] = template
    return {"statements": statements}


def _roster(value: Any, _base: Path | None) -> dict[str, Any]:
    if not isinstance(value, list):
        raise ConfigError("'roster' must be a list of [[roster]] tables with name and aliases")
    roster = tuple(_department(entry, i) for i, entry in enumerate(value, 1))
    seen: dict[str, str] = {}
    for dept in roster:
        for name in (dept.name, *dept.aliases):
            folded = fold(name).lower()
            if seen.get(folded, dept.name) != dept.name:
                raise ConfigError(f"'roster': {name!r} is given for both {seen[folded]!r} and {dept.name!r}")
            seen[folded] = dept.name
    return {"roster": roster}


def _department(entry: Any, index: int) -> Department:
    key = f"roster[{index}]"
    table = _table(entry, key)
    _known(table, ("name", "aliases"), f"{key}.")
    if "name" not in table:
        raise ConfigError(f"'{key}' needs a name")
    aliases = table.get("aliases", [])
    if not isinstance(aliases, list):
        raise ConfigError(f"'{key}.aliases' must be a list of names, e.g. [\"客服部\"]")
    return Department(fold(_text(table["name"], f"{key}.name")),
                      tuple(fold(_text(a, f"{key}.aliases")) for a in aliases))


_TOP: dict[str, Callable[[Any, Path | None], dict[str, Any]]] = {
    "lang": _lang,
    "db_url": _db_url,
    "report_template": _report_template,
    "deadline_day": _deadline_day,
    "stalled_periods": _stalled,
    "scoring": _scoring,
    "priority": _matrix,
    "statement": _statements,
    "roster": _roster,
}
