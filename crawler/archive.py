"""The archive: one SQLite file that holds sources, crawl runs and articles.

Every process opens it through :func:`connect`, which turns on WAL and a long busy
timeout and applies pending schema migrations. Writes that read first go through
:func:`immediate` (``BEGIN IMMEDIATE``): a deferred ``BEGIN`` that later upgrades to a
write lock is what gives "database is locked" when two crawls write at once.

Other packages read articles only through this module's functions
(:func:`articles_after` and :func:`get_article`, where ``with_attachments=True`` adds
each article's downloaded attachments as ``files``; :func:`full_text_ids` to narrow a
search) and runs through :mod:`crawler.runs`; their own tables come with their own
``Migrations`` sets, which ``connect(path, extra=...)`` applies.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils
from filelock import FileLock
from sqlite_utils.migrations import Migrations

from crawler import times
from crawler.database import is_postgres, is_server_url

BUSY_TIMEOUT_MS = 60_000

migrations = Migrations("archive")

# On PostgreSQL, the text that the trigram indexes cover (and full_text_ids searches).
PG_ARTICLE_TEXT = "coalesce(title, '') || ' ' || coalesce(body, '')"
PG_ATTACHMENT_TEXT = "coalesce(name, '') || ' ' || text"


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
            "outcome": str,  # running | ok | degraded | empty | blocked | failed | interrupted
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
    if is_postgres(db):
        # pg_trgm in place of FTS5's trigram table: one GIN index over title and body.
        db.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        db.execute(f"CREATE INDEX articles_text_trgm ON articles USING gin (({PG_ARTICLE_TEXT}) "
                   "gin_trgm_ops)")
        return
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
def m002_shared_bodies(db: sqlite_utils.Database) -> None:
    # A verbatim republication by another source or site is its own row (its source,
    # site, URL and time, so topic filters and stories see it) whose body is the
    # original's: ``body`` NULL and ``body_of`` the original's id. One body is kept.
    db["articles"].add_column("body_of", int)


@migrations()
def m003_article_attachments(db: sqlite_utils.Database) -> None:
    # One row per attachment of an article, downloaded or not: name, real type, outcome
    # and text. `pages` is JSON [[start, label], ...]: where each page (or sheet) starts.
    db.executescript(
        """
        CREATE TABLE article_attachments(
          id INTEGER PRIMARY KEY,
          article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
          position INTEGER NOT NULL,
          url TEXT NOT NULL,
          canonical_url TEXT NOT NULL,
          name TEXT,
          type TEXT,
          content_type TEXT,
          bytes INTEGER,
          sha256 TEXT,
          outcome TEXT NOT NULL,
          detail TEXT,
          page_count INTEGER,
          unit TEXT NOT NULL DEFAULT 'page',
          pages TEXT NOT NULL DEFAULT '[]',
          text TEXT NOT NULL DEFAULT '',
          fetched TEXT,
          UNIQUE(article_id, position));
        CREATE INDEX article_attachments_url ON article_attachments(canonical_url);
        CREATE INDEX article_attachments_sha256 ON article_attachments(sha256);
        """
    )
    if is_postgres(db):
        db.execute("CREATE INDEX article_attachments_text_trgm ON article_attachments USING gin "
                   f"(({PG_ATTACHMENT_TEXT}) gin_trgm_ops)")
        return
    db.executescript(
        """
        CREATE VIRTUAL TABLE article_attachments_fts USING fts5(
          name, text, content='article_attachments', content_rowid='id', tokenize='trigram');
        CREATE TRIGGER article_attachments_ai AFTER INSERT ON article_attachments BEGIN
          INSERT INTO article_attachments_fts(rowid, name, text)
          VALUES (new.id, new.name, new.text);
        END;
        CREATE TRIGGER article_attachments_ad AFTER DELETE ON article_attachments BEGIN
          INSERT INTO article_attachments_fts(article_attachments_fts, rowid, name, text)
          VALUES ('delete', old.id, old.name, old.text);
        END;
        """
    )


@migrations()
def m004_run_fallback(db: sqlite_utils.Database) -> None:
    # A degraded run: the selectors list inference used when the seed's found nothing.
    db["runs"].add_column("fallback", str)


@migrations()
def m005_run_access(db: sqlite_utils.Database) -> None:
    # What stood in the way of a run (crawler.access.Verdict as JSON, with the advice),
    # and how many of its pages went through the browser.
    db["runs"].add_column("access", str)
    db["runs"].add_column("browser_requests", int, not_null_default=0)


def connect(path: str | Path, *, extra: Iterable[Migrations] = (),
            migrate: bool = True) -> sqlite_utils.Database:
    """Open the archive at ``path`` (created with its folder if missing), ready to use;
    a ``postgresql://`` URL opens that database instead (:mod:`crawler.postgres`), whose
    tables the same migrations create.

    ``migrate`` applies the archive's own migration set, then each set in
    ``extra``: the tables of the packages downstream (alerts, the service), which
    the caller names explicitly (``newswatch.storage.open_archive`` names them all), so
    which tables exist never depends on which modules happen to be imported.
    """
    if is_server_url(path):
        return _connect_server(str(path), extra=extra, migrate=migrate)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db = sqlite_utils.Database(conn)
    if migrate:
        sets = [migrations, *extra]
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


def _connect_server(url: str, *, extra: Iterable[Migrations], migrate: bool):
    from crawler.database import advisory_lock
    from crawler.postgres import PostgresDatabase

    db = PostgresDatabase(url)
    if migrate:
        sets = [migrations, *extra]
        if any(s.pending(db) for s in sets):
            # Two machines starting on a new database must not both create the tables.
            with advisory_lock(url, "newswatch:migrate", wait=True):
                for s in sets:
                    s.apply(db)
    return db


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
    """Now, as the archive writes times (``crawler.times.utc_stamp``)."""
    return times.utc_stamp()


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


# --- runs -----------------------------------------------------------------------------


def _decode_row(row: dict) -> dict:
    for key in ("attachments", "field_sources", "extra"):
        if key in row and isinstance(row[key], str):
            row[key] = json.loads(row[key] or "null")
    return row


def _decoded(db: sqlite_utils.Database, rows) -> list[dict]:
    """Rows as dicts, JSON columns decoded, and a republication's shared body filled in
    from the article it shares it with (``body_of``)."""
    out = [_decode_row(dict(r)) for r in rows]
    wanted = {r["body_of"] for r in out if r.get("body_of") and r.get("body") is None}
    if wanted:
        marks = ", ".join("?" for _ in wanted)
        bodies = dict(db.execute(f"SELECT id, body FROM articles WHERE id IN ({marks})",
                                 list(wanted)).fetchall())
        for r in out:
            if r.get("body_of") and r.get("body") is None:
                r["body"] = bodies.get(r["body_of"])
    return out


def articles_after(db: sqlite_utils.Database, after_id: int, *, limit: int = 500,
                   up_to_id: int | None = None, with_attachments: bool = False) -> list[dict]:
    """Articles with ``id > after_id`` (and ``<= up_to_id``), oldest first; with
    ``with_attachments``, each has ``files`` (see :func:`attachments_of`)."""
    sql = "SELECT * FROM articles WHERE id > ?"
    params: list = [after_id]
    if up_to_id is not None:
        sql += " AND id <= ?"
        params.append(up_to_id)
    sql += " ORDER BY id LIMIT ?"
    params.append(limit)
    rows = _decoded(db, db.query(sql, params))
    if with_attachments and rows:
        files = attachments_of(db, [r["id"] for r in rows])
        for row in rows:
            row["files"] = files.get(row["id"], [])
    return rows


def get_article(db: sqlite_utils.Database, article_id: int, *,
                with_attachments: bool = False) -> dict | None:
    rows = _decoded(db, db.query("SELECT * FROM articles WHERE id = ?", [article_id]))
    if not rows:
        return None
    row = rows[0]
    if with_attachments:
        row["files"] = attachments_of(db, [article_id]).get(article_id, [])
    return row


# --- attachments (crawler.attachments) ------------------------------------------------

ATTACHMENT_FIELDS = ("url", "name", "type", "content_type", "bytes", "sha256", "outcome",
                     "detail", "page_count", "unit", "pages", "text", "fetched")


def store_attachments(db: sqlite_utils.Database, article_id: int, files: list[dict]) -> None:
    """Replace ``article_id``'s attachment rows with ``files`` (in the caller's transaction)."""
    from crawler.canonical import canonical_url

    db.execute("DELETE FROM article_attachments WHERE article_id = ?", [article_id])
    for position, f in enumerate(files):
        row = {k: f.get(k) for k in ATTACHMENT_FIELDS}
        row["pages"] = json.dumps(row["pages"] or [], ensure_ascii=False)
        row["text"] = row["text"] or ""
        row["unit"] = row["unit"] or "page"
        row.update(article_id=article_id, position=position,
                   canonical_url=canonical_url(f["url"]))
        db.execute(f"INSERT INTO article_attachments ({', '.join(row)}) "
                   f"VALUES ({', '.join('?' for _ in row)})", list(row.values()))


def attachments_of(db: sqlite_utils.Database, article_ids: list[int]) -> dict[int, list[dict]]:
    """Each article's attachments in page order: dicts of ``ATTACHMENT_FIELDS`` (``pages``
    decoded) plus ``id`` and ``position``."""
    out: dict[int, list[dict]] = {}
    for start in range(0, len(article_ids), 500):
        chunk = article_ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        for r in db.query(f"SELECT * FROM article_attachments WHERE article_id IN ({marks}) "
                          f"ORDER BY article_id, position", chunk):
            row = dict(r)
            row["pages"] = json.loads(row["pages"] or "[]")
            out.setdefault(row.pop("article_id"), []).append(row)
    return out


def known_attachment(db: sqlite_utils.Database, *, canonical_url: str | None = None,
                     sha256: str | None = None) -> dict | None:
    """The latest downloaded attachment with this canonical URL or content hash, if any
    (a failed download is not one: it is tried again)."""
    column, value = ("canonical_url", canonical_url) if canonical_url else ("sha256", sha256)
    if not value:
        return None
    rows = list(db.query(f"SELECT * FROM article_attachments WHERE {column} = ? "
                         f"AND outcome != 'failed' ORDER BY id DESC LIMIT 1", [value]))
    if not rows:
        return None
    row = dict(rows[0])
    row["pages"] = json.loads(row["pages"] or "[]")
    return row


class FullTextUnusable(Exception):
    """The full-text index cannot answer this expression (or is missing): scan instead.
    Any other database error (locked, I/O) is raised as itself, never hidden."""


def full_text_ids(db: sqlite_utils.Database, expression: str, *,
                  before_id: int | None = None, limit: int | None = None) -> list[int]:
    """Ids (below ``before_id`` when given; at most ``limit``) of the articles that may
    satisfy the FTS5 (trigram) ``expression`` over their title, body and attachment text
    together (a superset: the matcher decides), newest archived first: keyset pages,
    never OFFSET. Raises :class:`FullTextUnusable` when the index cannot answer.

    An article matches over its page and attachments together: "A AND B" holds with A on
    the page and B in a file. The expression is monotone (phrases, AND, OR), so such an
    article has an attachment holding one of its phrases: the attachments are asked for
    any of them. The phrases are single words (``alerts.fts_narrowing``), so " AND " is
    never inside one."""
    if is_postgres(db):
        from crawler import pg_full_text

        return pg_full_text.full_text_ids(db, expression, before_id=before_id, limit=limit)
    bound = "" if before_id is None else " AND rowid < ?"
    bound_att = "" if before_id is None else " AND t.article_id < ?"
    sql = (f"SELECT id FROM (SELECT rowid AS id FROM articles_fts WHERE articles_fts MATCH ?"
           f"{bound} UNION SELECT t.article_id FROM article_attachments_fts f "
           f"JOIN article_attachments t ON t.id = f.rowid "
           f"WHERE article_attachments_fts MATCH ?{bound_att}) ORDER BY id DESC")
    params: list = [expression] + ([before_id] if before_id is not None else [])
    params += [expression.replace(" AND ", " OR ")]
    params += [before_id] if before_id is not None else []
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    try:
        return [r[0] for r in db.execute(sql, params)]
    except sqlite3.OperationalError as exc:
        message = str(exc)
        if message.startswith("fts5:") or "_fts" in message:
            raise FullTextUnusable(message) from None
        raise


def new_articles_per_source(db: sqlite_utils.Database, since: datetime) -> dict[str, int]:
    """How many non-baseline articles each source archived since ``since``."""
    return {r["source"]: r["n"] for r in db.query(
        "SELECT source, COUNT(*) AS n FROM articles WHERE fetched >= ? AND baseline = 0 "
        "GROUP BY source", [since.astimezone(timezone.utc).isoformat()])}


def articles_of_source(db: sqlite_utils.Database, source: str) -> list[dict]:
    """Every article archived through ``source``, oldest first."""
    return _decoded(db, db.query("SELECT * FROM articles WHERE source = ? ORDER BY id",
                                 [source]))


def newest_article_time(db: sqlite_utils.Database) -> datetime | None:
    """The latest ``published`` (else ``fetched``) time in the archive, or None if empty."""
    value = db.execute("SELECT MAX(COALESCE(published, fetched)) FROM articles").fetchone()[0]
    return datetime.fromisoformat(value) if value else None


def max_article_id(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT COALESCE(MAX(id), 0) FROM articles").fetchone()[0]


def normal_items_per_page(db: sqlite_utils.Database, source: str, *, runs: int = 20
                          ) -> float | None:
    """The median list items per page of the source's last ``runs`` ``ok`` crawls."""
    import statistics

    rows = [r[0] for r in db.execute(
        "SELECT CAST(items_found AS REAL) / pages FROM runs WHERE source = ? AND "
        "outcome = 'ok' AND pages > 0 ORDER BY id DESC LIMIT ?", [source, runs])]
    return statistics.median(rows) if rows else None


# ---------------------------------------------------------------- reading for the web
# Used by newswatch.web (and `newswatch search`): newest-first pages keyed on id, never
# OFFSET, so a page costs the same at the end of the archive as at its start.

# Every column of ``articles``, for readers that name what they read.
ARTICLE_COLUMNS = (
    "id", "canonical_url", "url", "site_id", "source", "site", "title", "published",
    "published_text", "date_source", "author", "editor", "original_source", "doc_number",
    "body", "lang", "attachments", "encoding", "content_hash", "first_seen_run", "fetched",
    "baseline", "field_sources", "extra", "body_of",
)
LIST_COLUMNS = ("id", "url", "source", "site", "title", "published", "fetched",
                "original_source", "lang", "baseline")


def articles_by_ids(db: sqlite_utils.Database, ids: Iterable[int], *,
                    columns: Iterable[str] = LIST_COLUMNS) -> dict[int, dict]:
    """``{id: row}`` of the listed columns (no body) for the given ids."""
    wanted = sorted({int(i) for i in ids})
    cols = [c for c in columns if c in ARTICLE_COLUMNS]
    out: dict[int, dict] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        for r in db.query(f"SELECT {', '.join(cols)} FROM articles WHERE id IN "
                          f"({','.join('?' * len(chunk))})", chunk):
            out[r["id"]] = r
    return {row["id"]: row for row in _decoded(db, out.values())}


def articles_before(db: sqlite_utils.Database, before_id: int | None, *,
                    limit: int = 500) -> list[dict]:
    """Whole articles with ``id < before_id`` (all when None), newest first."""
    if before_id is None:
        rows = db.query("SELECT * FROM articles ORDER BY id DESC LIMIT ?", [limit])
    else:
        rows = db.query("SELECT * FROM articles WHERE id < ? ORDER BY id DESC LIMIT ?",
                        [before_id, limit])
    return _decoded(db, rows)


def list_sources(db: sqlite_utils.Database) -> list[dict]:
    """The ``sources`` rows (name, title, kind, site, language, last_outcome), by name."""
    return [dict(r) for r in db.query("SELECT * FROM sources ORDER BY name")]
