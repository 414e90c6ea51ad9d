"""The bundled demo replay set, crawled with a bare `scrapy crawl` from the repository
root (scrapy.cfg → crawler.settings), as the README and the issue promise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from crawler import archive
from tests.support.replay_site import replay_site
from newswatch.storage import open_archive  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def test_scrapy_crawl_from_the_repository_root_archives_the_demo(tmp_path):
    db = tmp_path / "demo.db"
    env = {k: v for k, v in os.environ.items()
           if k not in ("SCRAPY_SETTINGS_MODULE", "NEWSWATCH_DB", "NEWSWATCH_REPLAY")}
    with replay_site(ROOT / "seeds" / "replay") as site:
        run = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "html", "-a", "source=demo-mii-news",
             "-s", f"NEWSWATCH_SOURCES_DIR={ROOT / 'seeds' / 'replay-sources'}",
             "-s", f"NEWSWATCH_DB={db}", "-s", f"NEWSWATCH_REPLAY={site.url}",
             "-s", "NEWSWATCH_POLITE=0"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        requested = site.paths()
    assert run.returncode == 0, run.stderr[-2000:]
    rows = list(open_archive(db).query(
        "SELECT url, site_id, title, published, original_source FROM articles ORDER BY published"))
    assert len(rows) == 4
    assert rows[-1]["title"] == "工业和信息化部召开人工智能赋能新型工业化推进会"
    assert rows[-1]["published"] == "2026-11-24T02:30:00+00:00"
    assert rows[-1]["site_id"] == "a3f1c0d2e4b5968778695a4b3c2d1e0f"
    assert all(r["url"].startswith("https://www.mii.example.cn/xwfb/gxdt/art/2026/")
               for r in rows)
    assert "/www.mii.example.cn/robots.txt" in requested
    run_row = next(open_archive(db).query("SELECT * FROM runs"))
    assert run_row["outcome"] == "ok" and run_row["pages"] == 2 and run_row["baseline"] == 1
