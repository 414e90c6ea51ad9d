"""The crawler's settings: polite by default, alphabetical and commented, and turned off
only on request (replay)."""

from __future__ import annotations

import re
from pathlib import Path

from scrapy.settings import Settings

from crawler import settings as crawl_settings
from crawler.spiders.html_list import HtmlListSpider

SOURCE = Path(crawl_settings.__file__).read_text(encoding="utf-8")


def test_polite_defaults():
    s = crawl_settings
    assert s.ROBOTSTXT_OBEY is True and s.AUTOTHROTTLE_ENABLED is True
    assert s.CONCURRENT_REQUESTS_PER_DOMAIN == 2 and s.DOWNLOAD_DELAY >= 1
    assert s.DOWNLOAD_TIMEOUT == 30 and s.DOWNLOAD_MAXSIZE == 10 * 2**20
    assert s.RETRY_ENABLED and {500, 502, 503, 504, 408} <= set(s.RETRY_HTTP_CODES)
    assert s.HTTPCACHE_ENABLED and s.HTTPCACHE_POLICY == "crawler.list_cache.RevalidateOnlyPolicy"
    assert s.DOWNLOADER_MIDDLEWARES["crawler.list_cache.ListCacheMiddleware"] == 900
    assert s.NEWSWATCH_POLITE is True and s.NEWSWATCH_DRY_RUN is False


def test_settings_are_alphabetical_and_commented():
    lines = SOURCE.splitlines()
    names = [m.group(1) for m in (re.match(r"^([A-Z][A-Z0-9_]+) = ", ln) for ln in lines) if m]
    scrapy_names = [n for n in names if not n.startswith("NEWSWATCH_")]
    ours = [n for n in names if n.startswith("NEWSWATCH_")]
    assert scrapy_names == sorted(scrapy_names)
    assert ours == sorted(ours)
    for i, line in enumerate(lines):
        m = re.match(r"^([A-Z]+)_?[A-Z0-9_]* = ", line)
        if m:  # a comment above, or a setting of the same family sharing it (RETRY_*)
            above = lines[i - 1]
            assert above.startswith("#") or above.startswith(m.group(1) + "_"), line


def test_politeness_off_and_cache_beside_the_archive(tmp_path):
    settings = Settings()
    settings.setmodule(crawl_settings, priority="project")
    settings.set("NEWSWATCH_POLITE", False, priority="cmdline")
    settings.set("NEWSWATCH_DB", str(tmp_path / "a.db"), priority="cmdline")
    HtmlListSpider.update_settings(settings)
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is False
    assert settings.getfloat("DOWNLOAD_DELAY") == 0
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 16
    assert settings.get("HTTPCACHE_DIR") == str(tmp_path / "a.db") + ".httpcache"
    assert settings.getbool("ROBOTSTXT_OBEY") is True
