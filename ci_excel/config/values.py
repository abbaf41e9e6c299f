"""Generic TOML value parsing: known keys, numbers, texts, templates and e-mail addresses.

Each raises ConfigError naming the key and what is allowed; [mail] (ci_excel.mail.settings) uses
the public ones too.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Mapping
from typing import Any

from ci_excel.errors import ConfigError
from ci_excel.schema import PROBLEMS


def check_keys(table: Mapping[str, Any], allowed: Mapping[str, Any] | tuple[str, ...], prefix: str) -> None:
    """Every key of `table` is one of `allowed`; else ConfigError naming it (`prefix` + key) and the allowed."""
    for key in table:
        if key not in allowed:
            names = ", ".join(allowed)
            raise ConfigError(f"unknown setting '{prefix}{key}'; allowed: {names}")


def _table(value: Any, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"'{key}' must be a table ([{key}])")
    return value


def parse_number(value: Any, key: str, *, minimum: float = 0) -> float:
    """A finite number ≥ minimum (TOML also allows nan and inf)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < minimum:
        raise ConfigError(f"'{key}' must be a finite number ≥ {minimum:g}, not {value!r}")
    return float(value)


def parse_int(value: Any, key: str, low: int, high: int) -> int:
    """A whole number from `low` to `high` (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"'{key}' must be a whole number from {low} to {high}, not {value!r}")
    return value


def parse_text(value: Any, key: str) -> str:
    """A non-empty text, trimmed."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"'{key}' must be a non-empty text, not {value!r}")
    return value.strip()


_STATEMENT_FIELDS = tuple(c.key for c in PROBLEMS.columns)
_ALLOWED_FIELDS = ", ".join("{" + k + "}" for k in _STATEMENT_FIELDS)


def parse_template(template: str, key: str, allowed: tuple[str, ...] = _STATEMENT_FIELDS) -> str:
    """A template of plain {field}s (of `allowed`) only: a format spec, conversion, attribute, index
    or positional field could fail or blow up at run time. Literal {{ and }} stay allowed."""
    shown = ", ".join("{" + k + "}" for k in allowed)
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ConfigError(
            f"'{key}' is not a valid template: {exc}; write fields as {{field}}, literal braces as {{{{ and }}}}"
        ) from exc
    names = {
        name for _, name, spec, conversion in parts if name is not None and _plain(name, spec, conversion, key, shown)
    }
    unknown = sorted(names - set(allowed))
    if unknown:
        raise ConfigError(f"'{key}' uses unknown field(s) {', '.join(unknown)}; allowed: {shown}")
    return template


def _plain(name: str, spec: str | None, conversion: str | None, key: str, allowed: str = _ALLOWED_FIELDS) -> bool:
    """True for a plain {field}; anything else in braces raises ConfigError."""
    if name.isidentifier() and not spec and not conversion:
        return True
    shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
    raise ConfigError(
        f"'{key}': {shown} is not allowed; write a field name alone in braces, "
        f"no format, !conversion, .attribute, [index] or position; allowed: {allowed}"
    )


_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


def addresses(value: Any, key: str) -> tuple[str, ...]:
    """A list of plain e-mail addresses (name@example.com), checked one by one."""
    if not isinstance(value, list):
        raise ConfigError(f"'{key}' must be a list of e-mail addresses, e.g. [\"pmo@example.com\"]")
    for item in value:
        if not isinstance(item, str) or not _ADDRESS.match(item.strip()):
            raise ConfigError(f"'{key}': {item!r} is not an e-mail address (write name@example.com)")
    return tuple(item.strip() for item in value)
