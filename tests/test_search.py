"""``alerts.search``: keyset pages newest first, bounded while walking; a database error
is raised, only an index that cannot answer falls back to a walk, and says so."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from alerts import search as search_mod
from alerts.query import parse
from crawler import archive
from newswatch.storage import open_archive
from tests.support.archive_articles import add_article
from crawler.database import is_postgres
from tests.support.backends import archive_target, postgres_server  # noqa: F401

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)


def search(db, text, **kw):
    return search_mod.search(db, parse(text, {}), text, **kw)


@pytest.fixture
def db(archive_target):
    db = open_archive(archive_target)
    for i in range(5):
        add_article(db, title=f"芯片产业 {i}", body="集成电路与芯片产业发展。",
                    published=(T0 + timedelta(days=i)).isoformat())
    add_article(db, title="别的", body="无关。", published=(T0 + timedelta(days=5)).isoformat())
    return db


@pytest.mark.parametrize("scan", [False, True])
def test_pages_newest_first_and_time_bounds(db, scan):
    page = search(db, "芯片产业", limit=2, scan=scan)
    assert [a["title"] for a, _ in page.found] == ["芯片产业 4", "芯片产业 3"]
    assert page.how == ("matcher scan" if scan else "full-text index + matcher")
    rest = search(db, "芯片产业", limit=10, scan=scan, before_id=page.next_before)
    assert [a["title"] for a, _ in rest.found] == ["芯片产业 2", "芯片产业 1", "芯片产业 0"]
    ranged = search(db, "芯片", scan=True, since=T0 + timedelta(days=1),
                    until=T0 + timedelta(days=3))
    assert sorted(a["title"] for a, _ in ranged.found) == ["芯片产业 1", "芯片产业 2"]


def test_a_page_holds_at_most_limit_hits(db):
    page = search(db, "芯片", limit=2, budget=None, scan=True)
    assert len(page.found) == 2 and page.next_before is not None


def test_an_index_that_cannot_answer_falls_back_and_says_so(db):
    if is_postgres(db):
        # PostgreSQL's trigram index is an index, not a table: without it the same query
        # still answers (by reading the table), so the search keeps its plan.
        db.execute("DROP INDEX articles_text_trgm")
        page = search(db, "芯片产业", limit=10)
        assert page.how == "full-text index + matcher" and len(page.found) == 5
        return
    db.execute("DROP TABLE articles_fts")
    page = search(db, "芯片产业", limit=10)
    assert page.how.startswith("matcher scan (full-text index unusable:")
    assert len(page.found) == 5


def test_any_other_database_error_is_raised_not_hidden(db, monkeypatch):
    def locked(db, expression, **kw):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(archive, "full_text_ids", locked)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        search(db, "芯片产业")
