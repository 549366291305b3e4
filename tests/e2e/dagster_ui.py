"""Helpers for end-to-end tests of the Dagster UI: a real `dagster dev` on a free loopback port,
its GraphQL API, and headless Debian Chromium driven through ChromeDriver."""

import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.support.ui import WebDriverWait

from orchestration.cli.instance import dagster_yaml
from orchestration.paths import REPO_ROOT
from tests.support import careaudit_env

ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DagsterUI:
    def __init__(self, url: str) -> None:
        self.url = url

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.url}/graphql",
            data=json.dumps({"query": query, "variables": variables or {}}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = json.load(response)
        assert "errors" not in body, body["errors"]
        return body["data"]

    def wait_until_loaded(self, timeout: float = 180) -> None:
        """Wait for the webserver and for the careaudit code location to load."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                data = self.graphql(
                    "{ workspaceOrError { ... on Workspace { locationEntries { name "
                    "locationOrLoadError { __typename } } } } }"
                )
                entries = data["workspaceOrError"]["locationEntries"]
                states = {e["name"]: e["locationOrLoadError"]["__typename"] for e in entries}
                if states.get("careaudit") == "RepositoryLocation":
                    return
                assert states.get("careaudit") != "PythonError", states
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(1)
        raise TimeoutError(f"dagster dev did not load the careaudit location at {self.url}")


@contextmanager
def dagster_dev(tmp_path: Path, **settings: str) -> Iterator[DagsterUI]:
    """Run `dagster dev -w workspace.yaml` with its own instance and data dir."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(dagster_yaml(home))
    port = free_port()
    env = careaudit_env(
        DAGSTER_HOME=str(home), CAREAUDIT_DATA_DIR=str(tmp_path / "data"), **settings
    )
    dagster = str(Path(sys.executable).with_name("dagster"))
    log = (tmp_path / "dagster_dev.log").open("w")
    process = subprocess.Popen(
        [dagster, "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        ui = DagsterUI(f"http://127.0.0.1:{port}")
        ui.wait_until_loaded()
        yield ui
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def open_offline(driver: webdriver.Chrome, page: Path) -> None:
    """Open a published page with the network cut off, once it has loaded: a report must
    render from its own file alone."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0},
    )
    driver.get(page.as_uri())
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def capture(driver: webdriver.Chrome, top: float, width: float, height: float) -> bytes:
    """A PNG of the page from `top`, beyond the window's height."""
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": top, "width": width, "height": height, "scale": 1},
        },
    )
    return base64.b64decode(shot["data"])


@contextmanager
def chromium(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """Headless Debian Chromium; no background network calls, a fresh profile."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1600,1000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(
        options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER)
    )
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: webdriver.Chrome, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path
