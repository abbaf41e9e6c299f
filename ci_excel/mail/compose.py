"""One message: who gets it, what it says and what it carries, and the MIME message built from it.

Messages use `email.policy.SMTP`: subjects and display names are RFC 2047 encoded, attachment
names RFC 2231, bodies UTF-8 plain text with an HTML alternative, lines ending CRLF.
"""

from __future__ import annotations

import hashlib
import html
import mimetypes
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate
from pathlib import Path
from typing import Any

from ci_excel.fileio import sha256_of

PMO = ""  # the department of the PMO's message
_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".pdf": "application/pdf",
}


@dataclass(frozen=True)
class Attachment:
    """A file attached under `name`, with its hash (what a resend compares)."""

    path: Path
    name: str
    sha256: str
    size: int

    @classmethod
    def of(cls, path: Path, name: str | None = None) -> Attachment:
        return cls(path, name or path.name, sha256_of(path), path.stat().st_size)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "size": self.size}


@dataclass(frozen=True)
class Letter:
    """One planned message: a department's (or, with department PMO, the PMO's)."""

    department: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    text: str
    attachments: tuple[Attachment, ...]
    source: str = ""  # the SHA-256s of the submitted files the attachments were made from

    @property
    def recipients(self) -> tuple[str, ...]:
        """To and Cc, each address once."""
        return tuple(dict.fromkeys(a.lower() for a in (*self.to, *self.cc)))

    @property
    def digest(self) -> str:
        """The version of the message: its attachments' names and the submitted files they were made
        from. Rendered files differ byte for byte at every run (time stamps in the zip packages), so
        their own hashes would make every re-run look changed; the inputs' hashes change only when a
        department sends something new."""
        lines = [self.source, *sorted(a.name for a in self.attachments)]
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()

    @property
    def label(self) -> str:
        return self.department or "PMO"


def unique_names(paths: list[Path]) -> list[Attachment]:
    """Attachments named after their files; a name given twice gets (2), (3) …"""
    seen: set[str] = set()
    found = []
    for path in paths:
        name, n = path.name, 2
        while name.casefold() in seen:
            name, n = f"{path.stem} ({n}){path.suffix}", n + 1
        seen.add(name.casefold())
        found.append(Attachment.of(path, name))
    return found


def build_message(letter: Letter, *, sender: str, message_id: str) -> EmailMessage:
    """The MIME message of `letter`: plain text and HTML alternatives, then the attachments."""
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = letter.subject
    msg["From"] = sender
    msg["To"] = ", ".join(letter.to)
    if letter.cc:
        msg["Cc"] = ", ".join(letter.cc)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id
    msg.set_content(letter.text, charset="utf-8")
    msg.add_alternative(as_html(letter.text), subtype="html", charset="utf-8")
    for item in letter.attachments:
        maintype, subtype = _mime_type(item.name).split("/", 1)
        msg.add_attachment(item.path.read_bytes(), maintype=maintype, subtype=subtype, filename=item.name)
    return msg


def as_html(text: str) -> str:
    """The plain text as simple HTML: paragraphs at blank lines, line breaks kept, all escaped."""
    paragraphs = [html.escape(p).replace("\n", "<br>\n") for p in text.split("\n\n")]
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>\n'
        f"<body style=\"font-family: 'Microsoft YaHei', 'PingFang SC', sans-serif;\">\n{body}\n</body></html>\n"
    )


def _mime_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
