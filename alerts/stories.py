"""Story clusters: one story republished by many outlets is one story.

:func:`cluster_new` walks the articles above its cursor, oldest first. Each is sketched
(MinHash over character shingles, see :mod:`alerts.shingles`), looked up in the LSH index
of the window's signatures of the same language (:mod:`alerts.story_index`), and the
candidates are verified on their real shingle sets. A verified near-duplicate's story is
joined; otherwise the article starts a story. Memberships, signatures and the cursor are
committed together, batch by batch, so a crash neither skips nor double-assigns.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import sqlite_utils
from sqlite_utils.migrations import Migrations

from alerts import shingles, story_index
from crawler import archive, times
from crawler.times import article_time

log = logging.getLogger(__name__)

CURSOR = "stories"
# Containment of the shorter text from which two articles are one story: the middle of
# the best-F1 range on the tune half of the evaluation set (bench/clustering.py).
SAME_STORY = 0.575
BATCH = 200
# How far below SAME_STORY a MinHash estimate may fall and still be checked exactly
# (with 128 permutations the Jaccard estimate's standard error is at most 0.045).
ESTIMATE_MARGIN = 0.2

migrations = Migrations("stories")


@migrations()
def m001_stories(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS cursors(name TEXT PRIMARY KEY, value INTEGER)")
    db["stories"].create(
        {"id": int, "first_article_id": int, "lang": str, "title": str,
         "first_seen": str, "last_seen": str, "size": int},
        pk="id", defaults={"size": 1},
    )
    db["stories"].create_index(["last_seen"])
    db["story_members"].create(
        {"article_id": int, "story_id": int, "similarity": float, "matched_article_id": int,
         "site": str, "source": str, "joined": str},
        pk="article_id",
    )
    db["story_members"].create_index(["story_id"])
    # The sketch of each article, so a new process rebuilds the window's LSH index
    # without re-reading bodies. `at` is published (else fetched), epoch seconds.
    db["story_signatures"].create(
        {"article_id": int, "lang": str, "at": float, "size": int, "version": str,
         "minhash": bytes},
        pk="article_id",
    )
    db["story_signatures"].create_index(["at"])


# ---------------------------------------------------------------- reading


def cursor(db: sqlite_utils.Database) -> int:
    """The id of the last article assigned to a story (0 before the first run)."""
    row = db.execute("SELECT value FROM cursors WHERE name = ?", [CURSOR]).fetchone()
    return int(row[0]) if row else 0


def story_of(db: sqlite_utils.Database, article_id: int) -> int | None:
    row = db.execute("SELECT story_id FROM story_members WHERE article_id = ?",
                     [article_id]).fetchone()
    return int(row[0]) if row else None


def get_story(db: sqlite_utils.Database, story_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM stories WHERE id = ?", [story_id]))
    return rows[0] if rows else None


MEMBER_FIELDS = ("url", "title", "site", "source", "original_source", "published",
                 "fetched", "lang")


def members(db: sqlite_utils.Database, story_id: int) -> list[dict]:
    """The story's articles, first first: id, url, title, site, source, original_source,
    published, fetched, lang, and the similarity with which each joined."""
    out = []
    for m in db.query("SELECT * FROM story_members WHERE story_id = ? ORDER BY article_id",
                      [story_id]):
        art = archive.get_article(db, m["article_id"]) or {}
        row = {"id": m["article_id"], **{k: art.get(k) for k in MEMBER_FIELDS},
               "similarity": m["similarity"], "matched_article_id": m["matched_article_id"],
               "joined": m["joined"]}
        out.append(row)
    return out


def recent(db: sqlite_utils.Database, days: float, *, now: datetime | None = None) -> list[dict]:
    """Stories last seen within ``days`` of ``now``, newest first, each with the sites
    and sources of its members (``outlets``)."""
    since = times.utc_stamp(_now(now) - timedelta(days=days))
    stories = list(db.query("SELECT * FROM stories WHERE last_seen >= ? "
                            "ORDER BY last_seen DESC, id DESC", [since]))
    for s in stories:
        outlets = []
        for r in db.query("SELECT site, source FROM story_members WHERE story_id = ? "
                          "ORDER BY article_id", [s["id"]]):
            name = r["site"] or r["source"]
            if name and name not in outlets:
                outlets.append(name)
        s["outlets"] = outlets
    return stories


# ---------------------------------------------------------------- clustering


def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(timezone.utc)
    return now if now.tzinfo else now.replace(tzinfo=timezone.utc)


def lang_key(article: dict) -> str:
    """`zh`, `en`, …: the language part of the article's tag, else guessed from its script."""
    lang = (article.get("lang") or "").replace("_", "-").split("-")[0].lower()
    if lang:
        return lang
    text = (article.get("title") or "") + (article.get("body") or "")[:200]
    return "zh" if shingles.has_han(text) else "en"


def _shingles_of(index: story_index.WindowIndex, db, article_id: int):
    """A candidate's packed shingles: from the cache, else from its text (re-read)."""
    cached = index.shingle_cache.get(article_id)
    if cached is not None:
        return cached
    art = archive.get_article(db, article_id)
    found = shingles.packed(shingles.article_shingles(art.get("title"), art.get("body"),
                                                      lang_key(art)) if art else set())
    index.remember_shingles(article_id, found)
    return found


def best_match(db, index: story_index.WindowIndex, article: dict, packed, sketch, lang: str,
               at: float, window_s: float) -> tuple[int, float] | None:
    """The most similar verified near-duplicate in the window: (article id, resemblance)."""
    best: tuple[int, float] | None = None
    found = [c for c in index.query(lang, sketch, at, window_s) if c != article["id"]]
    estimates = index.estimated_containment(found, sketch, packed.size)
    for cand, estimate in zip(found, estimates):
        if estimate < SAME_STORY - ESTIMATE_MARGIN:
            continue
        score = shingles.resemblance_packed(packed, _shingles_of(index, db, cand))
        if score >= SAME_STORY and (best is None or score > best[1]
                                    or (score == best[1] and cand < best[0])):
            best = (cand, score)
    return best


def _assign(db, index, article: dict, prepared, window_s: float, joined: str) -> None:
    packed, sketch, lang, at = prepared
    when = times.utc_stamp(datetime.fromtimestamp(at, timezone.utc))
    match = best_match(db, index, article, packed, sketch, lang, at, window_s) \
        if packed.size else None
    story_id = story_of(db, match[0]) if match else None
    if story_id is None:
        story_id = db.execute(
            "INSERT INTO stories(first_article_id, lang, title, first_seen, last_seen, size) "
            "VALUES (?, ?, ?, ?, ?, 1)",
            [article["id"], lang, article.get("title"), when, when]).lastrowid
        similarity, matched = 1.0, None
    else:
        db.execute("UPDATE stories SET size = size + 1, "
                   "first_seen = MIN(first_seen, ?), last_seen = MAX(last_seen, ?) "
                   "WHERE id = ?", [when, when, story_id])
        similarity, matched = round(match[1], 4), match[0]
    # Raw statements: sqlite-utils' insert() inspects the table on every call.
    db.execute(
        "INSERT OR REPLACE INTO story_members(article_id, story_id, similarity, "
        "matched_article_id, site, source, joined) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [article["id"], story_id, similarity, matched, article.get("site"),
         article.get("source"), joined])
    if packed.size:
        db.execute(
            "INSERT OR REPLACE INTO story_signatures(article_id, lang, at, size, version, "
            "minhash) VALUES (?, ?, ?, ?, ?, ?)",
            [article["id"], lang, at, int(packed.size), shingles.SKETCH_VERSION,
             shingles.sketch_to_bytes(sketch)])
        index.add(article["id"], lang, at, sketch, int(packed.size))
        index.remember_shingles(article["id"], packed)


def _prepare(article: dict, now: datetime):
    """(shingles, sketch, language, time) of an article. One that cannot be read gets
    no shingles: it becomes a story of its own instead of stopping the cursor."""
    at = (article_time(article) or now).timestamp()
    try:
        lang = lang_key(article)
        shingle_set = shingles.article_shingles(article.get("title"), article.get("body"), lang)
    except Exception as exc:  # noqa: BLE001 - one bad article must not block the rest
        log.warning("stories: article %s cannot be sketched (%s: %s); it gets a story of "
                    "its own", article.get("id"), type(exc).__name__, exc)
        lang, shingle_set = str(article.get("lang") or "und"), set()
    return shingles.packed(shingle_set), shingles.sketch(shingle_set), lang, at


def cluster_new(db: sqlite_utils.Database, *, window_days: float = 3,
                now: datetime | None = None, batch: int = BATCH) -> int:
    """Assign every article above the stories cursor to a story; return how many.

    An article joins the story of its most similar near-duplicate among articles of the
    same language published within ``window_days`` of it, else starts a new story.
    """
    now = _now(now)
    window_s = window_days * 86400
    done = 0
    while True:
        start = cursor(db)
        rows = archive.articles_after(db, start, limit=batch)
        if not rows:
            return done
        # Sketch outside the write lock; only lookups and writes happen inside it.
        prepared = [_prepare(a, now) for a in rows]
        index = story_index.index_for(db)
        try:
            with index.lock, archive.immediate(db):
                if cursor(db) != start:
                    continue  # another process took this batch; read on from its cursor
                oldest = min(p[3] for p in prepared)
                index.refresh(db, min(oldest, now.timestamp()) - window_s)
                joined = times.utc_stamp(now)
                for article, prep in zip(rows, prepared):
                    if story_of(db, article["id"]) is None:
                        _assign(db, index, article, prep, window_s, joined)
                db.execute("INSERT INTO cursors(name, value) VALUES (?, ?) "
                           "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                           [CURSOR, rows[-1]["id"]])
        except BaseException:
            story_index.forget(db)  # its in-memory additions were rolled back
            raise
        done += len(rows)
