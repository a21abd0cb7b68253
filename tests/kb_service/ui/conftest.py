"""Shared by the browser tests: a live uvicorn serving a copy of the sample KB, headless Chromium
through Playwright, and small helpers (keys, logging in, waiting)."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlmodel import Session, select

from kb_service.app import create_app
from kb_service.models import Feedback
from tests.kb_service.conftest import sample_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The README's screenshots are refreshed only on request (KB_UPDATE_SCREENSHOTS=1); otherwise the
# tests still take them (a rendering failure fails the test) but into a temporary folder.
SCREENSHOTS = (
    Path(__file__).resolve().parents[3] / "docs" / "screenshots"
    if os.environ.get("KB_UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.mkdtemp(prefix="kb-screenshots-"))
)
TIMEOUT_MS = 10_000


@dataclass
class Live:
    url: str
    app: FastAPI
    admin: str

    def call(self, method: str, path: str, key: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key or self.admin}"}
        return httpx.request(method, self.url + path, headers=headers, timeout=10, **kwargs)

    def new_key(self, role: str, kbs: list[str] | None = None) -> dict[str, Any]:
        r = self.call("POST", "/v1/keys", json={"role": role, "kbs": kbs, "name": f"ui-{role}"})
        assert r.status_code == 201, r.text
        return r.json()  # type: ignore[no-any-return]

    def feedback_events(self, article_id: int) -> list[str]:
        with Session(self.app.state.engine) as session:
            rows = session.exec(select(Feedback).where(Feedback.article_id == article_id)).all()
        return [row.event for row in rows]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live(sample_seed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    data_dir = tmp_path_factory.mktemp("ui") / "var"
    shutil.copytree(sample_seed, data_dir)
    app = create_app(sample_settings(data_dir))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield Live(f"http://127.0.0.1:{port}", app, (data_dir / "admin.key").read_text().strip())
    server.should_exit = True
    thread.join(timeout=30)


def _require_browser() -> Any:
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "Playwright for Python is not installed (pip install playwright)"
    if reason is None and not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    return sync_playwright


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = _require_browser()
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live: Live) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 400, "height": 900}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.url)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture(scope="module")
def agent_key(live: Live) -> str:
    return str(live.new_key("agent")["key"])


def log_in(page: Any, live: Live, key: str, kb: str = "default", to: str = "/ui/assist") -> None:
    query = "" if to == "/ui/assist" else "?next=" + to.replace("/", "%2F")
    page.goto(live.url + "/ui/login" + query)
    page.fill("#api-key", key)
    page.fill("#kb", kb)
    page.click("#login-button")
    page.wait_for_url(live.url + to)
    page.wait_for_selector("body.ready")


def wait_until(check: Callable[[], bool], seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
