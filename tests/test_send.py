"""`ci-excel send` against a real SMTP server on loopback (aiosmtpd), over a real consolidation.

SQLite always; PostgreSQL too when CI_EXCEL_TEST_PG_URL is set. The STARTTLS and SSL servers use a
certificate for 127.0.0.1 from a private CA made here (trustme), which the client trusts only
through `[mail] ca_file`.
"""

from __future__ import annotations

import email
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from ci_excel.cli import main
from ci_excel.config import load_config
from ci_excel.errors import ConfigError
from ci_excel.store import Store
from tests.built_once import built_once
from tests.pg import empty_postgres
from tests.pipeline_data import write_register
from tests.test_pipeline import _break_cell

PERIOD = "2026-11"
DEPARTMENTS = {"电商运营部": 1, "物流部": 0, "客户服务部": 0}
ROSTER = {"电商运营部": (["ecom@example.com"], ["ecom.boss@example.com"]), "客户服务部": (["cs@example.com"], [])}
PMO = "pmo.team@example.com"


@dataclass
class Received:
    """What the server took: one (envelope recipients, parsed message) per DATA."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # address -> SMTP reply
    tls: list[str | None] = field(default_factory=list)  # per DATA: the TLS version, None in the clear
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content, policy=default)
        secured = server.transport.get_extra_info("ssl_object")
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
            self.tls.append(secured.version() if secured is not None else None)
        return "250 OK"

    def by_subject(self, text: str) -> list[tuple[list[str], EmailMessage]]:
        return [(to, m) for to, m in self.messages if text in str(m["Subject"])]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(handler: Received, **options: Any) -> Iterator[int]:
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def server() -> Iterator[tuple[Received, int]]:
    handler = Received()
    for port in _start(handler):
        yield handler, port


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"pmo", b"right")
    return AuthResult(success=ok, handled=False)  # on failure the server replies 535


@pytest.fixture
def auth_server() -> Iterator[tuple[Received, int]]:
    handler = Received()
    with warnings.catch_warnings():  # AUTH without TLS: fine on loopback
        warnings.simplefilter("ignore", UserWarning)
        for port in _start(handler, authenticator=_authenticator, auth_require_tls=False, auth_required=True):
            yield handler, port


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def starttls_server(ca: trustme.CA) -> Iterator[tuple[Received, int]]:
    """STARTTLS required before MAIL, AUTH only once secured (aiosmtpd's default), login required."""
    handler = Received()
    for port in _start(
        handler, tls_context=_server_tls(ca), require_starttls=True, authenticator=_authenticator, auth_required=True
    ):
        yield handler, port


@pytest.fixture
def ssl_server(ca: trustme.CA) -> Iterator[tuple[Received, int]]:
    """TLS from the first byte (SMTPS)."""
    handler = Received()
    for port in _start(handler, ssl_context=_server_tls(ca)):
        yield handler, port


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[str]]:
    """The --db arguments: none (the default SQLite file) or the PostgreSQL test database, emptied."""
    if request.param == "sqlite":
        yield []
        return
    with empty_postgres() as pg:
        yield ["--db", pg]


def _config(folder: Path, port: int, *extra: str, security: str = "none") -> Path:
    lines = [
        "[mail]",
        'host = "127.0.0.1"',
        f"port = {port}",
        f'security = "{security}"',
        'from = "pmo@example.com"',
        f'pmo = ["{PMO}"]',
        "retry_delays = [0.01, 0.02]",
        *extra,
    ]
    for name, (to, cc) in ROSTER.items():
        lines += [
            "[[roster]]",
            f'name = "{name}"',
            f"email = {to!r}".replace("'", '"'),
            f"cc = {cc!r}".replace("'", '"'),
        ]
    lines += ["[[roster]]", 'name = "物流部"']
    path = folder / "ci_excel.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _consolidate(tmp_path: Path, db: list[str], config: Path, *, changed: str | None = None) -> Path:
    """The real monthly run over real registers; 客户服务部's has a data error (so feedback)."""
    folder = tmp_path / "in"
    if changed is None:
        for name, done in DEPARTMENTS.items():
            write_register(folder / name / "ci_register.xlsx", name, PERIOD, done=done)
        _break_cell(folder / "客户服务部" / "ci_register.xlsx")
    else:  # the others' files as they were, the changed department's new
        write_register(folder / changed / "ci_register.xlsx", changed, PERIOD, done=DEPARTMENTS[changed] + 1)
    out = tmp_path / "output"
    result = CliRunner().invoke(
        main,
        [
            "consolidate",
            str(folder),
            "--period",
            PERIOD,
            "--out",
            str(out),
            "--jobs",
            "1",
            "--config",
            str(config),
            *db,
        ],
    )
    assert result.exit_code in (0, 1), result.output
    return out


def _shared_run(folder: Path) -> None:
    _consolidate(folder, [], _config(folder, 25))


@pytest.fixture
def consolidated(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of one real monthly run's output folder, its SQLite store inside (the run is made once per
    test run; the mail settings it was made with play no part in what it writes)."""
    out = tmp_path / "output"
    shutil.copytree(built_once(tmp_path_factory, "send_run", _shared_run) / "output", out, symlinks=True)
    return out


def _send(out: Path, config: Path, db: list[str], *extra: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(
        main, ["send", "--period", PERIOD, "--out", str(out), "--config", str(config), *db, *extra], env=env
    )


def _attachments(msg: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in msg.iter_attachments()}  # type: ignore[misc]


def _store(out: Path, db: list[str]) -> Store:
    return Store(db[1] if db else f"sqlite:///{out / 'ci_history.sqlite'}", create=False)


def test_each_department_gets_its_files_once(tmp_path: Path, server: tuple[Received, int], db: list[str]) -> None:
    received, port = server
    config = _config(tmp_path, port)
    out = _consolidate(tmp_path, db, config)
    result = _send(out, config, db)
    assert result.exit_code == 0, result.output
    assert "4 sent, 0 already sent" in result.output
    assert len(received.messages) == 4
    target = out / PERIOD
    [(to, ecom)] = received.by_subject("电商运营部")
    assert sorted(to) == ["ecom.boss@example.com", "ecom@example.com"]
    assert str(ecom["Subject"]) == f"{PERIOD} 持续改进报告:电商运营部" and ecom["Cc"] == "ecom.boss@example.com"
    assert _attachments(ecom) == {"电商运营部.docx": (target / "reports" / "电商运营部.docx").read_bytes()}
    text = ecom.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "P1 问题" in text and "逾期行动" in text and "电商运营部.docx" in text
    assert ecom.get_body(("html",)) is not None
    [(to, service)] = received.by_subject("客户服务部")
    assert to == ["cs@example.com"]
    files = _attachments(service)
    assert files["ci_register.xlsx"] == (target / "feedback" / "客户服务部" / "ci_register.xlsx").read_bytes()
    assert "需修正的数据错误" in service.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    [(to, _logistics)] = received.by_subject("物流部")
    assert to == ["wangwu@example.com"]  # the info sheet's contact info: no roster email
    [(to, pmo)] = received.by_subject("汇总")
    assert to == [PMO] and set(_attachments(pmo)) == {"portfolio.docx", "portfolio_summary.xlsx"}
    raw = bytes(ecom.as_bytes())  # as it travelled: encoded words (RFC 2047) and RFC 2231 file names
    assert b"Subject: 2026-11 =?utf-8?" in raw and b"filename*=utf-8''" in raw

    again = _send(out, config, db)
    assert again.exit_code == 0 and "0 sent, 4 already sent" in again.output
    assert len(received.messages) == 4
    with _store(out, db) as store:
        sent = store.sent(PERIOD)
    assert sorted(r.department for r in sent) == ["", "客户服务部", "物流部", "电商运营部"]
    assert all(len(a["sha256"]) == 64 for r in sent for a in r.attachments)
    sheet = openpyxl.load_workbook(target / "distribution.xlsx").active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["电商运营部"][7] == "已发送" and rows["电商运营部"][8]


def test_rerun_consolidation_resends_only_the_changed_department(
    tmp_path: Path, server: tuple[Received, int], db: list[str]
) -> None:
    received, port = server
    config = _config(tmp_path, port)
    out = _consolidate(tmp_path, db, config)
    assert _send(out, config, db).exit_code == 0
    _consolidate(tmp_path, db, config, changed="物流部")  # every output is written again
    result = _send(out, config, db, "--only", "物流部", "--only", "电商运营部")
    assert result.exit_code == 0, result.output
    assert "1 sent, 1 already sent" in result.output
    assert len(received.messages) == 5 and "物流部" in str(received.messages[-1][1]["Subject"])


def test_killed_send_resumes_without_duplicates(tmp_path: Path, server: tuple[Received, int], db: list[str]) -> None:
    received, port = server
    config = _config(tmp_path, port)
    out = _consolidate(tmp_path, db, config)
    command = [
        sys.executable,
        "-m",
        "ci_excel.cli",
        "send",
        "--period",
        PERIOD,
        "--out",
        str(out),
        "--config",
        str(config),
        *db,
    ]
    env = {**os.environ, "CI_EXCEL_FAULT": "sent:kill"}
    killed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -9, killed.stderr
    assert len(received.messages) == 1
    env.pop("CI_EXCEL_FAULT")
    resumed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert "3 sent, 1 already sent" in resumed.stdout
    subjects = sorted(str(m["Subject"]) for _, m in received.messages)
    assert len(subjects) == 4 == len(set(subjects))


def test_refused_recipient_is_listed_and_others_delivered(
    tmp_path: Path, consolidated: Path, server: tuple[Received, int]
) -> None:
    received, port = server
    received.refuse = {"ecom.boss@example.com": "550 5.1.1 No such user", "cs@example.com": "451 4.3.0 Try later"}
    config = _config(tmp_path, port)
    out = consolidated
    result = _send(out, config, [])
    assert result.exit_code == 1, result.output
    assert "Failed 电商运营部 -> ecom.boss@example.com: 550 5.1.1 No such user" in result.output
    assert "Failed 客户服务部 -> cs@example.com: 451 4.3.0 Try later" in result.output  # after every retry
    [(to, _)] = received.by_subject("电商运营部")
    assert to == ["ecom@example.com"]
    assert len(received.messages) == 3  # 物流部, 电商运营部 (one address) and the PMO
    received.refuse = {}
    again = _send(out, config, [])  # only what did not arrive: the two addresses
    assert again.exit_code == 0 and "2 sent, 2 already sent" in again.output
    assert sorted(to for to, _ in received.messages[3:]) == [["cs@example.com"], ["ecom.boss@example.com"]]


def test_wrong_password_sends_nothing(tmp_path: Path, consolidated: Path, auth_server: tuple[Received, int]) -> None:
    received, port = auth_server
    config = _config(tmp_path, port, 'user = "pmo"')
    out = consolidated
    wrong = _send(out, config, [], env={"CI_EXCEL_SMTP_PASSWORD": "wrong"})
    assert wrong.exit_code == 3 and "refused the login of 'pmo'" in wrong.output and "Nothing was sent" in wrong.output
    assert received.messages == []
    with _store(out, []) as store:
        assert store.sent(PERIOD) == []
    right = _send(out, config, [], env={"CI_EXCEL_SMTP_PASSWORD": "right"})
    assert right.exit_code == 0 and "4 sent" in right.output and len(received.messages) == 4


def test_unreachable_server_is_one_clear_error(tmp_path: Path, consolidated: Path) -> None:
    config = _config(tmp_path, _free_port())
    out = consolidated
    result = _send(out, config, [])
    assert result.exit_code == 3 and "cannot reach the SMTP server 127.0.0.1" in result.output


def test_dry_run_writes_messages_and_plan_and_sends_nothing(
    tmp_path: Path, consolidated: Path, server: tuple[Received, int]
) -> None:
    import json

    received, port = server
    config = _config(tmp_path, port)
    out = consolidated
    result = _send(out, config, [], "--dry-run")
    assert result.exit_code == 0 and "4 to send" in result.output
    assert received.messages == []
    folder = out / PERIOD / "mail"
    parsed = email.message_from_bytes((folder / "客户服务部.eml").read_bytes(), policy=default)
    assert str(parsed["Subject"]) == f"{PERIOD} 持续改进报告:客户服务部"
    plan = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    assert {m["department"]: m["status"] for m in plan["messages"]} == dict.fromkeys(
        ["电商运营部", "物流部", "客户服务部", "PMO"], "would send"
    )
    with _store(out, []) as store:
        assert store.sent(PERIOD) == []


def test_too_large_message_is_skipped_with_reason(
    tmp_path: Path, consolidated: Path, server: tuple[Received, int]
) -> None:
    received, port = server
    config = _config(tmp_path, port, "max_message_mb = 0.01")
    out = consolidated
    result = _send(out, config, [])
    assert result.exit_code == 1 and "Skipped 电商运营部: 邮件约" in result.output and "max_message_mb" in result.output
    assert received.messages == []


def _ca_file(ca: trustme.CA, folder: Path) -> str:
    """The CA's certificate beside the settings file, named relative to it."""
    ca.cert_pem.write_to_path(str(folder / "private-ca.pem"))
    return 'ca_file = "private-ca.pem"'


def test_starttls_login_then_delivery_all_encrypted(
    tmp_path: Path, consolidated: Path, ca: trustme.CA, starttls_server: tuple[Received, int]
) -> None:
    received, port = starttls_server
    config = _config(tmp_path, port, 'user = "pmo"', _ca_file(ca, tmp_path), security="starttls")
    out = consolidated
    wrong = _send(out, config, [], env={"CI_EXCEL_SMTP_PASSWORD": "wrong"})
    assert wrong.exit_code == 3 and "refused the login of 'pmo'" in wrong.output and received.messages == []
    right = _send(out, config, [], env={"CI_EXCEL_SMTP_PASSWORD": "right"})
    assert right.exit_code == 0 and "4 sent, 0 already sent" in right.output, right.output
    assert len(received.messages) == 4 and all(version and version.startswith("TLSv1") for version in received.tls)
    [(to, ecom)] = received.by_subject("电商运营部")
    assert sorted(to) == ["ecom.boss@example.com", "ecom@example.com"]
    assert _attachments(ecom) == {"电商运营部.docx": (out / PERIOD / "reports" / "电商运营部.docx").read_bytes()}


def test_ssl_delivers_over_tls_from_the_first_byte(
    tmp_path: Path, consolidated: Path, ca: trustme.CA, ssl_server: tuple[Received, int]
) -> None:
    received, port = ssl_server
    config = _config(tmp_path, port, _ca_file(ca, tmp_path), security="ssl")
    out = consolidated
    result = _send(out, config, [])
    assert result.exit_code == 0 and "4 sent" in result.output, result.output
    assert len(received.messages) == 4 and all(version and version.startswith("TLSv1") for version in received.tls)
    [(to, _)] = received.by_subject("汇总")
    assert to == [PMO]


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_certificate_of_an_untrusted_ca_sends_nothing(
    tmp_path: Path, consolidated: Path, ca: trustme.CA, security: str, request: pytest.FixtureRequest
) -> None:
    """Without ca_file the system's CAs decide, and they do not know the private one: verification
    is never switched off."""
    received, port = request.getfixturevalue(f"{security}_server")
    config = _config(tmp_path, port, 'user = "pmo"' if security == "starttls" else "", security=security)
    out = consolidated
    result = _send(out, config, [], env={"CI_EXCEL_SMTP_PASSWORD": "right"})
    assert result.exit_code == 3, result.output
    assert "the certificate of the SMTP server 127.0.0.1" in result.output and "cannot be trusted" in result.output
    assert "set [mail] ca_file" in result.output and "Nothing was sent" in result.output
    assert received.messages == []


def test_starttls_asked_of_a_server_without_it_sends_nothing(
    tmp_path: Path, consolidated: Path, server: tuple[Received, int]
) -> None:
    received, port = server
    config = _config(tmp_path, port, 'user = "pmo"', security="starttls")
    out = consolidated
    result = _send(out, config, [], env={"CI_EXCEL_SMTP_PASSWORD": "right"})
    assert result.exit_code == 3, result.output
    assert f"the SMTP server 127.0.0.1:{port} does not offer STARTTLS" in result.output
    assert "Nothing was sent" in result.output and received.messages == []
    with _store(out, []) as store:
        assert store.sent(PERIOD) == []


def test_ca_file_must_be_a_readable_pem(tmp_path: Path) -> None:
    config = tmp_path / "ci_excel.toml"
    config.write_text('[mail]\nca_file = "missing.pem"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'mail.ca_file': .*missing.pem is not a file"):
        load_config(config)
    (tmp_path / "missing.pem").write_text("not a certificate\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'mail.ca_file': .*holds no CA certificate"):
        load_config(config)
