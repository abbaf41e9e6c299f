"""What every request passes: security headers, the body-size limit, CSRF tokens, refusals logged.

Pure ASGI middleware, so no route ever holds more than the limit: a body over it is dropped as it
arrives and the route only sees that it was too large. Every form carries the session's CSRF
token and every POST is checked against it (and against its Origin, when the browser sends one).
Every refused request is logged with its reason, the client address and the path, tokens masked.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import Request

LOG = logging.getLogger("ci_excel.web")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),  # a department link never leaks to another site through a Referer
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cache-control", b"no-store"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000")
_TOKEN_PATH = re.compile(r"^/d/[^/]+")


class Guard:
    """Security headers on every response; request bodies over `max_body` bytes are not passed on.

    A body over the limit is read to its end (up to `drain` bytes) and dropped, so the client can
    read the refusal, and the route sees an empty body and `scope["ci_excel.too_large"]`; a body
    declared larger than `drain` is refused here at once.
    """

    def __init__(self, app: App, *, max_body: int, https: bool) -> None:
        self.app, self.max_body, self.drain = app, max_body, max(4 * max_body, 64 << 20)
        self.headers = [*HEADERS, HSTS] if https else HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in self.headers if h[0] not in names)]
            await send(message)

        declared = _declared_length(scope)
        if declared > self.drain:
            LOG.warning(
                "refused 413 %s %s: a body of %d bytes declared", scope["method"], _masked(scope["path"]), declared
            )
            await _too_large(with_headers)
            return
        scope["ci_excel.too_large"] = declared > self.max_body
        await self.app(scope, self._counting(receive, scope), with_headers)

    def _counting(self, receive: Receive, scope: Scope) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if message["type"] == "http.request" and (scope["ci_excel.too_large"] or seen > self.max_body):
                scope["ci_excel.too_large"] = True
                while message.get("more_body") and seen <= self.drain:
                    message = await receive()
                    seen += len(message.get("body", b""))
                return {"type": "http.request", "body": b"", "more_body": False}
            return message

        return counted


async def _too_large(send: Send) -> None:
    body = "文件过大 / The file is too large".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _masked(path: str) -> str:
    return _TOKEN_PATH.sub("/d/***", path)


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use; every form carries it in a hidden field."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_ok(request: Request, sent: object) -> bool:
    """The form's token is the session's, and the request comes from this site (when it says so)."""
    expected = request.session.get("csrf")
    origin = request.headers.get("origin")
    if origin is not None and origin != _own_origin(request):
        return False
    return isinstance(expected, str) and isinstance(sent, str) and hmac.compare_digest(expected, sent)


def _own_origin(request: Request) -> str:
    host = request.headers.get("host", "")
    return f"{request.url.scheme}://{host}"


def refused(request: Request, status: int, reason: str) -> None:
    """Log a refused request: status, reason, client, method and path (a department token masked)."""
    client = request.client.host if request.client else "-"
    LOG.warning("refused %s %s %s from %s: %s", status, request.method, _masked(request.url.path), client, reason)
