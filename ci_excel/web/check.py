"""One uploaded workbook checked: the real-files checks, `validate`'s rules, the feedback copy.

The same path as `ci-excel validate --feedback`: `sniff` first (a file that is not a workbook, or
is unsafe to parse, is refused before any reader sees it), then `validation.validate_paths` in a
bounded worker and `feedback_run.write_run_feedback` in another. The file is checked under the
name the department gave it (made safe), so every message names their own file; what is kept
on disk has a name the server chose (uploads.py). On top, the web's own check: the workbook must
be the signed-in department's, for the period of the page.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ci_excel.config import Config
from ci_excel.feedback_run import write_run_feedback
from ci_excel.fileio import safe_filename
from ci_excel.issues import Issue
from ci_excel.schema import Lang
from ci_excel.sniff import Failure, Kind, sniff
from ci_excel.validation import validate_paths

SUFFIX = {"xlsx": ".xlsx", "xlsm": ".xlsm", "xlsb": ".xlsb", "xls": ".xls", "ods": ".ods"}


@dataclass(frozen=True)
class Checked:
    """What one upload's check found: its issues, the feedback copy (a temporary path), and why it is
    not the department's submission (a text key of web/text.py and its parameters), if it is not."""

    issues: list[Issue]
    feedback: Path | None
    not_taken: tuple[str, dict[str, Any]] | None = None
    department: str | None = None
    period: str | None = None


def refusal(path: Path, name: str) -> Issue | None:
    """The issue refusing the file at `path` (shown as `name`) before it is read, or None: a workbook."""
    found = sniff(path)
    if isinstance(found, Failure):
        return Issue(found.code, name, params={"file": name, **found.message_params()})
    return None


def kind_of(path: Path) -> Kind:
    found = sniff(path)
    assert isinstance(found, Kind), "refusal() said it is a workbook"
    return found


def shown_name(client_name: str, kind: Kind) -> str:
    """The department's own file name, made safe, with the suffix of what the file really is."""
    stem = Path(client_name.replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return safe_filename(stem, default="workbook") + SUFFIX[kind.kind]


def check_upload(path: Path, name: str, *, department: str, period: str, config: Config, lang: Lang,
                 work: Path) -> Checked:
    """Validate the workbook at `path` as `name` for `department` and `period`; the feedback copy (if
    any issue) is left in `work`, which the caller owns."""
    with tempfile.TemporaryDirectory(prefix="check.", dir=work) as scratch:
        folder = Path(scratch) / "in"
        folder.mkdir()
        shutil.copyfile(path, folder / name)
        run = validate_paths([folder / name], root=folder, config=config, work_dir=Path(scratch) / "read",
                             jobs=1, canonical_department=config.canonical_department)
        written = write_run_feedback(run, Path(scratch) / "feedback", lang=lang, root=folder, workers=1) \
            if run.issues else []
        feedback = None
        if written:
            feedback = work / f"feedback{written[0].suffix}"
            shutil.move(written[0], feedback)
    found = run.submissions[0] if len(run.submissions) == 1 else None
    return Checked(run.issues, feedback, _not_taken(found, department, period),
                   found.department if found else None, found.period if found else None)


def _not_taken(found: Any, department: str, period: str) -> tuple[str, dict[str, Any]] | None:
    """Why the workbook cannot stand as `department`'s submission for `period`, or None. A workbook
    whose department and period cannot be read is not taken either: its issues say why."""
    if found is None:
        return "no_submission", {}
    if found.department != department:
        return "wrong_department", {"found": found.department, "department": department}
    if found.period != period:
        return "wrong_period", {"found": found.period, "period": period}
    return None
