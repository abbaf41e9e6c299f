"""End-to-end benchmark: ci-excel consolidate against a naive PMO script and the raw reading floor.

For each N it measures, side by side, on the same generated department registers:
  (a) `ci_excel.pipeline.consolidate` end to end (parallel read/validate, then per department in
      worker processes: merge, compute, report; store; portfolio outputs);
  (b) a naive baseline written the way a PMO analyst would: pandas.read_excel (openpyxl) per
      workbook and the same department report built with python-docx cell by cell and a fresh
      pyplot figure per chart, one process;
  (c) the raw lower bound for reading: unzip plus an XML parse of every sheet;
and, for reading alone, ci-excel's read+validate (`check_file`, one process) against
python-calamine's bare value read. Every measurement runs in a fresh child process so its peak
memory (its own and its workers') is its own.

    python -m benchmarks.bench_end_to_end --n 300 --n 1200

The baseline is slow by nature, so it runs on the first `--baseline-sample` workbooks and its
per-workbook time is scaled to N (printed as such). The corpus is cached in --corpus between runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal
from xml.etree import ElementTree

PERIOD = "2026-11"
ROWS = 40


# --- the measured workloads (each runs inside a child process) ------------------------------------


def run_consolidate(
    files: Sequence[Path], folder: Path, out: Path, jobs: int | None, *, figures: Literal["native", "png"] = "native"
) -> dict[str, Any]:
    """(a) ci-excel end to end on `folder` (native Word charts, the default)."""
    from ci_excel.config import Config
    from ci_excel.pipeline import consolidate

    summary = consolidate(folder, period=PERIOD, out=out, jobs=jobs, config=Config(), figures=figures)
    return {
        "files": summary.files,
        "departments": len(summary.departments),
        "errors": summary.errors,
        "warnings": summary.warnings,
        "timings": summary.timings,
    }


def run_consolidate_png(files: Sequence[Path], folder: Path, out: Path, jobs: int | None) -> dict[str, Any]:
    """(a) with `--figures png`: every chart a matplotlib picture, drawn into an empty figure cache."""
    return run_consolidate(files, folder, out, jobs, figures="png")


def run_check_files(files: Sequence[Path], folder: Path, out: Path, jobs: int | None) -> dict[str, Any]:
    """ci-excel's reading and validation of each file, one process (no merge, no outputs)."""
    from ci_excel.validation import check_file

    issues = sum(len(check_file(path, root=folder).issues) for path in files)
    return {"issues": issues}


def run_calamine(files: Sequence[Path], folder: Path, out: Path, jobs: int | None) -> dict[str, Any]:
    """python-calamine's bare value read of every sheet."""
    import python_calamine as pc

    cells = 0
    for path in files:
        book = pc.CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python())
    return {"cells": cells}


def run_raw(files: Sequence[Path], folder: Path, out: Path, jobs: int | None) -> dict[str, Any]:
    """(c) the floor: unzip and parse the XML of every sheet and the shared strings."""
    elements = 0
    for path in files:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/sheet") or name == "xl/sharedStrings.xml":
                    elements += len(ElementTree.fromstring(zf.read(name)))
    return {"elements": elements}


def run_baseline(files: Sequence[Path], folder: Path, out: Path, jobs: int | None) -> dict[str, Any]:
    """(b) what a PMO analyst writes for the same report: pandas + openpyxl, python-docx cell by cell.

    Each workbook is read with pandas.read_excel (openpyxl); the department's report, the same
    content ci-excel writes, is built through python-docx's object API (table.cell per cell) with a
    fresh pyplot figure per chart, one process, no figure reuse. The figures come from ci-excel's
    own computations (validation and scoring are a few ms a workbook and counted here too), so the
    baseline differs only in how it reads and renders.
    """
    import pandas as pd

    from benchmarks.bench_reports import NaiveDoc
    from ci_excel.compute import compute_department
    from ci_excel.config import Config
    from ci_excel.render.docx_department import build_department
    from ci_excel.render.reference_doc import ASSET
    from ci_excel.validation import check_file, merge

    out.mkdir(parents=True, exist_ok=True)
    template, config, rows = ASSET.read_bytes(), Config(), 0
    for k, path in enumerate(files):
        book = pd.read_excel(path, sheet_name=None, engine="openpyxl")
        rows += sum(len(frame) for frame in book.values())
        for sub in merge([check_file(path, root=folder)]).submissions:
            doc = NaiveDoc(template, "zh")
            build_department(doc, compute_department(sub, config=config), generated_on=date.today())  # type: ignore[arg-type]
            doc.save(out / f"naive_{k}.docx")
    return {"rows": rows}


WORKLOADS: dict[str, Callable[[Sequence[Path], Path, Path, int | None], dict[str, Any]]] = {
    "consolidate": run_consolidate,
    "consolidate_png": run_consolidate_png,
    "check_file": run_check_files,
    "calamine": run_calamine,
    "raw": run_raw,
    "baseline": run_baseline,
}


def child_main(spec: dict[str, Any]) -> None:
    """Run one workload and print its timing and peak memory as one JSON line."""
    folder = Path(spec["folder"])
    files = sorted(folder.glob("*.xlsx"))[: spec.get("limit") or None]
    start = time.perf_counter()
    result = WORKLOADS[spec["kind"]](files, folder, Path(spec["out"]), spec.get("jobs"))
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {"seconds": seconds, "n": len(files), "rss_mb": own / 1024, "worker_rss_mb": workers / 1024, **result}
        )
    )


# --- orchestration -----------------------------------------------------------------------------


def measure(
    kind: str,
    folder: Path,
    out: Path,
    *,
    jobs: int | None = None,
    limit: int | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Run one workload in a fresh child process; on timeout the child and its workers are killed."""
    spec = {"kind": kind, "folder": str(folder), "out": str(out), "jobs": jobs, "limit": limit}
    child = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.bench_end_to_end", "--child", json.dumps(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        return {"skipped": f"stopped after {timeout:.0f} s (the time budget)"}
    if child.returncode != 0:
        raise RuntimeError(f"{kind} failed:\n{stderr[-3000:]}")
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    result["ms"] = 1000 * result["seconds"] / max(result["n"], 1)
    return result


def ensure_corpus(root: Path, n: int, *, seed: int, problems: int | None = None) -> tuple[Path, float | None]:
    """The corpus of `n` workbooks in root/all (reused when complete); seconds spent writing, if any."""
    from benchmarks.corpus import generate_corpus

    folder = root / "all"
    stamp = root / "corpus.json"
    wanted: dict[str, Any] = {"n": n, "rows": ROWS, "seed": seed, "period": PERIOD}
    if problems:
        wanted["problems"] = problems
    if stamp.is_file() and json.loads(stamp.read_text()) == wanted and len(list(folder.glob("*.xlsx"))) == n:
        return folder, None
    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    generate_corpus(folder, n, rows_per_sheet=ROWS, seed=seed, period=PERIOD, problems=problems)
    seconds = time.perf_counter() - start
    stamp.write_text(json.dumps(wanted))
    return folder, seconds


def subset(root: Path, folder: Path, n: int) -> Path:
    """A folder holding the first `n` corpus files (hard links; copies where links fail)."""
    target = root / f"n{n}"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in sorted(folder.glob("*.xlsx"))[:n]:
        try:
            os.link(path, target / path.name)
        except OSError:
            shutil.copy2(path, target / path.name)
    return target


@dataclass
class Budget:
    """Wall-clock seconds the whole run may take (0: no limit): keeps `--n 300 --n 1200` bounded."""

    seconds: float
    start: float = field(default_factory=time.perf_counter)

    def left(self) -> float | None:
        if not self.seconds:
            return None
        return max(self.seconds - (time.perf_counter() - self.start), 1.0)


def bench_n(
    root: Path,
    corpus: Path,
    n: int,
    *,
    jobs: int,
    baseline: dict[str, Any],
    work: Path,
    budget: Budget,
    previous_ms: float | None,
    say: Callable[[str], None],
    png: bool = False,
) -> dict[str, Any]:
    folder = subset(root, corpus, n)
    row: dict[str, Any] = {"n": n, "baseline": baseline}
    for kind in ("raw", "calamine", "check_file"):
        say(f"  N={n}: {kind} ...")
        row[kind] = measure(kind, folder, work / f"{kind}_{n}")
    left = budget.left()
    projected = None if previous_ms is None else previous_ms * n / 1000
    if left is not None and projected is not None and projected > left:
        row["consolidate"] = {
            "skipped": f"projected {projected:.0f} s from the smaller N exceeds the "
            f"{left:.0f} s left of the time budget (--budget 0 to force)",
            "projected_seconds": projected,
        }
        return row
    say(f"  N={n}: consolidate ...")
    row["consolidate"] = measure("consolidate", folder, work / f"consolidate_{n}", jobs=jobs, timeout=left)
    if png:
        say(f"  N={n}: consolidate --figures png ...")
        row["consolidate_png"] = measure("consolidate_png", folder, work / f"png_{n}", jobs=jobs, timeout=budget.left())
    return row


@dataclass(frozen=True)
class Speedup:
    """consolidate end to end on the same few workbooks with --jobs 1 and with --jobs N."""

    n: int
    jobs: int
    one: float
    many: float

    def line(self) -> str:
        return (
            f"parallel speed-up of consolidate end to end on {self.n} workbooks, --jobs {self.jobs} over "
            f"--jobs 1: {self.one / self.many:.2f}x ({self.one:.1f} s -> {self.many:.1f} s)"
        )


def report(
    rows: list[dict[str, Any]],
    *,
    jobs: int,
    corpus_ms: float | None,
    problems: int = ROWS,
    speedup: Speedup | None = None,
) -> str:
    lines = [
        f"ci-excel end-to-end benchmark: {ROWS} rows per sheet, {problems} problems per register, "
        f"{jobs} worker processes, {os.cpu_count()} cores"
    ]
    if corpus_ms is not None:
        lines.append(f"corpus written with write_workbook: {corpus_ms:.1f} ms per workbook (parallel)")
    if speedup is not None:
        lines.append(speedup.line())
    for row in rows:
        lines += _report_n(row, jobs)
    lines += ["", "targets:", *_targets(rows)]
    return "\n".join(lines)


def _targets(rows: list[dict[str, Any]]) -> list[str]:
    done = [r for r in rows if "seconds" in r["consolidate"]]
    out = []
    at_300 = next((r for r in done if r["n"] == 300), None)
    if at_300 is not None:
        out.append(
            _verdict(
                f"300 workbooks end to end in {at_300['consolidate']['seconds']:.1f} s",
                "<= 20 s",
                at_300["consolidate"]["seconds"] <= 20,
            )
        )
    for r in done:
        png = r.get("consolidate_png", {})
        if "seconds" in png:
            ratio = png["seconds"] / r["consolidate"]["seconds"]
            text = (
                f"N={r['n']}: native charts {ratio:.1f}x faster than --figures png "
                f"({png['seconds']:.1f} s -> {r['consolidate']['seconds']:.1f} s)"
            )
            out.append(_verdict(text, ">= 4x", ratio >= 4))
    for r in done:
        speedup = r["baseline"]["ms"] / r["consolidate"]["ms"]
        out.append(
            _verdict(f"N={r['n']}: ci-excel {speedup:.1f}x faster than the naive baseline", ">= 10x", speedup >= 10)
        )
    read = rows[-1]["check_file"]["ms"] / rows[-1]["calamine"]["ms"]
    out.append(_verdict(f"read+validate {read:.1f}x python-calamine's bare read", "<= 3x", read <= 3))
    if len(done) > 1:
        first, last = done[0], done[-1]
        growth = _peak(last["consolidate"]) / _peak(first["consolidate"])
        out.append(
            _verdict(
                f"peak memory {_peak(first['consolidate']):.0f} MB at N={first['n']}, "
                f"{_peak(last['consolidate']):.0f} MB at N={last['n']} (x{growth:.2f})",
                "flat (<= x1.25)",
                growth <= 1.25,
            )
        )
    return out


def _verdict(text: str, target: str, ok: bool) -> str:
    return f"  [{'PASS' if ok else 'MISS'}] {text} (target {target})"


def _peak(result: dict[str, Any]) -> float:
    return float(max(result["rss_mb"], result["worker_rss_mb"]))


def _report_n(row: dict[str, Any], jobs: int) -> list[str]:
    n, a, b, c = row["n"], row["consolidate"], row["baseline"], row["raw"]
    cal, chk = row["calamine"], row["check_file"]
    b_total = b["ms"] * n / 1000
    lines = [f"\nN = {n} workbooks", f"  {'':38}{'total s':>10}{'ms/workbook':>13}{'peak MB':>10}"]
    if "skipped" in a:
        lines.append(f"  (a) ci-excel consolidate: skipped, {a['skipped']}")
    else:
        lines.append(_line("(a) ci-excel consolidate", a["seconds"], a["ms"], _peak(a)))
    png = row.get("consolidate_png", {})
    if "seconds" in png:
        lines.append(_line("    the same with --figures png", png["seconds"], png["ms"], _peak(png)))
    lines += [
        _line(f"(b) naive baseline (first {b['n']}, scaled)", b_total, b["ms"], _peak(b)),
        _line("(c) raw unzip + XML parse", c["seconds"], c["ms"], _peak(c)),
        _line("    python-calamine bare read", cal["seconds"], cal["ms"], _peak(cal)),
        _line("    ci-excel read+validate (1 process)", chk["seconds"], chk["ms"], _peak(chk)),
        f"  read+validate / calamine bare read = {chk['ms'] / cal['ms']:.2f}x",
    ]
    if "skipped" not in a:
        lines += _ratios(a, b_total, c, chk, jobs)
    return lines


def _ratios(a: dict[str, Any], b_total: float, c: dict[str, Any], chk: dict[str, Any], jobs: int) -> list[str]:
    timings = a.get("timings", {})
    lines = [
        "  a stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()),
        f"  a/b = {a['seconds'] / b_total:.3f}  (ci-excel is {b_total / a['seconds']:.1f}x faster than the baseline)",
        f"  a/c = {a['seconds'] / c['seconds']:.1f}  (end to end over the raw reading floor)",
        f"  peak memory of (a): {a['rss_mb']:.0f} MB main process, {a['worker_rss_mb']:.0f} MB largest worker",
    ]
    if timings.get("read_validate"):
        parallel = timings["read_validate"]
        lines.append(
            f"  parallel speed-up of read+validate with {jobs} workers: {chk['seconds'] / parallel:.2f}x "
            f"({chk['seconds']:.1f} s in one process -> {parallel:.1f} s)"
        )
    lines.append(f"  errors/warnings found by (a): {a.get('errors')}/{a.get('warnings')} in {a.get('files')} files")
    return lines


def _line(label: str, total: float, ms: float, peak: float) -> str:
    return f"  {label:<38}{total:>10.1f}{ms:>13.1f}{peak:>10.0f}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="ci-excel end-to-end benchmark")
    parser.add_argument("--n", type=int, action="append", help="workbook count (repeatable; default 300 and 1200)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes for (a)")
    parser.add_argument("--baseline-sample", type=int, default=12, help="workbooks the naive baseline runs on")
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="where the generated corpus is kept between runs (default: a folder in the temp dir)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--problems",
        type=int,
        default=None,
        help=f"problems per register (default {ROWS}: one row of every sheet per problem)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=540,
        help="seconds the whole run may take; a consolidate that would not fit is skipped (0: none)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the raw measurements here")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(json.loads(args.child))
        return
    sizes = sorted(set(args.n or [300, 1200]))
    corpus = args.corpus or Path(tempfile.gettempdir()) / (
        "ci_excel_bench_corpus" + (f"_p{args.problems}" if args.problems else "")
    )
    rows, corpus_ms, speedup = run_all(
        corpus,
        sizes,
        jobs=args.jobs,
        sample=args.baseline_sample,
        seed=args.seed,
        budget=Budget(args.budget),
        problems=args.problems,
    )
    print(report(rows, jobs=args.jobs, corpus_ms=corpus_ms, problems=args.problems or ROWS, speedup=speedup))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, default=str))


def run_all(
    root: Path, sizes: list[int], *, jobs: int, sample: int, seed: int, budget: Budget, problems: int | None = None
) -> tuple[list[dict[str, Any]], float | None, Speedup]:
    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    root.mkdir(parents=True, exist_ok=True)
    say(f"corpus: {max(sizes)} workbooks in {root} ...")
    corpus, seconds = ensure_corpus(root, max(sizes), seed=seed, problems=problems)
    corpus_ms = None if seconds is None else 1000 * seconds / max(sizes)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="ci_excel_bench_") as tmp:
        work = Path(tmp)
        say(f"  baseline on {sample} workbooks ...")
        baseline = measure("baseline", corpus, work / "baseline", limit=sample)
        say(f"  consolidate on {2 * sample} workbooks with --jobs 1 and --jobs {jobs} ...")
        few = subset(root, corpus, 2 * sample)
        speedup = Speedup(
            2 * sample, jobs, *(measure("consolidate", few, work / f"jobs{j}", jobs=j)["seconds"] for j in (1, jobs))
        )
        for n in sizes:
            previous = rows[-1]["consolidate"].get("ms") if rows else None
            rows.append(
                bench_n(
                    root,
                    corpus,
                    n,
                    jobs=jobs,
                    baseline=baseline,
                    work=work,
                    budget=budget,
                    previous_ms=previous,
                    say=say,
                    png=n == sizes[0],
                )
            )
    return rows, corpus_ms, speedup


if __name__ == "__main__":
    main()
