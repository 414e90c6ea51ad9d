"""What the running service tells other processes (``newswatch status``) through the archive.

``service_schedule`` holds each source's next scheduled crawl, written by the service
whenever it (re)schedules; status reads it while the service holds its lock.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils.migrations import Migrations

from crawler import archive, times

migrations = Migrations("newswatch_service")


@migrations()
def m001_schedule(db) -> None:
    db["service_schedule"].create(
        {"source": str, "next_run": str, "schedule": str, "pid": int, "updated": str},
        pk="source",
    )


def write_schedule(db, rows: list[tuple[str, datetime | None, str]], pid: int) -> None:
    """Replace the stored schedule with ``(source, next_run, description)`` rows."""
    now = archive.utcnow()
    with archive.immediate(db):
        db.execute("DELETE FROM service_schedule")
        for source, next_run, desc in rows:
            db.execute("INSERT INTO service_schedule VALUES (?, ?, ?, ?, ?)",
                       [source, times.utc_stamp(next_run) if next_run else None, desc, pid,
                        now])


def read_schedule(db) -> dict[str, dict]:
    return {r["source"]: dict(r) for r in db.query("SELECT * FROM service_schedule")}


def last_run_starts(db) -> dict[str, datetime]:
    """Each source's latest crawl start, from the archive's run history."""
    out = {}
    for r in db.query("SELECT source, MAX(started) AS started FROM runs GROUP BY source"):
        if r["started"]:
            out[r["source"]] = datetime.fromisoformat(r["started"])
    return out
