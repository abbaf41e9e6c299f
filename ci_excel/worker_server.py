"""The server report workers fork from (multiprocessing's forkserver), kept light to import.

Workers start clean instead of forking the caller (which may hold a whole period): forked pages
count in every worker's memory and get copied as reference counts change. The server imports the
workers' task module and the drawing code (matplotlib) once; each worker forks with them loaded.
Starting it early (`start`) lets it import while the caller does other work: the CLI starts it
before its own imports, a run before it reads its files.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import multiprocessing.forkserver

DRAWING = "ci_excel.render.drawers"
DEPARTMENTS = "ci_excel.departments"  # the monthly run's tasks (departments.run_job)


def clean_context(tasks_module: str) -> multiprocessing.context.BaseContext:
    """The context of workers forked from a server that has imported `tasks_module` (spawned
    processes where there is no forkserver)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([tasks_module, DRAWING])
    return context


def start(tasks_module: str = DEPARTMENTS) -> None:
    """Start the server now (it keeps running until this process ends); nothing without one."""
    if clean_context(tasks_module).get_start_method() == "forkserver":
        multiprocessing.forkserver.ensure_running()
