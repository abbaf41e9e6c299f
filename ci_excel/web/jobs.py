"""The consolidation the PMO starts from the board, run in the background with its progress.

One run per period at a time in this server (a second press while it runs shows the running one);
`pipeline.consolidate` itself holds the period's locks, so a run from the command line at the same
time waits its turn. The run reads the submissions folder the uploads feed, and writes the usual
`output/<period>/`; the board lists those outputs once it is done.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ci_excel.config import Config
from ci_excel.errors import CiExcelError
from ci_excel.pipeline import consolidate
from ci_excel.run_folders import listing
from ci_excel.schema import Lang


@dataclass
class Job:
    """One consolidation: where it is, and what came of it."""

    period: str
    state: str = "running"  # running | done | failed
    phase: str = "read"
    done: int = 0
    total: int = 0
    started: float = field(default_factory=time.time)
    result: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    def progress(self, phase: str, done: int, total: int) -> None:
        self.phase, self.done, self.total = phase, done, total


class Jobs:
    """The server's consolidation runs, one per period at a time."""

    def __init__(
        self, *, out: Path, submissions: Path, db_url: str | None, config: Config, lang: Lang, jobs: int | None = None
    ) -> None:
        self.out, self.submissions, self.db_url, self.config, self.lang = out, submissions, db_url, config, lang
        self.workers = jobs
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, period: str) -> Job:
        """Start the period's consolidation, unless one is running (then that one)."""
        with self._lock:
            job = self._jobs.get(period)
            if job is not None and job.state == "running":
                return job
            job = self._jobs[period] = Job(period)
        threading.Thread(target=self._run, args=(job,), name=f"consolidate-{period}", daemon=True).start()
        return job

    def get(self, period: str) -> Job | None:
        return self._jobs.get(period)

    def _run(self, job: Job) -> None:
        try:
            summary = consolidate(
                self.submissions / job.period,
                period=job.period,
                out=self.out,
                db_url=self.db_url,
                jobs=self.workers,
                lang=self.lang,
                config=self.config,
                progress=job.progress,
            )
            job.result = {
                "departments": len(summary.departments),
                "errors": summary.errors,
                "warnings": summary.warnings,
                "missing": summary.missing,
            }
            job.state = "done"
        except CiExcelError as exc:
            job.reason, job.state = str(exc), "failed"
        except Exception as exc:  # a bug: the board shows it; the server goes on
            job.reason, job.state = f"{type(exc).__name__}: {exc}", "failed"

    def outputs(self, period: str) -> list[Path]:
        """The period's output files, relative to `out/<period>` (what the board lets the PMO download)."""
        folder = self.out / period
        return [p for p in listing(folder) if p.parts[0] != "feedback"] if folder.is_dir() else []
