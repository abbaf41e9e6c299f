"""Benchmark: time and peak memory of reading each corpus file and each hostile case, one child each.

Every file of tests/corpus/real and every case of tests/hostile.py is checked in a fresh child
process (`ci_excel.validation.check_file`, or with --cli the whole `ci-excel validate --format json
FILE`). The parent waits for that child alone (os.wait4), so the peak resident memory printed is
the child's own. Prints one line per file (seconds, peak MB, outcome, issue codes, or how the child
died), then the worst time and the worst memory against the bounds of issue 11 (500 MB, 30 s).
It prints; it never asserts. A file given by name is read whatever it is, so hidden files, lock
files and links (which a folder run skips) are read here too.

    python -m benchmarks.bench_corpus [--only NAME ...] [--cli] [--timeout 120] [--cap-mb 4096]

The children are capped (--cap-mb of address space, --timeout seconds) so that a file which would
take the machine down is reported as over the bound instead.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hostile import CORPUS, build_all  # noqa: E402

MAX_MB = 500
MAX_SECONDS = 30

CHILD = """
import json, sys
from pathlib import Path
from ci_excel.validation import check_file
check = check_file(Path(sys.argv[1]), root=Path(sys.argv[2]))
codes = sorted({i.code for i in check.issues})
print(json.dumps({"outcome": check.source.outcome, "codes": codes}))
"""


@dataclass(frozen=True)
class Measure:
    """One child's run over one file."""

    name: str
    seconds: float
    peak_mb: float
    verdict: str


def measure(path: Path, root: Path, *, cli: bool, timeout: float, cap_mb: int) -> Measure:
    """Run one child over `path` and wait for it alone (os.wait4): wall time, its peak RSS, what it said."""
    args = (
        [sys.executable, "-m", "ci_excel.cli", "validate", "--format", "json", "--lang", "en", str(path)]
        if cli
        else [sys.executable, "-c", CHILD, str(path), str(root)]
    )
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            args, stdout=out, stderr=err, cwd=ROOT, start_new_session=True, preexec_fn=lambda: _cap(cap_mb)
        )
        killed = threading.Event()
        timer = threading.Timer(timeout, _kill, (child.pid, killed))
        timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        verdict = _verdict(child.returncode, out.read(), err.read(), killed.is_set(), cli)
    return Measure(path.relative_to(root).as_posix(), seconds, usage.ru_maxrss / 1024, verdict)


def _cap(cap_mb: int) -> None:
    limit = cap_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _kill(pid: int, killed: threading.Event) -> None:
    killed.set()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _verdict(code: int, out: bytes, err: bytes, timed_out: bool, cli: bool) -> str:
    if timed_out:
        return "TIMEOUT (killed)"
    if code < 0:
        return f"DIED signal {-code}: {_last_line(err)}"
    try:
        data = json.loads(out)
    except ValueError:
        return f"CRASH exit {code}: {_last_line(err)}"
    if cli:
        files = data.get("files", [])
        codes = sorted({i["code"] for i in data.get("issues", [])})
        outcome = files[0]["outcome"] if files else "not listed"
        return f"exit {code} {outcome} {','.join(codes[:4])}"
    return f"{data['outcome']} {','.join(data['codes'][:4])}"


def _last_line(err: bytes) -> str:
    lines = [x for x in err.decode("utf-8", "replace").splitlines() if x.strip() and not x.startswith(" ")]
    return (lines[-1] if lines else "")[:90]


def files_to_measure(work: Path, only: list[str]) -> tuple[Path, list[Path]]:
    """The corpus copied beside the hostile cases built now, under one root."""
    root = work / "submissions"
    shutil.copytree(CORPUS, root / "real")
    build_all(root / "hostile", outside=work / "outside", jobs=min(2, os.cpu_count() or 1))
    paths = sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink())
    if only:
        paths = [p for p in paths if any(o in p.name for o in only)]
    return root, paths


def line(m: Measure) -> str:
    flag = "  <-- over a bound" if m.seconds > MAX_SECONDS or m.peak_mb > MAX_MB else ""
    return f"{m.name:64} {m.seconds:7.2f} s {m.peak_mb:8.1f} MB  {m.verdict}{flag}"


def summary(results: list[Measure]) -> None:
    """The worst time and the worst memory against the issue's bounds, and how many children died."""
    slow = max(results, key=lambda m: m.seconds)
    big = max(results, key=lambda m: m.peak_mb)
    over = sum(m.seconds > MAX_SECONDS or m.peak_mb > MAX_MB for m in results)
    died = sum(m.verdict.startswith(("DIED", "CRASH", "TIMEOUT")) for m in results)
    print(
        f"\nworst time:   {slow.seconds:7.2f} s  = {slow.seconds / MAX_SECONDS:5.2f} x the {MAX_SECONDS} s bound  "
        f"({slow.name})"
    )
    print(f"worst memory: {big.peak_mb:7.1f} MB = {big.peak_mb / MAX_MB:5.2f} x the {MAX_MB} MB bound ({big.name})")
    print(f"{len(results)} files: {over} over a bound, {died} children died, crashed or timed out")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=[], help="only files whose name contains one of these")
    parser.add_argument("--cli", action="store_true", help="run `ci-excel validate --format json FILE` instead")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a child is killed")
    parser.add_argument("--cap-mb", type=int, default=4096, help="address-space cap of each child (MB)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_corpus_") as tmp:
        root, paths = files_to_measure(Path(tmp), args.only)
        print(
            f"{len(paths)} files; bounds {MAX_MB} MB and {MAX_SECONDS} s per file; children capped at "
            f"{args.cap_mb} MB and {args.timeout:.0f} s\n",
            flush=True,
        )
        results = []
        for path in paths:
            results.append(measure(path, root, cli=args.cli, timeout=args.timeout, cap_mb=args.cap_mb))
            print(line(results[-1]), flush=True)
        if results:
            summary(results)


if __name__ == "__main__":
    main()
