"""Every upload kept, versioned: the bytes under a server-chosen name, its hash, time and findings.

Layout, under the server's state folder (no part of any path comes from the client):

    uploads/<period>/<key>/versions.json        the versions, oldest first
    uploads/<period>/<key>/v0003-<sha12>.xlsx    the bytes uploaded (suffix: what the file really is)
    uploads/<period>/<key>/v0003-feedback.xlsx   its annotated copy, when it has issues

`<key>` is the first 16 hex digits of the department name's SHA-256. The latest version that is
the department's own workbook for the period is its submission: copied, atomically, to
`<submissions>/<period>/<department>.<suffix>`, the folder `ci-excel consolidate` reads. One
department's uploads are taken one at a time (a lock per department), so versions are numbered
without gaps and the submission is always the latest; checks run a few at a time (`checks`). The
findings are kept (and shown) as soon as the check is done; the annotated copy follows a moment
later, written in the background, and the version's entry says when it is there.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from ci_excel.config import Config
from ci_excel.fileio import atomic_write, safe_filename
from ci_excel.issues import Issue
from ci_excel.schema import Lang
from ci_excel.web.check import SUFFIX, Checked, check_upload, feedback_copy, kind_of, refusal, shown_name
from ci_excel.web.guard import LOG


@dataclass(frozen=True)
class Version:
    """One upload as kept: numbered from 1 per department and period."""

    n: int
    name: str  # the department's file name, made safe, for display
    stored: str  # the server's file name
    sha256: str
    size: int
    kind: str
    uploaded_at: str  # ISO 8601, UTC
    issues: list[dict[str, Any]] = field(default_factory=list)
    feedback: str | None = None
    not_taken: list[Any] | None = None  # [text key, params] when this is not the submission
    feedback_pending: bool = False  # the annotated copy is being written

    @property
    def errors(self) -> int:
        return sum(1 for i in self.found() if i.is_error)

    @property
    def warnings(self) -> int:
        return len(self.issues) - self.errors

    def found(self) -> list[Issue]:
        return [
            Issue(i["code"], i["file"], i["sheet"], i["cell"], i["column"], i["value"], i["params"])
            for i in self.issues
        ]

    @property
    def time(self) -> datetime:
        return datetime.fromisoformat(self.uploaded_at)


@dataclass(frozen=True)
class Refused:
    """An upload that is not a workbook ci-excel may read: nothing of it is kept."""

    issue: Issue


def fresh(version: Version, *, minutes: float = 5) -> bool:
    """Uploaded in the last few minutes: a copy still pending after that was lost with a restart."""
    return (datetime.now(UTC) - version.time).total_seconds() < minutes * 60


def department_key(department: str) -> str:
    return hashlib.sha256(department.encode()).hexdigest()[:16]


class Uploads:
    """The versions of every department and period, and the submissions folder they feed."""

    def __init__(self, state: Path, submissions: Path, config: Config, *, checks: int) -> None:
        self.root, self.submissions, self.config = state / "uploads", submissions, config
        self._scratch = state / "tmp"
        self._checks = threading.BoundedSemaphore(checks)
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._feedback = ThreadPoolExecutor(max_workers=checks, thread_name_prefix="feedback")

    def receive(
        self, data: BinaryIO, client_name: str, *, department: str, period: str, lang: Lang
    ) -> Version | Refused:
        """Keep and check one upload (in a worker thread: it blocks for the check)."""
        self._scratch.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="upload.", dir=self._scratch) as scratch:
            raw = Path(scratch) / "upload.bin"
            sha, size = _copy(data, raw)
            refused = refusal(raw, Path(client_name.replace("\\", "/")).name or "upload")
            if refused is not None:
                return Refused(refused)
            kind = kind_of(raw)
            name = shown_name(client_name, kind)
            with self._department(period, department) as folder, self._checks:
                checked = check_upload(raw, name, department=department, period=period, config=self.config)
                version = self._keep(
                    folder,
                    raw,
                    checked,
                    name=name,
                    sha=sha,
                    size=size,
                    kind=kind.kind,
                    department=department,
                    period=period,
                )
        if version.feedback_pending:
            self._feedback.submit(self._write_feedback, period, department, version, checked, lang)
        return version

    def _keep(
        self,
        folder: Path,
        raw: Path,
        checked: Checked,
        *,
        name: str,
        sha: str,
        size: int,
        kind: str,
        department: str,
        period: str,
    ) -> Version:
        versions = self.versions(period, department)
        n = len(versions) + 1
        stored = f"v{n:04}-{sha[:12]}{SUFFIX[kind]}"
        atomic_write(folder / stored, lambda tmp: shutil.copyfile(raw, tmp))
        version = Version(
            n,
            name,
            stored,
            sha,
            size,
            kind,
            datetime.now(UTC).isoformat(timespec="seconds"),
            [_issue_dict(i) for i in checked.issues],
            None,
            list(checked.not_taken) if checked.not_taken else None,
            feedback_pending=bool(checked.issues and checked.source is not None),
        )
        if version.not_taken is None:
            self._submit(folder / stored, department, period, kind)
        self._write_versions(folder, department, [*versions, version])
        return version

    def _write_feedback(self, period: str, department: str, version: Version, checked: Checked, lang: Lang) -> None:
        """In the background: the version's annotated copy, then its entry updated (under the lock)."""
        folder = self.folder(period, department)
        try:
            written = feedback_copy(
                folder / version.stored, version.name, checked, lang=lang, out=folder / f"v{version.n:04}-feedback.xlsx"
            )
        except Exception:  # the findings stand without their copy; the log says why
            LOG.exception("feedback copy of %s version %d failed", department, version.n)
            written = None
        with self._department(period, department):
            versions = self.versions(period, department)
            versions[version.n - 1] = replace(
                versions[version.n - 1], feedback=written.name if written else None, feedback_pending=False
            )
            self._write_versions(folder, department, versions)

    def _submit(self, path: Path, department: str, period: str, kind: str) -> None:
        """The version becomes the department's submission: the one file of it in the period's folder."""
        folder = self.submissions / period
        stem = safe_filename(department)
        target = folder / f"{stem}{SUFFIX[kind]}"
        atomic_write(target, lambda tmp: shutil.copyfile(path, tmp))
        for suffix in SUFFIX.values():
            if suffix != SUFFIX[kind]:
                (folder / f"{stem}{suffix}").unlink(missing_ok=True)

    # -- reading ------------------------------------------------------------------------------

    def versions(self, period: str, department: str) -> list[Version]:
        path = self.folder(period, department) / "versions.json"
        if not path.is_file():
            return []
        return [Version(**v) for v in json.loads(path.read_text(encoding="utf-8"))["versions"]]

    def version(self, period: str, department: str, n: int) -> Version | None:
        found = self.versions(period, department)
        return found[n - 1] if 1 <= n <= len(found) else None

    def file_of(self, period: str, department: str, name: str) -> Path:
        """A kept file of the department's (a name taken from its own versions.json, never from a request)."""
        return self.folder(period, department) / name

    def departments(self, period: str) -> list[str]:
        """Every department with an upload for the period."""
        folder = self.root / period
        found = []
        for each in sorted(folder.glob("*/versions.json")) if folder.is_dir() else []:
            found.append(json.loads(each.read_text(encoding="utf-8"))["department"])
        return found

    def scratch(self) -> Path:
        """The server's own temporary folder (on the state folder's disk)."""
        self._scratch.mkdir(parents=True, exist_ok=True)
        return self._scratch

    def folder(self, period: str, department: str) -> Path:
        return self.root / period / department_key(department)

    # -- plumbing -----------------------------------------------------------------------------

    @contextmanager
    def _department(self, period: str, department: str) -> Iterator[Path]:
        key = f"{period}/{department_key(department)}"
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            folder = self.folder(period, department)
            folder.mkdir(parents=True, exist_ok=True)
            yield folder

    def _write_versions(self, folder: Path, department: str, versions: list[Version]) -> None:
        text = json.dumps(
            {"department": department, "versions": [asdict(v) for v in versions]},
            ensure_ascii=False,
            indent=1,
            default=str,
        )
        atomic_write(folder / "versions.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _copy(data: BinaryIO, to: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with to.open("wb") as out:
        for chunk in iter(lambda: data.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def _issue_dict(issue: Issue) -> dict[str, Any]:
    params = {k: v if isinstance(v, str | int | float | bool) or v is None else str(v) for k, v in issue.params.items()}
    return {
        "code": issue.code,
        "file": issue.file,
        "sheet": issue.sheet,
        "cell": issue.cell,
        "column": issue.column,
        "value": issue.value,
        "params": params,
    }
