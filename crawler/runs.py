"""The ``runs`` table (one row per crawl of a source) and ``sources`` rows, read for the
rest of the application: the crawler writes them (``crawler.extensions.run_record``);
health, status, the service and the commands read them only through these functions.

Rows are plain dicts with the table's columns: ``id``, ``source``, ``started``,
``finished``, ``outcome``, ``baseline``, ``pages``, ``items_found``, ``items_new``,
``items_known``, ``items_failed``, ``requests``, ``bytes``, ``errors`` (JSON text),
``pid``.
"""

from __future__ import annotations

import json
from datetime import datetime

import sqlite_utils

from crawler import archive


def last_run_id(db: sqlite_utils.Database, source: str) -> int:
    """The id of the source's latest run (0 before any)."""
    return db.execute("SELECT COALESCE(MAX(id), 0) FROM runs WHERE source = ?",
                      [source]).fetchone()[0]


def runs_after(db: sqlite_utils.Database, source: str, after_id: int) -> list[dict]:
    """The source's runs with ``id > after_id``, oldest first."""
    return [dict(r) for r in db.query(
        "SELECT * FROM runs WHERE source = ? AND id > ? ORDER BY id", [source, after_id])]


def recent_runs(db: sqlite_utils.Database, source: str, limit: int) -> list[dict]:
    """The source's ``limit`` latest runs, newest first."""
    return [dict(r) for r in db.query(
        "SELECT * FROM runs WHERE source = ? ORDER BY id DESC LIMIT ?", [source, limit])]


def latest_runs(db: sqlite_utils.Database) -> dict[str, dict]:
    """The latest run of every source that has one."""
    rows = db.query("SELECT r.* FROM runs r JOIN (SELECT source, MAX(id) AS id FROM runs "
                    "GROUP BY source) m ON r.id = m.id")
    return {r["source"]: dict(r) for r in rows}


def last_run(db: sqlite_utils.Database) -> dict | None:
    """The latest run of any source (a one-source archive's only source)."""
    return next((dict(r) for r in db.query("SELECT * FROM runs ORDER BY id DESC LIMIT 1")),
                None)


def last_starts(db: sqlite_utils.Database) -> dict[str, datetime]:
    """Each source's latest crawl start."""
    out = {}
    for r in db.query("SELECT source, MAX(started) AS started FROM runs GROUP BY source"):
        if r["started"]:
            out[r["source"]] = datetime.fromisoformat(r["started"])
    return out


def sources_with_runs(db: sqlite_utils.Database) -> list[str]:
    return [r["source"] for r in db.query("SELECT DISTINCT source FROM runs ORDER BY source")]


def runs_since(db: sqlite_utils.Database, since: str, *, source: str | None = None
               ) -> list[dict]:
    """Crawl runs started at or after ``since`` (UTC ISO), oldest first."""
    sql = "SELECT * FROM runs WHERE started >= ?"
    params: list = [since]
    if source is not None:
        sql += " AND source = ?"
        params.append(source)
    return [dict(r) for r in db.query(sql + " ORDER BY id", params)]


def running_runs(db: sqlite_utils.Database) -> list[dict]:
    """Runs still marked ``running`` (a crawl in progress, or one killed before it closed)."""
    return [dict(r) for r in db.query(
        "SELECT id, source, started, pid FROM runs WHERE outcome = 'running' ORDER BY id")]


def close_run(db: sqlite_utils.Database, run_id: int, *, outcome: str,
              errors: list[dict]) -> bool:
    """Close a run its crawl could not close (killed, crashed), or restate why an
    ``interrupted`` one stopped; a run that ended any other way is left as it is.
    ``sources.last_outcome`` follows. True when the row changed."""
    now = archive.utcnow()
    with archive.immediate(db):
        cursor = db.execute(
            "UPDATE runs SET finished = COALESCE(finished, ?), outcome = ?, errors = ? "
            "WHERE id = ? AND outcome IN ('running', 'interrupted')",
            [now, outcome, json.dumps(errors[:200], ensure_ascii=False), run_id])
        if cursor.rowcount:
            db.execute("UPDATE sources SET last_outcome = ?, updated = ? WHERE name = "
                       "(SELECT source FROM runs WHERE id = ?)", [outcome, now, run_id])
    return bool(cursor.rowcount)
