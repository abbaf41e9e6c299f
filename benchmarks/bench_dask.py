"""The dask executor against the local pools, and the client's memory as N grows.

In one run, on the same generated registers (one department each, `--rows` rows a sheet):
  (a) `consolidate --executor local` at the first N (default 1,200) with every core;
  (b) `consolidate --executor dask` at the same N on a LocalCluster of as many single-thread worker
      processes as there are cores: the overhead ratio b/a;
  (c) the dask run again at every larger N (default 5,000): the client's peak memory.
Each run is a fresh child process (the client); the cluster (scheduler and nannies) lives in this
process and its workers in their own, so the child's peak RSS is the client's alone: the main
process that reads the store, writes feedback copies, the summary workbook and the portfolio.
On one machine the client and the workers share the cores, as the local run's main process and
its pools do. The client's CPU seconds (its own, not its workers') say how many workbooks a second
one client can take in whatever the cluster's size; every child's figures are also appended to
<corpus>/results.jsonl.

    python -m benchmarks.bench_dask --n 1200 --n 5000

Figures are native Word charts (the default) and no PDFs are made.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PERIOD = "2026-11"
ROWS = 6


def child_main(spec: dict[str, Any]) -> None:
    """In the client process: one consolidation, then its time and this process's peak memory."""
    from ci_excel.config import Config
    from ci_excel.pipeline import consolidate

    start = time.perf_counter()
    summary = consolidate(
        Path(spec["folder"]),
        period=PERIOD,
        out=Path(spec["out"]),
        config=Config(),
        executor=spec["executor"],
        scheduler=spec.get("scheduler"),
        jobs=spec["jobs"],
    )
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF)
    line = json.dumps(
        {
            "executor": spec["executor"],
            "seconds": seconds,
            "files": summary.files,
            "departments": len(summary.departments),
            "errors": summary.errors,
            "timings": summary.timings,
            "client_mb": own.ru_maxrss / 1024,
            "client_cpu_s": own.ru_utime + own.ru_stime,
            "local_workers_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        }
    )
    with open(Path(spec["folder"]).parent / "results.jsonl", "a", encoding="utf-8") as log:  # kept between runs
        log.write(line + "\n")
    print(line)


def measure(folder: Path, out: Path, *, executor: str, jobs: int, scheduler: str | None = None) -> dict[str, Any]:
    spec = {"folder": str(folder), "out": str(out), "executor": executor, "jobs": jobs, "scheduler": scheduler}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_dask", "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{executor} run failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def corpus(root: Path, n: int, rows: int) -> tuple[Path, float | None]:
    """n registers in root (reused when complete); seconds spent writing them, if any."""
    from benchmarks.corpus import generate_corpus

    folder = root / f"n{n}_r{rows}"
    if len(list(folder.glob("*.xlsx"))) == n:
        return folder, None
    start = time.perf_counter()
    generate_corpus(folder, n, rows_per_sheet=rows, seed=7, period=PERIOD)
    return folder, time.perf_counter() - start


def run_all(root: Path, sizes: list[int], *, jobs: int, rows: int, local: bool = True) -> list[str]:
    import dask
    from distributed import LocalCluster

    lines = [f"{jobs} cores; registers of {rows} rows a sheet, one department each; native figures, no PDFs"]

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)
        lines.append(text)

    with (
        tempfile.TemporaryDirectory(prefix="bench_dask_") as work,
        dask.config.set({"distributed.worker.daemon": False}),
        LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
    ):
        first = sizes[0]
        for n in sizes:
            folder, wrote = corpus(root, n, rows)
            if wrote is not None:
                say(f"corpus of {n} written in {wrote:.0f} s")
            pair = local and n == first
            if pair:
                alone = measure(folder, Path(work) / f"local{n}", executor="local", jobs=jobs)
                say(_line("local", n, alone))
            remote = measure(
                folder, Path(work) / f"dask{n}", executor="dask", jobs=jobs, scheduler=cluster.scheduler_address
            )
            say(_line("dask", n, remote))
            if pair:
                say(
                    f"overhead at {n}: dask/local = {remote['seconds'] / alone['seconds']:.2f}x "
                    f"(reading {_ratio(remote, alone, 'read_validate')}, departments "
                    f"{_ratio(remote, alone, 'departments')})"
                )
    return lines


def _line(kind: str, n: int, r: dict[str, Any]) -> str:
    t = r["timings"]
    return (
        f"{kind:5} N={n:>5}: {r['seconds']:7.1f} s ({1000 * r['seconds'] / n:6.1f} ms/workbook; read "
        f"{t.get('read_validate', 0):.0f} s, departments {t.get('departments', 0):.0f} s, feedback "
        f"{t.get('feedback', 0):.0f} s, portfolio {t.get('portfolio', 0):.0f} s); client peak "
        f"{r['client_mb']:.0f} MB, client CPU {r['client_cpu_s']:.0f} s; {r['departments']} departments, "
        f"{r['errors']} errors"
    )


def _ratio(a: dict[str, Any], b: dict[str, Any], key: str) -> str:
    return f"{a['timings'].get(key, 0) / max(b['timings'].get(key, 0), 1e-9):.2f}x"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, action="append", help="workbooks (repeat; the first is also run locally)")
    parser.add_argument("--rows", type=int, default=ROWS, help="rows on every table sheet of a register")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="cores: local workers = dask workers")
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "ci_excel_bench_dask")
    parser.add_argument("--no-local", action="store_true", help="skip the local run (client memory only)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(json.loads(args.child))
        return
    start = time.perf_counter()
    lines = run_all(
        args.corpus, sorted(args.n or [1200, 5000]), jobs=args.jobs, rows=args.rows, local=not args.no_local
    )
    print("\n".join([*lines, f"whole benchmark: {time.perf_counter() - start:.0f} s"]))


if __name__ == "__main__":
    main()
