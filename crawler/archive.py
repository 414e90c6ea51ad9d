"""The archive: one SQLite file that holds sources, crawl runs and articles.

Every process opens it through :func:`connect`, which turns on WAL and a long busy
timeout and applies pending schema migrations. Writes that read first go through
:func:`immediate` (``BEGIN IMMEDIATE``): a deferred ``BEGIN`` that later upgrades to a
write lock is what gives "database is locked" when two crawls write at once.

Other packages read articles only through :func:`articles_after` and
:func:`get_article`; they add their own tables with their own ``Migrations`` sets.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils
from filelock import FileLock
from sqlite_utils.migrations import Migrations

BUSY_TIMEOUT_MS = 60_000

migrations = Migrations("archive")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["sources"].create(
        {
            "name": str,
            "title": str,
            "kind": str,
            "site": str,
            "language": str,
            "first_run_id": int,
            "last_outcome": str,
            "updated": str,
        },
        pk="name",
    )
    db["runs"].create(
        {
            "id": int,
            "source": str,
            "started": str,
            "finished": str,
            "outcome": str,  # running | ok | empty | blocked | failed
            "baseline": int,
            "pages": int,
            "items_found": int,
            "items_new": int,
            "items_known": int,
            "items_failed": int,
            "requests": int,
            "bytes": int,
            "errors": str,  # JSON list of {"url", "error"}
            "pid": int,
        },
        pk="id",
        defaults={"outcome": "running", "baseline": 0, "pages": 0, "items_found": 0,
                  "items_new": 0, "items_known": 0, "items_failed": 0,
                  "requests": 0, "bytes": 0, "errors": "[]"},
    )
    db["runs"].create_index(["source", "started"])
    db["articles"].create(
        {
            "id": int,
            "canonical_url": str,
            "url": str,
            "site_id": str,
            "source": str,
            "site": str,
            "title": str,
            "published": str,  # UTC, ISO 8601 with +00:00
            "published_text": str,
            "date_source": str,
            "author": str,
            "editor": str,
            "original_source": str,
            "doc_number": str,
            "body": str,
            "lang": str,
            "attachments": str,  # JSON list of absolute URLs
            "encoding": str,
            "content_hash": str,
            "first_seen_run": int,
            "fetched": str,  # UTC
            "baseline": int,
            "field_sources": str,  # JSON {field: where it came from}
            "extra": str,  # JSON, per-source extras (issuing body, column, ...)
        },
        pk="id",
        not_null={"canonical_url", "url", "source"},
        defaults={"baseline": 0, "attachments": "[]", "field_sources": "{}", "extra": "{}"},
    )
    db["articles"].create_index(["canonical_url"], unique=True)
    db["articles"].create_index(["site", "site_id"])
    db["articles"].create_index(["content_hash"])
    db["articles"].create_index(["published"])
    db.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5("
        "title, body, content='articles', content_rowid='id', tokenize='trigram')"
    )
    db.executescript(
        """
        CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
          INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
        END;
        CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
          INSERT INTO articles_fts(articles_fts, rowid, title, body)
          VALUES ('delete', old.id, old.title, old.body);
        END;
        CREATE TRIGGER articles_au AFTER UPDATE OF title, body ON articles BEGIN
          INSERT INTO articles_fts(articles_fts, rowid, title, body)
          VALUES ('delete', old.id, old.title, old.body);
          INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
        END;
        """
    )


@migrations()
def m002_run_access(db: sqlite_utils.Database) -> None:
    # What stood in the way of a run (crawler.access.Verdict as JSON, with the advice),
    # and how many of its pages went through the browser.
    db["runs"].add_column("access", str)
    db["runs"].add_column("browser_requests", int, not_null_default=0)


def connect(path: str | Path, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open the archive at ``path`` (created with its folder if missing), ready to use.

    ``migrate`` also applies the migration sets of other packages that registered
    them with :func:`register_migrations` before the call.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db = sqlite_utils.Database(conn)
    if migrate:
        sets = [migrations, *_extra_migrations]
        if any(s.pending(db) for s in sets):
            # Two processes starting on a new file must not both create the tables.
            with FileLock(str(path) + ".migrate.lock"):
                db.execute("PRAGMA journal_mode = WAL")
                for s in sets:
                    s.apply(db)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    return db


_extra_migrations: list[Migrations] = []


def register_migrations(m: Migrations) -> Migrations:
    """Let another package's tables live in the archive file (applied by :func:`connect`)."""
    if m not in _extra_migrations:
        _extra_migrations.append(m)
    return m


@contextlib.contextmanager
def immediate(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction that takes the write lock up front (``BEGIN IMMEDIATE``)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    else:
        db.execute("COMMIT")


def utcnow() -> str:
    """Now, as the archive writes times: UTC, ISO 8601, seconds."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


_SPACE = re.compile(r"\s+")


def content_hash(title: str | None, body: str | None) -> str | None:
    """A hash of the normalised body text: the same page under two URLs hashes alike."""
    text = unicodedata.normalize("NFKC", body or "")
    text = _SPACE.sub("", text).lower()
    if len(text) < 20:
        # Too little text to say two pages are the same: fall back to title + body.
        text = _SPACE.sub("", unicodedata.normalize("NFKC", (title or "") + text)).lower()
        if not text:
            return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


ARTICLE_COLUMNS = (
    "id", "canonical_url", "url", "site_id", "source", "site", "title", "published",
    "published_text", "date_source", "author", "editor", "original_source", "doc_number",
    "body", "lang", "attachments", "encoding", "content_hash", "first_seen_run", "fetched",
    "baseline", "field_sources", "extra",
)


def _decode_row(row: dict) -> dict:
    for key in ("attachments", "field_sources", "extra"):
        if key in row and isinstance(row[key], str):
            row[key] = json.loads(row[key] or "null")
    return row


def articles_after(db: sqlite_utils.Database, after_id: int, *, limit: int = 500,
                   up_to_id: int | None = None) -> list[dict]:
    """Articles with ``id > after_id`` (and ``<= up_to_id``), oldest first."""
    sql = "SELECT * FROM articles WHERE id > ?"
    params: list = [after_id]
    if up_to_id is not None:
        sql += " AND id <= ?"
        params.append(up_to_id)
    sql += " ORDER BY id LIMIT ?"
    params.append(limit)
    return [_decode_row(dict(r)) for r in db.query(sql, params)]


def get_article(db: sqlite_utils.Database, article_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM articles WHERE id = ?", [article_id]))
    return _decode_row(dict(rows[0])) if rows else None


def max_article_id(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COALESCE(MAX(id), 0) FROM articles").fetchone()[0]
