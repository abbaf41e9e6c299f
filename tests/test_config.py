"""Settings: defaults, ci_excel.toml discovery, every override, and errors that name the key."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ci_excel.cli import main
from ci_excel.config import DEFAULT_MATRIX, DEFAULT_STATEMENTS, Config, Weights, check_db_url, load_config
from ci_excel.errors import ConfigError, UsageError
from ci_excel.render.reference_doc import write_reference_document

ROOT = Path(__file__).resolve().parents[1]


def _load(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_defaults_when_no_file(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path)
    assert config == Config()
    assert (config.threshold, config.stalled_periods, config.deadline_day, config.lang) == (12, 2, 5, "zh")
    assert config.weights == Weights(1, 1, 1, 1)
    assert config.matrix == DEFAULT_MATRIX and config.statements == DEFAULT_STATEMENTS
    assert config.roster == () and config.db_url is None and config.report_template is None


def test_reads_ci_excel_toml_in_the_working_folder(tmp_path: Path) -> None:
    (tmp_path / "ci_excel.toml").write_text("stalled_periods = 3\n", encoding="utf-8")
    assert load_config(cwd=tmp_path).stalled_periods == 3


def test_an_explicit_file_wins_and_must_exist(tmp_path: Path) -> None:
    (tmp_path / "ci_excel.toml").write_text("stalled_periods = 3\n", encoding="utf-8")
    other = tmp_path / "other.toml"
    other.write_text("stalled_periods = 4\n", encoding="utf-8")
    assert load_config(other, cwd=tmp_path).stalled_periods == 4
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_the_documented_example_loads_with_the_default_rules() -> None:
    config = load_config(ROOT / "examples" / "ci_excel.toml")
    assert config.matrix == DEFAULT_MATRIX and config.statements == DEFAULT_STATEMENTS
    assert config.weights == Weights() and config.threshold == 12
    assert config.roster_names() == ["电商运营部", "客户服务部", "物流部"]


def test_every_setting_can_be_overridden(tmp_path: Path) -> None:
    write_reference_document(tmp_path / "tpl" / "report.docx")
    config = _load(
        tmp_path,
        """
lang = "en"
deadline_day = 10
stalled_periods = 3
db_url = "postgresql+psycopg://u:p@host/db"
report_template = "tpl/report.docx"
[scoring]
threshold = 14.5
[scoring.weights]
effectiveness = 2
risk = 0.5
[priority]
"高" = { "高" = "P1" }
low = { medium = "P4" }
[statement]
en = "{issue} in {scenario}"
""",
    )
    assert (config.lang, config.deadline_day, config.stalled_periods) == ("en", 10, 3)
    assert config.db_url == "postgresql+psycopg://u:p@host/db"
    assert config.report_template == tmp_path / "tpl" / "report.docx"
    assert config.threshold == 14.5 and config.weights == Weights(effectiveness=2, risk=0.5)
    assert config.matrix["high"] == {"low": "P1", "medium": "P1", "high": "P1"}
    assert config.matrix["low"]["medium"] == "P4" and config.matrix["medium"] == DEFAULT_MATRIX["medium"]
    assert config.statements == {"zh": DEFAULT_STATEMENTS["zh"], "en": "{issue} in {scenario}"}


def test_roster_names_and_aliases(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        '[[roster]]\nname = "客户服务部"\naliases = ["客服部", "Customer Service"]\n[[roster]]\nname = "物流部"\n',
    )
    assert config.roster_names() == ["客户服务部", "物流部"]
    assert config.canonical_department("客服部") == "客户服务部"
    assert config.canonical_department("　客服部 ") == "客户服务部"  # full-width space, stray space
    assert config.canonical_department("customer  service") == "客户服务部"
    assert config.canonical_department("客户服务部") == "客户服务部"
    assert config.canonical_department(" 财务部 ") == "财务部"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 1", "unknown setting 'colour'; allowed: lang, db_url"),
        ("[scoring]\nthreshhold = 12", "unknown setting 'scoring.threshhold'; allowed: threshold, weights"),
        ("[scoring.weights]\nspeed = 1", "unknown setting 'scoring.weights.speed'; allowed: effectiveness"),
        ('[scoring]\nthreshold = "twelve"', "'scoring.threshold' must be a finite number"),
        ("[scoring.weights]\ncost = -1", "'scoring.weights.cost' must be a finite number ≥ 0"),
        ('lang = "fr"', '\'lang\' must be "zh" or "en"'),
        ("deadline_day = 40", "'deadline_day' must be a whole number from 1 to 31"),
        ("stalled_periods = 0", "'stalled_periods' must be a whole number from 1 to 120"),
        ("stalled_periods = true", "'stalled_periods' must be a whole number"),
        ('[priority]\nhigh = { low = "P5" }', "'priority.high.low' must be one of P1, P2, P3, P4"),
        ('[priority]\nvery = { low = "P1" }', "'priority.very': 'very' is not a level; allowed: high, medium, low"),
        ('[statement]\nzh = "在{scene}"', "'statement.zh' uses unknown field(s) scene; allowed: {problem_id}"),
        ('[statement]\nde = "x"', "unknown setting 'statement.de'; allowed: zh, en"),
        ('[statement]\nzh = "在{scenario"', "'statement.zh' is not a valid template"),
        ('roster = "a"', "'roster' must be a list"),
        ('[[roster]]\naliases = ["x"]', "'roster[1]' needs a name"),
        ('[[roster]]\nname = "A"\nalias = ["x"]', "unknown setting 'roster[1].alias'; allowed: name, aliases"),
        ('[[roster]]\nname = "A"\naliases = "x"', "'roster[1].aliases' must be a list"),
        (
            '[[roster]]\nname = "A"\naliases = ["x"]\n[[roster]]\nname = "B"\naliases = ["X"]',
            "'X' is given for both roster[1] ('A') and roster[2] ('B')",
        ),
        ('[[roster]]\nname = "A"\n[[roster]]\nname = "a"', "'a' is given for both roster[1] ('A') and roster[2]"),
        ("[priority]\nhigh = { low = 1 }", "'priority.high.low' must be one of P1, P2, P3, P4, not 1"),
        (
            '[priority]\nhigh = { low = "P1" }\n"高" = { "低" = "P2" }',
            "'priority.高.低' sets the same cell as 'priority.high.low'",
        ),
        ("priority = 1", "'priority' must be a table"),
        ("scoring = 1", "'scoring' must be a table"),
        ("[statement]\nzh = 1", "'statement.zh' must be a non-empty text"),
        ("lang = 1", '\'lang\' must be "zh" or "en"'),
        ("deadline_day = 1.5", "'deadline_day' must be a whole number"),
        ("report_template = 1", "'report_template' must be a non-empty text"),
        ('db_url = ""', "'db_url' must be a non-empty text"),
    ],
)
def test_bad_settings_name_the_key_and_what_is_allowed(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    assert message in str(caught.value)
    assert "settings.toml" in str(caught.value)
    assert isinstance(caught.value, UsageError)  # the CLI exits 2


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a valid TOML file"):
        _load(tmp_path, "lang = ")


def test_report_template_path(tmp_path: Path) -> None:
    assert Config().report_template_path(cwd=tmp_path) is None
    default = write_reference_document(tmp_path / "workbook_templates" / "report_template.docx")
    assert Config().report_template_path(cwd=tmp_path) == default
    mine = write_reference_document(tmp_path / "mine.docx")
    config = _load(tmp_path, 'report_template = "mine.docx"')
    assert config.report_template == mine and config.report_template_path(cwd=tmp_path) == mine
    mine.unlink()  # removed after loading: the same check when the reports need it
    with pytest.raises(ConfigError, match=r"'report_template': .*mine\.docx does not exist"):
        config.report_template_path(cwd=tmp_path)
    default.write_text("not Word", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"report_template\.docx is not a Word document"):
        Config().report_template_path(cwd=tmp_path)


# -- values that cannot work are refused when the settings are loaded ---------------------------


def _refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    assert isinstance(caught.value, UsageError) and "settings.toml" in str(caught.value)
    return str(caught.value)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+nan"])
@pytest.mark.parametrize("key", ["threshold", "weights.cost"])
def test_numbers_must_be_finite(tmp_path: Path, key: str, value: str) -> None:
    table, name = ("scoring.weights", "cost") if key == "weights.cost" else ("scoring", "threshold")
    message = _refused(tmp_path, f"[{table}]\n{name} = {value}\n")
    assert f"'scoring.{key}' must be a finite number ≥ 0, not {float(value)!r}" in message


@pytest.mark.parametrize(
    ("text", "top", "given"),
    [
        ("[scoring]\nthreshold = 1000", "20", "1000"),
        ("[scoring]\nthreshold = 0", "20", "0"),
        ("[scoring]\nthreshold = 22\n[scoring.weights]\ncost = 1.2", "21", "22"),  # threshold first
        ("[scoring.weights]\ncost = 0\nrisk = 0\n[scoring]\nthreshold = 11", "10", "11"),  # weights first
        ("[scoring.weights]\neffectiveness = 0.5\nfeasibility = 0.5\ncost = 0.5\nrisk = 0.5", "10", "12 (the default)"),
    ],
)
def test_the_threshold_must_be_reachable(tmp_path: Path, text: str, top: str, given: str) -> None:
    message = _refused(tmp_path, text)
    assert f"'scoring.threshold' must be above 0 and at most {top}, the highest total" in message
    assert message.endswith(f"not {given}")


@pytest.mark.parametrize(
    ("text", "threshold"),
    [
        ("[scoring]\nthreshold = 20", 20),
        ("[scoring]\nthreshold = 21\n[scoring.weights]\ncost = 1.2", 21),
        ("[scoring.weights]\ncost = 0\nrisk = 0\n[scoring]\nthreshold = 10", 10),
        ("[scoring]\nthreshold = 0.5\n[scoring.weights]\neffectiveness = 0\nfeasibility = 0\ncost = 0.1", 0.5),
    ],
)
def test_a_reachable_threshold_loads(tmp_path: Path, text: str, threshold: float) -> None:
    assert _load(tmp_path, text).threshold == threshold


def test_weights_cannot_all_be_zero(tmp_path: Path) -> None:
    message = _refused(tmp_path, "[scoring.weights]\neffectiveness = 0\nfeasibility = 0\ncost = 0\nrisk = 0")
    assert "'scoring.weights' are all 0" in message


@pytest.mark.parametrize(
    "field",
    [
        "{scenario:>999999999}",
        "{scenario:d}",
        "{scenario:{issue}}",
        "{scenario!r}",
        "{scenario.x}",
        "{scenario[0]}",
        "{}",
        "{0}",
    ],
)
def test_statement_fields_are_plain_names(tmp_path: Path, field: str) -> None:
    message = _refused(tmp_path, f"[statement]\nen = 'In {field}'\n")
    assert f"'statement.en': {field} is not allowed" in message
    assert "allowed: {problem_id}, {trigger}" in message and message.endswith("{benchmark_value}")


def test_statement_literal_braces_and_empty_specs_load(tmp_path: Path) -> None:
    config = _load(tmp_path, "[statement]\nen = '{{{issue}}} in {scenario:} {{x}}'\n")
    assert config.statements["en"].format(issue="I", scenario="S") == "{I} in S {x}"


def test_report_template_is_checked_when_loaded(tmp_path: Path) -> None:
    styles = write_reference_document(tmp_path / "tpl" / "styles.docx")
    assert _load(tmp_path, 'report_template = "tpl/styles.docx"').report_template == styles
    message = _refused(tmp_path, 'report_template = "tpl/none.docx"')
    assert "'report_template': " in message and "none.docx does not exist" in message
    assert "tpl is not a Word document (.docx): it is a folder" in _refused(tmp_path, 'report_template = "tpl"')


def test_a_file_renamed_docx_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.docx").write_text("just text", encoding="utf-8")
    message = _refused(tmp_path, 'report_template = "notes.docx"')
    assert "notes.docx is not a Word document (.docx): it is not a zip package; give a .docx saved by Word" in message
    openpyxl.Workbook().save(tmp_path / "book.docx")
    message = _refused(tmp_path, 'report_template = "book.docx"')
    assert "book.docx is not a Word document (.docx): " in message and "not a Word file" in message


def test_db_url_good_values_load_and_create_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a relative SQLite path is opened from the working folder
    (tmp_path / "store").mkdir()
    for url in (
        "sqlite:///store/h.sqlite",
        f"sqlite:///{tmp_path}/store/h.sqlite",
        "sqlite://",
        "postgresql+psycopg://u:p@host/db",
        "postgresql://u:p@host/db",
    ):
        assert check_db_url(url) == url
    assert _load(tmp_path, f'db_url = "sqlite:///{tmp_path}/store/h.sqlite"').db_url == (
        f"sqlite:///{tmp_path}/store/h.sqlite"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.toml", "store"]
    assert not any((tmp_path / "store").iterdir())


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "'nonsense' is not a database URL (Could not parse"),
        ("postgresql://u:secret@host:port/db", "'postgresql://u:***@host:port/db' is not a database URL"),
        ("foo://host/db", "'foo://host/db': unknown database kind 'foo'"),
        (
            "postgresql+asyncpg://u:secret@host/db",
            "'postgresql+asyncpg://u:***@host/db': postgresql+asyncpg is an asyncio driver",
        ),
        (
            "sqlite:////no/such/folder/h.sqlite",
            "'sqlite:////no/such/folder/h.sqlite': the folder /no/such/folder does not exist",
        ),
    ],
)
def test_bad_db_urls(tmp_path: Path, url: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_db_url(url)
    assert message in str(caught.value) and "secret" not in str(caught.value)
    assert f"'db_url': {message}" in _refused(tmp_path, f'db_url = "{url}"')


@pytest.mark.skipif(importlib.util.find_spec("MySQLdb") is not None, reason="mysqlclient is installed here")
def test_a_db_url_whose_driver_is_missing(tmp_path: Path) -> None:
    message = _refused(tmp_path, 'db_url = "mysql://pmo:secret@db.example.com/ci"')
    assert (
        "'db_url': 'mysql://pmo:***@db.example.com/ci': the database driver for mysql (MySQLdb) is not "
        "installed: pip install mysqlclient"
    ) in message


def test_consolidate_with_bad_settings_exits_2_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    (tmp_path / "ci_excel.toml").write_text("[scoring]\nthreshold = nan\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["consolidate", "in", "--period", "2026-11", "--out", "out"])
    assert result.exit_code == 2
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("Error: ") and result.stderr.rstrip().endswith(
        "ci_excel.toml: 'scoring.threshold' must be a finite number ≥ 0, not nan"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ci_excel.toml", "in"]
