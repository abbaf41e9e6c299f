"""The server every worker process forks from (multiprocessing's forkserver), kept light to import.

Workers start clean instead of forking the caller: forked pages of a caller holding a whole period
count in every worker's memory and get copied as reference counts change, and a caller with
threads (pebble's pool manager, a web job, a dask worker) can fork while one of them holds an
import lock, leaving the child stuck on its first import. The server imports the workers' modules
once; each worker forks from it with them loaded. Starting it early (`start`)
lets it import while the caller does other work: the CLI starts it before its own imports
(`validate` with only the modules its sandboxed readers run).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver

from ci_excel.errors import UsageError

DEPARTMENTS = "ci_excel.departments"  # the monthly run's report tasks (departments.run_job)
DRAWING = "ci_excel.render.drawers"  # matplotlib: preloaded for --figures png (see preload_for)
READING = "ci_excel.intake"  # the sandboxed file checks (intake._check)
FEEDBACK = "ci_excel.render.feedback_xlsx"  # openpyxl, for the sandboxed feedback copies (feedback_run.write_one)
SANDBOXED = (READING, FEEDBACK)  # what sandbox.py's workers run: all a `validate` needs
WORKER_MODULES = (DEPARTMENTS, *SANDBOXED)


def preload_for(figures: str) -> tuple[str, ...]:
    """What the server preloads for a run's workers. `--figures png` draws every figure, so matplotlib
    too; a native run draws only fishbones whose picture is not cached, and a worker that does
    imports matplotlib then (a small run or a re-run often draws none: about 0.85 s of CPU saved)."""
    return (*WORKER_MODULES, DRAWING) if figures == "png" else WORKER_MODULES


def clean_context(preload: tuple[str, ...] = WORKER_MODULES) -> multiprocessing.context.BaseContext:
    """The context of workers forked from the server (spawned processes where there is no
    forkserver). The server imports `preload` if it starts after this call; once running it keeps
    what it has, and a worker imports whatever else its task needs."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    return context


def start(preload: tuple[str, ...] = WORKER_MODULES) -> None:
    """Start the server now, importing `preload` (it keeps running until this process ends);
    nothing without one."""
    if clean_context(preload).get_start_method() == "forkserver":
        multiprocessing.forkserver.ensure_running()


def check_not_starting_a_worker() -> None:
    """Refuse a run (consolidate, report, send) asked for while this process is a worker still
    starting: a script that calls ci-excel without an `if __name__ == "__main__":` guard runs again
    in each worker, and that run would wait for the period's lock its own caller holds, for ever."""
    if getattr(multiprocessing.current_process(), "_inheriting", False):  # multiprocessing's own check
        raise UsageError(
            "A ci-excel run was started while a worker process was starting: a script that calls it "
            'must do so under `if __name__ == "__main__":` (each worker imports the script).'
        )
