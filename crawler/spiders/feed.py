"""``kind = "feed"``: RSS 2.0 and Atom feeds (title, date and link from the feed)."""

from __future__ import annotations

import re

from lxml import etree
from scrapy.http import Response

from crawler.spiders.base import ListEntry, ListRefused, SourceSpider

_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                          huge_tree=False)


def local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def child_text(node, *names: str) -> str | None:
    for child in node:
        if local(child.tag) in names and (child.text or "").strip():
            return child.text.strip()
    return None


# A DOCTYPE that declares entities: how "billion laughs" and external-entity attacks
# start. A real feed never needs one.
_ENTITY_DECL = re.compile(rb"<!DOCTYPE[^>\[]*\[[^\]]*<!ENTITY", re.I | re.S)


def feed_entries(body: bytes) -> list[ListEntry]:
    head = body[:65536]
    if _ENTITY_DECL.search(head):
        raise ListRefused("feed rejected as a possible XML bomb: its DOCTYPE declares "
                          "entities (<!ENTITY>), which no real feed needs")
    root = etree.fromstring(body.lstrip(), parser=_PARSER)
    errors = [e.message for e in _PARSER.error_log if "entit" in e.message.lower()
              and ("loop" in e.message.lower() or "amplification" in e.message.lower())]
    if errors:
        raise ListRefused(f"feed rejected as a possible XML bomb: {errors[0]}")
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
