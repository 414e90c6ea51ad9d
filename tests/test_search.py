"""``alerts.search``: the newest hits, bounded while walking; a database error is raised,
only an index that cannot answer falls back to a scan, and says so."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from alerts import search as search_mod
from alerts.query import parse
from alerts.topics import Topic
from crawler import archive
from newswatch.storage import open_archive
from tests.support.archive_articles import add_article

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)


def topic(text):
    return Topic(name="q", title=text, query=parse(text, {}), query_text=text)


@pytest.fixture
def db(tmp_path):
    db = open_archive(tmp_path / "a.db")
    # Archived out of order: ids do not follow publication times.
    for i in (3, 0, 4, 1, 2):
        add_article(db, title=f"芯片产业 {i}", body="集成电路与芯片产业发展。",
                    published=(T0 + timedelta(days=i)).isoformat())
    add_article(db, title="别的", body="无关。", published=T0.isoformat())
    return db


@pytest.mark.parametrize("scan", [False, True])
def test_newest_first_limited_and_filtered_by_time(db, scan):
    result = search_mod.search(db, topic("芯片产业"), limit=2, scan=scan)
    assert [a["title"] for a, _ in result.hits] == ["芯片产业 4", "芯片产业 3"]
    assert result.how == ("matcher scan" if scan else "full-text index + matcher")
    ranged = search_mod.search(db, topic("芯片"), scan=True, since=T0 + timedelta(days=1),
                               until=T0 + timedelta(days=2))
    assert sorted(a["title"] for a, _ in ranged.hits) == ["芯片产业 1", "芯片产业 2"]
    assert ranged.total == 2


def test_the_scan_keeps_only_limit_hits_in_memory(db, monkeypatch):
    pushed = []
    real = search_mod.heapq.heappush
    monkeypatch.setattr(search_mod.heapq, "heappush",
                        lambda heap, item: (pushed.append(item), real(heap, item)))
    result = search_mod.search(db, topic("芯片"), limit=2, scan=True)
    assert result.total == 5 and len(result.hits) == 2 and len(pushed) == 2


def test_an_index_that_cannot_answer_falls_back_and_says_so(db):
    db.execute("DROP TABLE articles_fts")
    result = search_mod.search(db, topic("芯片产业"), limit=10)
    assert result.how.startswith("matcher scan (full-text index unusable:")
    assert len(result.hits) == 5


def test_any_other_database_error_is_raised_not_hidden(db, monkeypatch):
    def locked(db, expression):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(archive, "full_text_ids", locked)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        search_mod.search(db, topic("芯片产业"))
