"""PDF copies of the Word reports through LibreOffice (headless).

Documents are split into `jobs` batches; each batch is one soffice process with its own user
profile (parallel LibreOffice instances must not share one), converting into a temporary folder
so a PDF appears beside its .docx only when complete. Each batch gets `timeout` seconds per
document; a batch that runs over is killed and its documents are reported as failed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ci_excel.errors import CiExcelError
from ci_excel.fileio import atomic_write

OnError = Callable[[Path, str], None]
CANDIDATES = ("soffice", "libreoffice")


class LibreOfficeMissing(CiExcelError):
    """LibreOffice is not installed, so no PDF can be made."""


def find_soffice() -> str:
    """The LibreOffice executable (CI_EXCEL_SOFFICE, else soffice/libreoffice on PATH)."""
    explicit = os.environ.get("CI_EXCEL_SOFFICE")
    found = explicit if explicit and Path(explicit).is_file() else next(
        (p for p in (shutil.which(c) for c in CANDIDATES) if p), None)
    if not found:
        raise LibreOfficeMissing(
            "PDF copies need LibreOffice, which was not found (looked for soffice and libreoffice on PATH). "
            "Install it (Debian/Ubuntu: `apt-get install libreoffice-writer-nogui`; Windows/macOS: "
            "libreoffice.org) or set CI_EXCEL_SOFFICE to its path, or run without --pdf.")
    return found


def convert_to_pdf(docs: Sequence[Path], *, jobs: int = 2, timeout: float = 120,
                   on_error: OnError | None = None) -> dict[Path, Path]:
    """Convert each document to a PDF beside it; returns document -> PDF for those converted.

    Failures (timeout, crash, no output) go to `on_error(doc, reason)`; without a callback they
    raise CiExcelError after the other documents were converted.
    """
    if not docs:
        return {}
    soffice = find_soffice()
    batches = [list(docs[i::max(1, jobs)]) for i in range(max(1, min(jobs, len(docs))))]
    done: dict[Path, Path] = {}
    failed: list[tuple[Path, str]] = []
    with ThreadPoolExecutor(max_workers=len(batches)) as pool:
        for converted, errors in pool.map(lambda b: _convert_batch(soffice, b, timeout), batches):
            done.update(converted)
            failed.extend(errors)
    for doc, reason in failed:
        if on_error is None:
            names = ", ".join(f"{d.name} ({r})" for d, r in failed)
            raise CiExcelError(f"LibreOffice could not convert {len(failed)} report(s) to PDF: {names}")
        on_error(doc, reason)
    return {doc: done[doc] for doc in docs if doc in done}


def _convert_batch(soffice: str, docs: list[Path], timeout: float) -> tuple[dict[Path, Path], list[tuple[Path, str]]]:
    with tempfile.TemporaryDirectory(prefix="ci_excel_lo_") as tmp:
        profile, outdir = Path(tmp) / "profile", Path(tmp) / "out"
        outdir.mkdir()
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf", "--outdir", str(outdir), *(str(d) for d in docs)]
        reason = _run(command, timeout * len(docs))
        converted: dict[Path, Path] = {}
        errors: list[tuple[Path, str]] = []
        for doc in docs:
            made = outdir / f"{doc.stem}.pdf"
            if made.is_file() and made.stat().st_size > 0:
                converted[doc] = atomic_write(doc.with_suffix(".pdf"), _copier(made))
            else:
                errors.append((doc, reason or "LibreOffice produced no PDF"))
        return converted, errors


def _copier(source: Path) -> Callable[[Path], object]:
    return lambda tmp: shutil.copyfile(source, tmp)


def _run(command: list[str], timeout: float) -> str | None:
    """Run soffice in its own process group; kill the whole group on timeout. Returns a failure reason."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
        process.communicate()
        return f"timed out after {timeout:.0f} s"
    if process.returncode != 0:
        return f"exit code {process.returncode}: {err.decode(errors='replace').strip()[:200]}"
    return None

