"""The documented JSON of each delivery (docs/alerts.md), built at send time.

Built when sent, not when queued, so "also published by" lists every outlet the story
has reached by then. The webhook and jsonl channels send it as is; the chat and email
templates render it.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import sqlite_utils

from crawler import archive

VERSION = 1
ARTICLE_FIELDS = ("id", "title", "url", "site", "source", "original_source", "published",
                  "doc_number")


def _article(art: dict | None) -> dict[str, Any]:
    art = art or {}
    out = {k: art.get(k) for k in ARTICLE_FIELDS}
    out["language"] = art.get("lang")
    return out


def _match(db: sqlite_utils.Database, match_id: int | None) -> dict:
    if match_id is None:
        return {}
    # Every archive opened by the application has the matcher's table (open_archive):
    # an error here (a locked database) is raised, never an alert sent without its terms.
    rows = list(db.query("SELECT * FROM matches WHERE id = ?", [match_id]))
    if not rows:
        return {}
    row = dict(rows[0])
    try:
        hits = json.loads(row.get("terms") or "[]")
    except ValueError:
        hits = []
    # The matcher stores [{"term", "field", "at": [[start, end], ...]}, ...].
    row["hits"] = [h for h in hits if isinstance(h, dict)]
    terms = [h.get("term") if isinstance(h, dict) else h for h in hits]
    row["terms"] = [t for t in dict.fromkeys(terms) if isinstance(t, str)]
    try:
        row["location"] = json.loads(row.get("location") or "null")
    except ValueError:
        row["location"] = None
    return row


def _story(db: sqlite_utils.Database, story_id: int | None, article: dict) -> dict:
    members: list[dict] = []
    if story_id is not None:
        try:
            from alerts import stories

            members = stories.members(db, story_id)
        except sqlite3.OperationalError:
            members = []
    if not members:
        members = [dict(article)]
    first = members[0]
    # Other outlets only: the alerted site's own copies are not "also published by".
    others = [m for m in members if m.get("id") != article.get("id")
              and (m.get("site") != article.get("site") or not article.get("site"))]
    return {
        "id": story_id,
        "size": len(members),
        # The earliest published member (members() sorts by publication).
        "first_article": {k: first.get(k) for k in ("id", "title", "url", "site",
                                                    "published")},
        "also_published_by": [_also(m) for m in others],
    }


def _also(member: dict) -> dict:
    """One other outlet's article: what the templates name as "Securities Daily (zh)"."""
    out = {k: member.get(k) for k in ("site", "source", "title", "url", "published")}
    out["language"] = member.get("lang")
    name = member.get("site") or member.get("source") or "?"
    out["label"] = f"{name} ({out['language']})" if out["language"] else name
    out["link"] = member.get("link")
    return out


def alert(db: sqlite_utils.Database, row: dict) -> dict[str, Any]:
    """The payload of one alert row."""
    art = archive.get_article(db, row["article_id"]) if row.get("article_id") else None
    article = _article(art)
    match = _match(db, row.get("match_id"))
    return {
        "type": "newswatch.alert",
        "version": VERSION,
        "id": row["key"],
        "topic": {"name": row["topic"], "title": row["topic_title"] or row["topic"],
                  "mode": row["mode"]},
        "article": article,
        "story": _story(db, row.get("story_id"), article),
        "terms": match.get("terms", []),
        "hits": match.get("hits", []),
        "snippet": match.get("snippet") or "",
        # Where the snippet is from when it is an attachment, else null (the page).
        "location": match.get("location"),
        "matched_at": match.get("created") or row["created"],
    }


def digest(db: sqlite_utils.Database, row: dict, members: list[dict]) -> dict[str, Any]:
    """The payload of a digest row: its members' alert payloads, oldest first."""
    return {
        "type": "newswatch.digest",
        "version": VERSION,
        "id": row["key"],
        "topic": {"name": row["topic"], "title": row["topic_title"] or row["topic"],
                  "mode": row["mode"]},
        "period": {"start": row["period_start"], "end": row["period_end"]},
        "count": len(members),
        "alerts": [alert(db, m) for m in members],
    }


def notice(row: dict) -> dict[str, Any]:
    data = json.loads(row.get("payload") or "{}")
    return {"type": "newswatch.notice", "version": VERSION, "id": row["key"],
            "title": data.get("title", ""), "text": data.get("text", ""),
            "created": row["created"]}


def sample(key: str, *, now: str) -> dict[str, Any]:
    """A made-up alert for ``newswatch alerts test``."""
    return {
        "type": "newswatch.alert",
        "version": VERSION,
        "id": key,
        "test": True,
        "topic": {"name": "test", "title": "newswatch 测试 / test", "mode": "immediate"},
        "article": {"id": 0, "title": "这是一条测试提醒 — a test alert from newswatch",
                    "url": "https://example.com/newswatch-test", "site": "newswatch",
                    "source": "test", "original_source": None, "published": now,
                    "doc_number": None, "language": "zh"},
        "story": {"id": None, "size": 1,
                  "first_article": {"id": 0, "title": "这是一条测试提醒",
                                    "url": "https://example.com/newswatch-test",
                                    "site": "newswatch", "published": now},
                  "also_published_by": []},
        "terms": ["测试", "test"],
        "hits": [{"term": "测试", "field": "title", "at": [[2, 4]]}],
        "snippet": "如果你看到这条消息，这个渠道已经配置好了。If you can read this, the channel works.",
        "location": None,
        "matched_at": now,
    }
