"""render = "auto" | "always" through the system Chromium, on the loopback challenge
server: the browser gets past a JavaScript cookie challenge and a WAF page, is used only
where needed (its requests are counted), and its cookies serve the plain requests."""

from __future__ import annotations

import importlib.util

import pytest

from crawler.access.chromium import BrowserUnavailable, find_executable
from tests.test_access_crawl import crawl, run_row
from tests.support.challenge_server import challenge_server


def _why_not() -> str | None:
    for module in ("scrapy_playwright", "playwright"):
        if importlib.util.find_spec(module) is None:
            return f"the browser extra is not installed ({module}): pip install '.[browser]'"
    try:
        find_executable("")
    except BrowserUnavailable as exc:
        return str(exc)
    return None


pytestmark = pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")


@pytest.fixture(scope="module")
def server():
    with challenge_server() as srv:
        yield srv


def test_auto_gets_past_a_412_cookie_challenge_with_one_browser_page(tmp_path, server):
    result = crawl(tmp_path, server, "js", 'render = "auto"')
    assert (result.outcome, result.items_new) == ("ok", 3), result.errors
    assert result.browser_requests == 1  # the list page; the articles were plain
    assert run_row(tmp_path)["browser_requests"] == 1
    # The next run starts with the saved clearance cookie: no browser at all.
    server.articles += 1
    try:
        again = crawl(tmp_path, server, "js", 'render = "auto"')
    finally:
        server.articles -= 1
    assert (again.outcome, again.items_new, again.browser_requests) == ("ok", 1, 0)


def test_auto_gets_past_a_200_jiasule_waf_page(tmp_path, server):
    result = crawl(tmp_path, server, "waf", 'render = "auto"')
    assert (result.outcome, result.items_new) == ("ok", 3), result.errors
    assert result.browser_requests == 1


def test_auto_never_starts_the_browser_for_a_site_without_a_challenge(tmp_path, server):
    result = crawl(tmp_path, server, "plain", 'render = "auto"')
    assert (result.outcome, result.items_new, result.browser_requests) == ("ok", 3, 0)
    assert "Starting download handler" not in open(result.log).read()  # no Playwright


def test_auto_asks_the_browser_again_only_when_the_cookie_stops_working(tmp_path):
    with challenge_server(articles=8, cookie_uses=3) as srv:
        result = crawl(tmp_path, srv, "js", 'render = "auto"')
    assert (result.outcome, result.items_new) == ("ok", 8), result.errors
    # 9 pages, a cookie lasts 3 (its first use is the browser's own reload).
    assert 2 <= result.browser_requests <= 5, result.browser_requests


def test_auto_turns_to_the_browser_for_a_host_whose_cookie_only_a_browser_can_use(tmp_path):
    with challenge_server(articles=8) as srv:
        result = crawl(tmp_path, srv, "tied", 'render = "auto"')
    assert (result.outcome, result.items_new) == ("ok", 8), result.errors
    assert "go through the browser for the rest of the run" in open(result.log).read()
    assert result.browser_requests <= 9 + 3


def test_always_renders_every_page_without_images_and_restarts_the_browser(tmp_path, server):
    result = crawl(tmp_path, server, "plain", 'render = "always"',
                   settings={"NEWSWATCH_BROWSER_RESTART_PAGES": "2"}, name="always")
    assert (result.outcome, result.items_new) == ("ok", 3), result.errors
    assert result.browser_requests == 4  # the list and three articles
    assert not [p for p in server.times if p.endswith(".png")]  # images never loaded
    log = open(result.log).read()
    assert "newswatch/browser/restarts/pages" in log


def test_the_browser_restarts_past_its_memory_limit(tmp_path, server):
    pytest.importorskip("psutil", reason="psutil (in the browser extra) measures memory")
    result = crawl(tmp_path, server, "plain", 'render = "always"',
                   settings={"NEWSWATCH_BROWSER_MEMORY_MB": "1"}, name="memory")
    assert (result.outcome, result.items_new) == ("ok", 3), result.errors
    assert "newswatch/browser/restarts/memory" in open(result.log).read()


def test_the_browser_uses_the_sources_proxy(tmp_path, server, monkeypatch):
    from tests.support.challenge_server import RecordingProxy

    proxy = RecordingProxy()
    try:
        monkeypatch.setenv("NW_TEST_PROXY", proxy.url)
        result = crawl(tmp_path, server, "plain", 'render = "always"\nproxy = "${NW_TEST_PROXY}"',
                       name="proxied")
    finally:
        proxy.stop()
    assert (result.outcome, result.items_new, result.browser_requests) == ("ok", 3, 4), \
        result.errors
    assert f"{server.url}/plain/a1.html" in proxy.urls  # asked by Chromium, via the proxy
