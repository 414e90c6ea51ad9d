"""Errors that Scrapy reports by exception name alone become sentences; a feed rejected as
an XML bomb says so, not "selectors or layout changed?"."""

from __future__ import annotations

import textwrap

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, ResponseDataLossError
from twisted.python.failure import Failure

from crawler.seeds import load_source
from crawler.spiders.base import ListRefused, failure_message
from crawler.spiders.feed import feed_entries
from newswatch.crawl.runner import CrawlOptions, crawl_source
from tests.support.replay_site import replay_site

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss version="2.0"><channel><title>&lol3;</title>
<item><title>a</title><link>https://feed.example/a.html</link></item></channel></rss>"""


def failure(exc, **meta):
    f = Failure(exc)
    f.request = Request("https://www.example.gov.cn/list/", meta=meta)
    return f


def test_a_download_cancelled_for_its_size_names_the_cap():
    text = failure_message(failure(DownloadCancelledError()), maxsize=10 * 2**20)
    assert text.startswith("larger than the 10 MB cap (DOWNLOAD_MAXSIZE)")
    assert "DownloadCancelledError" not in text


def test_data_loss_is_a_sentence():
    text = failure_message(failure(ResponseDataLossError()))
    assert text == ("the server closed the connection before the promised length "
                    "(Content-Length)")


def test_an_xml_bomb_is_refused_as_such():
    with pytest.raises(ListRefused, match="XML bomb"):
        feed_entries(BOMB)


def test_a_bomb_feed_crawl_says_xml_bomb_not_layout_changed(tmp_path):
    with replay_site(tmp_path / "web") as site:
        site.publish("https://feed.example/rss.xml", BOMB,
                     meta='content_type = "application/rss+xml"\n')
        (tmp_path / "bomb.toml").write_text(textwrap.dedent("""\
            name = "bomb"
            title = "bomb"
            site = "bomb"
            kind = "feed"
            language = "en"
            start_urls = ["https://feed.example/rss.xml"]
            """), encoding="utf-8")
        source = load_source(tmp_path / "bomb.toml")
        result = crawl_source(source, CrawlOptions(db=tmp_path / "b.db", sources_dir=tmp_path,
                                                   replay=site.url))
    messages = " ".join(e["error"] for e in result.errors)
    assert result.outcome == "failed"
    assert "XML bomb" in messages and "layout changed" not in messages, messages
