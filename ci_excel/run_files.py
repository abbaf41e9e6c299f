"""A run's own files: validation.json (every finding) and manifest.json (every input with its hash
and outcome, rows per sheet, the outputs exactly as listed after the swap, versions, timings)."""

from __future__ import annotations

import json
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ci_excel import __version__, run_folders
from ci_excel.issues import Issue
from ci_excel.model import SheetStats, SourceFile
from ci_excel.render.period import PeriodOutputs
from ci_excel.schema import Lang

if TYPE_CHECKING:
    from ci_excel.departments import DepartmentDone


@dataclass
class RunRecord:
    """What the manifest keeps of the reading, once the rows themselves have moved on."""

    sources: list[SourceFile]
    other_period: set[str]
    rows: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # department -> sheet -> counts
    feedback: list[Path] = field(default_factory=list)

    def took(self, done: DepartmentDone) -> None:
        self.rows[done.result.department] = _stats_table(done.stats)


def write_run_files(
    folder: Path, record: RunRecord, outputs: PeriodOutputs, *, lang: Lang, timings: dict[str, float], run_id: str
) -> None:
    """validation.json and manifest.json: the record of what was read."""
    issues = [*outputs.outline.issues, *outputs.issues]
    _write_json(folder / "validation.json", validation_json(outputs.outline.period, issues, lang))
    _write_json(folder / run_folders.MANIFEST, manifest(outputs, record, folder, timings) | {"run_id": run_id})


def refresh_manifest(folder: Path, period: str, run_id: str | None) -> None:
    """After a re-render: the manifest names the stored run shown and lists the files there now."""
    path = folder / run_folders.MANIFEST
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        found = {"period": period}
    found |= {
        "run_id": run_id,
        "rendered_at": datetime.now().isoformat(timespec="seconds"),
        "outputs": _outputs(folder),
    }
    _write_json(path, found)


def _outputs(folder: Path) -> list[str]:
    """The run's files as the manifest lists them (itself included, written last)."""
    return sorted({*(p.as_posix() for p in run_folders.listing(folder)), run_folders.MANIFEST})


def validation_json(period: str, issues: Sequence[Issue], lang: Lang) -> dict[str, Any]:
    found = [i.as_dict(lang) for i in issues]
    return {
        "period": period,
        "valid": not any(i["severity"] == "error" for i in found),
        "stats": {
            "errors": sum(i["severity"] == "error" for i in found),
            "warnings": sum(i["severity"] == "warning" for i in found),
        },
        "issues": found,
    }


def manifest(outputs: PeriodOutputs, record: RunRecord, folder: Path, timings: dict[str, float]) -> dict[str, Any]:
    return {
        "period": outputs.outline.period,
        "generated_at": datetime.now().isoformat(timespec="seconds"),
        "versions": _versions(),
        "inputs": [_input_entry(s, s.path in record.other_period) for s in record.sources],
        "rows": record.rows,
        "departments": [d.department for d in outputs.departments],
        "missing": outputs.outline.missing,
        "late": outputs.late,
        "feedback": sorted(str(p.relative_to(folder)) for p in record.feedback),
        "outputs": _outputs(folder),
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
    }


def _input_entry(source: SourceFile, other_period: bool) -> dict[str, Any]:
    return {
        "file": source.path,
        "sha256": source.sha256,
        "size": source.size,
        "department": source.department,
        "period": source.period,
        "template_version": source.template_version,
        "outcome": "other_period" if other_period else source.outcome,
    }


def _stats_table(stats: dict[str, SheetStats]) -> dict[str, dict[str, int]]:
    return {
        sheet: {"read": s.read, "used": s.used, "rejected": s.rejected, "ignored": s.ignored}
        for sheet, s in stats.items()
    }


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"ci-excel": __version__, "python": platform.python_version()}
    for package in ("openpyxl", "xlsxwriter", "python-docx", "python-calamine", "sqlalchemy", "matplotlib"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            continue
    return found


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """`data` as indented JSON, streamed to the file (a period's every issue is never one string)."""
    with path.open("w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=2, default=str)
