"""The PMO's pages: sign in, the status board, department links, the consolidation, the dashboard.

Every route but the sign-in page needs the PMO's session. A department is named in a URL by its
key (uploads.department_key), which is looked up among the departments the board knows; output
files by their number in the period's listing. Neither ever becomes a path on its own.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ci_excel.web.app import Web
from ci_excel.web.board import Board, board
from ci_excel.web.dashboard import dashboard
from ci_excel.web.guard import csrf_ok
from ci_excel.web.routes_department import download
from ci_excel.web.uploads import Version, fresh

FAILED_LOGIN_PAUSE = 1.0  # seconds: guessing the password is slow


def routes(web: Web) -> list[Route]:
    async def home(request: Request) -> Response:
        if request.session.get("admin"):
            return RedirectResponse("/admin", status_code=303)
        if request.session.get("department"):
            return RedirectResponse("/department", status_code=303)
        return RedirectResponse("/login", status_code=303)

    async def login_page(request: Request) -> Response:
        return web.page(request, "login.html", failed=False)

    async def login(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=3)
        if not csrf_ok(request, form.get("csrf")):
            return web.refuse(request, 403, "bad_form", "CSRF token missing or wrong")
        password = str(form.get("password") or "")
        if not await run_in_threadpool(web.settings.admin.matches, password):
            await asyncio.sleep(FAILED_LOGIN_PAUSE)
            web.refuse(request, 403, "login_failed", "wrong PMO password")
            return web.page(request, "login.html", status=403, failed=True)
        lang = request.session.get("lang")
        request.session.clear()
        request.session.update({"admin": True, **({"lang": lang} if lang else {})})
        return RedirectResponse("/admin", status_code=303)

    async def logout(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=2)
        if not csrf_ok(request, form.get("csrf")):
            return web.refuse(request, 403, "bad_form", "CSRF token missing or wrong")
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    async def status_board(request: Request) -> Response:
        if not request.session.get("admin"):
            return web.refuse(request, 403, "forbidden", "the board needs the PMO's session")
        period = web.period(request)
        found = await run_in_threadpool(_board, web, period)
        return web.page(request, "board.html", period=period, board=found, job=web.jobs.get(period))

    async def new_link(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=4)
        if not request.session.get("admin") or not csrf_ok(request, form.get("csrf")):
            return web.refuse(request, 403, "forbidden", "new link without the PMO's session or CSRF token")
        department = web.settings.config.canonical_department(str(form.get("department") or ""))[:100]
        if not department:
            return web.refuse(request, 400, "bad_form", "new link without a department")
        token = web.access.new_link(department)
        link = f"{request.url.scheme}://{request.headers.get('host', '')}/d/{token}"
        return web.page(request, "link.html", department=department, link=link, period=web.period(request))

    async def run(request: Request) -> Response:
        form = await request.form(max_files=0, max_fields=3)
        if not request.session.get("admin") or not csrf_ok(request, form.get("csrf")):
            return web.refuse(request, 403, "forbidden", "consolidation without the PMO's session or CSRF token")
        period = web.period(request, str(form.get("period") or ""))
        if not (web.settings.submissions / period).is_dir():
            return web.refuse(request, 409, "run_nothing", "nothing submitted for the period")
        web.jobs.start(period)
        return RedirectResponse(f"/admin/run?period={period}", status_code=303)

    async def run_page(request: Request) -> Response:
        if not request.session.get("admin"):
            return web.refuse(request, 403, "forbidden", "the run page needs the PMO's session")
        period = web.period(request)
        job = web.jobs.get(period)
        outputs = web.jobs.outputs(period) if job is None or job.state != "running" else []
        return web.page(request, "run.html", period=period, job=job, outputs=outputs)

    async def output(request: Request) -> Response:
        if not request.session.get("admin"):
            return web.refuse(request, 403, "forbidden", "outputs need the PMO's session")
        period = web.period(request, request.path_params["period"])
        listed = web.jobs.outputs(period)
        n = request.path_params["n"]
        if not 0 <= n < len(listed):
            return web.refuse(request, 404, "not_found", "no such output")
        return download(web.settings.out / period / listed[n], Path(listed[n]).name)

    async def department_version(request: Request) -> Response:
        found = _version(web, request)
        if isinstance(found, Response):
            return found
        period, department, version = found
        return web.page(
            request,
            "version.html",
            department=department,
            period=period,
            version=version,
            fresh=fresh(version),
            base=f"/admin/v/{period}/{request.path_params['key']}/{version.n}",
            back=f"/admin?period={period}",
        )

    async def department_feedback(request: Request) -> Response:
        found = _version(web, request)
        if isinstance(found, Response):
            return found
        period, department, version = found
        if version.feedback is None:
            return web.refuse(request, 404, "not_found", "no feedback for this version")
        return download(web.uploads.file_of(period, department, version.feedback), f"feedback-{version.name}")

    async def dashboard_page(request: Request) -> Response:
        if not request.session.get("admin"):
            return web.refuse(request, 403, "forbidden", "the dashboard needs the PMO's session")
        period = web.period(request)
        store = web.store()
        found = await run_in_threadpool(dashboard, store, period, web.lang(request)) if store else None
        return web.page(request, "dashboard.html", period=period, dash=found)

    return [
        Route("/", home),
        Route("/login", login_page),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/admin", status_board),
        Route("/admin/link", new_link, methods=["POST"]),
        Route("/admin/run", run, methods=["POST"]),
        Route("/admin/run", run_page),
        Route("/admin/output/{period}/{n:int}", output),
        Route("/admin/v/{period}/{key}/{n:int}", department_version),
        Route("/admin/v/{period}/{key}/{n:int}/feedback", department_feedback),
        Route("/admin/dashboard", dashboard_page),
    ]


def _board(web: Web, period: str) -> Board:
    return board(
        period, config=web.settings.config, store=web.store(), uploads=web.uploads, linked=web.access.departments()
    )


def _version(web: Web, request: Request) -> tuple[str, str, Version] | Response:
    """(period, department, version) named by the URL's department key and number, for the PMO."""
    if not request.session.get("admin"):
        return web.refuse(request, 403, "forbidden", "a department's upload needs the PMO's session")
    period = web.period(request, request.path_params["period"])
    rows = {r.key: r.department for r in _board(web, period).rows}
    department = rows.get(request.path_params["key"])
    version = web.uploads.version(period, department, request.path_params["n"]) if department else None
    if department is None or version is None:
        return web.refuse(request, 404, "not_found", "no such department upload")
    return period, department, version
