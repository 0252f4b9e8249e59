"""Headless Chromium for the leaderboard page: Debian's ``chromium`` driven by Playwright's Python package.

Playwright's own browser download cannot run here, so the browser is the system one (``executable_path``);
``tools/setup_browser.sh`` installs both. Pages are opened with every request that is not a local file aborted and
recorded, so a page that would need the network shows it.
"""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

CHROMIUM_ENV = 'PINAS_CHROMIUM'                 # the browser binary, if not on PATH as one of the names below
CHROMIUM_NAMES = ('chromium', 'chromium-browser')
CHROMIUM_FLAGS = ('--headless', '--no-sandbox', '--disable-gpu')
VIEWPORT = dict(width=1400, height=1000)
LOCAL_SCHEMES = ('file:', 'about:')
SETUP_HINT = 'run tools/setup_browser.sh (as root: Debian chromium + playwright in .venv)'


class BrowserUnavailable(RuntimeError):
    """No Chromium or no Playwright: the message says how to install them."""


def chromium_path() -> str | None:
    """The Chromium binary: $PINAS_CHROMIUM (None if that is not an executable), else the first of
    :data:`CHROMIUM_NAMES` on PATH."""
    if os.environ.get(CHROMIUM_ENV):
        return shutil.which(os.environ[CHROMIUM_ENV])
    return next((path for path in map(shutil.which, CHROMIUM_NAMES) if path), None)


def missing() -> str | None:
    """Why the browser cannot run, or None when it can."""
    if chromium_path() is None:
        return f'no Chromium binary ({" or ".join(CHROMIUM_NAMES)} on PATH, or ${CHROMIUM_ENV}); {SETUP_HINT}'
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return f'the playwright Python package is not installed; {SETUP_HINT}'
    return None


@contextmanager
def offline_page(html: str | Path):
    """Yield ``(page, requests)`` for ``html`` opened from a file:// URL; ``requests`` lists every URL the page
    asked for that is not local (each was aborted)."""
    problem = missing()
    if problem:
        raise BrowserUnavailable(problem)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_FLAGS))
        try:
            context = browser.new_context(viewport=VIEWPORT)
            outside: list[str] = []

            def guard(route):
                if route.request.url.startswith(LOCAL_SCHEMES):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            context.route('**/*', guard)
            page = context.new_page()
            page.goto(Path(html).resolve().as_uri())
            yield page, outside
        finally:
            browser.close()


def screenshot(html: str | Path, png: str | Path) -> Path:
    """A full-page PNG of ``html``; a page that asked for the network is an error (it must open offline)."""
    with offline_page(html) as (page, outside):
        page.screenshot(path=str(png), full_page=True)
    if outside:
        raise RuntimeError(f'{html}: the page requested {outside[0]}; it must open offline')
    return Path(png)
