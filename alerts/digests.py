"""Hourly and daily digests: group what waits for a topic on a channel into one delivery.

A digest is built at each digest time (every hour at :00 local for ``hourly``, at the
``digest_time`` setting each day for ``daily``) and covers every match queued since that
topic's last successful digest on that channel. Everything lives in the outbox, so a
digest missed while the service was down is built at the next run: its key is derived
from (topic, channel, digest time), so two processes cannot build it twice.
"""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from alerts import local_time, outbox
from alerts.settings import AlertSettings
from crawler import archive, times


def run_digests(db: sqlite_utils.Database, settings: AlertSettings, *,
                now: datetime | None = None) -> list[int]:
    """Build the digests that are due; returns the new digest rows' ids (due now)."""
    now = now or times.now_utc()
    tz, at = settings.timezone, settings.digest_time
    stamp = times.utc_stamp(now)
    created: list[int] = []
    with archive.immediate(db):
        groups = [dict(r) for r in db.query(
            "SELECT topic, channel, mode, MAX(topic_title) AS title FROM outbox "
            "WHERE kind = 'alert' AND state = 'waiting' AND digest_id IS NULL "
            "GROUP BY topic, channel, mode")]
        for g in groups:
            slot = times.utc_stamp(local_time.digest_slot(now, g["mode"], tz, at))
            members = [r[0] for r in db.execute(
                "SELECT id FROM outbox WHERE kind = 'alert' AND state = 'waiting' "
                "AND digest_id IS NULL AND topic = ? AND channel = ? AND mode = ? "
                "AND created < ? ORDER BY created, id",
                [g["topic"], g["channel"], g["mode"], slot]).fetchall()]
            if not members:
                continue
            last = db.execute(
                "SELECT MAX(period_end) FROM outbox WHERE kind = 'digest' AND state = 'sent' "
                "AND topic = ? AND channel = ?", [g["topic"], g["channel"]]).fetchone()[0]
            first = db.execute(
                f"SELECT MIN(created) FROM outbox WHERE id IN ({','.join('?' * len(members))})",
                members).fetchone()[0]
            cur = db.execute(
                "INSERT OR IGNORE INTO outbox (key, kind, topic, topic_title, mode, channel, "
                "state, created, due, attempts, period_start, period_end) "
                "VALUES (?, 'digest', ?, ?, ?, ?, 'pending', ?, ?, 0, ?, ?)",
                [outbox.digest_key(g["topic"], g["channel"], slot), g["topic"], g["title"],
                 g["mode"], g["channel"], stamp, stamp, last or first, slot])
            if not cur.rowcount:
                continue  # this slot's digest exists: latecomers go in the next one
            digest_id = cur.lastrowid
            db.execute(f"UPDATE outbox SET digest_id = ? WHERE id IN "
                       f"({','.join('?' * len(members))})", [digest_id, *members])
            created.append(digest_id)
    return created


def members_of(db: sqlite_utils.Database, digest_id: int) -> list[dict]:
    return [dict(r) for r in db.query(
        "SELECT * FROM outbox WHERE digest_id = ? ORDER BY created, id", [digest_id])]
