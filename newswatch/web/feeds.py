"""Atom, RSS 2.0 and JSON Feed 1.1 documents of matches (feedgen writes Atom and RSS).

Each entry is one match: its id a stable tag URI of the match, its link the article's
own address, its content the highlighted snippet, the source and the other outlets that
carried the story.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from feedgen.feed import FeedGenerator
from markupsafe import escape

from alerts.engine import article_time
from newswatch.web.render import highlight

FORMATS = {"atom": "application/atom+xml; charset=utf-8",
           "rss": "application/rss+xml; charset=utf-8",
           "json": "application/feed+json; charset=utf-8"}
TAG = "tag:newswatch,2026:match:"


def _when(value: str | None) -> datetime:
    if not value:
        return datetime.now(timezone.utc)
    when = datetime.fromisoformat(value)
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _content(item: dict) -> str:
    a = item["article"]
    parts = [f"<p>{highlight(item.get('snippet'))}</p>",
             f"<p>{escape(a.get('site') or a.get('source') or '')}"]
    if a.get("original_source"):
        parts.append(f" · {escape(a['original_source'])}")
    parts.append("</p>")
    if item.get("outlets"):
        parts.append("<p>" + escape(", ".join(o["label"] for o in item["outlets"])) + "</p>")
    return "".join(parts)


def _plain(snippet: str | None) -> str:
    return (snippet or "").replace("**", "")


def document(fmt: str, *, title: str, self_url: str, home_url: str, items: list[dict],
             article_url) -> bytes:
    """The feed in ``fmt`` (atom, rss, json); ``article_url(id)`` is our article page."""
    updated = max((_when(i["created"]) for i in items), default=datetime.now(timezone.utc))
    if fmt == "json":
        doc = {"version": "https://jsonfeed.org/version/1.1", "title": title,
               "home_page_url": home_url, "feed_url": self_url, "items": []}
        for i in items:
            a = i["article"]
            published = article_time(a) or _when(i["created"])
            entry = {
                "id": f"{TAG}{i['id']}", "url": a.get("url"), "title": a.get("title") or "",
                "content_html": _content(i), "summary": _plain(i.get("snippet")),
                "date_published": published.isoformat(),
                "date_modified": _when(i["created"]).isoformat(),
                "authors": [{"name": a.get("site") or a.get("source") or ""}],
                "tags": [i["topic"]],
                "external_url": article_url(a["id"]),
            }
            if a.get("lang"):
                entry["language"] = a["lang"]
            doc["items"].append(entry)
        return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(title)
    fg.link(href=home_url, rel="alternate")
    fg.link(href=self_url, rel="self")
    fg.description(title)
    fg.updated(updated)
    fg.generator("newswatch")
    for i in reversed(items):  # feedgen prepends: oldest first gives newest on top
        a = i["article"]
        entry = fg.add_entry()
        entry.id(f"{TAG}{i['id']}")
        entry.guid(f"{TAG}{i['id']}", permalink=False)
        entry.title(a.get("title") or "(untitled)")
        if a.get("url"):
            entry.link(href=a["url"])
        entry.published(article_time(a) or _when(i["created"]))
        entry.updated(_when(i["created"]))
        entry.author({"name": a.get("site") or a.get("source") or "newswatch"})
        entry.category(term=i["topic"])
        entry.summary(_plain(i.get("snippet")))
        entry.content(_content(i), type="html")
    return fg.atom_str(pretty=True) if fmt == "atom" else fg.rss_str(pretty=True)
