"""``kind = "sitemap"``: ``<urlset>`` and ``<sitemapindex>`` documents (``<lastmod>`` as
the date). A sitemap index's child sitemaps are crawled as further list pages."""

from __future__ import annotations

from lxml import etree
from scrapy.http import Response
from scrapy.utils.gz import gunzip

from crawler.spiders.base import ListEntry, SourceSpider
from crawler.spiders.feed import _PARSER, child_text, local


def sitemap_body(response: Response, max_size: int) -> bytes:
    """The sitemap's XML; a ``.xml.gz`` served without Content-Encoding is gunzipped, at
    most ``max_size`` bytes (``DOWNLOAD_MAXSIZE``, as Scrapy's own sitemap spider caps it)."""
    body = response.body
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=max_size)
        except OSError as exc:  # BadGzipFile, truncated data
            raise ValueError(f"sitemap is not valid gzip: {exc}") from None
        except ValueError:  # scrapy's decompression cap
            raise ValueError(f"sitemap larger than the {max_size // (1024 * 1024)} MB cap "
                             f"once decompressed (a gzip bomb?)") from None
    return body.lstrip()


def parse_sitemap(body: bytes) -> tuple[list[ListEntry], list[str]]:
    """Article entries of a ``<urlset>``, or child sitemap URLs of a ``<sitemapindex>``."""
    root = etree.fromstring(body, parser=_PARSER)
    if root is None or local(root.tag) not in ("urlset", "sitemapindex"):
        found = local(root.tag) if root is not None else "nothing"
        raise ValueError(f"not a sitemap (root element <{found}>)")
    entries, children = [], []
    for node in root:
        loc = child_text(node, "loc")
        if not loc:
            continue
        if local(node.tag) == "sitemap":
            children.append(loc)
        elif local(node.tag) == "url":
            # A news sitemap carries the title too (<news:title>).
            title = None
            for sub in node.iter():
                if local(sub.tag) == "title" and (sub.text or "").strip():
                    title = sub.text.strip()
            entries.append(ListEntry(url=loc, title=title, date=child_text(node, "lastmod")))
    return entries, children


class SitemapSpider(SourceSpider):
    """Generic spider for XML sitemaps (``scrapy crawl sitemap -a source=<name>``)."""

    name = "sitemap"

    def list_entries(self, response: Response) -> list[ListEntry]:
        cap = self.settings.getint("DOWNLOAD_MAXSIZE")
        entries, children = parse_sitemap(sitemap_body(response, cap))
        response.meta["nw_children"] = children
        # Newest first, so "all known" on the first entries means nothing new below.
        entries.sort(key=lambda e: e.date or "", reverse=True)
        return entries

    def sublists(self, response: Response) -> list[str]:
        return [response.urljoin(u) for u in response.meta.get("nw_children", [])]
