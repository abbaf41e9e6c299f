"""A department's pages: its link signs it in; then its period page, uploads, findings and files.

Every route below `/department` takes the department from the signed session only, never from
the request, and checks that its link is still the current one: no URL names a department, so
no department can ask for another's page or files. Files are found through the department's own
versions (uploads.py), by version number.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from ci_excel.schema import REGISTER, TABLE_SHEETS
from ci_excel.store import Store
from ci_excel.templates import write_workbook
from ci_excel.templates.prefill import carried_rows, latest_before, prefill_department
from ci_excel.text import as_lang
from ci_excel.web.app import Web
from ci_excel.web.guard import csrf_ok
from ci_excel.web.uploads import Refused, fresh

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {
    ".xlsx": XLSX,
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".xls": "application/vnd.ms-excel",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".xlsb": "application/vnd.ms-excel.sheet.binary.macroEnabled.12",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".pdf": "application/pdf",
    ".json": "application/json",
}


def routes(web: Web) -> list[Route]:
    async def follow_link(request: Request) -> Response:
        found = web.access.department_of(request.path_params["token"])
        if found is None:
            return web.refuse(request, 403, "link_invalid", "unknown department link")
        request.session.clear()
        request.session.update({"department": found[0], "link": found[1]})
        return RedirectResponse("/department", status_code=303)

    async def period_page(request: Request) -> Response:
        department = _department(web, request)
        if department is None:
            return web.refuse(request, 403, "forbidden", "no department session")
        period = web.period(request)
        store = web.store()
        source = await run_in_threadpool(_source, store, department, period)
        return web.page(
            request,
            "department.html",
            department=department,
            period=period,
            source=source,
            versions=list(reversed(web.uploads.versions(period, department))),
        )

    async def upload(request: Request) -> Response:
        department = _department(web, request)
        if department is None:
            return web.refuse(request, 403, "forbidden", "upload without a department session")
        if request.scope.get("ci_excel.too_large"):
            return web.refuse(request, 413, "too_large", "upload over the size limit", mb=web.settings.max_upload >> 20)
        try:
            form = await request.form(max_files=1, max_fields=4)
        except HTTPException:
            form = None
        if request.scope.get("ci_excel.too_large"):
            return web.refuse(request, 413, "too_large", "upload over the size limit", mb=web.settings.max_upload >> 20)
        if form is None:
            return web.refuse(request, 400, "bad_form", "the upload form could not be read")
        if not csrf_ok(request, form.get("csrf")):
            return web.refuse(request, 403, "bad_form", "CSRF token missing or wrong")
        period = web.period(request, str(form.get("period") or ""))
        sent = form.get("file")
        if not isinstance(sent, UploadFile) or not sent.filename:
            return web.refuse(request, 422, "no_file", "no file in the upload")
        result = await run_in_threadpool(
            web.uploads.receive, sent.file, sent.filename, department=department, period=period, lang=web.lang(request)
        )
        await form.close()
        if isinstance(result, Refused):
            web.refuse(request, 422, "refused_title", f"not a readable workbook ({result.issue.code})")
            return web.page(
                request,
                "refused.html",
                status=422,
                department=department,
                period=period,
                message=result.issue.message(web.lang(request)),
            )
        return RedirectResponse(f"/department/v/{period}/{result.n}", status_code=303)

    async def version_page(request: Request) -> Response:
        department = _department(web, request)
        if department is None:
            return web.refuse(request, 403, "forbidden", "no department session")
        period = web.period(request, request.path_params["period"])
        version = web.uploads.version(period, department, request.path_params["n"])
        if version is None:
            return web.refuse(request, 404, "not_found", "no such version")
        return web.page(
            request,
            "version.html",
            department=department,
            period=period,
            version=version,
            fresh=fresh(version),
            base=f"/department/v/{period}/{version.n}",
            back=f"/department?period={period}",
        )

    async def feedback(request: Request) -> Response:
        department = _department(web, request)
        if department is None:
            return web.refuse(request, 403, "forbidden", "no department session")
        period = web.period(request, request.path_params["period"])
        version = web.uploads.version(period, department, request.path_params["n"])
        if version is None or version.feedback is None:
            return web.refuse(request, 404, "not_found", "no feedback for this version")
        return download(web.uploads.file_of(period, department, version.feedback), f"feedback-{version.name}")

    async def blank(request: Request) -> Response:
        if _department(web, request) is None:
            return web.refuse(request, 403, "forbidden", "no department session")
        lang = as_lang(request.path_params["lang"])
        path = await run_in_threadpool(_blank, web, lang)
        return download(path, f"{REGISTER}{'_en' if lang == 'en' else ''}.xlsx")

    async def prefilled(request: Request) -> Response:
        department = _department(web, request)
        if department is None:
            return web.refuse(request, 403, "forbidden", "no department session")
        period = web.period(request, request.path_params["period"])
        folder = tempfile.mkdtemp(prefix="prefill.", dir=web.uploads.scratch())
        made = await run_in_threadpool(
            prefill_department, web.store(), department, period, Path(folder) / "register.xlsx", lang=web.lang(request)
        )
        return download(made.path, f"{department}-{period}.xlsx", cleanup=Path(folder))

    return [
        Route("/d/{token}", follow_link),
        Route("/department", period_page),
        Route("/department/upload", upload, methods=["POST"]),
        Route("/department/v/{period}/{n:int}", version_page),
        Route("/department/v/{period}/{n:int}/feedback", feedback),
        Route("/department/template/{lang}", blank),
        Route("/department/prefilled/{period}", prefilled),
    ]


def _department(web: Web, request: Request) -> str | None:
    """The signed-in department, while its link is the current one."""
    department, link = request.session.get("department"), request.session.get("link")
    if isinstance(department, str) and isinstance(link, str) and web.access.still_valid(department, link):
        return department
    return None


def _source(store: Store | None, department: str, period: str) -> tuple[str | None, int]:
    """The stored period a pre-filled register would come from, and its open problems."""
    if store is None:
        return None, 0
    source = latest_before(store, department, period)
    found = store.load_department(source, department) if source else None
    return (source, len(carried_rows(found)[0].get("problems", []))) if found else (None, 0)


def _blank(web: Web, lang: str) -> Path:
    """The blank register in `lang`, written once per server."""
    path = web.settings.state / "templates" / lang / f"{REGISTER}.xlsx"
    if not path.is_file():
        write_workbook(path, [s.key for s in TABLE_SHEETS], lang=lang, workbook=REGISTER)  # type: ignore[arg-type]
    return path


def download(path: Path, name: str, *, cleanup: Path | None = None) -> FileResponse:
    """A file as an attachment, under the name given (the name is only a label: `path` is the server's)."""
    import shutil

    task = BackgroundTask(shutil.rmtree, cleanup, ignore_errors=True) if cleanup is not None else None
    return FileResponse(
        path, media_type=MEDIA.get(path.suffix.lower(), "application/octet-stream"), filename=name, background=task
    )
