"""``kind = "feed"``: RSS 2.0 and Atom feeds (title, date and link from the feed)."""

from __future__ import annotations

from lxml import etree
from scrapy.http import Response

from crawler.spiders.base import ListEntry, SourceSpider

_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                          huge_tree=False)


def local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def child_text(node, *names: str) -> str | None:
    for child in node:
        if local(child.tag) in names and (child.text or "").strip():
            return child.text.strip()
    return None


def feed_entries(body: bytes) -> list[ListEntry]:
    root = etree.fromstring(body.lstrip(), parser=_PARSER)
    if root is None:
        raise ValueError("not an XML feed")
    if local(root.tag) not in ("rss", "feed", "RDF"):
        raise ValueError(f"not an RSS or Atom feed (root element <{local(root.tag)}>)")
    entries = []
    for node in root.iter():
        name = local(node.tag)
        if name == "item":  # RSS 2.0 / RSS 1.0
            link = child_text(node, "link") or _permalink(node)
            date = child_text(node, "pubDate", "date", "issued")
        elif name == "entry":  # Atom
            link = _atom_link(node)
            date = child_text(node, "published", "updated")
        else:
            continue
        if link:
            entries.append(ListEntry(url=link, title=child_text(node, "title"), date=date))
    return entries


def _permalink(node) -> str | None:
    for child in node:
        if local(child.tag) == "guid" and child.get("isPermaLink", "true") != "false":
            return (child.text or "").strip() or None
    return None


def _atom_link(node) -> str | None:
    links = [c for c in node if local(c.tag) == "link" and c.get("href")]
    for link in links:
        if link.get("rel", "alternate") == "alternate":
            return link.get("href").strip()
    return links[0].get("href").strip() if links else None


class FeedSpider(SourceSpider):
    """Generic spider for RSS/Atom feeds (``scrapy crawl feed -a source=<name>``)."""

    name = "feed"

    def list_entries(self, response: Response) -> list[ListEntry]:
        entries = feed_entries(response.body)
        for entry in entries:
            entry.url = response.urljoin(entry.url)
        return entries
