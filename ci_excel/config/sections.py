"""Each section of ci_excel.toml: its parser returns the Config fields it sets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ci_excel.config.checks import check_db_url, check_report_template, check_scheduler
from ci_excel.config.model import (
    DEFAULT_MATRIX,
    DEFAULT_STATEMENTS,
    EXECUTORS,
    Config,
    Department,
    RunSettings,
    Weights,
)
from ci_excel.config.values import _table, addresses, check_keys, parse_int, parse_number, parse_template, parse_text
from ci_excel.errors import ConfigError
from ci_excel.schema import LANGS, LEVEL, PRIORITY, fold


def _lang(value: Any, _base: Path | None) -> dict[str, Any]:
    if value not in LANGS:
        raise ConfigError(f'\'lang\' must be "zh" or "en", not {value!r}')
    return {"lang": value}


def _db_url(value: Any, _base: Path | None) -> dict[str, Any]:
    url = parse_text(value, "db_url")
    try:
        return {"db_url": check_db_url(url)}
    except ConfigError as exc:
        raise ConfigError(f"'db_url': {exc}") from exc


def _report_template(value: Any, base: Path | None) -> dict[str, Any]:
    path = Path(parse_text(value, "report_template"))
    if base is not None and not path.is_absolute():
        path = base / path
    return {"report_template": check_report_template(path)}


def _deadline_day(value: Any, _base: Path | None) -> dict[str, Any]:
    return {"deadline_day": parse_int(value, "deadline_day", 1, 31)}


def _stalled(value: Any, _base: Path | None) -> dict[str, Any]:
    return {"stalled_periods": parse_int(value, "stalled_periods", 1, 120)}


def _scoring(value: Any, _base: Path | None) -> dict[str, Any]:
    table = _table(value, "scoring")
    check_keys(table, ("threshold", "weights"), "scoring.")
    weights = _weights(table["weights"]) if "weights" in table else Weights()
    default = "threshold" not in table
    threshold = Config.threshold if default else parse_number(table["threshold"], "scoring.threshold")
    _check_reachable(threshold, weights, default=default)
    return {"threshold": threshold, "weights": weights}


def _weights(value: Any) -> Weights:
    table = _table(value, "scoring.weights")
    check_keys(table, tuple(Weights().as_dict()), "scoring.weights.")
    weights = Weights(**{k: parse_number(v, f"scoring.weights.{k}") for k, v in table.items()})
    if not any(weights.as_dict().values()):
        raise ConfigError("'scoring.weights' are all 0: no solution could score; give at least one weight above 0")
    return weights


def _check_reachable(threshold: float, weights: Weights, *, default: bool) -> None:
    """The threshold must be above 0 and no higher than the best total the weights allow."""
    top = weights.max_total()
    if 0 < threshold <= top + 1e-9:
        return
    given = f"{threshold:g}" + (" (the default)" if default else "")
    raise ConfigError(
        f"'scoring.threshold' must be above 0 and at most {top:g}, the highest total these weights "
        f"allow (every rating at the top of its scale); not {given}"
    )


def _level(text: Any, key: str) -> str:
    found = LEVEL.match(str(text))
    if found is None:
        raise ConfigError(f"'{key}': {text!r} is not a level; allowed: {', '.join(LEVEL.by_key)} (or 高/中/低)")
    return found


def _matrix(value: Any, _base: Path | None) -> dict[str, Any]:
    """[priority] impact = { difficulty = "P1", ... }: cells given override the default matrix."""
    matrix = {k: dict(v) for k, v in DEFAULT_MATRIX.items()}
    given: dict[tuple[str, str], str] = {}
    for impact_text, row in _table(value, "priority").items():
        impact = _level(impact_text, f"priority.{impact_text}")
        for difficulty_text, cls in _table(row, f"priority.{impact_text}").items():
            key = f"priority.{impact_text}.{difficulty_text}"
            cell = (impact, _level(difficulty_text, key))
            if cell in given:
                raise ConfigError(f"'{key}' sets the same cell as '{given[cell]}'; give each cell once")
            given[cell] = key
            matrix[impact][cell[1]] = _priority_class(cls, key)
    return {"matrix": matrix}


def _priority_class(value: Any, key: str) -> str:
    found = PRIORITY.match(value) if isinstance(value, str) else None
    if found is None:
        raise ConfigError(f"'{key}' must be one of {', '.join(PRIORITY.by_key)}, not {value!r}")
    return found


def _statements(value: Any, _base: Path | None) -> dict[str, Any]:
    table = _table(value, "statement")
    check_keys(table, LANGS, "statement.")
    statements = dict(DEFAULT_STATEMENTS)
    for lang, template in table.items():
        key = f"statement.{lang}"
        statements[lang] = parse_template(parse_text(template, key), key)
    return {"statements": statements}


def _roster(value: Any, _base: Path | None) -> dict[str, Any]:
    if not isinstance(value, list):
        raise ConfigError("'roster' must be a list of [[roster]] tables with name and aliases")
    roster = tuple(_department(entry, i) for i, entry in enumerate(value, 1))
    _check_unique(roster)
    return {"roster": roster}


def _check_unique(roster: tuple[Department, ...]) -> None:
    """A name or alias (folded, case-insensitive) belongs to one roster entry only."""
    seen: dict[str, tuple[int, str]] = {}
    for index, dept in enumerate(roster, 1):
        for name in (dept.name, *dept.aliases):
            first, owner = seen.setdefault(fold(name).lower(), (index, dept.name))
            if first != index:
                raise ConfigError(
                    f"'roster': {name!r} is given for both roster[{first}] ({owner!r}) "
                    f"and roster[{index}] ({dept.name!r})"
                )


def _department(entry: Any, index: int) -> Department:
    key = f"roster[{index}]"
    table = _table(entry, key)
    check_keys(table, ("name", "aliases", "email", "cc"), f"{key}.")
    if "name" not in table:
        raise ConfigError(f"'{key}' needs a name")
    aliases = table.get("aliases", [])
    if not isinstance(aliases, list):
        raise ConfigError(f"'{key}.aliases' must be a list of names, e.g. [\"客服部\"]")
    return Department(
        fold(parse_text(table["name"], f"{key}.name")),
        tuple(fold(parse_text(a, f"{key}.aliases")) for a in aliases),
        addresses(table.get("email", []), f"{key}.email"),
        addresses(table.get("cc", []), f"{key}.cc"),
    )


def _mail(value: Any, base: Path | None) -> dict[str, Any]:
    from ci_excel.mail.settings import parse_mail  # it builds on ci_excel.config.values

    return {"mail": parse_mail(_table(value, "mail"), base=base)}


def _run(value: Any, _base: Path | None) -> dict[str, Any]:
    table = _table(value, "run")
    check_keys(table, ("executor", "scheduler"), "run.")
    executor = table.get("executor", RunSettings.executor)
    if executor not in EXECUTORS:
        raise ConfigError(f'\'run.executor\' must be "local" or "dask", not {executor!r}')
    scheduler = check_scheduler(parse_text(table["scheduler"], "run.scheduler")) if "scheduler" in table else None
    return {"run": RunSettings(executor, scheduler)}


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
    "mail": _mail,
    "run": _run,
}
