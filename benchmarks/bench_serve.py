"""`ci-excel serve` on loopback: time from upload to findings, and concurrent uploads with nothing lost.

The real server in a subprocess (tests/serve_client.py), driven over HTTP:
1. a 40-row register (40 rows on every table sheet) uploaded N times, clean and with two mistakes:
   the time from sending the upload to having the findings page, median and worst (target: under
   1 s on 2 cores), and to the annotated copy being ready (written in the background);
2. C concurrent uploads (D departments, C/D uploads each, one thread per upload): every upload
   answered with its findings page, every version kept and numbered without a gap, and each
   department's submission the bytes of its last version.

    python -m benchmarks.bench_serve [--repeat 10] [--concurrent 50] [--departments 10]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import httpx

from benchmarks.corpus import register_rows
from ci_excel.fileio import safe_filename
from ci_excel.schema import REGISTER, TABLE_SHEETS
from ci_excel.templates import write_workbook
from ci_excel.web.uploads import department_key
from tests.serve_client import PERIOD, Client, Server, running_server, wait_for_feedback

ROWS = 40


def register(path: Path, department: str, *, seed: int, mistakes: bool = False) -> Path:
    tables = register_rows(random.Random(seed), ROWS, PERIOD)
    if mistakes:
        tables["problems"][0]["impact"] = "很高"
        tables["actions"][3]["due_on"] = "明天"
    info = {
        "department": department,
        "period": PERIOD,
        "contact": "张敏",
        "contact_info": "pmo@example.com",
        "submitted_on": date(2026, 11, 28),
    }
    return write_workbook(
        path, [s.key for s in TABLE_SHEETS], info=info, rows=tables, with_example=False, workbook=REGISTER
    )


def time_to_findings(server: Server, folder: Path, repeat: int) -> None:
    """Upload, findings page, and (with mistakes) the annotated copy ready, one upload at a time."""
    dept = server.department(server.pmo().new_link("计时部"))
    for mistakes in (False, True):
        path = register(folder / f"timed-{mistakes}.xlsx", "计时部", seed=1, mistakes=mistakes)
        dept.upload(path)  # the first upload warms the server (imports, templates)
        findings, copies = [], []
        for _ in range(repeat):
            start = time.perf_counter()
            page = dept.upload(path)
            findings.append(time.perf_counter() - start)
            assert page.status_code == 200 and "/department/v/" in page.url.path, page.text[:500]
            if mistakes:
                wait_for_feedback(dept, page.url.path)
                copies.append(time.perf_counter() - start)
        kind = "with 2 mistakes" if mistakes else "clean"
        print(
            f"upload -> findings page, {ROWS}-row register, {kind}: median {statistics.median(findings):.3f} s, "
            f"worst {max(findings):.3f} s over {repeat}"
        )
        if copies:
            print(
                f"upload -> annotated copy ready, {ROWS}-row register: median {statistics.median(copies):.3f} s, "
                f"worst {max(copies):.3f} s"
            )


def concurrent_uploads(server: Server, folder: Path, count: int, departments: int) -> None:
    pmo = server.pmo()
    names = [f"并发部{i:02}" for i in range(departments)]
    clients = {name: server.department(pmo.new_link(name)) for name in names}
    jobs = [(names[i % departments], i) for i in range(count)]
    files = {i: register(folder / f"c{i}.xlsx", name, seed=100 + i) for name, i in jobs}

    def one(job: tuple[str, int]) -> tuple[int, float]:
        name, i = job
        client = Client(server.client().http)
        client.http.cookies = httpx.Cookies(clients[name].http.cookies)
        start = time.perf_counter()
        page = client.upload(files[i])
        return page.status_code, time.perf_counter() - start

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=count) as pool:
        answers = list(pool.map(one, jobs))
    wall = time.perf_counter() - start
    ok = sum(1 for status, _ in answers if status == 200)
    kept, gaps, submitted = _audit(server, names, files, jobs)
    print(
        f"{count} concurrent uploads ({departments} departments): {ok}/{count} answered with findings, "
        f"{kept}/{count} versions kept, {gaps} numbering gaps, {submitted}/{departments} submissions are a "
        f"department's last version; wall {wall:.2f} s, {count / wall:.1f} uploads/s, "
        f"latency median {statistics.median(t for _, t in answers):.2f} s, worst {max(t for _, t in answers):.2f} s"
    )


def _audit(
    server: Server, names: list[str], files: dict[int, Path], jobs: list[tuple[str, int]]
) -> tuple[int, int, int]:
    """Versions kept, numbering gaps, and departments whose submission is the bytes of their last version."""
    kept = gaps = submitted = 0
    for name in names:
        meta = server.out / "serve" / "uploads" / PERIOD / department_key(name) / "versions.json"
        versions = json.loads(meta.read_text(encoding="utf-8"))["versions"] if meta.is_file() else []
        kept += len(versions)
        gaps += sum(1 for n, v in enumerate(versions, 1) if v["n"] != n)
        sent = {hashlib.sha256(files[i].read_bytes()).hexdigest() for d, i in jobs if d == name}
        last = versions[-1]["sha256"] if versions else None
        target = server.submissions / PERIOD / f"{safe_filename(name)}.xlsx"
        if last in sent and target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == last:
            submitted += 1
    return kept, gaps, submitted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--concurrent", type=int, default=50)
    parser.add_argument("--departments", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-serve.") as tmp, running_server(Path(tmp) / "server") as server:
        folder = Path(tmp) / "in"
        folder.mkdir()
        time_to_findings(server, folder, args.repeat)
        concurrent_uploads(server, folder, args.concurrent, args.departments)


if __name__ == "__main__":
    main()
