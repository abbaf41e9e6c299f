"""The SMTP session: connect, secure and log in before anything is sent, then deliver with bounded retries.

`security = "starttls"` upgrades the plain connection and stops, before the login, when the server
does not offer STARTTLS; `"ssl"` speaks TLS from the first byte. The server's certificate and host
name are always verified, against the system's CAs or `[mail] ca_file`.

A temporary failure (a 4xx reply, a dropped connection) is retried after each of the configured
waits. A permanent refusal (5xx: no such user, mailbox disabled, message rejected) is not retried:
the server has said it will not take it, so trying again would only repeat the refusal and delay
the others. It is listed at the end, and not recorded as sent, so a later `ci-excel send` tries
that address again once the PMO has fixed it. Either way the other recipients of the message are
delivered: `send_message` hands back refused addresses one by one.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from ci_excel.errors import CiExcelError
from ci_excel.mail.settings import PASSWORD_ENV, MailSettings


class MailError(CiExcelError):
    """The SMTP server cannot be reached or refused the login: nothing was sent."""


@dataclass
class Delivery:
    """What came of one message: the addresses the server took, and those it did not (with why)."""

    accepted: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


class Session:
    """A logged-in SMTP connection, opened again when the server drops it."""

    def __init__(self, settings: MailSettings, password: str | None) -> None:
        self.settings, self.password = settings, password
        self._smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        """Connect, secure and log in; any failure is one MailError saying what to check."""
        s = self.settings
        where = f"{s.host}:{s.smtp_port}"
        try:
            self._smtp = _connect(s)
            if s.user:
                self._smtp.login(s.user, self.password or "")
        except ssl.SSLCertVerificationError as exc:
            self.close()
            raise _untrusted(s, exc) from exc
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise MailError(
                f"the SMTP server {where} refused the login of {s.user!r}: {_reply(exc)}; check "
                f"[mail] user and the password ({PASSWORD_ENV}). Nothing was sent."
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise MailError(
                f"cannot reach the SMTP server {where} ({s.security}): {_reply(exc)}; check [mail] "
                "host, port and security, and that the server is up. Nothing was sent."
            ) from exc

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()

    def deliver(
        self,
        msg: EmailMessage,
        recipients: Sequence[str],
        *,
        on_accepted: Callable[[list[str]], None],
        sleep: Callable[[float], None] = time.sleep,
    ) -> Delivery:
        """Send `msg` to `recipients`; `on_accepted` is told at once of each batch the server took."""
        outcome, pending = Delivery(), list(recipients)
        for wait in (None, *self.settings.retry_delays):
            if wait is not None:
                sleep(wait)
            accepted, temporary = self._attempt(msg, pending, outcome.failed)
            if accepted:
                outcome.accepted += accepted
                on_accepted(accepted)
            pending = temporary
            if not pending:
                break
        return outcome

    def _attempt(self, msg: EmailMessage, pending: list[str], failed: dict[str, str]) -> tuple[list[str], list[str]]:
        """One try: (accepted, to retry); permanent refusals go to `failed`, temporary ones stay there
        until a later try takes them."""
        refused: dict[str, tuple[int, Any]]
        try:
            if self._smtp is None:
                self.open()
            assert self._smtp is not None
            refused = self._smtp.send_message(msg, self.settings.from_address, pending)
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            refused = dict.fromkeys(pending, (exc.smtp_code, exc.smtp_error))
        except (OSError, smtplib.SMTPException, MailError) as exc:  # dropped: open again next time
            self.close()
            refused = dict.fromkeys(pending, (421, str(exc).encode()))
        retry = []
        for address in pending:
            if address in refused:
                code, text = refused[address]
                failed[address] = f"{code} {_text(text)}"
                if 400 <= code < 500:
                    retry.append(address)
            else:
                failed.pop(address, None)
        return [a for a in pending if a not in refused], retry


def _connect(s: MailSettings) -> smtplib.SMTP:
    """A connection secured as `s.security` says; a server without STARTTLS is a MailError."""
    context = ssl.create_default_context(cafile=str(s.ca_file) if s.ca_file else None)
    if s.security == "ssl":
        return smtplib.SMTP_SSL(s.host, s.smtp_port, timeout=s.timeout, context=context)
    smtp = smtplib.SMTP(s.host, s.smtp_port, timeout=s.timeout)
    if s.security != "starttls":
        return smtp
    try:
        smtp.ehlo_or_helo_if_needed()
        if not smtp.has_extn("starttls"):
            raise MailError(
                f"the SMTP server {s.host}:{s.smtp_port} does not offer STARTTLS, so the password and "
                'the reports would travel unencrypted; check [mail] port and security ("ssl" for a '
                "server that speaks TLS at once, usually port 465). Nothing was sent."
            )
        smtp.starttls(context=context)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _untrusted(s: MailSettings, exc: ssl.SSLCertVerificationError) -> MailError:
    hint = (
        "is [mail] ca_file the CA that signed it?"
        if s.ca_file
        else "if the server's CA is a private one, set [mail] ca_file to its certificate (PEM)"
    )
    return MailError(
        f"the certificate of the SMTP server {s.host}:{s.smtp_port} cannot be trusted: "
        f"{exc.verify_message}; {hint}. Nothing was sent."
    )


def _reply(exc: BaseException) -> str:
    code = getattr(exc, "smtp_code", None)
    text = getattr(exc, "smtp_error", None)
    if code is not None and text is not None:
        return f"{code} {_text(text)}"
    return str(exc) or type(exc).__name__


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
