"""PDF copies through LibreOffice: real conversions, a clear error without it, a timeout that kills."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from ci_excel.errors import CiExcelError
from ci_excel.render.pdf import LibreOfficeMissing, convert_to_pdf, find_soffice
from ci_excel.render.reference_doc import ASSET

needs_libreoffice = pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice is not installed"
)


@needs_libreoffice
def test_converts_each_document_beside_it(tmp_path: Path) -> None:
    docs = []
    for name in ("电商运营部", "研发_测试部", "portfolio"):
        target = tmp_path / "reports" / f"{name}.docx"
        target.parent.mkdir(exist_ok=True)
        shutil.copyfile(ASSET, target)
        docs.append(target)
    pdfs = convert_to_pdf(docs, jobs=2, timeout=120)
    assert set(pdfs) == set(docs)
    for doc, pdf in pdfs.items():
        assert pdf == doc.with_suffix(".pdf") and pdf.read_bytes().startswith(b"%PDF")


def test_missing_libreoffice_says_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CI_EXCEL_SOFFICE", raising=False)
    with pytest.raises(LibreOfficeMissing, match="LibreOffice"):
        find_soffice()
    with pytest.raises(CiExcelError, match="apt-get install"):
        convert_to_pdf([tmp_path / "a.docx"])


@pytest.mark.skipif(os.name != "posix", reason="uses a shell script as a stand-in converter")
def test_a_hanging_conversion_is_killed_and_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    hang = tmp_path / "soffice"
    hang.write_text("#!/bin/sh\nsleep 30\n")
    hang.chmod(hang.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("CI_EXCEL_SOFFICE", str(hang))
    doc = tmp_path / "a.docx"
    doc.write_bytes(b"x")
    failures: list[tuple[Path, str]] = []
    assert convert_to_pdf([doc], timeout=0.5, on_error=lambda d, r: failures.append((d, r))) == {}
    assert failures == [(doc, "timed out after 0.5 s")]
    with pytest.raises(CiExcelError, match="could not convert 1 report"):
        convert_to_pdf([doc], timeout=0.5)


FAKE_SOFFICE = """#!/bin/sh
out=""; prev=""
for a in "$@"; do [ "$prev" = "--outdir" ] && out="$a"; prev="$a"; done
for a in "$@"; do
  case "$a" in
    *.docx) name=$(basename "$a" .docx); [ "$name" = "hang" ] && sleep 30; echo "%PDF-1.4" > "$out/$name.pdf";;
  esac
done
"""


@pytest.mark.skipif(os.name != "posix", reason="uses a shell script as a stand-in converter")
def test_one_stuck_document_does_not_sink_the_batch(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "soffice"
    fake.write_text(FAKE_SOFFICE)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("CI_EXCEL_SOFFICE", str(fake))
    docs = [tmp_path / f"{name}.docx" for name in ("a", "hang", "b")]
    for doc in docs:
        doc.write_bytes(b"x")
    failures: list[tuple[Path, str]] = []
    pdfs = convert_to_pdf(docs, jobs=1, timeout=1, on_error=lambda d, r: failures.append((d, r)))
    assert set(pdfs) == {docs[0], docs[2]} and all(p.read_bytes().startswith(b"%PDF") for p in pdfs.values())
    assert failures == [(docs[1], "timed out after 1 s")]
