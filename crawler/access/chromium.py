"""The system Chromium for ``render``: where it is, how it is started, and whether this
crawl can use it. Light to import (no Playwright, no download handler): the spiders, the
render middleware and ``sources check`` ask it; :mod:`crawler.access.browser` drives it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome",
                  "/usr/bin/google-chrome-stable", "/snap/bin/chromium")
# Quiet, small and root-safe: no update checks, no first-run UI, no GPU, /tmp not /dev/shm.
CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--no-default-browser-check", "--disable-gpu",
                 "--disable-dev-shm-usage", "--disable-extensions", "--mute-audio",
                 "--disable-sync", "--metrics-recording-only"]

class BrowserUnavailable(RuntimeError):
    """No browser can be used; the message says what to install or set."""


def find_executable(setting: str) -> str:
    """The Chromium to drive: the setting, else a known path; a clear error naming it."""
    if setting:
        path = shutil.which(setting) or setting
        if not os.path.isfile(path) or not os.access(path, os.X_OK):
            raise BrowserUnavailable(f"NEWSWATCH_BROWSER_EXECUTABLE = {setting!r}: no "
                                     f"executable there")
        return path
    for path in CHROMIUM_PATHS:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise BrowserUnavailable(
        "no Chromium found (looked in " + ", ".join(CHROMIUM_PATHS) + "): install it "
        "(apt-get install chromium) or set NEWSWATCH_BROWSER_EXECUTABLE to its path")


def check_available(settings) -> str:
    """The Chromium path when ``render`` can work in this crawl; else BrowserUnavailable."""
    missing = [m for m in ("scrapy_playwright", "playwright")
               if importlib.util.find_spec(m) is None]
    if missing:
        raise BrowserUnavailable(
            f"the browser extra is not installed ({', '.join(missing)} missing): "
            f"pip install 'newswatch[browser]'")
    reactor = settings.get("TWISTED_REACTOR") or ""
    if "asyncioreactor" not in reactor:
        raise BrowserUnavailable(f"render needs Twisted's asyncio reactor; TWISTED_REACTOR "
                                 f"is {reactor or 'unset'}")
    return find_executable(settings.get("NEWSWATCH_BROWSER_EXECUTABLE") or "")


def launch_options(settings, executable: str) -> dict:
    args = list(CHROMIUM_ARGS) + list(settings.getlist("NEWSWATCH_BROWSER_ARGS"))
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    options = {"executable_path": executable, "headless": True, "args": args,
               "timeout": settings.getfloat("NEWSWATCH_BROWSER_PAGE_TIMEOUT") * 1000}
    proxy = settings.get("NEWSWATCH_BROWSER_PROXY") or ""
    if proxy:
        options["proxy"] = playwright_proxy(proxy)
    return options


def playwright_proxy(url: str) -> dict:
    """Playwright's proxy dict; loopback too goes through it (Chromium skips the proxy for
    loopback addresses unless told ``<-loopback>``), as it does for plain requests."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    server = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    out = {"server": server, "bypass": "<-loopback>"}
    if parts.username:
        out["username"] = parts.username
        out["password"] = parts.password or ""
    return out



def configure(settings) -> None:
    """Fill scrapy-playwright's settings from ours (a spider's ``update_settings``):
    what the user set on the command line or in a project's settings wins."""
    from scrapy.settings import SETTINGS_PRIORITIES

    def put(name, value):
        if settings.getpriority(name) is None or \
                settings.getpriority(name) < SETTINGS_PRIORITIES["project"]:
            settings.set(name, value, priority="spider")

    try:
        executable = find_executable(settings.get("NEWSWATCH_BROWSER_EXECUTABLE") or "")
    except BrowserUnavailable:
        executable = ""  # said when a page needs the browser, not before
    put("PLAYWRIGHT_BROWSER_TYPE", "chromium")
    put("PLAYWRIGHT_LAUNCH_OPTIONS", launch_options(settings, executable) if executable else {})
    put("PLAYWRIGHT_MAX_CONTEXTS", settings.getint("NEWSWATCH_BROWSER_MAX_CONTEXTS"))
    put("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT", settings.getint("NEWSWATCH_BROWSER_MAX_PAGES"))
    put("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT",
        settings.getfloat("NEWSWATCH_BROWSER_PAGE_TIMEOUT") * 1000)
    put("PLAYWRIGHT_ABORT_REQUEST", "crawler.access.browser.abort_request")
    put("PLAYWRIGHT_PROCESS_REQUEST_HEADERS", "crawler.access.browser.browser_headers")
    put("PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER", True)
