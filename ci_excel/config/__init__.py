"""Settings: every default of SPEC sections 4 and 5, overridable from `ci_excel.toml`.

`load_config()` reads the given file, else `ci_excel.toml` in the working folder, else returns the
defaults. A key that is unknown or a value that cannot be used raises ConfigError naming the key
and what is allowed; docs/configuration.md documents every setting.
"""

from __future__ import annotations

import math
import re
import string
import tomllib
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ci_excel.errors import ConfigError
from ci_excel.schema import LANGS, LEVEL, PRIORITY, PROBLEMS, SOLUTIONS, Lang, fold

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
    except OSError as exc:  # a folder, no permission
        raise ConfigError(f"{path}: cannot read the settings file: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not a valid TOML file: {exc}") from exc
    try:
        return config_from_dict(data, base=path.parent)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def config_from_dict(data: Mapping[str, Any], *, base: Path | None = None) -> Config:
    """Build a Config from parsed TOML; relative paths resolve against `base`."""
    check_keys(data, _TOP, "")
    kwargs: dict[str, Any] = {}
    for key, parse in _TOP.items():
        if key in data:
            kwargs.update(parse(data[key], base))
    return Config(**kwargs)


# -- checks shared with the rest of ci-excel ----------------------------------------------------

_URL_EXAMPLES = "e.g. sqlite:///path/store.sqlite or postgresql+psycopg://user:pass@host/db"
_DRIVER_PACKAGES = {"MySQLdb": "mysqlclient", "pymysql": "PyMySQL", "psycopg2": "psycopg2-binary"}
_POSTGRES_EXTRA = "pip install 'ci-excel[postgres]'"


def check_db_url(url: str) -> str:
    """`url` when it can name a history store: it parses, its database driver is installed and an
    SQLite file's folder exists. Nothing is created or connected; else ConfigError (passwords hidden)."""
    parsed = _parse_db_url(url)
    shown = repr(parsed.render_as_string(hide_password=True))
    dialect = _dialect(parsed, shown)
    _check_driver(dialect, parsed.get_backend_name(), shown)
    if parsed.get_backend_name() == "sqlite":
        _check_sqlite_folder(parsed, shown)
    return url


def _parse_db_url(url: str) -> Any:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url)
    except (ArgumentError, ValueError) as exc:
        masked = re.sub(r"(://[^:/@]*:).*@", r"\1***@", url)
        raise ConfigError(f"{masked!r} is not a database URL ({exc}); write {_URL_EXAMPLES}") from exc


def _dialect(parsed: Any, shown: str) -> Any:
    from sqlalchemy.exc import NoSuchModuleError

    try:
        dialect = parsed.get_dialect()
    except NoSuchModuleError as exc:
        raise ConfigError(f"{shown}: unknown database kind {parsed.drivername!r}; write {_URL_EXAMPLES}") from exc
    if getattr(dialect, "is_async", False):
        raise ConfigError(f"{shown}: {parsed.drivername} is an asyncio driver, which ci-excel cannot use; "
                          f"write {_URL_EXAMPLES}")
    return dialect


def _check_driver(dialect: Any, backend: str, shown: str) -> None:
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        module = exc.name or str(exc)
        if module == "psycopg":
            hint = _POSTGRES_EXTRA
        else:
            hint = f"pip install {_DRIVER_PACKAGES.get(module, module)}"
            if backend == "postgresql":
                hint += f" (or write postgresql+psycopg://… and {_POSTGRES_EXTRA})"
        raise ConfigError(f"{shown}: the database driver for {backend} ({module}) is not installed: {hint}") from exc


def _check_sqlite_folder(parsed: Any, shown: str) -> None:
    """The SQLite file may be created later, but its folder must be there (in-memory and URI forms pass)."""
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:") or parsed.query.get("uri"):
        return
    folder = Path(database).parent
    if not folder.is_dir():
        raise ConfigError(f"{shown}: the folder {folder.resolve()} does not exist; create it or give another path")


def check_report_template(path: Path) -> Path:
    """`path` when it is a Word document (.docx) the reports can take their styles from; else ConfigError."""
    if not path.exists():
        raise ConfigError(f"'report_template': {path} does not exist")
    reason = _not_docx(path)
    if reason is not None:
        raise ConfigError(f"'report_template': {path} is not a Word document (.docx): {reason}; "
                          "give a .docx saved by Word or the one `ci-excel templates` writes")
    return path


def _not_docx(path: Path) -> str | None:
    """Why python-docx cannot open `path`, or None when it can."""
    if path.is_dir():
        return "it is a folder"
    if not zipfile.is_zipfile(path):
        return "it is not a zip package"
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    try:
        Document(str(path))
    except KeyError as exc:
        return str(exc.args[0]) if exc.args else "a part is missing"
    except (PackageNotFoundError, zipfile.BadZipFile, ValueError, OSError, etree.XMLSyntaxError) as exc:
        return str(exc)
    return None


# -- parsing helpers: each section's returns the Config fields it sets; the public ones also parse [mail] --


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
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or value < minimum:
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


def _lang(value: Any, _base: Path | None) -> dict[str, Any]:
    if value not in LANGS:
        raise ConfigError(f"'lang' must be \"zh\" or \"en\", not {value!r}")
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
    raise ConfigError(f"'scoring.threshold' must be above 0 and at most {top:g}, the highest total these weights "
                      f"allow (every rating at the top of its scale); not {given}")


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


_STATEMENT_FIELDS = tuple(c.key for c in PROBLEMS.columns)
_ALLOWED_FIELDS = ", ".join("{" + k + "}" for k in _STATEMENT_FIELDS)


def parse_template(template: str, key: str, allowed: tuple[str, ...] = _STATEMENT_FIELDS) -> str:
    """A template of plain {field}s (of `allowed`) only: a format spec, conversion, attribute, index
    or positional field could fail or blow up at run time. Literal {{ and }} stay allowed."""
    shown = ", ".join("{" + k + "}" for k in allowed)
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ConfigError(f"'{key}' is not a valid template: {exc}; write fields as {{field}}, "
                          "literal braces as {{ and }}") from exc
    names = {name for _, name, spec, conversion in parts
             if name is not None and _plain(name, spec, conversion, key, shown)}
    unknown = sorted(names - set(allowed))
    if unknown:
        raise ConfigError(f"'{key}' uses unknown field(s) {', '.join(unknown)}; allowed: {shown}")
    return template


def _plain(name: str, spec: str | None, conversion: str | None, key: str, allowed: str = _ALLOWED_FIELDS) -> bool:
    """True for a plain {field}; anything else in braces raises ConfigError."""
    if name.isidentifier() and not spec and not conversion:
        return True
    shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
    raise ConfigError(f"'{key}': {shown} is not allowed; write a field name alone in braces, "
                      f"no format, !conversion, .attribute, [index] or position; allowed: {allowed}")


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
                raise ConfigError(f"'roster': {name!r} is given for both roster[{first}] ({owner!r}) "
                                  f"and roster[{index}] ({dept.name!r})")


def _department(entry: Any, index: int) -> Department:
    key = f"roster[{index}]"
    table = _table(entry, key)
    check_keys(table, ("name", "aliases", "email", "cc"), f"{key}.")
    if "name" not in table:
        raise ConfigError(f"'{key}' needs a name")
    aliases = table.get("aliases", [])
    if not isinstance(aliases, list):
        raise ConfigError(f"'{key}.aliases' must be a list of names, e.g. [\"客服部\"]")
    return Department(fold(parse_text(table["name"], f"{key}.name")),
                      tuple(fold(parse_text(a, f"{key}.aliases")) for a in aliases),
                      addresses(table.get("email", []), f"{key}.email"), addresses(table.get("cc", []), f"{key}.cc"))


_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


def addresses(value: Any, key: str) -> tuple[str, ...]:
    """A list of plain e-mail addresses (name@example.com), checked one by one."""
    if not isinstance(value, list):
        raise ConfigError(f"'{key}' must be a list of e-mail addresses, e.g. [\"pmo@example.com\"]")
    for item in value:
        if not isinstance(item, str) or not _ADDRESS.match(item.strip()):
            raise ConfigError(f"'{key}': {item!r} is not an e-mail address (write name@example.com)")
    return tuple(item.strip() for item in value)


def _mail(value: Any, base: Path | None) -> dict[str, Any]:
    from ci_excel.mail.settings import parse_mail  # it builds on the helpers above

    return {"mail": parse_mail(_table(value, "mail"), base=base)}


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
}
