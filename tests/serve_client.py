"""A real `ci-excel serve` in a subprocess on a free loopback port, and an HTTP client that uses it as
a browser would: pages, forms with their CSRF token, uploads, downloads.

    with running_server(tmp_path) as server:
        pmo = server.pmo()                       # signed in with the test password
        link = pmo.new_link("电商运营部")
        dept = server.department(link)           # followed the link
        page = dept.upload(path, period="2026-11")
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import httpx

PASSWORD = "pmo-test-password"
PERIOD = "2026-11"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    root: Path
    process: subprocess.Popen[bytes]

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def submissions(self) -> Path:
        return self.root / "submissions"

    def client(self) -> Client:
        return Client(httpx.Client(base_url=self.url, follow_redirects=True, timeout=120))

    def pmo(self, password: str = PASSWORD) -> Client:
        client = self.client()
        page = client.get("/login")
        client.response = client.http.post("/login", data={"csrf": csrf_of(page.text), "password": password})
        return client

    def department(self, link: str) -> Client:
        client = self.client()
        client.response = client.http.get(link)
        return client


@dataclass
class Client:
    http: httpx.Client
    response: httpx.Response | None = None

    def get(self, path: str) -> httpx.Response:
        self.response = self.http.get(path)
        return self.response

    def post(self, path: str, data: dict[str, str], *, page: str) -> httpx.Response:
        """Post a form as the page at `page` would, with its CSRF token."""
        token = csrf_of(self.http.get(page).text)
        self.response = self.http.post(path, data={"csrf": token, **data})
        return self.response

    def new_link(self, department: str, period: str = PERIOD) -> str:
        page = self.post(f"/admin/link?period={period}", {"department": department}, page=f"/admin?period={period}")
        assert page.status_code == 200, page.text
        found = re.search(r'id="link" value="([^"]+)"', page.text)
        assert found, page.text
        return unescape(found.group(1))

    def upload(self, path: Path, *, period: str = PERIOD, name: str | None = None) -> httpx.Response:
        token = csrf_of(self.http.get(f"/department?period={period}").text)
        with path.open("rb") as fh:
            self.response = self.http.post(
                "/department/upload", data={"csrf": token, "period": period}, files={"file": (name or path.name, fh)}
            )
        return self.response


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def rows_of(html: str, table_id: str) -> list[list[str]]:
    """The text of each body row of the table with `table_id`."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert table, f"no table {table_id}"
    body = table.group(0).split("<tbody>", 1)[-1]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [[_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows]


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@contextmanager
def running_server(
    root: Path, *, db_url: str | None = None, max_upload_mb: int = 8, extra: tuple[str, ...] = ()
) -> Iterator[Server]:
    """`ci-excel serve` on a free port with its folders under `root`; stopped (SIGTERM) at the end."""
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "ci_excel.cli",
        "serve",
        "--port",
        str(port),
        "--out",
        str(root / "out"),
        "--submissions",
        str(root / "submissions"),
        "--max-upload-mb",
        str(max_upload_mb),
        *extra,
    ]
    if db_url:
        args += ["--db", db_url]
    root.mkdir(parents=True, exist_ok=True)
    log = (root / "server.log").open("wb")
    env = os.environ | {"CI_EXCEL_ADMIN_PASSWORD": PASSWORD}
    process = subprocess.Popen(args, cwd=root, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, root / "server.log")
        yield Server(url, root, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"ci-excel serve stopped: {log.read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"ci-excel serve did not start: {log.read_text(errors='replace')}")


def wait_for_run(pmo: Client, period: str = PERIOD, timeout: float = 300) -> str:
    """Poll the run page until the consolidation is done or failed; its final state."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = pmo.get(f"/admin/run?period={period}").text
        state = re.search(r'id="run-state" data-state="(\w+)"', page)
        if state and state.group(1) in ("done", "failed"):
            return state.group(1)
        time.sleep(0.5)
    raise AssertionError("the consolidation did not finish")


def wait_for_feedback(client: Client, page: str, timeout: float = 60) -> str:
    """Poll a version's page until its annotated copy is linked (it is written after the findings)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        html = client.get(page).text
        if 'id="feedback"' in html:
            return html
        assert 'id="feedback-pending"' in html, "no annotated copy coming"
        time.sleep(0.2)
    raise AssertionError("the annotated copy was not written")
