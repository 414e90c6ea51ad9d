"""A small fixture web of five sources, written by :func:`build_site`, for crawl tests.

- ``www.mofa-a.example`` (html, zh): three paginated list pages; page 2's hrefs are
  unquoted; articles carry the government CMS meta tags.
- ``data.portal-b.example`` (json, zh): a JSON list API; the date comes from the list.
- ``news.gazette-c.example`` (feed, en): an RSS 2.0 feed.
- ``www.map-d.example`` (sitemap, en): a sitemap index pointing at a urlset.
- ``www.gbk-e.example`` (html, zh): list and articles encoded in GBK, declared GB2312.

``ARTICLES`` holds what each article page says, so tests check rows field by field.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

A, B, C, D, E = ("www.mofa-a.example", "data.portal-b.example", "news.gazette-c.example",
                 "www.map-d.example", "www.gbk-e.example")


@dataclass
class Page:
    source: str
    url: str
    title: str
    date_text: str  # as the page (or list) writes it
    published: str  # the UTC time the archive must hold
    body: str
    author: str | None = None
    original_source: str | None = None


def _zh_body(n: int, topic: str) -> str:
    return (f"第{n}号通知：关于{topic}的工作安排。各有关单位要高度重视，"
            f"认真落实{topic}相关要求，加快推进重点项目建设，确保按期完成目标任务。"
            f"本通知自发布之日起施行，请各地结合实际抓好贯彻落实。")


def _en_body(n: int, topic: str) -> str:
    return (f"Report number {n} on {topic}. Officials said on Tuesday that the programme "
            f"on {topic} would be expanded next year, with new funding for research and "
            f"for small manufacturers across the country, according to the statement.")


ARTICLES: list[Page] = []
for i in range(1, 7):  # A: 6 articles over 3 list pages (2 each)
    ARTICLES.append(Page("mofa-news", f"https://{A}/xwfb/2026/art_{i:04d}.html",
                         f"外交动态第{i}期：推进合作", f"2026-11-{10 + i:02d} 09:30",
                         f"2026-11-{10 + i:02d}T01:30:00+00:00",
                         _zh_body(i, f"国际合作{i}"), original_source="新华社"))
for i in range(1, 4):  # B: JSON list, no date on the article page
    ARTICLES.append(Page("portal-policy", f"https://{B}/zhengce/content_{7000 + i}.htm",
                         f"政策解读：数字经济第{i}条", f"2026-10-0{i}",
                         f"2026-10-0{i - 1}T16:00:00+00:00" if i > 1 else
                         "2026-09-30T16:00:00+00:00", _zh_body(i, f"数字经济{i}")))
for i in range(1, 4):  # C: RSS feed, English
    ARTICLES.append(Page("gazette-feed", f"https://{C}/world/2026/11/story-{i}.html",
                         f"Gazette story {i}: ports expand",
                         f"Mon, 0{i} Nov 2026 08:00:00 GMT",
                         f"2026-11-0{i}T08:00:00+00:00", _en_body(i, f"ports {i}"),
                         author=f"Jane Reporter{i}"))
for i in range(1, 3):  # D: sitemap, English
    ARTICLES.append(Page("map-sitemap", f"https://{D}/a/202611/2{i}/WS{i:024x}.html",
                         f"Sitemap article {i} on chips", f"2026-11-2{i}T10:00:00+08:00",
                         f"2026-11-2{i}T02:00:00+00:00", _en_body(i, f"chips {i}")))
for i in range(1, 3):  # E: GBK
    ARTICLES.append(Page("gbk-news", f"https://{E}/news/c_{500 + i}.htm",
                         f"编码测试新闻{i}：产业升级", f"2026-11-0{i} 08:18",
                         f"2026-11-0{i}T00:18:00+00:00", _zh_body(i, f"产业升级{i}")))

SOURCES = ("gazette-feed", "gbk-news", "map-sitemap", "mofa-news", "portal-policy")


def by_source(name: str) -> list[Page]:
    return [p for p in ARTICLES if p.source == name]


def _gov_article(p: Page, charset: str = "utf-8") -> str:
    source_meta = (f'<meta name="ContentSource" content="{p.original_source}">'
                   if p.original_source else "")
    date_meta = f'<meta name="PubDate" content="{p.date_text}">' if p.source != \
        "portal-policy" else ""
    return textwrap.dedent(f"""\
        <!DOCTYPE html><html><head><meta charset="{charset}">
        <title>{p.title}</title>
        <meta name="ArticleTitle" content="{p.title}">{date_meta}{source_meta}
        </head><body><div class="header">网站首页 | 新闻发布</div>
        <h1 class="title">{p.title}</h1>
        <div class="content"><p>{p.body}</p><p>{p.body[:40]}</p></div>
        <div class="footer">版权所有 主办单位</div></body></html>""")


def _en_article(p: Page) -> str:
    author = f'<meta name="author" content="{p.author}">' if p.author else ""
    return textwrap.dedent(f"""\
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{p.title}</title>
        <meta property="og:title" content="{p.title}">
        <meta property="article:published_time" content="{p.published}">{author}
        </head><body><nav>Home | World</nav><article><h1>{p.title}</h1>
        <div class="story"><p>{p.body}</p><p>{p.body[:60]}</p></div></article>
        <footer>Copyright</footer></body></html>""")


def _list_page_a(items: list[Page], next_href: str | None, quoted: bool) -> str:
    q = '"' if quoted else ""
    lis = "".join(f'<li><a href={q}/xwfb/2026/{p.url.rsplit("/", 1)[1]}{q} '
                  f'title="{p.title}">{p.title[:6]}</a><span>{p.date_text[:10]}</span></li>'
                  for p in items)
    nxt = f'<a class="next" href={q}{next_href}{q}>下一页</a>' if next_href else ""
    return (f'<html><head><meta charset="utf-8"><title>新闻发布</title></head><body>'
            f'<ul class="news">{lis}</ul>{nxt}</body></html>')


def write(root: Path, url_path: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    target = root / url_path
    if url_path.endswith("/"):
        target = target / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return target


def list_a_pages() -> list[tuple[str, str]]:
    """(path, html) of source A's list pages, newest articles first."""
    arts = list(reversed(by_source("mofa-news")))
    return [(f"{A}/xwfb/", _list_page_a(arts[0:2], "index_1.html", True)),
            (f"{A}/xwfb/index_1.html", _list_page_a(arts[2:4], "index_2.html", False)),
            (f"{A}/xwfb/index_2.html", _list_page_a(arts[4:6], None, True))]


def build_site(root: Path) -> None:
    for path, html in list_a_pages():
        write(root, path, html)
    write(root, f"{A}/robots.txt", "User-agent: *\nDisallow: /private/\n")
    for p in by_source("mofa-news"):
        write(root, p.url.split("://", 1)[1], _gov_article(p))
    items = [{"title": p.title, "url": p.url.replace(f"https://{B}", ""),
              "publishTime": p.date_text} for p in by_source("portal-policy")]
    write(root, f"{B}/api/list.json", "  " + json.dumps({"code": 0, "data": {"list": items}},
                                                          ensure_ascii=False) + "\n")
    for p in by_source("portal-policy"):
        write(root, p.url.split("://", 1)[1], _gov_article(p))
    rss_items = "".join(f"<item><title>{p.title}</title><link>{p.url}</link>"
                        f"<pubDate>{p.date_text}</pubDate></item>"
                        for p in by_source("gazette-feed"))
    write(root, f"{C}/rss.xml", f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
                                f"<channel><title>Gazette</title>{rss_items}</channel></rss>")
    for p in by_source("gazette-feed"):
        write(root, p.url.split("://", 1)[1], _en_article(p))
    write(root, f"{D}/sitemap.xml",
          '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
          f'sitemap/0.9"><sitemap><loc>https://{D}/sitemap-news.xml</loc></sitemap>'
          "</sitemapindex>")
    urls = "".join(f"<url><loc>{p.url}</loc><lastmod>{p.date_text}</lastmod></url>"
                   for p in by_source("map-sitemap"))
    write(root, f"{D}/sitemap-news.xml", '<?xml version="1.0"?><urlset xmlns="http://www.'
                                         f'sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')
    for p in by_source("map-sitemap"):
        write(root, p.url.split("://", 1)[1], _en_article(p))
    lis = "".join(f'<li><a href="{p.url}">{p.title}</a> <em>{p.date_text[:10]}</em></li>'
                  for p in by_source("gbk-news"))
    write(root, f"{E}/news/", f'<html><head><meta http-equiv="Content-Type" content="text/'
                              f'html; charset=gb2312"></head><body><ul id="list">{lis}</ul>'
                              f"</body></html>", encoding="gbk")
    for p in by_source("gbk-news"):
        write(root, p.url.split("://", 1)[1], _gov_article(p, "gb2312"), encoding="gbk")


SEEDS = {
    "mofa-news": f"""
        name = "mofa-news"
        title = "MOFA-A 新闻发布"
        site = "MOFA-A"
        kind = "html"
        language = "zh"
        start_urls = ["https://{A}/xwfb/"]
        download_delay = 0
        site_id_pattern = 'art_(\\d+)\\.html'
        [list]
        items = "ul.news li"
        link = "a::attr(href)"
        title = "a::attr(title)"
        date = "span::text"
        [pagination]
        next = "a.next::attr(href)"
        max_pages = 5
        [article]
        body = "div.content"
        """,
    "portal-policy": f"""
        name = "portal-policy"
        title = "Portal-B 政策"
        site = "Portal-B"
        kind = "json"
        language = "zh"
        start_urls = ["https://{B}/api/list.json"]
        site_id_pattern = 'content_(\\d+)\\.htm'
        [list]
        items_path = "data.list"
        link_path = "url"
        title_path = "title"
        date_path = "publishTime"
        [article]
        body = "div.content"
        """,
    "gazette-feed": f"""
        name = "gazette-feed"
        title = "Gazette-C world"
        site = "Gazette-C"
        kind = "feed"
        language = "en"
        start_urls = ["https://{C}/rss.xml"]
        [article]
        body = "div.story"
        """,
    "map-sitemap": f"""
        name = "map-sitemap"
        title = "Map-D sitemap"
        site = "Map-D"
        kind = "sitemap"
        language = "en"
        start_urls = ["https://{D}/sitemap.xml"]
        [list]
        link_pattern = '/a/\\d{{6}}/\\d\\d/WS[0-9a-f]{{24}}\\.html$'
        [article]
        body = "div.story"
        """,
    "gbk-news": f"""
        name = "gbk-news"
        title = "GBK-E 新闻"
        site = "GBK-E"
        kind = "html"
        language = "zh"
        start_urls = ["https://{E}/news/"]
        [list]
        items = "#list li"
        link = "a::attr(href)"
        date = "em::text"
        [article]
        body = "div.content"
        """,
}


def write_seeds(folder: Path, names=None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in SEEDS.items():
        if names is None or name in names:
            (folder / f"{name}.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder
