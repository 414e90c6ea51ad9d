"""List-page readers of the generic spiders, outcome classification and block detection,
without a crawl (fast)."""

from __future__ import annotations

import textwrap

import pytest
from scrapy.http import HtmlResponse, Request

from crawler.blocking import block_reason
from crawler.items import Tally
from crawler.seeds import load_source
from crawler.spiders.feed import feed_entries
from crawler.spiders.html_list import HtmlListSpider
from crawler.spiders.json_list import dig, load_json
from crawler.spiders.sitemap import parse_sitemap


def html_spider(tmp_path, list_table: str) -> HtmlListSpider:
    (tmp_path / "s.toml").write_text(textwrap.dedent(f"""\
        name = "s"
        title = "s"
        site = "S"
        kind = "html"
        language = "zh"
        start_urls = ["https://www.s.cn/list/"]
        [list]
        {list_table}
        """), encoding="utf-8")
    spider = HtmlListSpider(source="s")
    spider.source = load_source(tmp_path / "s.toml")
    return spider


def response(url: str, body: str, encoding: str = "utf-8") -> HtmlResponse:
    return HtmlResponse(url, body=body.encode(encoding), request=Request(url),
                        headers={"Content-Type": f"text/html; charset={encoding}"})


def test_html_items_with_titles_dates_and_unquoted_relative_links(tmp_path):
    spider = html_spider(tmp_path, 'items = "li"\nlink = "a::attr(href)"\n'
                                   'title = "a::attr(title)"\ndate = "span::text"')
    page = ("<ul><li><a href=./202611/t1.html title='标题一'>标题</a><span> 2026/11/02 </span>"
            "</li><li><a href=//www.s.cn/a/t2.html>二</a></li><li><a>no link</a></li>"
            "<li><a href='javascript:void(0)'>js</a></li></ul>")
    entries = spider.list_entries(response("https://www.s.cn/list/", page))
    assert [(e.url, e.title, e.date) for e in entries] == [
        ("https://www.s.cn/list/202611/t1.html", "标题一", "2026/11/02"),
        ("https://www.s.cn/a/t2.html", None, None)]


def test_html_xpath_selectors_and_gbk_lists(tmp_path):
    spider = html_spider(tmp_path, 'link = "xpath://div[@id=\'l\']//a/@href"')
    page = "<div id='l'><a href='/x/1.htm'>一</a><a href='/x/2.htm'>二</a></div><a href='/o'>o</a>"
    entries = spider.list_entries(response("https://www.s.cn/list/", page, "gbk"))
    assert [e.url for e in entries] == ["https://www.s.cn/x/1.htm", "https://www.s.cn/x/2.htm"]


def test_rss_and_atom_feeds():
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>A</title>'
           b"<link>https://n.cn/a.html</link><pubDate>Mon, 02 Nov 2026 08:00:00 GMT</pubDate>"
           b'</item><item><title>B</title><guid isPermaLink="true">https://n.cn/b.html</guid>'
           b"</item></channel></rss>")
    assert [(e.url, e.title, e.date) for e in feed_entries(rss)] == [
        ("https://n.cn/a.html", "A", "Mon, 02 Nov 2026 08:00:00 GMT"),
        ("https://n.cn/b.html", "B", None)]
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>C</title>'
            b'<link rel="alternate" href="https://n.cn/c.html"/><updated>2026-11-02T08:00:00Z'
            b"</updated></entry></feed>")
    assert [(e.url, e.title, e.date) for e in feed_entries(atom)] == [
        ("https://n.cn/c.html", "C", "2026-11-02T08:00:00Z")]
    with pytest.raises(ValueError, match="not an RSS or Atom feed"):
        feed_entries(b"<html><body>oops</body></html>")


def test_sitemaps_and_sitemap_indexes():
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    entries, children = parse_sitemap(
        f'<urlset {ns} xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>'
        f"<loc>https://m.cn/a.html</loc><lastmod>2026-11-02</lastmod><news:news>"
        f"<news:title>T</news:title></news:news></url></urlset>".encode())
    assert [(e.url, e.title, e.date) for e in entries] == [("https://m.cn/a.html", "T",
                                                            "2026-11-02")]
    assert children == []
    entries, children = parse_sitemap(f"<sitemapindex {ns}><sitemap><loc>https://m.cn/s1.xml"
                                      f"</loc></sitemap></sitemapindex>".encode())
    assert (entries, children) == ([], ["https://m.cn/s1.xml"])


def test_json_paths_padding_and_callbacks():
    data = load_json(b'\xef\xbb\xbf  {"data": {"list": [{"u": "/a", "t": {"zh": "x"}}]}} \n')
    assert dig(data, "data.list.0.u") == "/a" and dig(data, "data.list.0.t.zh") == "x"
    assert dig(data, "data.missing.u") is None and dig(data, "") is data
    assert load_json(b'cb({"a": [1]});') == {"a": [1]}


@pytest.mark.parametrize("tally,outcome", [
    (Tally(pages=2, items_found=10), "ok"),
    (Tally(pages=1, items_found=0), "empty"),
    (Tally(pages=0, list_failed=1), "failed"),
    (Tally(pages=0, blocked=1), "blocked"),
    (Tally(pages=1, items_found=0, blocked=1), "blocked"),
])
def test_outcomes(tally, outcome):
    assert tally.classify() == outcome


def test_block_detection():
    assert block_reason(403, b"").startswith("HTTP 403, forbidden")
    assert block_reason(521, b"<script>x</script>").startswith("HTTP 521, challenge page")
    challenge = b"<html><script>document.cookie='__jsl_clearance=1';location.href=location.href"
    assert "challenge" in block_reason(200, challenge)
    assert block_reason(200, b"<html><body>" + b"news " * 5000 + b"document.cookie") is None
    assert block_reason(200, b"<html><body><ul><li>ok</li></ul></body></html>") is None
    small_list = (b"<html><script>document.cookie='hm=1'</script><ul>"
                  + b"<li><a href='/a.html'>a</a></li>" * 5 + b"</ul></html>")
    assert block_reason(200, small_list) is None


def _list_response(url: str, body: str, page: int) -> HtmlResponse:
    request = Request(url, meta={"nw_page": page})
    return HtmlResponse(url, body=body.encode(), request=request,
                        headers={"Content-Type": "text/html; charset=utf-8"})


def test_pagination_follows_new_pages_and_stops_when_a_page_only_repeats(tmp_path):
    from crawler.items import Tally
    from crawler.known_articles import KnownArticles

    spider = html_spider(tmp_path, 'link = "li a::attr(href)"')
    spider.source = spider.source.__class__(**{**spider.source.__dict__,
                                               "pagination": {"next": "a.next::attr(href)"}})
    spider.tally, spider.refresh, spider._seen = Tally(), False, set()
    spider.known = KnownArticles(None, "S")
    body = "<ul><li><a href='/a.html'>a</a></li><li><a href='/b.html'>b</a></li></ul>" \
           "<a class='next' href='/list/2.html'>next</a>"
    first = list(spider.parse_list(_list_response("https://www.s.cn/list/", body, 1)))
    assert [r.url for r in first] == ["https://www.s.cn/a.html", "https://www.s.cn/b.html",
                                      "https://www.s.cn/list/2.html"]
    again = list(spider.parse_list(_list_response("https://www.s.cn/list/2.html", body, 2)))
    assert again == [] and spider.tally.errors == [] and spider.tally.items_found == 2


def test_a_404_past_the_last_template_page_ends_the_list_quietly(tmp_path):
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.python.failure import Failure

    spider = html_spider(tmp_path, 'link = "a::attr(href)"')
    spider.tally = Tally()

    def fail(page):
        request = Request(f"https://www.s.cn/list/index_{page}.html", meta={"nw_page": page})
        response = HtmlResponse(request.url, status=404, body=b"", request=request)
        failure = Failure(HttpError(response, "404"))
        failure.request = request
        spider.list_failed(failure)

    fail(3)
    assert spider.tally.errors == [] and spider.tally.list_failed == 0
    fail(1)
    assert spider.tally.list_failed == 1
    assert spider.tally.errors[0]["error"] == "list page: HTTP 404"


def test_json_next_page_is_a_dotted_path(tmp_path):
    from crawler.spiders.json_list import JsonListSpider

    (tmp_path / "j.toml").write_text(textwrap.dedent("""\
        name = "j"
        title = "j"
        site = "J"
        kind = "json"
        language = "en"
        start_urls = ["https://api.j.cn/list?page=1"]
        [list]
        items_path = "items"
        link_path = "url"
        [pagination]
        next = "paging.next"
        """), encoding="utf-8")
    spider = JsonListSpider(source="j")
    spider.source = load_source(tmp_path / "j.toml")
    body = b'{"items": [{"url": "/a/1"}], "paging": {"next": "/list?page=2"}}'
    response = HtmlResponse("https://api.j.cn/list?page=1", body=body, request=Request(
        "https://api.j.cn/list?page=1"))
    assert [e.url for e in spider.list_entries(response)] == ["https://api.j.cn/a/1"]
    assert spider.next_page_url(response, 1) == "/list?page=2"
