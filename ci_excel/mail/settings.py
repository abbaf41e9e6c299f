"""The [mail] settings of ci_excel.toml: the SMTP server, the PMO's list, the message templates.

The password is never read from the file (a `password` key is refused): it comes from the
environment variable CI_EXCEL_SMTP_PASSWORD, or the CLI asks for it. The server's certificate is
always verified, against the system's trusted CAs or, for a server with a private CA, `ca_file`.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ci_excel.config import Config, addresses, check_keys, parse_int, parse_number, parse_template, parse_text
from ci_excel.errors import ConfigError
from ci_excel.schema import Lang

PASSWORD_ENV = "CI_EXCEL_SMTP_PASSWORD"
Security = Literal["starttls", "ssl", "none"]
SECURITIES: tuple[Security, ...] = ("starttls", "ssl", "none")
FIELDS = (
    "department",
    "period",
    "contact",
    "p1_problems",
    "overdue_actions",
    "data_errors",
    "attention",
    "attachments",
    "departments",
)
DEFAULT_TEMPLATES: dict[str, str] = {
    "subject_zh": "{period} 持续改进报告:{department}",
    "subject_en": "{period} continuous improvement report: {department}",
    "body_zh": "{contact}您好,\n\n附件是{department} {period} 的持续改进报告。\n\n需要关注:\n{attention}\n\n"
    "附件:\n{attachments}\n\n此邮件由 ci-excel 代 PMO 发送。",
    "body_en": "Hello {contact},\n\nAttached is the {period} continuous improvement report of {department}.\n\n"
    "Needs attention:\n{attention}\n\nAttachments:\n{attachments}\n\nSent by ci-excel for the PMO.",
    "pmo_subject_zh": "{period} 持续改进汇总报告({departments} 个部门)",
    "pmo_subject_en": "{period} continuous improvement portfolio ({departments} departments)",
    "pmo_body_zh": "您好,\n\n附件是 {period} 的汇总报告和汇总工作簿。\n\n需要关注:\n{attention}\n\n"
    "附件:\n{attachments}\n\n此邮件由 ci-excel 发送。",
    "pmo_body_en": "Hello,\n\nAttached are the {period} portfolio report and summary workbook.\n\n"
    "Needs attention:\n{attention}\n\nAttachments:\n{attachments}\n\nSent by ci-excel.",
}
_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class MailSettings:
    """How `ci-excel send` reaches the SMTP server and what its messages say."""

    host: str = "localhost"
    port: int | None = None  # None: 587, 465 or 25 by security
    security: Security = "starttls"
    user: str | None = None
    ca_file: Path | None = None  # the CA certificate(s), PEM, to trust instead of the system's
    sender: str | None = None  # `from`; default: the user
    pmo: tuple[str, ...] = ()
    max_message_mb: float = 20.0
    timeout: float = 30.0
    retry_delays: tuple[float, ...] = (1.0, 2.0, 4.0)  # waits before each retry of a temporary failure
    templates: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TEMPLATES))

    @property
    def smtp_port(self) -> int:
        return self.port or _PORTS[self.security]

    @property
    def from_address(self) -> str:
        if self.sender:
            return self.sender
        if self.user and "@" in self.user:
            return self.user
        raise ConfigError("'mail.from' is needed: the address the messages are sent from")

    def template(self, name: str, lang: Lang, *, pmo: bool = False) -> str:
        return self.templates[f"{'pmo_' if pmo else ''}{name}_{lang}"]


def mail_settings(config: Config) -> MailSettings:
    """The config's [mail], else the defaults."""
    return config.mail or MailSettings()


def parse_mail(table: Mapping[str, Any], *, base: Path | None = None) -> MailSettings:
    """MailSettings from the [mail] table; each bad value one ConfigError naming its key. A relative
    `ca_file` is in `base` (the settings file's folder)."""
    if "password" in table:
        raise ConfigError(
            f"'mail.password' is not read from the settings file, where anyone who can read it "
            f"would see it: remove it and set the environment variable {PASSWORD_ENV}, or type "
            "the password when ci-excel send asks"
        )
    check_keys(table, _KEYS, "mail.")
    kwargs: dict[str, Any] = {}
    for key, value in table.items():
        if key in DEFAULT_TEMPLATES:
            text = parse_text(value, f"mail.{key}")
            kwargs.setdefault("templates", dict(DEFAULT_TEMPLATES))[key] = parse_template(text, f"mail.{key}", FIELDS)
        elif key == "ca_file":
            kwargs["ca_file"] = _ca_file(value, f"mail.{key}", base)
        else:
            kwargs[_RENAMED.get(key, key)] = _KEYS[key](value, f"mail.{key}")
    return MailSettings(**kwargs)


def _security(value: Any, key: str) -> Security:
    if value not in SECURITIES:
        raise ConfigError(f"'{key}' must be one of {', '.join(SECURITIES)}, not {value!r}")
    return value  # type: ignore[no-any-return]


def _ca_file(value: Any, key: str, base: Path | None) -> Path:
    """A PEM file of CA certificates that Python's ssl module can load."""
    path = Path(parse_text(value, key))
    if base is not None and not path.is_absolute():
        path = base / path
    if not path.is_file():
        raise ConfigError(
            f"'{key}': {path} is not a file; give the PEM file of the CA that signed the server's certificate"
        )
    try:
        ssl.create_default_context(cafile=str(path))
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise ConfigError(
            f"'{key}': {path} holds no CA certificate Python can read ({exc}); give a PEM file "
            "(-----BEGIN CERTIFICATE-----)"
        ) from exc
    return path


def _sender(value: Any, key: str) -> str:
    return addresses([value], key)[0] if isinstance(value, str) else addresses(value, key)[0]


def _delays(value: Any, key: str) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) > 10:
        raise ConfigError(f"'{key}' must be a list of at most 10 waits in seconds, e.g. [1, 2, 4]")
    return tuple(parse_number(v, key) for v in value)


def _positive(value: Any, key: str) -> float:
    number = parse_number(value, key)
    if number <= 0:
        raise ConfigError(f"'{key}' must be above 0, not {value!r}")
    return number


_KEYS: dict[str, Any] = {
    "host": parse_text,
    "port": lambda v, k: parse_int(v, k, 1, 65535),
    "security": _security,
    "user": parse_text,
    "ca_file": _ca_file,
    "from": _sender,
    "pmo": addresses,
    "max_message_mb": _positive,
    "timeout": _positive,
    "retry_delays": _delays,
    **dict.fromkeys(DEFAULT_TEMPLATES),
}
_RENAMED = {"from": "sender"}
