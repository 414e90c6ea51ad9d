"""`alerts.search.search`, shared by `newswatch search` and the web: newest first, keyset
pages that neither repeat nor skip, a read budget, date bounds, a topic's filters."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from alerts.query import parse
from alerts.search import search
from alerts.topics import make_topic
from newswatch.storage import open_archive
from tests.support.archive_articles import add_article


def test_pages_budget_dates_and_filters(tmp_path):
    db = open_archive(tmp_path / "a.db")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    ids = []
    for i in range(60):
        when = (now - timedelta(days=60 - i)).isoformat()
        body = ("芯片产业消息。" if i % 3 == 0 else "其他新闻。") * 5
        ids.append(add_article(db, title=f"第{i}条", body=body, published=when,
                               fetched=when, source="a" if i % 2 else "b"))
    expected = [i for n, i in enumerate(ids) if n % 3 == 0][::-1]
    for query in ("芯片", "芯片产业"):  # a walk, and the full-text index
        node = parse(query, {})
        seen, before = [], None
        while True:
            page = search(db, node, query, before_id=before, limit=7)
            seen += [a["id"] for a, _ in page.found]
            if page.next_before is None:
                break
            before = page.next_before
        assert seen == expected, query
    node = parse("芯片", {})
    page = search(db, node, "芯片", limit=None, budget=10)
    assert page.scanned == 10 and page.next_before == ids[-10]
    assert [a["id"] for a, _ in page.found] == [i for i in expected if i >= ids[-10]]
    page = search(db, node, "芯片", limit=None, since=now - timedelta(days=10))
    assert [a["id"] for a, _ in page.found] == [i for i in expected if i > ids[-11]]
    assert page.scanned <= 11  # stopped at the first article fetched before `since`
    topic = make_topic({"name": "t", "query": "芯片", "sources": ["a"]}, {})
    page = search(db, topic.query, "芯片", topic=topic, limit=None)
    assert page.found and all(a["source"] == "a" for a, _ in page.found)
