"""Screenshots of the web interface for docs/web.md, from the test archive (real crawls
of the replay web) served by `newswatch web`, in Chromium:

    PYTHONPATH=$PWD python3 -m tests.support.web_screenshots docs/web
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support.web_archive import web_archive

ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, web_archive(Path(tmp)) as world:
        world.newswatch("web", "user", "add", "ana", "--role", "admin", "--password-stdin",
                        input="correct horse\n")
        proc = subprocess.Popen([sys.executable, "-m", "newswatch", "--config",
                                 str(world.config), "web", "--port", "0"], env=world.env,
                                stderr=subprocess.PIPE, text=True)
        try:
            line = proc.stderr.readline()
            url = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 860},
                                        locale="en-US")
                page.goto(f"{url}/login")
                page.screenshot(path=str(out / "login.png"))
                page.fill("input[name=name]", "ana")
                page.fill("input[name=password]", "correct horse")
                page.click("form.login button")
                page.wait_for_url("**/matches")
                shots = [("matches", "/matches"), ("search", "/search?q=%E8%8A%AF%E7%89%87"),
                         ("sources", "/sources"), ("deliveries", "/deliveries"),
                         ("topics", "/topics")]
                for name, path in shots:
                    page.goto(url + path)
                    page.screenshot(path=str(out / f"{name}.png"))
                page.goto(f"{url}/matches")
                page.locator("article.match h3 a").first.click()
                page.wait_for_selector("h2")
                page.screenshot(path=str(out / "article.png"))
                page.goto(f"{url}/topics/chips/edit")
                page.locator("textarea[name=query]").fill("芯片 OR 集成电路 OR quantum")
                page.wait_for_selector("#preview-count")
                page.wait_for_timeout(800)
                page.screenshot(path=str(out / "topic-edit.png"), full_page=True)
                page.locator("textarea[name=query]").fill("芯片 AND (集成电路")
                page.wait_for_selector("#preview .error")
                page.screenshot(path=str(out / "topic-error.png"))
                page.goto(f"{url}/feeds")
                page.click("form.filters button")
                page.wait_for_selector(".feed-url")
                page.screenshot(path=str(out / "feeds.png"))
                page.goto(f"{url}/lang?to=zh&next=/matches")
                page.screenshot(path=str(out / "matches-zh.png"))
                browser.close()
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/web"))
