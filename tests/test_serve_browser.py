"""`ci-excel serve` clicked through in Debian's headless chromium (Selenium, the system chromedriver):
the PMO signs in and makes a link, the department follows it, uploads a workbook with mistakes,
reads the findings and downloads the annotated copy, drops the fixed workbook on the page (the
drag-and-drop script) and the board shows it clean. Skipped only where chromium is not installed.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests import builders
from tests.serve_client import PASSWORD, PERIOD, running_server
from tests.test_serve import DEPT, MISTAKES

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="Debian's chromium and chromium-driver are not installed",
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(arg)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(tmp_path / "downloads"), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def test_a_department_fixes_its_workbook_in_the_browser(browser: object, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support.wait import WebDriverWait

    assert isinstance(browser, WebDriver)
    d = browser
    bad = builders.register(tmp_path / "bad", "登记册.xlsx", tables=builders.tables_with(MISTAKES))
    good = builders.register(tmp_path / "good", "登记册.xlsx")
    with running_server(tmp_path / "server") as server:
        d.get(f"{server.url}/login")
        d.find_element(By.ID, "password").send_keys(PASSWORD)
        d.find_element(By.ID, "login").click()
        d.get(f"{server.url}/admin?period={PERIOD}")
        d.find_element(By.ID, "new-department").send_keys(DEPT)
        d.find_element(By.ID, "add-department").click()
        link = _find(d, "#link").get_attribute("value")
        d.find_element(By.CSS_SELECTOR, "button.link").click()  # the PMO signs out
        _find(d, "#password")

        d.get(str(link))
        d.get(f"{server.url}/department?period={PERIOD}&lang=en")
        d.find_element(By.ID, "file").send_keys(str(bad))
        d.find_element(By.ID, "upload").click()
        assert "errors" in _find(d, "#status").text
        cells = [r.text for r in d.find_elements(By.CSS_SELECTOR, "#findings tbody tr")]
        assert any("很高" in row and row.startswith("Error") for row in cells)
        WebDriverWait(d, 60).until(lambda _: d.find_elements(By.ID, "feedback"))  # the page refreshes itself
        d.find_element(By.ID, "feedback").click()
        copy = _downloaded(tmp_path / "downloads")
        assert any(c.comment for row in openpyxl.load_workbook(copy)["1-问题识别"].iter_rows() for c in row)

        d.get(f"{server.url}/department?period={PERIOD}")
        _drop(d, good)
        assert _find(d, "#status").text.startswith("Clean")

        d.find_element(By.CSS_SELECTOR, "button.link").click()
        _find(d, "#password")
        d.find_element(By.ID, "password").send_keys(PASSWORD)
        d.find_element(By.ID, "login").click()
        row = _find(d, f'#board tr[data-department="{DEPT}"]')
        assert "row-clean" in str(row.get_attribute("class"))


def _find(driver: object, css: str) -> Any:
    """The element once the page that has it is there (a click's navigation may still be on its way)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    return WebDriverWait(driver, 60).until(lambda d: d.find_element(By.CSS_SELECTOR, css))  # type: ignore[attr-defined]


def _drop(driver: object, path: Path) -> None:
    """Drop a file on the upload box as a user dragging it from the desktop would: a file input made
    outside the form holds it, and a `drop` event carrying it is fired on the box."""
    from selenium.webdriver.common.by import By

    script = """
        const box = document.getElementById('drop');
        const input = document.createElement('input');
        input.type = 'file'; input.id = 'dragged';
        input.onchange = () => {
            const data = new DataTransfer();
            data.items.add(input.files[0]);
            box.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
        };
        document.body.appendChild(input);
    """
    driver.execute_script(script)  # type: ignore[attr-defined]
    driver.find_element(By.ID, "dragged").send_keys(str(path))  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while "/department/v/" not in driver.current_url and time.monotonic() < deadline:  # type: ignore[attr-defined]
        time.sleep(0.2)


def _downloaded(folder: Path, timeout: float = 30) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob("*.xlsx")] if folder.is_dir() else []
        if done and not list(folder.glob("*.crdownload")):
            target = folder / "copy.xlsx"
            shutil.copyfile(done[0], target)
            return target
        time.sleep(0.2)
    raise AssertionError("the feedback copy was not downloaded")
