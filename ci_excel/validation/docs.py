"""docs/issue_codes.md, generated from the one table of codes."""

from __future__ import annotations

from pathlib import Path

from ci_excel.issues import CODES

ISSUE_CODES_DOC = Path("docs/issue_codes.md")


def issue_codes_markdown() -> str:
    """docs/issue_codes.md, generated from CODES so the table cannot drift from the code."""
    lines = [
        "# Issue codes",
        "",
        "Every finding ci-excel reports, with its stable code, severity and message (zh / en).",
        "Placeholders such as `{sheet}`, `{cell}`, `{column}`, `{value}` are filled from the issue.",
        "Errors exclude the row (and rows that depend on it) from computations; warnings do not.",
        "",
        "Generated from `ci_excel.issues.CODES`; regenerate with",
        '`python -c "from ci_excel.validation import write_issue_codes_doc; write_issue_codes_doc()"`.',
        "",
        "| code | severity | message (zh) | message (en) |",
        "|---|---|---|---|",
    ]
    for spec in CODES.values():
        lines.append(f"| `{spec.code}` | {spec.severity} | {_cell_md(spec.zh)} | {_cell_md(spec.en)} |")
    return "\n".join(lines) + "\n"


def _cell_md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_issue_codes_doc(path: Path = ISSUE_CODES_DOC) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(issue_codes_markdown(), encoding="utf-8")
    return path
