"""`newswatch db copy`: an SQLite archive into PostgreSQL and back, every row and count."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from alerts import matcher, search as search_mod, stories
from alerts.query import parse
from alerts.topics import Topic
from crawler import archive
from newswatch.storage import open_archive
from newswatch.storage_copy import CopyError, copy_archive
from tests.support.archive_articles import add_article
from tests.support.db_servers import postgres_server, postgres_url  # noqa: F401

NOW = datetime(2026, 11, 21, 8, 0, tzinfo=timezone.utc)
BODY = "工业和信息化部印发《人形机器人创新发展指导意见》，推动人形机器人产业高质量发展。"


def _world(path) -> None:
    """An archive with rows in the tables that matter: articles (one a republication
    with a shared body), an attachment, stories with their binary sketches, matches and
    outbox rows."""
    db = open_archive(path)
    first = add_article(db, title="人形机器人创新发展指导意见", body=BODY * 3, site="工信部",
                        published=NOW.isoformat())
    copy = add_article(db, title="转载：人形机器人指导意见", body="", site="新华网",
                       published=NOW.isoformat())
    db.execute("UPDATE articles SET body = NULL, body_of = ? WHERE id = ?", [first, copy])
    add_article(db, title="Computing power plan", body="A plan for computing power. " * 20,
                lang="en", published=NOW.isoformat(), extra='{"column": "policy"}')
    archive.store_attachments(db, first, [{
        "url": "https://www.miit.gov.cn/files/guide.pdf", "name": "指导意见全文.pdf",
        "type": "pdf", "outcome": "ok", "text": "附件：人形机器人标准体系", "pages": [[0, "1"]]}])
    topic = Topic(name="robots", title="人形机器人", query=parse("人形机器人"),
                  query_text="人形机器人", channels=("console",))
    stories.cluster_new(db, now=NOW)
    matcher.run_once(db, [topic], now=NOW)
    db.conn.close()


def _dump(target) -> dict[str, list[tuple]]:
    db = open_archive(target)
    out = {}
    for table in ("articles", "article_attachments", "runs", "sources", "stories",
                  "story_members", "story_signatures", "story_fingerprints", "matches",
                  "outbox", "cursors", "topic_state"):
        columns = list(db[table].columns_dict)
        rows = db.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
        out[table] = sorted(tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
                            for r in rows)
    db.conn.close()
    return out


def test_sqlite_into_postgresql_and_back_keeps_every_row(tmp_path, postgres_url):
    src = tmp_path / "a.db"
    _world(src)
    before = _dump(src)
    assert before["articles"] and before["story_signatures"] and before["outbox"]
    copied = {c.name: c.rows for c in copy_archive(str(src), postgres_url)}
    assert copied["articles"] == 3 and copied["article_attachments"] == 1
    assert _dump(postgres_url) == before
    back = tmp_path / "back.db"
    copy_archive(postgres_url, str(back))
    assert _dump(back) == before

    # Both copies answer searches through their own full-text index, rebuilt there;
    # the shared body and the attachment's text are found.
    for target in (postgres_url, back):
        db = open_archive(target)
        page = search_mod.search(db, parse("人形机器人 AND 标准体系"), "人形机器人 AND 标准体系")
        assert page.how == "full-text index + matcher"
        assert [a["title"] for a, _ in page.found] == ["人形机器人创新发展指导意见"]
        assert archive.get_article(db, 2)["body"] == BODY * 3
        # New rows are numbered after the copied ones.
        assert add_article(db, title="新的", body="新的文章。" * 10) == 4
        db.conn.close()


def test_a_destination_that_is_not_empty_is_refused_and_left_alone(tmp_path, postgres_url):
    src = tmp_path / "a.db"
    _world(src)
    copy_archive(str(src), postgres_url)
    with pytest.raises(CopyError, match=r"not empty \(.*articles"):
        copy_archive(str(src), postgres_url)
    assert open_archive(postgres_url).execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 3


def test_a_missing_source_is_an_error_not_a_new_empty_archive(tmp_path, postgres_url):
    env = {**os.environ, "NEWSWATCH_CONFIG": ""}
    password_url = postgres_url.replace("newswatch@", "newswatch:s3cret-pw@")
    result = subprocess.run([sys.executable, "-m", "newswatch", "db", "copy",
                             str(tmp_path / "none.db"), password_url],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "no archive at" in result.stderr and "none.db" in result.stderr
    assert not (tmp_path / "none.db").exists()
    assert "s3cret-pw" not in result.stdout + result.stderr
    assert "newswatch:***@" in result.stdout


def test_the_command_prints_each_tables_count(tmp_path, postgres_url):
    src = tmp_path / "a.db"
    _world(src)
    env = {**os.environ, "NEWSWATCH_CONFIG": ""}
    result = subprocess.run([sys.executable, "-m", "newswatch", "db", "copy", str(src),
                             postgres_url], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line.split()[1] for line in result.stdout.splitlines()
             if line.startswith("  ")}
    assert lines["articles"] == "3" and lines["article_attachments"] == "1"
    assert "counts checked on both sides" in result.stdout
