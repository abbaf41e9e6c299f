"""Who is asking: a department through its secret link, or the PMO through its password.

A department link is `/d/<token>`, 32 random bytes; only the token's SHA-256 is kept (in
`access.json` of the server's state folder), so a copy of the folder opens nothing. Following the
link signs the browser in as that department (a signed session cookie naming the department and
the token's hash): the token never travels again and a new link for the department signs every
earlier browser out. The PMO's password is checked against its scrypt hash; the password itself
is never written anywhere. The session cookie's signing key is made once and kept in the state
folder (mode 0600).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_SCRYPT = {"n": 1 << 14, "r": 8, "p": 1, "dklen": 32}


@dataclass(frozen=True)
class PasswordHash:
    """An scrypt hash of the PMO's password, with its salt."""

    salt: bytes
    digest: bytes

    @classmethod
    def of(cls, password: str) -> PasswordHash:
        salt = secrets.token_bytes(16)
        return cls(salt, hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT))

    def matches(self, password: str) -> bool:
        found = hashlib.scrypt(password.encode(), salt=self.salt, **_SCRYPT)
        return hmac.compare_digest(found, self.digest)


def token_hash(token: str) -> str:
    """What is kept of a department token: its SHA-256, hex (the token is 256 random bits)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Access:
    """Department links (token hashes) in `<state>/access.json`, read and written under one lock."""

    def __init__(self, state: Path) -> None:
        self._path = state / "access.json"
        self._lock = threading.Lock()

    def new_link(self, department: str) -> str:
        """A new token for `department` (any earlier one stops working); returned once, kept hashed."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            links = self._read()
            links[department] = {"sha256": token_hash(token), "made": datetime.now(UTC).isoformat(timespec="seconds")}
            self._write(links)
        return token

    def department_of(self, token: str) -> tuple[str, str] | None:
        """(department, token hash) for a valid token, else None."""
        wanted = token_hash(token)
        for department, entry in self._links().items():
            if hmac.compare_digest(entry["sha256"], wanted):
                return department, wanted
        return None

    def still_valid(self, department: str, hashed: str) -> bool:
        entry = self._links().get(department)
        return entry is not None and hmac.compare_digest(entry["sha256"], hashed)

    def departments(self) -> list[str]:
        return sorted(self._links())

    def _links(self) -> dict[str, dict[str, str]]:
        with self._lock:
            return self._read()

    def _read(self) -> dict[str, dict[str, str]]:
        if not self._path.is_file():
            return {}
        data: dict[str, dict[str, str]] = json.loads(self._path.read_text(encoding="utf-8"))
        return data

    def _write(self, links: dict[str, Any]) -> None:
        private_write(self._path, json.dumps(links, ensure_ascii=False, indent=1))


def session_key(state: Path) -> str:
    """The key that signs session cookies: made once, kept in the state folder, readable by its owner only."""
    path = state / "session.key"
    if not path.is_file():
        private_write(path, secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip()


def private_write(path: Path, text: str) -> None:
    """Write `text` to `path` in one step, readable by the server's own user only from the first byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
