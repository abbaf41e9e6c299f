"""`ci-excel send`: a period's messages, each delivered once, recorded in the store as it is.

The plan (plan.py) is compared with what the store says was sent: a message whose version is
unchanged (its attachments' names and the submitted files they come from, see Letter.digest)
goes only to the recipients who have not had it yet; one that changed (a re-run consolidation
that read a new file) goes to everyone again. The server is reached and logged in to before
anything is sent, and each message is recorded the moment the server takes it, so a killed run
resumes where it stopped. The period's locks are held meanwhile: two sends never overlap.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from ci_excel import fileio
from ci_excel.config import Config
from ci_excel.errors import UsageError
from ci_excel.faults import checkpoint
from ci_excel.mail.compose import Letter, build_message
from ci_excel.mail.plan import Plan, make_plan
from ci_excel.mail.settings import MailSettings, mail_settings
from ci_excel.mail.smtp import Session
from ci_excel.render.distribution import write_distribution
from ci_excel.render.period import DISTRIBUTION
from ci_excel.schema import Lang
from ci_excel.sessions import check_period, period_session
from ci_excel.store import SentRecord, Store
from ci_excel.text import phrase

MAIL_DIR = "mail"
PLAN_FILE = "plan.json"


@dataclass
class SendReport:
    """What a send did, for the CLI to print."""

    period: str
    dry_run: bool
    sent: list[str] = field(default_factory=list)  # departments ("PMO" for the PMO's message)
    already: list[str] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (department, address, reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (department, reason)
    written: list[Path] = field(default_factory=list)  # dry run: the .eml files and the plan


@dataclass(frozen=True)
class _Pending:
    letter: Letter
    recipients: tuple[str, ...]  # those who have not had this version yet


def send_period(
    *,
    period: str,
    out: Path = Path("output"),
    db_url: str | None = None,
    config: Config,
    lang: Lang = "zh",
    only: Sequence[str] = (),
    dry_run: bool = False,
    password: Callable[[], str | None] = lambda: None,
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SendReport:
    """Send (or with `dry_run` write out) the period's messages not yet sent; see the module docstring."""
    check_period(period)
    settings = mail_settings(config)
    folder = out / period
    # The period's locks (output folder and store) keep two sends, or a send and a consolidation, apart.
    with period_session(out, period, db_url or config.db_url, create=False, wait=wait, on_wait=on_wait) as store:
        if period not in store.periods():
            raise UsageError(f"period {period} is not in the history store; run 'ci-excel consolidate' first")
        plan = make_plan(store, period, folder, config=config, settings=settings, lang=lang, only=only)
        report = SendReport(period, dry_run, skipped=_too_large(plan, settings, lang))
        pending = _pending(plan.letters, store.sent(period), report)
        if dry_run:
            report.sent = [p.letter.label for p in pending]  # what would be sent
            report.written = _write_dry_run(folder / MAIL_DIR, plan, pending, report, settings)
            return report
        _deliver(store, period, pending, settings, password, report, sleep)
        _write_status(store, period, folder, plan, report, lang)
    return report


def _too_large(plan: Plan, settings: MailSettings, lang: Lang) -> list[tuple[str, str]]:
    """Drop messages whose attachments pass the size limit (base64 adds a third); say which and why."""
    limit = settings.max_message_mb * 1e6
    skipped, kept = list(plan.skipped), []
    for letter in plan.letters:
        size = sum(a.size for a in letter.attachments) * 4 / 3
        if size <= limit:
            kept.append(letter)
            continue
        names = ", ".join(f"{a.name} {a.size / 1e6:.1f} MB" for a in letter.attachments)
        skipped.append(
            (
                letter.label,
                phrase("mail_too_big", lang, size=size / 1e6, limit=settings.max_message_mb, names=names),
            )
        )
    plan.letters = kept
    return skipped


def _pending(letters: list[Letter], sent: list[SentRecord], report: SendReport) -> list[_Pending]:
    """Each message with the recipients who have not had this version of it yet."""
    had: dict[tuple[str, str], set[str]] = {}
    for record in sent:
        had.setdefault((record.department, record.digest), set()).update(a.lower() for a in record.recipients)
    pending = []
    for letter in letters:
        done = had.get((letter.department, letter.digest), set())
        missing = tuple(a for a in letter.recipients if a not in done)
        if missing:
            pending.append(_Pending(letter, missing))
        else:
            report.already.append(letter.label)
    return pending


def _deliver(
    store: Store,
    period: str,
    pending: list[_Pending],
    settings: MailSettings,
    password: Callable[[], str | None],
    report: SendReport,
    sleep: Callable[[float], None],
) -> None:
    if not pending:
        return
    session = Session(settings, password() if settings.user else None)
    session.open()  # a wrong password or an unreachable server stops here, before anything is sent
    try:
        for item in pending:
            _send_one(store, period, item, session, settings, report, sleep)
    finally:
        session.close()


def _send_one(
    store: Store,
    period: str,
    item: _Pending,
    session: Session,
    settings: MailSettings,
    report: SendReport,
    sleep: Callable[[float], None],
) -> None:
    letter = item.letter
    message_id = make_msgid(domain=settings.from_address.rpartition("@")[2])
    msg = build_message(letter, sender=settings.from_address, message_id=message_id)

    def record(accepted: list[str]) -> None:
        store.record_sent(
            period,
            letter.department,
            recipients=accepted,
            attachments=[a.as_dict() for a in letter.attachments],
            digest=letter.digest,
            message_id=message_id,
        )
        checkpoint("sent")

    outcome = session.deliver(msg, item.recipients, on_accepted=record, sleep=sleep)
    if outcome.accepted:
        report.sent.append(letter.label)
    report.failed += [(letter.label, address, why) for address, why in outcome.failed.items()]


# -- files ----------------------------------------------------------------------------------------


def _write_dry_run(
    folder: Path, plan: Plan, pending: list[_Pending], report: SendReport, settings: MailSettings
) -> list[Path]:
    """One .eml per message that would be sent, and plan.json listing every message and skip."""
    from ci_excel.fileio import safe_filename

    written = []
    with fileio.writing(folder):
        for item in pending:
            data = build_message(
                item.letter, sender=_sender_or_placeholder(settings), message_id=make_msgid()
            ).as_bytes()
            path = folder / f"{safe_filename(item.letter.label)}.eml"
            written.append(_write_bytes(path, data))
        text = json.dumps(_plan_json(plan, pending, report), ensure_ascii=False, indent=2)
        written.append(_write_bytes(folder / PLAN_FILE, text.encode("utf-8")))
    return written


def _write_bytes(path: Path, data: bytes) -> Path:
    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    return fileio.atomic_write(path, write)


def _sender_or_placeholder(settings: MailSettings) -> str:
    return settings.sender or (settings.user if settings.user and "@" in settings.user else "pmo@invalid")


def _plan_json(plan: Plan, pending: list[_Pending], report: SendReport) -> dict[str, Any]:
    waiting = {p.letter.label: p.recipients for p in pending}
    return {
        "period": report.period,
        "messages": [
            {
                "department": letter.label,
                "to": list(letter.to),
                "cc": list(letter.cc),
                "subject": letter.subject,
                "attachments": [a.as_dict() for a in letter.attachments],
                "status": "would send" if letter.label in waiting else "already sent",
                "recipients_pending": list(waiting.get(letter.label, ())),
            }
            for letter in plan.letters
        ],
        "skipped": [{"department": d, "reason": r} for d, r in report.skipped],
    }


def _write_status(store: Store, period: str, folder: Path, plan: Plan, report: SendReport, lang: Lang) -> None:
    """distribution.xlsx again, with each department's sent status and time."""
    last: dict[str, str] = {}
    for record in store.sent(period):
        last[record.department] = record.sent_at.isoformat(sep=" ", timespec="seconds")
    failed = {d for d, _, _ in report.failed}
    skipped = dict(report.skipped)
    status = {d.department: _status(d.department, last, failed, skipped, lang) for d in plan.departments}
    reports = {d: r for d, (r, _) in plan.reports.items() if r is not None}
    pdfs = {d: p for d, (_, p) in plan.reports.items() if p is not None}
    write_distribution(plan.departments, reports, pdfs, folder / DISTRIBUTION, lang=lang, final_dir=folder, sent=status)


def _status(name: str, last: dict[str, str], failed: set[str], skipped: dict[str, str], lang: Lang) -> tuple[str, str]:
    """(status, time) of one department's row in distribution.xlsx."""
    if name in skipped:
        return phrase("mail_not_sent_because", lang, reason=skipped[name]), ""
    if name in last:
        return phrase("mail_sent_partly" if name in failed else "mail_sent", lang), last[name]
    if name in failed:
        return phrase("mail_failed", lang), ""
    return phrase("mail_not_sent", lang), ""
