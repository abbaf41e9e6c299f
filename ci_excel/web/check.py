"""One uploaded workbook checked: the real-files checks, `validate`'s rules, the feedback copy.

The same path as `ci-excel validate --feedback`: `sniff` first (a file that is not a workbook, or
is unsafe to parse, is refused before any reader sees it), then `validation.validate_paths` in a
bounded worker; the annotated copy is written after, in another (`feedback_run.write_all`), so
the findings are shown without waiting for it. The file is checked under the
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
from ci_excel.feedback_run import FeedbackTask, write_all
from ci_excel.fileio import atomic_write, safe_filename
from ci_excel.issues import Issue
from ci_excel.model import SourceFile
from ci_excel.schema import Lang
from ci_excel.sniff import Failure, Kind, sniff
from ci_excel.validation import validate_paths

SUFFIX = {"xlsx": ".xlsx", "xlsm": ".xlsm", "xlsb": ".xlsb", "xls": ".xls", "ods": ".ods"}


@dataclass(frozen=True)
class Checked:
    """What one upload's check found: its issues, the file as read (for its feedback copy), and why it is
    not the department's submission (a text key of web/text.py and its parameters), if it is not."""

    issues: list[Issue]
    source: SourceFile | None
    not_taken: tuple[str, dict[str, Any]] | None = None


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


def check_upload(path: Path, name: str, *, department: str, period: str, config: Config) -> Checked:
    """Validate the workbook at `path` as `name` for `department` and `period`."""
    with tempfile.TemporaryDirectory(prefix="check.") as scratch:
        folder = Path(scratch)
        shutil.copyfile(path, folder / name)
        run = validate_paths(
            [folder / name], root=folder, config=config, jobs=1, canonical_department=config.canonical_department
        )
    found = run.submissions[0] if len(run.submissions) == 1 else None
    return Checked(run.issues, run.files[0] if run.files else None, _not_taken(found, department, period))


def feedback_copy(path: Path, name: str, checked: Checked, *, lang: Lang, out: Path) -> Path | None:
    """Write the annotated copy of the workbook at `path` (checked as `name`) beside `out` (its suffix
    follows the copy's kind); the path written, or None when it could not be (the findings still stand)."""
    if checked.source is None or not checked.issues:
        return None
    with tempfile.TemporaryDirectory(prefix="feedback.") as scratch:
        folder = Path(scratch)
        shutil.copyfile(path, folder / name)
        task = FeedbackTask(checked.source, folder / name, tuple(checked.issues), folder / "copy" / name, lang)
        written, _failed = write_all([task], workers=1)
        if not written:
            return None
        target = out.with_suffix(written[0].suffix)
        atomic_write(target, lambda tmp: shutil.copyfile(written[0], tmp))
        return target


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
