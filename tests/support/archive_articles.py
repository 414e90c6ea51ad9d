"""Put articles straight into a test archive, the way the crawler's pipeline leaves them."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone

import pytest

from crawler import archive

_seq = itertools.count(1)


def add_article(db, *, title: str = "", body: str = "", source: str = "test-source",
                site: str = "Test Site", lang: str = "zh", published: str | None = None,
                url: str | None = None, baseline: int = 0, **extra) -> int:
    """Insert one article; returns its id. ``published`` defaults to now (UTC)."""
    n = next(_seq)
    url = url or f"https://news.example.cn/a/{n}.html"
    published = published or datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    row = {"canonical_url": url, "url": url, "source": source, "site": site, "title": title,
           "body": body, "lang": lang, "published": published, "fetched": published,
           "baseline": baseline, "content_hash": archive.content_hash(title, body + str(n)),
           **extra}
    return db["articles"].insert(row).last_pk


@pytest.fixture(name="db")
def story_db(archive_target):
    """A fresh archive for the story tests, on SQLite and on PostgreSQL, with no story
    window left from another test (import ``story_db``, ``archive_target`` and
    ``postgres_server`` into the test module; the tests ask for ``db``)."""
    from alerts import story_index
    from newswatch.storage import open_archive

    story_index._indexes.clear()
    database = open_archive(archive_target)
    yield database
    database.close()
    story_index._indexes.clear()
