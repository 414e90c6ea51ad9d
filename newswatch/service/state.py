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
    from crawler import runs

    return runs.last_starts(db)


# ---------------------------------------------------------------- requests to the service
# Other processes (the web interface) ask the running service for a crawl or a reload by
# writing a row here; the service polls the table (REQUEST_POLL_S) and only ever acts on
# a source it has loaded, through its own scheduler, so a request can never start a
# second crawl of a source or a command of the requester's choosing.

REQUEST_KINDS = ("crawl", "reload")


@migrations()
def m002_requests(db) -> None:
    db["service_requests"].create(
        {"id": int, "kind": str, "source": str, "requested": str, "requested_by": str,
         "taken": str, "result": str},
        pk="id",
    )
    db["service_requests"].create_index(["taken"])


def add_request(db, kind: str, *, source: str | None = None, by: str = "") -> int | None:
    """Queue a request; an identical one not yet taken makes this a no-op (None)."""
    if kind not in REQUEST_KINDS:
        raise ValueError(f"unknown service request {kind!r}")
    with archive.immediate(db):
        waiting = db.execute("SELECT id FROM service_requests WHERE taken IS NULL AND kind = ? "
                             "AND source IS ?", [kind, source]).fetchone()
        if waiting:
            return None
        cur = db.execute("INSERT INTO service_requests (kind, source, requested, requested_by) "
                         "VALUES (?, ?, ?, ?)", [kind, source, archive.utcnow(), by])
        return cur.lastrowid


def take_requests(db) -> list[dict]:
    """The requests not yet taken, oldest first, marked taken (by the service)."""
    if db.execute("SELECT 1 FROM service_requests WHERE taken IS NULL LIMIT 1").fetchone() is None:
        return []  # the usual case, every poll: no write lock taken
    now = archive.utcnow()
    with archive.immediate(db):
        rows = [dict(r) for r in db.query(
            "SELECT * FROM service_requests WHERE taken IS NULL ORDER BY id")]
        if rows:
            db.execute("UPDATE service_requests SET taken = ? WHERE taken IS NULL", [now])
    return rows


def finish_request(db, request_id: int, result: str) -> None:
    with archive.immediate(db):
        db.execute("UPDATE service_requests SET result = ? WHERE id = ?", [result, request_id])


def recent_requests(db, limit: int = 20) -> list[dict]:
    return [dict(r) for r in db.query(
        "SELECT * FROM service_requests ORDER BY id DESC LIMIT ?", [limit])]
