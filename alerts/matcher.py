"""The matcher: walks new archive articles from its cursor and records topic matches.

``run_once`` first lets ``alerts.stories`` cluster new articles, then walks only articles
already clustered (id <= the stories cursor), in batches. Matching happens outside the
write lock; each batch's ``matches`` rows, their outbox rows and the cursor then commit
in one ``BEGIN IMMEDIATE`` transaction, so a crash neither skips nor repeats an article.
A topic alerts a story once: the first match of (story, topic) has ``first_for_story = 1``
and is queued in the outbox; later members are stored with 0 ("also published by").

An article whose matching raises (odd data, an engine bug) does not stop the pass: it is
recorded in ``match_failures`` and retried at the start of the next passes; after
:data:`MAX_ATTEMPTS` failures it is *parked* (logged once, counted by ``status``) until
:func:`retry_parked` (``newswatch match --retry-parked``) puts it back in line.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Sequence

import sqlite_utils
from sqlite_utils.migrations import Migrations

from alerts import outbox, stories
from alerts.engine import engine_for
from alerts.settings import DEFAULT_CHANNELS
from alerts.topics import Topic
from crawler import archive, times

CURSOR = "matcher"
MAX_ATTEMPTS = 3  # failed matchings of one article before it is parked
log = logging.getLogger(__name__)

migrations = Migrations("matcher")


@migrations()
def m001_matches(db: sqlite_utils.Database) -> None:
    # Shared with alerts.stories, which creates it the same way: whoever runs first wins.
    db.execute("CREATE TABLE IF NOT EXISTS cursors(name TEXT PRIMARY KEY, value INTEGER)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS matches("
        " id INTEGER PRIMARY KEY,"
        " article_id INTEGER NOT NULL,"
        " topic TEXT NOT NULL,"
        " story_id INTEGER,"
        " first_for_story INTEGER NOT NULL DEFAULT 0,"
        " terms TEXT NOT NULL DEFAULT '[]',"  # JSON [{"term", "field", "at": [[s, e]]}]
        " snippet TEXT,"
        " created TEXT NOT NULL)"
    )
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS matches_article_topic "
               "ON matches(article_id, topic)")
    db.execute("CREATE INDEX IF NOT EXISTS matches_topic_story ON matches(topic, story_id)")
    db.execute("CREATE INDEX IF NOT EXISTS matches_created ON matches(created)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS topic_state("
        " topic TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, query TEXT,"
        " since TEXT NOT NULL)"  # when this version of the topic started matching
    )


@migrations()
def m002_match_location(db: sqlite_utils.Database) -> None:
    # JSON: where the snippet is from when it is an attachment (explain.snippet_location).
    if "location" not in db["matches"].columns_dict:
        db.execute("ALTER TABLE matches ADD COLUMN location TEXT")


@migrations()
def m003_match_failures(db: sqlite_utils.Database) -> None:
    # Articles whose matching raised: retried on the next passes, then parked.
    db.execute(
        "CREATE TABLE IF NOT EXISTS match_failures("
        " article_id INTEGER PRIMARY KEY,"
        " attempts INTEGER NOT NULL,"
        " error TEXT NOT NULL,"
        " first_failed TEXT NOT NULL,"
        " last_failed TEXT NOT NULL,"
        " parked INTEGER NOT NULL DEFAULT 0)"
    )


@dataclass
class RunResult:
    articles: int = 0  # articles walked (baseline ones included)
    matches: list[dict] = field(default_factory=list)
    queued: int = 0  # outbox rows queued


def cursor(db: sqlite_utils.Database) -> int:
    """The id of the last article the matcher has walked (0 before the first run)."""
    row = db.execute("SELECT value FROM cursors WHERE name = ?", [CURSOR]).fetchone()
    return int(row[0]) if row else 0


def _set_cursor(db: sqlite_utils.Database, value: int) -> None:
    db.execute("INSERT INTO cursors(name, value) VALUES (?, ?) "
               "ON CONFLICT(name) DO UPDATE SET value = excluded.value", [CURSOR, value])


def record_topic_state(db: sqlite_utils.Database, topics: Sequence[Topic], now: datetime) -> None:
    """Remember each topic's fingerprint and since when this version of it matches."""
    known = {r["topic"]: r["fingerprint"] for r in db.query("SELECT * FROM topic_state")}
    changed = [t for t in topics if known.get(t.name) != t.fingerprint]
    if not changed:
        return
    stamp = times.utc_stamp(now)
    with archive.immediate(db):
        for t in changed:
            db.execute("INSERT INTO topic_state(topic, fingerprint, query, since) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT(topic) DO UPDATE SET "
                       "fingerprint = excluded.fingerprint, query = excluded.query, "
                       "since = excluded.since", [t.name, t.fingerprint, t.query_text, stamp])


def run_once(db: sqlite_utils.Database, topics: Sequence[Topic], *,
             default_channels: Sequence[str] = DEFAULT_CHANNELS, now: datetime | None = None,
             batch: int = 500, story_window_days: float | None = None,
             aliases=None) -> RunResult:
    """Match every clustered article above the cursor; return what was recorded.
    ``aliases``: the alias groups story fingerprints read (the ``aliases`` setting's
    file; None: the bundled one)."""
    now = now or datetime.now(timezone.utc)
    if story_window_days is None:
        stories.cluster_new(db, now=now, aliases=aliases)
    else:
        stories.cluster_new(db, window_days=story_window_days, now=now, aliases=aliases)
    record_topic_state(db, topics, now)
    engine = engine_for(list(topics))
    stamp = times.utc_stamp(now)
    result = RunResult()
    _retry_failed(db, engine, default_channels, stamp, now, result)
    while True:
        start = cursor(db)
        rows = archive.articles_after(db, start, limit=batch, up_to_id=stories.cursor(db),
                                      with_attachments=True)
        if not rows:
            return result
        found, failed = [], []
        for article in rows:
            if article.get("baseline"):
                continue  # a source's first crawl is archived, never alerted
            try:
                found += [(article, m) for m in engine.match(article, now=now)]
            except Exception as exc:  # noqa: BLE001  one bad article must not stop the pass
                log.exception("article %s: matching failed (will retry): %s",
                              article.get("id"), exc)
                failed.append((article["id"], exc))
        with archive.immediate(db):
            if cursor(db) != start:
                continue  # another matcher took this batch; go on from its cursor
            batch_result = _record(db, found, default_channels, stamp, now)
            for article_id, exc in failed:
                _note_failure(db, article_id, exc, stamp)
            _set_cursor(db, rows[-1]["id"])
        result.articles += len(rows)
        result.matches += batch_result.matches
        result.queued += batch_result.queued


def _note_failure(db, article_id: int, exc: Exception, stamp: str) -> bool:
    """Count one failed matching (inside the caller's transaction); True once parked."""
    error = f"{type(exc).__name__}: {exc}"[:500]
    db.execute(
        "INSERT INTO match_failures(article_id, attempts, error, first_failed, last_failed, "
        "parked) VALUES (?, 1, ?, ?, ?, 0) ON CONFLICT(article_id) DO UPDATE SET "
        "attempts = match_failures.attempts + 1, error = excluded.error, "
        "last_failed = excluded.last_failed",
        [article_id, error, stamp, stamp])
    attempts = db.execute("SELECT attempts FROM match_failures WHERE article_id = ?",
                          [article_id]).fetchone()[0]
    if attempts >= MAX_ATTEMPTS:
        db.execute("UPDATE match_failures SET parked = 1 WHERE article_id = ?", [article_id])
        log.error("article %s: matching failed %d times, parked (newswatch match "
                  "--retry-parked runs it again): %s", article_id, attempts, error)
        return True
    return False


def _retry_failed(db, engine, default_channels, stamp: str, now: datetime,
                  result: RunResult) -> None:
    """Match again the articles whose matching failed before and are not parked."""
    ids = [r[0] for r in db.execute(
        "SELECT article_id FROM match_failures WHERE parked = 0 ORDER BY article_id")]
    for article_id in ids:
        article = archive.get_article(db, article_id)
        error = None
        found = []
        if article is not None:
            try:
                found = [(article, m) for m in engine.match(article, now=now)]
            except Exception as exc:  # noqa: BLE001
                error = exc
        with archive.immediate(db):
            if error is not None:
                _note_failure(db, article_id, error, stamp)
                continue
            done = _record(db, found, default_channels, stamp, now)
            db.execute("DELETE FROM match_failures WHERE article_id = ?", [article_id])
        log.info("article %s: matched on retry", article_id)
        result.articles += 1
        result.matches += done.matches
        result.queued += done.queued


def failures(db: sqlite_utils.Database, *, parked: bool | None = None) -> list[dict]:
    """Articles whose matching failed: ``article_id``, ``attempts``, ``error``,
    ``first_failed``, ``last_failed``, ``parked``."""
    sql = "SELECT * FROM match_failures"
    if parked is not None:
        sql += f" WHERE parked = {int(parked)}"
    return [dict(r) for r in db.query(sql + " ORDER BY article_id")]


def parked_count(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COUNT(*) FROM match_failures WHERE parked = 1").fetchone()[0]


def retry_parked(db: sqlite_utils.Database) -> int:
    """Put every parked article back in line (the next :func:`run_once` matches it
    again, with :data:`MAX_ATTEMPTS` fresh attempts); how many."""
    with archive.immediate(db):
        cur = db.execute("UPDATE match_failures SET parked = 0, attempts = 0 WHERE parked = 1")
    return cur.rowcount


def _record(db, found, default_channels, stamp: str, now: datetime) -> RunResult:
    result = RunResult()
    for article, m in found:
        topic = m.topic
        story_id = stories.story_of(db, article["id"])
        first = story_id is None or db.execute(
            "SELECT 1 FROM matches WHERE topic = ? AND story_id = ? AND first_for_story = 1 "
            "LIMIT 1", [topic.name, story_id]).fetchone() is None
        location = json.dumps(m.location, ensure_ascii=False) if m.location else None
        cur = db.execute(
            "INSERT OR IGNORE INTO matches(article_id, topic, story_id, first_for_story, "
            "terms, snippet, location, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [article["id"], topic.name, story_id, int(first),
             json.dumps(m.terms_json(), ensure_ascii=False), m.snippet, location, stamp])
        if not cur.rowcount:
            continue  # already recorded (a rerun over the same article)
        queued: list[int] = []
        if first:
            queued = outbox.enqueue(db, topic=topic, story_id=story_id,
                                    article_id=article["id"], match_id=cur.lastrowid,
                                    channels=list(topic.channels or default_channels),
                                    mode=topic.mode, now=now)
        result.queued += len(queued)
        result.matches.append({
            "match_id": cur.lastrowid, "article_id": article["id"], "topic": topic.name,
            "story_id": story_id, "first_for_story": first, "title": article.get("title"),
            "source": article.get("source"), "published": article.get("published"),
            "snippet": m.snippet, "location": m.location, "terms": m.terms_json(),
            "queued": len(queued),
        })
    return result


def match_counts(db: sqlite_utils.Database) -> dict[str, dict]:
    """Per topic: how many matches, how many alerted stories, and the latest match time."""
    return {r["topic"]: r for r in db.query(
        "SELECT topic, COUNT(*) AS matches, SUM(first_for_story) AS stories, "
        "MAX(created) AS last FROM matches GROUP BY topic")}


# ---------------------------------------------------------------- reading for the web
# newswatch.web pages matches newest first by id (keyset: `before` is the last id shown).


@migrations()
def m004_topic_id_index(db: sqlite_utils.Database) -> None:
    db.execute("CREATE INDEX IF NOT EXISTS matches_topic_id ON matches(topic, id)")


def matches_before(db: sqlite_utils.Database, *, topic: str | None = None,
                   before_id: int | None = None, limit: int = 200) -> list[dict]:
    """Match rows (id, article_id, topic, story_id, first_for_story, terms (parsed),
    snippet, created), newest first, with ``id < before_id``."""
    where, params = [], []
    if topic is not None:
        where.append("topic = ?")
        params.append(topic)
    if before_id is not None:
        where.append("id < ?")
        params.append(before_id)
    sql = "SELECT * FROM matches" + (" WHERE " + " AND ".join(where) if where else "")
    rows = db.query(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])
    return [_parsed_match(r) for r in rows]


def matches_of_article(db: sqlite_utils.Database, article_id: int) -> list[dict]:
    """Every topic an article matched, with the terms that made it match."""
    return [_parsed_match(r) for r in db.query(
        "SELECT * FROM matches WHERE article_id = ? ORDER BY topic", [article_id])]


def _parsed_match(row) -> dict:
    row = dict(row)
    try:
        row["terms"] = json.loads(row.get("terms") or "[]")
    except ValueError:
        row["terms"] = []
    return row
