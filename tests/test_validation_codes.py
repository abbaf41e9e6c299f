"""The one table of issue codes: docs/issue_codes.md is generated from CODES and every message is usable."""

from __future__ import annotations

import re
from pathlib import Path

from ci_excel.issues import CODES, Issue
from ci_excel.validation import issue_codes_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "issue_codes.md"


def test_doc_lists_every_code_exactly() -> None:
    assert DOC.read_text(encoding="utf-8") == issue_codes_markdown(), (
        "docs/issue_codes.md is stale: run write_issue_codes_doc() (see the doc's header)"
    )
    for code in CODES:
        assert f"| `{code}` |" in issue_codes_markdown()


def test_every_code_renders_in_both_languages() -> None:
    for code, spec in CODES.items():
        assert re.fullmatch(r"[a-z][a-z0-9-]+", code)
        assert spec.severity in ("error", "warning")
        issue = Issue(code, "f.xlsx", "1-问题识别", "B4", "场景", "x", {"cell": "B4"})
        for lang in ("zh", "en"):
            assert issue.message(lang).strip(), code  # type: ignore[arg-type]
        assert re.search(r"[\u4e00-\u9fff]", spec.zh), code
