"""How long the summary workbook takes, and how much memory it needs: `python -m benchmarks.bench_summary`.

Time: write_summary over a whole period of `--n` departments (default 300, about 12,000
problem-level rows), best of `--repeat`; the target is under 5 seconds.

Memory: for each of `--memory` (default 300 and 1,200 departments) a child process feeds a
SummaryWriter the way the pipeline does: each department is made (a deep copy of one of eight
sample departments, renamed), added, then dropped. It reports the child's resident set size
when ready to write and its peak while writing: resource.getrusage ru_maxrss, with the peak reset
after setup through /proc/self/clear_refs (Linux), so imports and setup do not hide it; and in a
second child the tracemalloc peak of the writing alone. The goal is flat: 1,200 departments
within about 1.2x of 300.
"""

from __future__ import annotations

import argparse
import copy
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import openpyxl

from benchmarks.sample_data import sample_period
from ci_excel.render.summary import SummaryWriter, write_summary

_POOL = 8  # distinct sample departments copied round-robin in the memory runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="departments for the timing")
    parser.add_argument("--problems", type=int, default=4, help="problems per department")
    parser.add_argument("--lang", choices=["zh", "en"], default="zh")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--memory", type=int, nargs="*", default=[300, 1200], help="departments per memory run")
    parser.add_argument("--child", choices=["rss", "tracemalloc"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.n, args.problems, args.lang, tracing=args.child == "tracemalloc")))
        return
    _timing(args)
    if args.memory:
        _memory(args)


def _timing(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    result = sample_period(args.n, args.problems, lang=args.lang)
    built = time.perf_counter() - started
    rows = sum(len(rows) for d in result.departments for rows in d.tables.values())
    best = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "portfolio_summary.xlsx"
        for _ in range(args.repeat):
            started = time.perf_counter()
            write_summary(result, out, lang=args.lang)
            best = min(best, time.perf_counter() - started)
        size = out.stat().st_size
        written = _rows_written(out)
    print(f"departments={args.n} problem_level_rows={rows} build={built:.2f}s")
    print(f"rows written per sheet: {written}")
    total = sum(written.values())
    print(
        f"write_summary best of {args.repeat}: {best:.2f}s for {total} rows ({total / best:,.0f} rows/s, "
        f"{size / 1e6:.1f} MB); target 5 s: ratio {best / 5:.2f}"
    )


def _memory(args: argparse.Namespace) -> None:
    runs = {n: {kind: _run_child(n, args, kind) for kind in ("rss", "tracemalloc")} for n in args.memory}
    print("memory, streaming SummaryWriter (departments made, added and dropped one at a time):")
    for n, got in runs.items():
        rss, traced = got["rss"], got["tracemalloc"]
        print(
            f"  {n:>5} departments: peak RSS while writing {rss['peak_mb']:.1f} MB (ready to write "
            f"{rss['before_mb']:.1f} MB, "
            f"+{rss['peak_mb'] - rss['before_mb']:.1f} MB while writing); tracemalloc peak while writing "
            f"{traced['traced_peak_mb']:.1f} MB; {rss['seconds']:.2f}s, {rss['size_mb']:.1f} MB file"
        )
    if len(runs) >= 2:
        (small, a), (large, b) = min(runs.items()), max(runs.items())
        rss_ratio = b["rss"]["peak_mb"] / a["rss"]["peak_mb"]
        delta_ratio = (b["rss"]["peak_mb"] - b["rss"]["before_mb"]) / max(
            a["rss"]["peak_mb"] - a["rss"]["before_mb"], 1e-9
        )
        traced_ratio = b["tracemalloc"]["traced_peak_mb"] / a["tracemalloc"]["traced_peak_mb"]
        print(
            f"  ratio {large}/{small}: peak RSS {rss_ratio:.2f}x, RSS growth while writing {delta_ratio:.2f}x, "
            f"tracemalloc peak {traced_ratio:.2f}x (goal: within about 1.2x)"
        )


def _run_child(n: int, args: argparse.Namespace, kind: str) -> dict[str, float]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.bench_summary",
        "--child",
        kind,
        "--n",
        str(n),
        "--problems",
        str(args.problems),
        "--lang",
        args.lang,
    ]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _child(n: int, problems: int, lang: str, *, tracing: bool) -> dict[str, float]:
    """Stream `n` departments through a SummaryWriter; figures in MB and seconds."""
    pool = sample_period(_POOL, problems, lang=lang)  # type: ignore[arg-type]
    before = _rss_mb()
    _reset_peak()
    if tracing:
        tracemalloc.start()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "portfolio_summary.xlsx"
        with SummaryWriter(out, lang=lang) as writer:  # type: ignore[arg-type]
            for j in range(n):
                d = copy.deepcopy(pool.departments[j % _POOL])
                d.department = f"{d.department}{j:04d}"
                writer.add(d)
                del d
            writer.close(pool.outline)
        size = out.stat().st_size
    seconds = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] if tracing else 0
    return {
        "before_mb": before,
        "peak_mb": _max_rss_mb(),
        "traced_peak_mb": traced / 2**20,
        "seconds": seconds,
        "size_mb": size / 1e6,
    }


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _rss_mb() -> float:
    """The resident set size now (VmRSS)."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) / 1024


def _reset_peak() -> None:
    """Make ru_maxrss start again from the current RSS (Linux: clear_refs 5 resets the high-water mark)."""
    Path("/proc/self/clear_refs").write_text("5")


def _rows_written(path: Path) -> dict[str, int]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: max(ws.max_row - 1, 0) for ws in book.worksheets}
    finally:
        book.close()


if __name__ == "__main__":
    main()
