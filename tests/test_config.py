"""Settings: defaults, ci_excel.toml discovery, every override, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from ci_excel.config import DEFAULT_MATRIX, DEFAULT_STATEMENTS, Config, Weights, load_config
from ci_excel.errors import ConfigError, UsageError

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
    config = _load(tmp_path, """
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
""")
    assert (config.lang, config.deadline_day, config.stalled_periods) == ("en", 10, 3)
    assert config.db_url == "postgresql+psycopg://u:p@host/db"
    assert config.report_template == tmp_path / "tpl" / "report.docx"
    assert config.threshold == 14.5 and config.weights == Weights(effectiveness=2, risk=0.5)
    assert config.matrix["high"] == {"low": "P1", "medium": "P1", "high": "P1"}
    assert config.matrix["low"]["medium"] == "P4" and config.matrix["medium"] == DEFAULT_MATRIX["medium"]
    assert config.statements == {"zh": DEFAULT_STATEMENTS["zh"], "en": "{issue} in {scenario}"}


def test_roster_names_and_aliases(tmp_path: Path) -> None:
    config = _load(tmp_path, '[[roster]]\nname = "客户服务部"\naliases = ["客服部", "Customer Service"]\n'
                             '[[roster]]\nname = "物流部"\n')
    assert config.roster_names() == ["客户服务部", "物流部"]
    assert config.canonical_department("客服部") == "客户服务部"
    assert config.canonical_department("　客服部 ") == "客户服务部"  # full-width space, stray space
    assert config.canonical_department("customer  service") == "客户服务部"
    assert config.canonical_department("客户服务部") == "客户服务部"
    assert config.canonical_department(" 财务部 ") == "财务部"


@pytest.mark.parametrize(("text", "message"), [
    ("colour = 1", "unknown setting 'colour'; allowed: lang, db_url"),
    ("[scoring]\nthreshhold = 12", "unknown setting 'scoring.threshhold'; allowed: threshold, weights"),
    ("[scoring.weights]\nspeed = 1", "unknown setting 'scoring.weights.speed'; allowed: effectiveness"),
    ("[scoring]\nthreshold = \"twelve\"", "'scoring.threshold' must be a number"),
    ("[scoring.weights]\ncost = -1", "'scoring.weights.cost' must be a number ≥ 0"),
    ("lang = \"fr\"", "'lang' must be \"zh\" or \"en\""),
    ("deadline_day = 40", "'deadline_day' must be a whole number from 1 to 31"),
    ("stalled_periods = 0", "'stalled_periods' must be a whole number from 1 to 120"),
    ("stalled_periods = true", "'stalled_periods' must be a whole number"),
    ("[priority]\nhigh = { low = \"P5\" }", "'priority.high.low' must be one of P1, P2, P3, P4"),
    ("[priority]\nvery = { low = \"P1\" }", "'priority.very': 'very' is not a level; allowed: high, medium, low"),
    ("[statement]\nzh = \"在{scene}\"", "'statement.zh' uses unknown field(s) scene; allowed: {problem_id}"),
    ("[statement]\nde = \"x\"", "unknown setting 'statement.de'; allowed: zh, en"),
    ("[statement]\nzh = \"在{scenario\"", "'statement.zh' is not a valid template"),
    ("roster = \"a\"", "'roster' must be a list"),
    ("[[roster]]\naliases = [\"x\"]", "'roster[1]' needs a name"),
    ("[[roster]]\nname = \"A\"\nalias = [\"x\"]", "unknown setting 'roster[1].alias'; allowed: name, aliases"),
    ("[[roster]]\nname = \"A\"\naliases = \"x\"", "'roster[1].aliases' must be a list"),
    ("[[roster]]\nname = \"A\"\naliases = [\"x\"]\n[[roster]]\nname = \"B\"\naliases = [\"X\"]",
     "'X' is given for both 'A' and 'B'"),
    ("db_url = \"\"", "'db_url' must be a non-empty text"),
])
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
    default = tmp_path / "workbook_templates" / "report_template.docx"
    default.parent.mkdir()
    default.write_bytes(b"docx")
    assert Config().report_template_path(cwd=tmp_path) == default
    config = _load(tmp_path, 'report_template = "mine.docx"')
    with pytest.raises(ConfigError, match=r"'report_template': .*mine\.docx is not a file"):
        config.report_template_path(cwd=tmp_path)
    (tmp_path / "mine.docx").write_bytes(b"docx")
    assert config.report_template_path(cwd=tmp_path) == tmp_path / "mine.docx"
