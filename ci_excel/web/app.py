"""The web app: settings, the Starlette application, and what every page shares.

`create_app(settings)` builds it: the routes of `routes_department` and `routes_admin`, static
files, a signed session cookie, and `guard.Guard` outermost (headers, body limit). `Web` holds
what the routes share: the uploads, the department links, the consolidation jobs, the history
store (opened when it exists: before the first consolidation there is none) and the page renderer.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from ci_excel.config import Config
from ci_excel.errors import UsageError
from ci_excel.schema import Lang
from ci_excel.sessions import open_store
from ci_excel.store import Store, StoreError
from ci_excel.text import as_lang, other_lang
from ci_excel.web.auth import Access, PasswordHash, session_key
from ci_excel.web.guard import LOG, Guard, csrf_token, refused
from ci_excel.web.jobs import Jobs
from ci_excel.web.text import text
from ci_excel.web.uploads import Uploads

HERE = Path(__file__).parent
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SESSION_HOURS = 12


@dataclass(frozen=True)
class ServeSettings:
    """How `ci-excel serve` runs: its folders, store, limits and the PMO's password hash."""

    out: Path
    submissions: Path
    admin: PasswordHash
    db_url: str | None = None
    config: Config = field(default_factory=Config)
    max_upload: int = 16 << 20
    https: bool = False  # behind an HTTPS reverse proxy: Secure cookies and HSTS
    lang: Lang = "zh"
    checks: int = 2  # uploads checked at once
    jobs: int | None = None  # worker processes of a consolidation

    @property
    def state(self) -> Path:
        return self.out / "serve"


class Web:
    """What every route shares."""

    def __init__(self, settings: ServeSettings) -> None:
        self.settings = settings
        settings.state.mkdir(parents=True, exist_ok=True)
        self.uploads = Uploads(settings.state, settings.submissions, settings.config, checks=settings.checks)
        self.access = Access(settings.state)
        self.jobs = Jobs(
            out=settings.out,
            submissions=settings.submissions,
            db_url=settings.db_url or settings.config.db_url,
            config=settings.config,
            lang=settings.lang,
            jobs=settings.jobs,
        )
        self.pages = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._store: Store | None = None
        self._store_lock = threading.Lock()

    def store(self) -> Store | None:
        """The history store, or None while there is none (nothing consolidated yet)."""
        with self._store_lock:
            if self._store is None:
                try:
                    self._store = open_store(self.settings.db_url or self.settings.config.db_url, self.settings.out)
                except (UsageError, StoreError):
                    return None
            return self._store

    def lang(self, request: Request) -> Lang:
        asked = request.query_params.get("lang")
        if asked in ("zh", "en"):
            request.session["lang"] = asked
        found = request.session.get("lang", self.settings.lang)
        return as_lang(found)

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = self.lang(request)
        other = other_lang(lang)
        signed_in = bool(request.session.get("admin") or request.session.get("department"))
        forms = signed_in or name != "error.html"  # a refusal makes no session of its own
        switch = str(request.url.include_query_params(lang=other))
        html = self.pages.get_template(name).render(
            request=request,
            lang=lang,
            csrf=csrf_token(request) if forms else "",
            switch=switch,
            t=lambda key, **kw: text(key, lang, **kw),
            max_mb=self.settings.max_upload >> 20,
            signed_in=signed_in,
            **context,
        )
        return HTMLResponse(html, status_code=status)

    def refuse(self, request: Request, status: int, key: str, reason: str, **params: Any) -> HTMLResponse:
        """A refusal: logged, and a page saying what to do."""
        refused(request, status, reason)
        return self.page(request, "error.html", status=status, message=text(key, self.lang(request), **params))

    def period(self, request: Request, value: str | None = None) -> str:
        """The period asked for (query or form), else the month before this one; UsageError if malformed."""
        found = value if value is not None else request.query_params.get("period")
        if not found:
            return default_period(date.today())
        if not _PERIOD.match(found):
            raise UsageError(f"period must be YYYY-MM (got {found[:20]!r})")
        return found


def default_period(today: date) -> str:
    """Departments report on the month just ended."""
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02}"


def create_app(settings: ServeSettings) -> Guard:
    from ci_excel.web import routes_admin, routes_department

    web = Web(settings)
    _log_refusals(settings.state / "refused.log")
    app = Starlette(
        routes=[
            *routes_department.routes(web),
            *routes_admin.routes(web),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=session_key(settings.state),
                session_cookie="ci_excel",
                max_age=SESSION_HOURS * 3600,
                same_site="lax",
                https_only=settings.https,
            )
        ],
        exception_handlers={
            400: _bad_request(web),
            404: _not_found(web),
            405: _not_found(web),
            UsageError: _bad_request(web),
        },
    )
    app.state.web = web
    return Guard(app, max_body=settings.max_upload, https=settings.https)


def _not_found(web: Web) -> Any:
    async def handler(request: Request, exc: Exception) -> Response:
        return web.refuse(request, 404, "not_found", "no such page")

    return handler


def _bad_request(web: Web) -> Any:
    async def handler(request: Request, exc: Exception) -> Response:
        return web.refuse(request, 400, "bad_form", str(getattr(exc, "detail", exc)))

    return handler


def _log_refusals(path: Path) -> None:
    """Refused requests also go to `<state>/refused.log` (the console shows them too)."""
    if any(getattr(h, "baseFilename", None) == str(path.resolve()) for h in LOG.handlers):
        return
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    LOG.addHandler(handler)
    LOG.setLevel(logging.INFO)
