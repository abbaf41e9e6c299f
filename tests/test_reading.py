"""Files that cannot be read at all, other formats (.xlsm, .xls, .ods), and discovery."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from ci_excel.issues import flatten
from ci_excel.reading import discover, open_book
from ci_excel.schema import TEMPLATE_VERSION
from ci_excel.validation import check_file, validate_paths
from tests.builders import INFO, clean_tables, info_rows, raw_workbook, register, replace_entry, tables_with

ZIP_ENTRY = "xl/worksheets/sheet1.xml"


def codes(path: Path) -> list[list[str]]:
    check = check_file(path, root=path.parent)
    return flatten(check.issues, ["file", "code"])


def test_csv_named_xlsx_is_a_format_we_do_not_read(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    path.write_text("部门,期间\n财务部,2026-11\n", encoding="utf-8")
    [issue] = check_file(path, root=tmp_path).issues
    assert issue.code == "file-unsupported" and "CSV" in issue.message("en")


def test_other_bytes_are_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "scan.xlsx"
    path.write_bytes(b"%PDF-1.7 not a sheet")
    assert codes(path) == [["scan.xlsx", "file-not-workbook"]]


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xls"
    path.write_bytes(b"")
    assert codes(path) == [["empty.xls", "file-corrupt"]]


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("photo.txt", "not a sheet")
    assert codes(path) == [["photos.xlsx", "file-not-workbook"]]


def test_truncated_zip(tmp_path: Path) -> None:
    good = register(tmp_path / "src")
    data = good.read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: len(data) // 2])
    assert codes(path) == [["cut.xlsx", "file-corrupt"]]


def test_corrupt_entry_data(tmp_path: Path) -> None:
    """A whole central directory but damaged compressed data inside."""
    path = register(tmp_path)
    data = bytearray(path.read_bytes())
    start = data.find(b"xl/worksheets/sheet3.xml") + 40
    data[start : start + 200] = bytes(200)
    path.write_bytes(bytes(data))
    found = codes(path)
    assert len(found) == 1 and found[0][1] in ("file-corrupt", "sheet-unreadable")


def _ole_file(path: Path, *streams: str) -> Path:
    """A minimal OLE2 compound file whose directory names the given streams (as an encrypted workbook has)."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[24:34] = struct.pack("<HHHH", 0x3E, 3, 0xFFFE, 9) + b"\x06\x00"
    directory = b"".join(name.encode("utf-16-le").ljust(64, b"\0") + bytes(64) for name in ("Root Entry", *streams))
    path.write_bytes(bytes(header) + directory.ljust(1024, b"\0"))
    return path


def test_password_protected_xlsx(tmp_path: Path) -> None:
    path = _ole_file(tmp_path / "secret.xlsx", "EncryptionInfo", "EncryptedPackage")
    assert codes(path) == [["secret.xlsx", "file-encrypted"]]


def test_password_protected_xls(tmp_path: Path) -> None:
    path = _ole_file(tmp_path / "secret.xls", "EncryptionInfo", "EncryptedPackage")
    assert codes(path) == [["secret.xls", "file-encrypted"]]


def test_zip_bomb_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    chunk = b"<row><c><v>0</v></c></row>" * 40_000  # ~1 MB, compresses about 1000:1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open(ZIP_ENTRY, "w") as fh:
            for _ in range(300):  # 300 MB uncompressed (over one part's limit), written in bounded memory
                fh.write(chunk)
    assert path.stat().st_size < 1 << 20
    assert codes(path) == [["bomb.xlsx", "file-bomb"]]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&lol2;</t></si></sst>"""


def test_xml_entity_attack_refused(tmp_path: Path) -> None:
    path = replace_entry(register(tmp_path), "xl/sharedStrings.xml", BILLION_LAUGHS)
    assert codes(path) == [["ci_register.xlsx", "file-xml-forbidden"]]


def test_broken_sheet_xml(tmp_path: Path) -> None:
    path = register(tmp_path)
    path = replace_entry(path, "xl/worksheets/sheet4.xml", b'<worksheet><sheetData><row r="1"><c r="A1"')
    found = codes(path)
    assert len(found) == 1 and found[0][1] in ("sheet-unreadable", "file-corrupt")


def test_unreadable_files_do_not_stop_the_run(tmp_path: Path) -> None:
    register(tmp_path / "good")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "notes.xlsx").write_text("hello")
    _ole_file(tmp_path / "bad" / "locked.xlsx", "EncryptionInfo")
    run = validate_paths([tmp_path], root=tmp_path)
    assert flatten(run.issues, ["file", "code"]) == [
        ["bad/locked.xlsx", "file-encrypted"],
        ["bad/notes.xlsx", "file-not-workbook"],
    ]
    assert [s.department for s in run.submissions] == ["电商运营部"]
    assert {f.path: f.outcome for f in run.files} == {
        "bad/locked.xlsx": "unreadable",
        "bad/notes.xlsx": "unreadable",
        "good/ci_register.xlsx": "ok",
    }
    assert run.issues[1].message("en").startswith("bad/notes.xlsx is not an Excel/ODS workbook")
    assert run.issues[0].message("zh").startswith("文件 bad/locked.xlsx 设置了打开密码")


def test_discover_reads_every_file_and_names_the_ones_it_skips(tmp_path: Path) -> None:
    for name in (
        "a.xlsx",
        "b.XLSM",
        "c.xls",
        "d.ods",
        "~$a.xlsx",
        ".hidden.xlsx",
        "notes.txt",
        "sub/e.xlsx",
        ".git/f.xlsx",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "gone.xlsx").symlink_to(tmp_path / "missing.xlsx")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.xlsx"
    outside.write_bytes(b"")
    (tmp_path / "out.xlsx").symlink_to(outside)
    (tmp_path / "in.xlsx").symlink_to(tmp_path / "a.xlsx")
    found = discover([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found.files] == [
        "a.xlsx",
        "b.XLSM",
        "c.xls",
        "d.ods",
        "in.xlsx",
        "notes.txt",
        "sub/e.xlsx",
    ]
    assert {p.relative_to(tmp_path).as_posix(): why for p, why in found.skipped} == {
        ".git": "hidden folder",
        ".hidden.xlsx": "hidden file",
        "gone.xlsx": "link to a file that does not exist",
        "out.xlsx": "link to a file outside the submissions folder",
        "~$a.xlsx": "Office lock file",
    }
    assert discover([tmp_path / "notes.txt"]).files == [tmp_path / "notes.txt"]


def test_skipped_files_are_named_in_the_run(tmp_path: Path) -> None:
    register(tmp_path)
    (tmp_path / "~$ci_register.xlsx").write_bytes(b"lock")
    run = validate_paths([tmp_path], root=tmp_path)
    assert flatten(run.issues, ["file", "code"]) == [["~$ci_register.xlsx", "file-skipped"]]
    assert {f.path: f.outcome for f in run.files} == {"ci_register.xlsx": "ok", "~$ci_register.xlsx": "skipped"}


def test_source_file_identity(tmp_path: Path) -> None:
    path = register(tmp_path)
    check = check_file(path, root=tmp_path)
    assert check.source.path == "ci_register.xlsx"
    assert len(check.source.sha256) == 64 and check.source.size == path.stat().st_size
    assert (check.source.department, check.source.period, check.source.template_version) == (
        "电商运营部",
        "2026-11",
        TEMPLATE_VERSION,
    )
    assert "problems" in check.source.sheets and check.info["contact"] == "张敏"


def test_xlsm_is_read_by_values(tmp_path: Path) -> None:
    path = register(tmp_path)
    xlsm = path.with_suffix(".xlsm")
    shutil.copy(path, xlsm)
    path.unlink()
    run = validate_paths([xlsm], root=tmp_path)
    assert run.issues == [] and run.submissions[0].stats["progress"].used == 2


def test_ods_input(tmp_path: Path) -> None:
    path = tmp_path / "dept.ods"
    problem = clean_tables()["problems"][0]
    headers = ["问题编号*", "场景*", "环节*", "问题*", "影响*", "影响程度(量化)*", "影响程度*", "解决难度*", "责任人*"]
    keys = [
        "problem_id",
        "scenario",
        "process_step",
        "issue",
        "effect",
        "quantification",
        "impact",
        "difficulty",
        "owner",
    ]
    row = [problem[k] for k in keys]
    row[6:8] = ["高", "中"]
    with pd.ExcelWriter(path, engine="odf") as writer:
        pd.DataFrame([["部门", INFO["department"]], ["填报期间", "2026-11"]]).to_excel(
            writer, sheet_name="填报信息", header=False, index=False
        )
        pd.DataFrame([row], columns=headers).to_excel(writer, sheet_name="1-问题识别", index=False)
    run = validate_paths([path], root=tmp_path)
    assert [i.code for i in run.issues] == ["column-missing-optional"] * 7
    [record] = run.submissions[0].tables["problems"]
    assert (record.values["impact"], record.values["difficulty"], record.cells["owner"]) == ("high", "medium", "I2")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_xls_input_converted_by_libreoffice(tmp_path: Path) -> None:
    source = register(tmp_path / "src")
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "xls",
            "--outdir",
            str(tmp_path / "xls"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    xls = tmp_path / "xls" / "ci_register.xls"
    assert open_book(xls).__class__.__name__ == "RawBook"
    run = validate_paths([xls], root=tmp_path)
    assert [i.code for i in run.issues if i.is_error] == []
    [submission] = run.submissions
    assert submission.stats["problems"].used == 2 and submission.stats["progress"].used == 2
    assert submission.tables["progress"][1].values["finished_on"].isoformat() == "2026-10-30"


def test_sheets_recognised_by_the_hidden_template_meta(tmp_path: Path) -> None:
    problems = [
        ["问题编号", "场景", "环节", "问题", "影响", "影响程度(量化)", "影响程度", "解决难度", "责任人"],
        ["P-001", "大促", "审核", "录入", "变慢", "2小时", "高", "低", "张敏"],
    ]
    meta = [
        ["key", "value"],
        ["template_id", "ci-excel"],
        ["template_version", TEMPLATE_VERSION],
        ["sheet:problems", "问题表"],
    ]
    path = raw_workbook(tmp_path / "renamed.xlsx", {"填报信息": info_rows(), "问题表": problems, "_meta": meta})
    run = validate_paths([path], root=tmp_path)
    assert {i.code for i in run.issues} == {"column-missing-optional"}
    assert run.submissions[0].stats["problems"].used == 1


def test_xlsm_feedback_keeps_the_macro_part(tmp_path: Path) -> None:
    from ci_excel.render.feedback_xlsx import write_feedback

    source = register(tmp_path, tables=tables_with({("results", 0, "direction"): "更好"}))
    xlsm = replace_entry(source, "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really vba").rename(
        tmp_path / "macro.xlsm"
    )
    run = validate_paths([xlsm], root=tmp_path)
    assert [i.code for i in run.issues] == ["enum-invalid"]
    out = write_feedback(xlsm, run.issues, tmp_path / "fb" / "macro.xlsm")
    assert out.suffix == ".xlsm"
    with zipfile.ZipFile(out) as zf:
        assert zf.read("xl/vbaProject.bin").startswith(b"\xd0\xcf\x11\xe0")


def test_a_reading_worker_loads_none_of_the_report_code(tmp_path: Path) -> None:
    """What the sandboxed readers run (the worker server preloads only `ci_excel.intake` for them):
    checking and spilling a file imports no Word, PowerPoint, chart or store code (it took each
    reading worker about a second, a one-file `validate` half a second)."""
    path = register(tmp_path)
    script = (
        "import sys\nfrom pathlib import Path\nfrom ci_excel import intake\n"
        f"task = intake._Task(Path({str(path)!r}), None, None, Path({str(tmp_path / 'rows.pickle')!r}))\n"
        "assert intake._check(task).issues == []\n"  # the worker's task itself
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'docx', 'pptx', 'matplotlib', 'sqlalchemy'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
