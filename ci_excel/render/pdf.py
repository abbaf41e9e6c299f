"""PDF copies of the Word reports through LibreOffice (headless).

Documents are split into `jobs` batches; each batch is one soffice process with its own user
profile (parallel LibreOffice instances must not share one), converting into a temporary folder
so a PDF appears beside its .docx only when complete. `timeout` is per document: when no new PDF
appears for that long the process is killed, the document it was on is reported as failed, and
the rest of the batch is retried in a new process.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ci_excel.errors import CiExcelError
from ci_excel.fileio import atomic_write
from ci_excel.render.toc_pages import fill_toc_pages

OnError = Callable[[Path, str], None]
CANDIDATES = ("soffice", "libreoffice")


class LibreOfficeMissing(CiExcelError):
    """LibreOffice is not installed, so no PDF can be made."""


def find_soffice() -> str:
    """The LibreOffice executable (CI_EXCEL_SOFFICE, else soffice/libreoffice on PATH)."""
    explicit = os.environ.get("CI_EXCEL_SOFFICE")
    found = (
        explicit
        if explicit and Path(explicit).is_file()
        else next((p for p in (shutil.which(c) for c in CANDIDATES) if p), None)
    )
    if not found:
        raise LibreOfficeMissing(
            "PDF copies need LibreOffice, which was not found (looked for soffice and libreoffice on PATH). "
            "Install it (Debian/Ubuntu: `apt-get install libreoffice-writer-nogui`; Windows/macOS: "
            "libreoffice.org) or set CI_EXCEL_SOFFICE to its path, or run without --pdf."
        )
    return found


def convert_to_pdf(
    docs: Sequence[Path], *, jobs: int = 2, timeout: float = 120, on_error: OnError | None = None
) -> dict[Path, Path]:
    """Convert each document to a PDF beside it; returns document -> PDF for those converted.

    A report's contents get their page numbers from its first PDF (`toc_pages`), and the report is
    converted once more so its PDF shows them. Failures (timeout, crash, no output) go to
    `on_error(doc, reason)`; without a callback they raise CiExcelError after the other documents
    were converted.
    """
    done = _convert(docs, jobs=jobs, timeout=timeout, on_error=on_error)
    paged = [doc for doc, pdf in done.items() if fill_toc_pages(doc, pdf)]
    done.update(_convert(paged, jobs=jobs, timeout=timeout, on_error=on_error))
    return done


def _convert(docs: Sequence[Path], *, jobs: int, timeout: float, on_error: OnError | None) -> dict[Path, Path]:
    if not docs:
        return {}
    soffice = find_soffice()
    batches = [list(docs[i :: max(1, jobs)]) for i in range(max(1, min(jobs, len(docs))))]
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
    """One LibreOffice profile for the batch; a document that hangs is skipped and the rest retried."""
    converted: dict[Path, Path] = {}
    errors: list[tuple[Path, str]] = []
    pending = list(docs)
    with tempfile.TemporaryDirectory(prefix="ci_excel_lo_") as tmp:
        profile = Path(tmp) / "profile"
        for attempt in itertools.count():
            outdir = Path(tmp) / f"out{attempt}"
            outdir.mkdir()
            command = [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                *(str(d) for d in pending),
            ]
            failure = _run_watched(command, outdir, timeout)
            for doc in pending:
                made = outdir / f"{doc.stem}.pdf"
                if made.is_file() and made.stat().st_size > 0:
                    converted[doc] = atomic_write(doc.with_suffix(".pdf"), _copier(made))
            pending = [d for d in pending if d not in converted]
            if failure is None or not pending:
                errors += [(d, failure or "LibreOffice produced no PDF") for d in pending]
                return converted, errors
            errors.append((pending[0], failure))  # the document it was stuck on
            pending = pending[1:]
            if not pending:
                return converted, errors
    return converted, errors


def _copier(source: Path) -> Callable[[Path], object]:
    return lambda tmp: shutil.copyfile(source, tmp)


def _run_watched(command: list[str], outdir: Path, timeout: float) -> str | None:
    """Run soffice in its own process group; kill it when no new PDF appears for `timeout` seconds."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    made, last = 0, time.monotonic()
    while True:
        try:
            _, err = process.communicate(timeout=0.5)
            break
        except subprocess.TimeoutExpired:
            count = sum(1 for _ in outdir.glob("*.pdf"))
            if count > made:
                made, last = count, time.monotonic()
            elif time.monotonic() - last > timeout:
                _kill(process)
                return f"timed out after {timeout:g} s"
    if process.returncode != 0:
        return f"exit code {process.returncode}: {err.decode(errors='replace').strip()[:200]}"
    return None


def _kill(process: subprocess.Popen[bytes]) -> None:
    if os.name == "posix":
        os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()
    process.communicate()
