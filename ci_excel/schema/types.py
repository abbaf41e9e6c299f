"""The shapes the schema is declared in: column types, enum choices, columns, sheets; languages."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from ci_excel.text import Lang, pick

LANGS: tuple[Lang, ...] = ("zh", "en")

TEMPLATE_ID = "ci-excel"
TEMPLATE_VERSION = "1.1"  # 1.1: the example rows' ids carry a marker (ci_excel.examples)
META_SHEET = "_meta"
LISTS_SHEET = "_lists"
INSTRUCTIONS = {"zh": "说明", "en": "Instructions"}
FORM_HEADERS = {"zh": ("填报项", "内容"), "en": ("Item", "Value")}  # row 1 of the info form


class ColType(StrEnum):
    """How a column's cells are typed, parsed and formatted."""

    TEXT = "text"
    INT = "int"
    NUMBER = "number"
    PERCENT = "percent"  # stored as a fraction: 30 % -> 0.3
    MONEY = "money"
    DATE = "date"
    PERIOD = "period"  # YYYY-MM
    ENUM = "enum"
    BOOL = "bool"  # 是/否, stored as True/False


@dataclass(frozen=True)
class Choice:
    """One enum value: a stable key, its zh and en labels, and what else people type for it."""

    key: str
    zh: str
    en: str
    synonyms: tuple[str, ...] = ()

    def label(self, lang: Lang) -> str:
        return pick(lang, self.zh, self.en)


@dataclass(frozen=True)
class EnumSpec:
    """A closed list of choices, matched across languages and synonyms."""

    key: str
    choices: tuple[Choice, ...]

    def labels(self, lang: Lang) -> list[str]:
        return [c.label(lang) for c in self.choices]

    def label(self, key: str, lang: Lang) -> str:
        return self.by_key[key].label(lang)

    @cached_property
    def by_key(self) -> dict[str, Choice]:
        return {c.key: c for c in self.choices}

    @cached_property
    def lookup(self) -> dict[str, str]:
        """Folded spelling -> key, for every label and synonym (case-insensitive)."""
        table: dict[str, str] = {}
        for c in self.choices:
            for text in (c.key, c.zh, c.en, *c.synonyms):
                table[fold(text).lower()] = c.key
        return table

    def match(self, text: str) -> str | None:
        return self.lookup.get(fold(text).lower())


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a sheet (or one line of the info form)."""

    key: str
    zh: str
    en: str
    type: ColType = ColType.TEXT
    required: bool = False
    enum: EnumSpec | None = None
    defines: str | None = None  # id space this column defines (unique within a department)
    ref: str | None = None  # id space this column must resolve in
    help_zh: str = ""
    help_en: str = ""
    width: int = 14
    minimum: float | None = None
    maximum: float | None = None

    def header(self, lang: Lang) -> str:
        return pick(lang, self.zh, self.en)

    def help(self, lang: Lang) -> str:
        return pick(lang, self.help_zh, self.help_en)


@dataclass(frozen=True)
class SheetSpec:
    """One sheet of the templates: a table with a header row, or the info form."""

    key: str
    zh: str
    en: str
    step: int
    columns: tuple[ColumnSpec, ...]
    form: bool = False  # label/value pairs instead of a table
    computed: tuple[ColumnSpec, ...] = field(default=())  # output-only columns

    def name(self, lang: Lang) -> str:
        return pick(lang, self.zh, self.en)

    @cached_property
    def by_key(self) -> dict[str, ColumnSpec]:
        return {c.key: c for c in (*self.columns, *self.computed)}

    def column(self, key: str) -> ColumnSpec:
        return self.by_key[key]

    @property
    def id_column(self) -> ColumnSpec | None:
        return next((c for c in self.columns if c.defines), None)


_FULL_WIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold(text: str) -> str:
    """Full-width to half-width, collapse white space and trim: how headers and enums are compared."""
    return " ".join(str(text).translate(_FULL_WIDTH).split())
