"""The web pages: static HTML served by the app itself (no front-end server, no build step)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "ui"
# Pages hold no secrets (the key lives in sessionStorage), but must never be cached stale or framed.
_HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'",
}

router = APIRouter(prefix="/ui", tags=["web pages"], include_in_schema=False)


def static_files() -> StaticFiles:
    return StaticFiles(directory=STATIC_DIR)


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC_DIR / name, media_type="text/html; charset=utf-8", headers=_HEADERS)


@router.get("")
def index() -> RedirectResponse:
    """Start at the agent-assist sidebar."""
    return RedirectResponse("/ui/assist")


@router.get("/login")
def login() -> FileResponse:
    """Login page: API key and KB, kept in session storage."""
    return _page("login.html")


@router.get("/assist")
def assist() -> FileResponse:
    """Agent-assist sidebar."""
    return _page("assist.html")


@router.get("/dashboard")
def dashboard() -> FileResponse:
    """Analytics dashboard for editors: volumes, rates, latency, unanswered clusters, top articles."""
    return _page("dashboard.html")


@router.get("/editor")
def editor() -> FileResponse:
    """Editor console: articles, versions, uploads, dictionary, settings and the review queue."""
    return _page("editor.html")
