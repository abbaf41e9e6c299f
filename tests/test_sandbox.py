"""Bounded workers: a task that crashes, hangs, runs out of memory or panics fails alone, in real processes."""

from __future__ import annotations

import os
import time

from ci_excel.sandbox import Crash, Limits, bounded_map


def _task(kind: str) -> str:
    if kind == "memory":
        return str(len(bytearray(2 << 30)))  # far past the cap: Python raises MemoryError
    if kind == "hang":
        time.sleep(60)
    if kind == "abort":
        os.abort()  # as Rust does when an allocation fails
    if kind == "raise":
        raise ValueError("broken input")
    return f"done {kind}"


def test_each_failure_is_its_own_and_the_others_finish() -> None:
    kinds = ["a", "memory", "b", "hang", "c", "abort", "raise", "d"]
    outcomes = list(bounded_map(_task, kinds, workers=2, limits=Limits(seconds=3, memory_bytes=256 << 20)))
    assert [o if isinstance(o, str) else (o.item, o.code) for o in outcomes] == [
        "done a",
        ("memory", "file-limit"),
        "done b",
        ("hang", "file-limit"),
        "done c",
        ("abort", "file-limit"),
        ("raise", "file-unreadable"),
        "done d",
    ]
    crashes = {o.item: o.reason for o in outcomes if isinstance(o, Crash)}
    assert "256 MB" in crashes["memory"] and "3 s" in crashes["hang"] and "ValueError" in crashes["raise"]
