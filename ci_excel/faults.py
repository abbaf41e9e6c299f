"""Fault-injection points: named moments of a run where a test stops it, deterministically.

With `CI_EXCEL_FAULT="<point>:<action>"` set, a run reaching `checkpoint(<point>)` in the main
process either kills itself (`kill`: SIGKILL, as `kill -9` or a power cut), asks itself to stop
(`term`: SIGTERM, as a shutdown), or pauses (`pause`: writes its pid to the file named by
`CI_EXCEL_FAULT_FILE` and waits until that file is removed, so a test can fill the disk or start
a second run at that moment), or, on a dask worker, raises (`raise`: the task fails; with
`CI_EXCEL_FAULT_FILE` set a line is added to it each time) or kills its worker the first time
only (`kill-once`: marked by the file `$CI_EXCEL_FAULT_FILE.<point>`, so the retry goes through).
A point may name its subject: `department-task@物流部:raise` fails that department's task alone;
several faults are separated by commas. Unset, a checkpoint costs one environment lookup.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

POINTS = (
    "locked",  # the run holds its locks, nothing written yet
    "read",  # every workbook read and checked
    "department",  # the first department computed, stored aside and reported
    "feedback",  # every feedback copy written
    "portfolio",  # portfolio report, summary workbook and run files written
    "stored",  # the store committed the period; the outputs not swapped in yet
    "swapped",  # the new outputs are in place
)
WORKER_POINTS = (
    "file-task",  # a dask worker starts reading a file (before its sandbox)
    "department-task",  # a dask worker starts a department's task (`department-task@<department>:raise`)
)
SEND_POINTS = (
    "sent",  # `ci-excel send`: a message the SMTP server accepted is recorded in the store
)


def checkpoint(point: str, *, subject: str = "") -> None:
    """Stop here if a test asked for it (see the module's docstring)."""
    wanted = os.environ.get("CI_EXCEL_FAULT")
    if not wanted:
        return
    for fault in wanted.split(","):
        name, _, action = fault.rpartition(":")
        if name in (point, f"{point}@{subject}"):
            _act(name, action)


def _act(name: str, action: str) -> None:
    if action == "kill-once":
        marker = Path(f"{os.environ['CI_EXCEL_FAULT_FILE']}.{name}")
        if marker.exists():
            return
        marker.write_text(str(os.getpid()), encoding="ascii")
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "pause":
        _pause(Path(os.environ["CI_EXCEL_FAULT_FILE"]))
    elif action == "raise":
        _note(os.environ.get("CI_EXCEL_FAULT_FILE"))
        raise RuntimeError(f"fault injected at {name}")
    else:
        os.kill(os.getpid(), signal.SIGTERM if action == "term" else signal.SIGKILL)


def _note(flag: str | None) -> None:
    """One line per raise, so a test can count how often the point was reached."""
    if flag:
        with open(flag, "a", encoding="ascii") as fh:
            fh.write(f"{os.getpid()}\n")


def _pause(flag: Path) -> None:
    flag.write_text(str(os.getpid()), encoding="ascii")
    while flag.exists():
        time.sleep(0.02)
