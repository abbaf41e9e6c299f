"""The corpus test: real files from public corpora and hostile files never stop, slow down or mislead a run.

One `ci-excel validate --format json` runs, as a separate process, over a folder holding the real
corpus (tests/corpus/real) and every hostile case (tests/hostile.py); then every file is looked up
in the JSON and its verdict compared with tests/corpus/expected.toml. One `ci-excel consolidate`
runs over good registers mixed with the hostile cases. The processes get a generous address-space
cap and timeout so that a regression fails the test instead of the machine; time and memory per
file are measured by benchmarks/bench_corpus.py, never asserted here.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ci_excel import feedback_run
from ci_excel.render.feedback_xlsx import write_feedback
from ci_excel.sandbox import time_limit_text
from tests.hostile import CASES, CORPUS, build_all, register

EXPECTED: dict[str, dict[str, Any]] = tomllib.loads((CORPUS.parent / "expected.toml").read_text(encoding="utf-8"))
ROOT = Path(__file__).resolve().parent.parent
RUN_TIMEOUT = 600  # seconds for one whole run; a fixed reader needs far less
ADDRESS_CAP = 8 << 30  # per process (each worker gets its own): a runaway read fails instead of the machine
GOOD = ("华东电商运营部", "华南客户服务部", "华北物流部")  # the good departments of the consolidate run
NOT_MIXED = frozenset({"legit_large.xlsx"})  # a 2,500-problem department report is a rendering benchmark


@dataclass(frozen=True)
class Run:
    """A finished CLI process: exit code, output, and its JSON when it printed any."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.stdout)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def describe(self) -> str:
        """The exit code and the telling lines of stderr (a Rust backtrace's frames left out)."""
        lines = [x for x in self.stderr.splitlines() if x.strip() and not x.startswith((" ", "\t"))]
        return f"exit {self.code}; stderr: " + " | ".join(lines[-6:])[-1500:]


def run_cli(*args: str, cwd: Path) -> Run:
    """`ci-excel ARGS` in a child process (as a PMO runs it), capped and timed out."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ci_excel.cli", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            preexec_fn=_cap,
        )
    except subprocess.TimeoutExpired as exc:
        return Run(-1, _text(exc.stdout), _text(exc.stderr) + f"\n(killed after {RUN_TIMEOUT} s)")
    return Run(done.returncode, done.stdout, done.stderr)


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_CAP, ADDRESS_CAP))


def _text(data: bytes | str | None) -> str:
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data or ""


@dataclass(frozen=True)
class Corpus:
    """The submissions folder of the test: real/ and hostile/, and which hostile cases were built."""

    root: Path
    built: dict[str, Path | None]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    base = tmp_path_factory.mktemp("corpus")
    root = base / "submissions"
    shutil.copytree(CORPUS, root / "real")
    built = build_all(root / "hostile", outside=base / "outside", jobs=min(2, os.cpu_count() or 1))
    return Corpus(root, built)


@pytest.fixture(scope="module")
def validation(corpus: Corpus) -> Run:
    return run_cli("validate", "--format", "json", "--lang", "en", str(corpus.root), cwd=corpus.root.parent)


# ---------------------------------------------------------------- the run itself


def test_validate_finishes_with_a_verdict(validation: Run) -> None:
    assert validation.code in (0, 1), validation.describe()
    assert "Traceback" not in validation.stderr, validation.describe()
    assert validation.json() is not None, "no JSON on stdout: " + validation.describe()


def test_expected_names_every_file_and_case(corpus: Corpus) -> None:
    """expected.toml covers every corpus file and every hostile case, and nothing else."""
    present = {p.relative_to(corpus.root).as_posix() for p in _everything(corpus.root)}
    cases = {f"hostile/{name}" for name in CASES}
    real = {f"real/{p.name}" for p in CORPUS.iterdir()}
    assert set(EXPECTED) == real | cases
    assert present - set(EXPECTED) == set(), "files in the folder without a verdict in expected.toml"


def _everything(root: Path) -> Iterator[Path]:
    """Every file and link under `root`, hidden ones included (what a PMO's folder holds)."""
    for folder, dirs, files in os.walk(root):
        for name in [*files, *(d for d in dirs if Path(folder, d).is_symlink())]:
            yield Path(folder, name)


# ---------------------------------------------------------------- every file's verdict


def _accepted(entry: dict[str, Any]) -> list[tuple[str, str]]:
    if "verdicts" in entry:
        return [(v["outcome"], v["code"]) for v in entry["verdicts"]]
    return [(entry["outcome"], entry["code"])]


def _matches(outcome: str, codes: set[str], accepted: list[tuple[str, str]]) -> bool:
    return any(outcome == want and (code in codes if code else not codes) for want, code in accepted)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_file_verdict(key: str, corpus: Corpus, validation: Run) -> None:
    """The file is named in the JSON with the expected outcome and issue code."""
    folder, name = key.split("/", 1)
    if folder == "hostile" and corpus.built.get(name) is None:
        pytest.skip(f"{name} cannot be built here: {(CASES[name].__doc__ or '').strip().splitlines()[0]}")
    data = validation.json()
    if data is None:
        pytest.fail("the validate run gave no JSON: " + validation.describe())
    files = {f["path"]: f for f in data["files"]}
    assert key in files, f"{key} is not named in the JSON files list"
    codes = {i["code"] for i in data["issues"] if i["file"] == key}
    entry = EXPECTED[key]
    outcome = files[key]["outcome"]
    assert _matches(outcome, codes, _accepted(entry)), (
        f"{key}: got {outcome} {sorted(codes)}, expected one of {_accepted(entry)} ({entry['why']})"
    )
    missing = set(entry.get("also", [])) - codes
    assert not missing, f"{key}: {sorted(missing)} missing among {sorted(codes)}"


# ---------------------------------------------------------------- consolidate over good and hostile files


@pytest.fixture(scope="module")
def consolidation(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Run]:
    base = tmp_path_factory.mktemp("consolidate")
    submissions, out = base / "submissions", base / "output"
    shutil.copytree(
        corpus.root / "hostile",
        submissions / "hostile",
        symlinks=True,
        ignore=lambda folder, names: [n for n in names if n in NOT_MIXED],
    )
    (submissions / "good").mkdir()
    for n, department in enumerate(GOOD):
        register(submissions / "good" / f"{department}.xlsx", department, rows=3, seed=n)
    run = run_cli(
        "consolidate",
        str(submissions),
        "--period",
        "2026-11",
        "--out",
        str(out),
        "--db",
        f"sqlite:///{base / 'history.sqlite'}",
        "--jobs",
        "2",
        cwd=base,
    )
    return submissions, out / "2026-11", run


def test_consolidate_finishes(consolidation: tuple[Path, Path, Run]) -> None:
    _, period, run = consolidation
    assert run.code in (0, 1), run.describe()
    assert "Traceback" not in run.stderr, run.describe()
    assert (period / "manifest.json").is_file(), run.describe()


def test_consolidate_reports_every_good_department(consolidation: tuple[Path, Path, Run]) -> None:
    _, period, run = consolidation
    missing = [d for d in GOOD if not (period / "reports" / f"{d}.docx").is_file()]
    assert not missing, f"no Word report for {missing}: " + run.describe()


def test_consolidate_names_every_file_in_the_manifest(consolidation: tuple[Path, Path, Run]) -> None:
    submissions, period, run = consolidation
    manifest_path = period / "manifest.json"
    if not manifest_path.is_file():
        pytest.fail("no manifest.json: " + run.describe())
    named = {entry["file"] for entry in json.loads(manifest_path.read_text(encoding="utf-8"))["inputs"]}
    present = {p.relative_to(submissions).as_posix() for p in _everything(submissions)}
    assert present - named == set(), "files found under the submissions folder but not named in manifest.json"


def test_consolidate_writes_every_feedback_copy_within_its_limit(consolidation: tuple[Path, Path, Run]) -> None:
    """No feedback worker waits out its time limit: they fork from the worker server, never from the
    threaded run (a child forked while another thread held an import lock hung on its first import)."""
    _, period, run = consolidation
    copies = sorted((period / "feedback").rglob("*.xlsx"))
    assert copies, "no feedback copies: " + run.describe()
    said = time_limit_text(feedback_run.LIMITS).encode()
    timed_out = [copy.name for copy in copies if said in _opening_of_sheets(copy)]
    assert timed_out == [], f"feedback copies written as stand-alone after a time-out: {timed_out}"


def _opening_of_sheets(path: Path, size: int = 1 << 16) -> bytes:
    """The first bytes of every worksheet part (where a stand-alone feedback workbook says why it is one)."""
    with zipfile.ZipFile(path) as book:
        parts = [name for name in book.namelist() if name.startswith("xl/worksheets/sheet")]
        return b"".join(book.open(name).read(size) for name in parts)


def test_a_timed_out_feedback_copy_says_so_where_that_check_looks(tmp_path: Path) -> None:
    """The check above finds the time-out reason of a stand-alone copy (else it could not fail)."""
    said = time_limit_text(feedback_run.LIMITS)
    source = register(tmp_path / "src.xlsx", "质量部")
    out = write_feedback(source, [], tmp_path / "fb.xlsx", annotate=False, reason=said)
    assert said.encode() in _opening_of_sheets(out)
