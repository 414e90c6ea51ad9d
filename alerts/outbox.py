"""The durable outbox: one row per delivery, written in the matcher's transaction.

A row is created once per (story, topic, channel): its idempotency ``key`` is unique and
derived from those three, so re-running the matcher cannot queue a second delivery. The
key is also the webhook's ``webhook-id``: a crash between sending and recording "sent"
repeats a delivery under the same id, it never loses one.

States::

    waiting ─(digest built)─► waiting+digest_id ─(digest sent)─► sent
    pending ─(sent)─► sent
       │  └─(failed, retryable)─► pending (due later, attempts + 1)
       └─(permanent failure / too old)─► dead ─(alerts retry)─► pending

``kind`` is ``alert`` (one match), ``digest`` (hourly/daily: its members point at it
through ``digest_id``) or ``notice`` (an operations message from the service).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from alerts.settings import DEFAULT_CHANNELS  # noqa: F401 (a topic with none: these)
from crawler import archive, times

STATES = ("pending", "waiting", "sent", "dead")
MODES = ("immediate", "hourly", "daily")
KINDS = ("alert", "digest", "notice")

migrations = Migrations("outbox")


@migrations()
def m001_outbox(db: sqlite_utils.Database) -> None:
    db["outbox"].create(
        {
            "id": int,
            "key": str,  # idempotency key = webhook-id
            "kind": str,  # alert | digest | notice
            "topic": str,
            "topic_title": str,
            "mode": str,  # immediate | hourly | daily
            "story_id": int,
            "article_id": int,
            "match_id": int,
            "channel": str,
            "state": str,  # pending | waiting | sent | dead
            "created": str,
            "due": str,  # UTC: not sent before this
            "attempts": int,
            "last_status": int,
            "last_error": str,
            "sent": str,
            "digest_id": int,  # a member's digest row
            "period_start": str,  # a digest's window
            "period_end": str,
            "payload": str,  # JSON: a notice's title and text
            "lease_until": str,  # a delivering process holds the row until then
            "lease_pid": int,
        },
        pk="id",
        not_null={"key", "kind", "channel", "state", "created"},
        defaults={"attempts": 0, "kind": "alert", "mode": "immediate"},
    )
    db["outbox"].create_index(["key"], unique=True)
    db["outbox"].create_index(["state", "due"])
    db["outbox"].create_index(["channel", "topic", "state"])
    db["outbox"].create_index(["digest_id"])
    db["attempts"].create(
        {
            "id": int,
            "outbox_id": int,
            "channel": str,
            "at": str,  # UTC
            "outcome": str,  # sent | retry | dead | deferred
            "status": int,  # HTTP status (or SMTP code), None when none came back
            "error": str,
            "duration_ms": int,
        },
        pk="id",
    )
    db["attempts"].create_index(["outbox_id"])
    db["attempts"].create_index(["channel", "at"])


@migrations()
def m002_parts_sent(db: sqlite_utils.Database) -> None:
    # A message split in parts resumes after the parts already accepted, from the payload
    # as first sent (kept in `payload`), so no chat sees a part twice.
    db["outbox"].add_column("parts_sent", int, not_null_default=0)


def idempotency_key(story_id: int | None, topic: str, channel: str) -> str:
    """The delivery's stable id: the same (story, topic, channel) always gives the same key."""
    raw = f"alert\x1f{story_id}\x1f{topic}\x1f{channel}"
    return "nw_" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def digest_key(topic: str, channel: str, period_end: str) -> str:
    raw = f"digest\x1f{topic}\x1f{channel}\x1f{period_end}"
    return "nw_" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def enqueue(db: sqlite_utils.Database, *, topic: Any, story_id: int | None,
            article_id: int, match_id: int | None, channels: Iterable[str] | None,
            mode: str | None = None, now: datetime | None = None) -> list[int]:
    """Queue one delivery per channel for a story's first match of a topic.

    Runs inside the caller's transaction (the matcher's ``BEGIN IMMEDIATE``); it opens
    none. ``topic`` is an ``alerts.topics.Topic`` (or its name). Immediate rows are due
    now; hourly and daily rows wait for their digest. Returns the ids of the rows created
    (a row whose key exists is left alone: re-running the matcher queues nothing twice).
    """
    if isinstance(topic, str):
        name, title, topic_channels, topic_mode = topic, topic, None, None
    else:
        name, title = topic.name, getattr(topic, "title", None) or topic.name
        topic_channels, topic_mode = getattr(topic, "channels", None), getattr(topic, "mode", None)
    mode = mode or topic_mode or "immediate"
    if mode not in MODES:
        raise ValueError(f"topic {name!r}: mode must be one of {', '.join(MODES)}, got {mode!r}")
    channels = list(dict.fromkeys(channels or topic_channels or DEFAULT_CHANNELS))
    stamp = times.utc_stamp(now)
    state = "pending" if mode == "immediate" else "waiting"
    created: list[int] = []
    for channel in channels:
        cur = db.execute(
            "INSERT OR IGNORE INTO outbox (key, kind, topic, topic_title, mode, story_id, "
            "article_id, match_id, channel, state, created, due, attempts) "
            "VALUES (?, 'alert', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
            [idempotency_key(story_id if story_id is not None else f"a{article_id}",
                             name, channel),
             name, title, mode, story_id, article_id, match_id, channel, state, stamp,
             stamp],
        )
        if cur.rowcount:
            created.append(cur.lastrowid)
    return created


def enqueue_notice(db: sqlite_utils.Database, *, channel: str, key: str, title: str,
                   text: str, now: datetime | None = None) -> int | None:
    """Queue an operations message (e.g. "source down") once per ``key``; own transaction.

    Returns the new row's id, or None when a notice with that key was already queued.
    """
    stamp = times.utc_stamp(now)
    full_key = "nw_" + hashlib.sha256(f"notice\x1f{channel}\x1f{key}".encode()).hexdigest()[:32]
    with archive.immediate(db):
        cur = db.execute(
            "INSERT OR IGNORE INTO outbox (key, kind, topic, topic_title, mode, channel, "
            "state, created, due, attempts, payload) "
            "VALUES (?, 'notice', NULL, ?, 'immediate', ?, 'pending', ?, ?, 0, ?)",
            [full_key, title, channel, stamp, stamp,
             json.dumps({"title": title, "text": text}, ensure_ascii=False)],
        )
    return cur.lastrowid if cur.rowcount else None


def get(db: sqlite_utils.Database, outbox_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM outbox WHERE id = ?", [outbox_id]))
    return dict(rows[0]) if rows else None


def list_rows(db: sqlite_utils.Database, *, state: str | None = None,
              limit: int = 50) -> list[dict]:
    """Deliveries, newest first (``state`` one of :data:`STATES`)."""
    sql = "SELECT * FROM outbox"
    params: list = []
    if state:
        sql += " WHERE state = ?"
        params.append(state)
    sql += " ORDER BY id DESC LIMIT ?"
    params.append(limit)
    return [dict(r) for r in db.query(sql, params)]


def attempts_of(db: sqlite_utils.Database, outbox_id: int) -> list[dict]:
    return [dict(r) for r in db.query(
        "SELECT * FROM attempts WHERE outbox_id = ? ORDER BY id", [outbox_id])]


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    """How many rows are in each state (for status pages and metrics)."""
    found = {s: 0 for s in STATES}
    for row in db.query("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state"):
        found[row["state"]] = row["n"]
    return found


def requeue(db: sqlite_utils.Database, ids: Iterable[int] | None = None, *,
            dead: bool = False, now: datetime | None = None) -> list[int]:
    """Make dead (or any unsent) rows due again, attempts reset; returns the ids requeued.

    A digest member goes back to waiting for the next digest; a digest row takes its
    members with it.
    """
    stamp = times.utc_stamp(now)
    with archive.immediate(db):
        if dead:
            rows = [dict(r) for r in db.query("SELECT * FROM outbox WHERE state = 'dead'")]
        else:
            wanted = list(ids or [])
            rows = [dict(r) for r in db.query(
                f"SELECT * FROM outbox WHERE id IN ({','.join('?' * len(wanted))})",
                wanted)] if wanted else []
        # A member whose digest is requeued with it stays in that digest: clearing its
        # digest_id first would send the digest with no members.
        digests = {r["id"] for r in rows if r["kind"] == "digest" and r["state"] != "sent"}
        done = []
        for row in rows:
            if row["state"] == "sent":
                continue
            if row["kind"] == "alert" and row["digest_id"] in digests:
                db.execute("UPDATE outbox SET state = 'waiting', attempts = 0, due = ?, "
                           "lease_until = NULL, lease_pid = NULL WHERE id = ?",
                           [stamp, row["id"]])
                done.append(row["id"])
                continue
            # A digest's alert waits for the next digest (not its old, dead one).
            state = "waiting" if row["kind"] == "alert" and row["mode"] != "immediate" \
                else "pending"
            db.execute("UPDATE outbox SET state = ?, due = ?, attempts = 0, lease_until = NULL, "
                       "lease_pid = NULL, digest_id = CASE WHEN kind = 'alert' THEN NULL "
                       "ELSE digest_id END WHERE id = ?", [state, stamp, row["id"]])
            if row["kind"] == "digest":
                db.execute("UPDATE outbox SET state = 'waiting' WHERE digest_id = ? "
                           "AND state = 'dead'", [row["id"]])
            done.append(row["id"])
    return done


def anything_due(db: sqlite_utils.Database, *, now: datetime | None = None) -> bool:
    """Whether a delivery pass has work: a pending row due, or an alert waiting for a
    digest not yet built. Cheap (one indexed probe), so most idle passes stop here."""
    return db.execute(
        "SELECT 1 FROM outbox WHERE (state = 'pending' AND due <= ?) OR (state = 'waiting' "
        "AND kind = 'alert' AND digest_id IS NULL) LIMIT 1",
        [times.utc_stamp(now or times.now_utc())]).fetchone() is not None


# ---------------------------------------------------------------- reading for the web


def rows_before(db: sqlite_utils.Database, *, state: str | None = None,
                before_id: int | None = None, limit: int = 50) -> list[dict]:
    """Outbox rows newest first with ``id < before_id`` (a keyset page), without payloads."""
    where, params = [], []
    if state:
        where.append("state = ?")
        params.append(state)
    if before_id is not None:
        where.append("id < ?")
        params.append(before_id)
    sql = ("SELECT id, key, kind, topic, topic_title, mode, story_id, article_id, channel, "
           "state, created, due, attempts, last_status, last_error, sent FROM outbox")
    if where:
        sql += " WHERE " + " AND ".join(where)
    return [dict(r) for r in db.query(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])]
