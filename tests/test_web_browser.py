"""The web interface in a real browser (Playwright driving Debian's Chromium), served by
the running service (`newswatch run --web`): log in, edit a topic and watch the live
preview change, save it, see the service reload it and a new match appear after "crawl
now", retry a dead letter."""

from __future__ import annotations

import os
import re
import shutil
import time

import pytest

from tests.support.service_process import ServiceProcess
from tests.support.web_archive import web_archive

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="playwright (test extra) is not installed")
if not os.path.exists(CHROMIUM):
    pytest.skip("Chromium is not installed (Debian package chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def served(tmp_path):
    with web_archive(tmp_path) as world:
        world.newswatch("web", "user", "add", "ana", "--role", "admin", "--password-stdin",
                        input="correct horse\n")
        (tmp_path / "svc").mkdir()
        svc = ServiceProcess(tmp_path / "svc", config=world.settings, channels=world.channels,
                             db=world.db, env=world.env)
        svc.start("--web", "127.0.0.1:0", "--interval", "1h")
        line = svc.wait_for(r"web interface on http://127\.0\.0\.1:\d+", timeout=60)
        url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        try:
            yield world, svc, url
        finally:
            svc.terminate()


def test_login_edit_preview_save_reload_crawl_match_and_retry(served, browser):
    world, svc, url = served
    page = browser.new_page(locale="en-US")
    page.set_default_timeout(30_000)
    expect = sync_api.expect

    # Log in.
    page.goto(f"{url}/topics")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.fill("input[name=name]", "ana")
    page.fill("input[name=password]", "wrong password")
    page.click("form.login button")
    expect(page.locator(".error")).to_contain_text("Wrong user name or password")
    page.fill("input[name=name]", "ana")
    page.fill("input[name=password]", "correct horse")
    page.click("form.login button")
    expect(page).to_have_url(f"{url}/topics")
    expect(page.locator(".who")).to_contain_text("ana")

    # Edit a topic: the preview follows the query as it is typed.
    page.goto(f"{url}/topics/chips/edit")
    count = page.locator("#preview-count")
    expect(count).to_be_visible()
    before = int(count.get_attribute("data-count"))
    assert before >= 3
    query = page.locator("textarea[name=query]")
    query.fill("quantum")
    expect(count).to_have_attribute("data-count", "1")
    expect(page.locator("#preview")).to_contain_text("Quantum computing lab opens")
    query.fill("quantum AND (")
    expect(page.locator("#preview .error")).to_contain_text("at column")
    query.fill("芯片 OR 集成电路 OR semiconductor* OR quantum")
    expect(count).to_have_attribute("data-count", str(before + 1))

    # Save: the file is rewritten and the running service reloads it.
    page.click("form.topic button")
    expect(page.locator(".notice")).to_contain_text("running service reloads")
    assert "quantum" in world.topics.read_text(encoding="utf-8")
    svc.wait_for(r"reload requested by ana", timeout=30)
    svc.wait_for(r"reload: topics changed: chips", timeout=30)

    # A new article on the wire; "crawl now" asks the service, which crawls and matches.
    world.news.publish("wire", "sensor", "Quantum sensor plant starts production",
                       "The plant makes quantum sensors for navigation.\n\nIt opened today.")
    page.goto(f"{url}/sources")
    page.locator("#wire form button").click()
    expect(page.locator(".notice")).to_contain_text("Crawl requested")
    svc.wait_for(r"crawl wire: requested by ana", timeout=30)
    svc.wait_for(r"crawl wire: ok, 1 new", timeout=120)
    svc.wait_for(r"matched \d+ new article\(s\): 1 match", timeout=60)
    page.goto(f"{url}/matches?topic=chips")
    expect(page.locator("article.match").first).to_contain_text(
        "Quantum sensor plant starts production")
    expect(page.locator("article.match mark").first).to_have_text(re.compile("quantum", re.IGNORECASE))

    # Retry a dead letter: it is queued again and the service tries it once more.
    page.goto(f"{url}/deliveries?state=dead")
    first = page.locator("table tr td a").first
    row_id = first.inner_text()
    page.locator("form[action$='/retry'] button").first.click()
    expect(page.locator(".notice")).to_contain_text("Requeued.")
    deadline = time.monotonic() + 60
    while True:
        page.goto(f"{url}/deliveries/{row_id}")
        attempts = page.locator("h2 + table tr").count() - 1
        if attempts >= 2 or time.monotonic() > deadline:
            break
        page.wait_for_timeout(500)  # the service's delivery job runs every second
    assert attempts >= 2, page.content()

    # The same process serves /healthz and /metrics.
    assert page.goto(f"{url}/healthz").status == 200
    assert "newswatch_crawls" in page.goto(f"{url}/metrics").text()
    page.close()
