"""Where a period's outputs are built and how they are put in place: `output/.runs/<period>.<id>/`.

A run builds everything in a fresh run folder, whose name is the run's id, and `swap_into` makes
`output/<period>` show it in one step. The history store records the id of the run whose outputs
show each stored period, so a kill between the store's commit and the swap is finished by the
next writer of that period (`finish_interrupted_swap`), and the folders of runs that were killed
are removed (`remove_stale`). Only the holder of a period's lock (locking.py) touches its folders.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ci_excel import fileio

RUNS, WORK = ".runs", ".work"  # run folders beside the periods; scratch inside a run folder
MANIFEST = "manifest.json"


def runs_dir(target: Path) -> Path:
    return target.parent / RUNS


@contextmanager
def staging_dir(target: Path) -> Iterator[Path]:
    """A fresh run folder for `target`; removed unless swap_into moved it into place."""
    runs = runs_dir(target)
    runs.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.", dir=runs))
    staging.chmod(0o777 & ~fileio.umask())  # mkdtemp makes it private; outputs are for the whole PMO
    try:
        yield staging
    finally:
        if staging.exists() and not _points_to(target, staging):
            shutil.rmtree(staging, ignore_errors=True)


def work_dir(staging: Path) -> Path:
    """The run's scratch (spilled rows, the period being stored): never listed, gone before the swap."""
    return staging / WORK


def listing(staging: Path) -> list[Path]:
    """The run's output files, relative to its folder."""
    return sorted(
        p.relative_to(staging) for p in staging.rglob("*") if p.is_file() and p.relative_to(staging).parts[0] != WORK
    )


def swap_into(staging: Path, target: Path) -> None:
    """Make `target` show `staging` in one atomic step.

    On POSIX `target` is a symbolic link to a run folder under `.runs/`, replaced with one rename:
    at every instant it shows either the old run or the new one. Elsewhere (no symlinks for normal
    users on Windows) the old folder is moved aside and the new one renamed in.
    """
    shutil.rmtree(work_dir(staging), ignore_errors=True)
    previous = target.resolve() if target.is_symlink() else None
    if os.name == "posix" and (previous is not None or not target.exists()):
        link = target.parent / f".{target.name}.link"
        link.unlink(missing_ok=True)
        link.symlink_to(Path(RUNS) / staging.name)
        os.replace(link, target)
        if previous is not None and previous != staging.resolve():
            shutil.rmtree(previous, ignore_errors=True)
        return
    aside = runs_dir(target) / f"{target.name}.old"
    shutil.rmtree(aside, ignore_errors=True)
    if target.exists():
        os.replace(target, aside)
    os.replace(staging, target)
    shutil.rmtree(aside, ignore_errors=True)


def shown_run(target: Path) -> str | None:
    """The id of the stored run whose outputs `target` shows (from its manifest), if any."""
    try:
        found = json.loads((target / MANIFEST).read_text(encoding="utf-8")).get("run_id")
    except (OSError, ValueError, AttributeError):
        return None
    return found if isinstance(found, str) else None


def finish_interrupted_swap(target: Path, stored_run: str | None) -> bool:
    """Swap in the run the store holds when a kill came between its commit and its swap."""
    if not stored_run or shown_run(target) == stored_run:
        return False
    folder = runs_dir(target) / stored_run
    if not (folder / MANIFEST).is_file() or folder.is_symlink():
        return False
    swap_into(folder, target)
    return True


def periods_with_runs(out: Path) -> list[str]:
    """The periods that have run folders under `out`."""
    runs = out / RUNS
    return sorted({f.name.split(".")[0] for f in runs.iterdir()}) if runs.is_dir() else []


def remove_stale(out: Path, period: str, *, keep: str | None) -> list[str]:
    """Remove the period's run folders that its outputs do not show (those of killed runs), but `keep`
    (the one the store holds). The caller holds the period's lock."""
    target = out / period
    shown = target.resolve().name if target.is_symlink() else None
    removed = []
    for folder in sorted((out / RUNS).glob(f"{period}.*")):
        if folder.name in (shown, keep):
            continue
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
        else:
            folder.unlink(missing_ok=True)
        removed.append(folder.name)
    return removed


def _points_to(target: Path, staging: Path) -> bool:
    return target.is_symlink() and target.resolve() == staging.resolve()
