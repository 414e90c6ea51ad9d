"""Deliver what is due in the outbox, asynchronously (httpx), and record every attempt.

:func:`adeliver_due` (asyncio, for the service) and :func:`deliver_due` (blocking, for
``newswatch deliver``) first build the digests that are due (:func:`run_digests`), then
claim due rows with a lease (two delivering processes never send one row at once; a
killed process's lease is taken over at once), send them concurrently, and record each
outcome as it arrives:

- sent: ``state = 'sent'``; a digest takes its members with it.
- retryable failure (time-out, refused connection, 408, 429, 5xx, a bot's "too fast"):
  due again after exponential backoff with full jitter, or after ``Retry-After``.
- permanent failure (other 4xx, refused address, bad config), or older than
  ``delivery_max_age`` (default 3 days): ``state = 'dead'``, shown by ``newswatch alerts``.
- quiet hours or a channel's rate limit: deferred (due later), never dropped.

The row is marked sent only after the channel accepted it: a crash in between repeats
the delivery under the same idempotency key (``webhook-id``), never loses it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import time
from collections import defaultdict, deque
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

import httpx
import sqlite_utils

from alerts import local_time, payload, secrets
from alerts.channels import Channel, Message, Outcome, build_channels, check_channels
from alerts.digests import members_of, run_digests
from alerts.settings import AlertSettings
from crawler import archive, times
from crawler.database import is_postgres

__all__ = ["DeliveryResult", "adeliver_due", "deliver_due", "run_digests", "send_test"]

BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 3600.0
LEASE_S = 600.0  # a live process that holds a row longer than this has lost it
BATCH = 500
CONCURRENCY = 16  # sends in flight at once; more costs CPU in the pool, not speed
_in_flight: set[int] = set()  # rows this process is sending right now
log = logging.getLogger("alerts.delivery")


@dataclass
class DeliveryResult:
    id: int
    channel: str
    topic: str | None
    kind: str
    outcome: str  # sent | retry | dead | deferred
    status: int | None = None
    error: str | None = None
    attempts: int = 0
    due: str | None = None  # when a retried or deferred row is due again
    parts: int = 1

    @property
    def state(self) -> str:
        """The outcome (sent, retry, dead, deferred), under the name the service reads."""
        return self.outcome

    def to_json(self) -> dict:
        return asdict(self)


def backoff_s(attempts: int, *, base: float = BACKOFF_BASE_S, cap: float = BACKOFF_CAP_S) -> float:
    """Full jitter: uniform in [1 s, min(cap, base * 2^(attempts-1))]."""
    return max(1.0, random.uniform(0, min(cap, base * 2 ** max(0, attempts - 1))))


class RateLimiter:
    """Sliding window per channel, seeded from the attempts table so that separate
    ``newswatch deliver`` runs share it."""

    def __init__(self, db: sqlite_utils.Database, channels: dict[str, Channel], now: datetime):
        self.sent: dict[str, deque[float]] = defaultdict(deque)
        for name, ch in channels.items():
            if ch.rate:
                since = times.utc_stamp(now - timedelta(seconds=ch.rate[1]))
                for (at,) in db.execute("SELECT at FROM attempts WHERE channel = ? AND at > ? "
                                        "ORDER BY at", [name, since]).fetchall():
                    self.sent[name].append(datetime.fromisoformat(at).timestamp())

    def wait_s(self, ch: Channel, now: datetime) -> float:
        """0 and counts one send if the channel may send now, else seconds to wait."""
        if not ch.rate:
            return 0.0
        count, period = ch.rate
        t = now.timestamp()
        window = self.sent[ch.name]
        while window and window[0] <= t - period:
            window.popleft()
        if len(window) >= count:
            return max(1.0, window[0] + period - t)
        window.append(t)
        return 0.0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claim(db: sqlite_utils.Database, now: datetime, limit: int,
          skip: set[int]) -> list[dict]:
    """Take up to ``limit`` due rows under this process's lease."""
    if is_postgres(db):
        return _claim_on_server(db, now, limit, skip)
    me, real_now = os.getpid(), time.time()
    with archive.immediate(db):
        holders = [r[0] for r in db.execute(
            "SELECT DISTINCT lease_pid FROM outbox WHERE state = 'pending' "
            "AND lease_pid IS NOT NULL").fetchall()]
        free = [p for p in holders if p == me or not _pid_alive(p)]
        sql = ("SELECT * FROM outbox WHERE state = 'pending' AND due <= ? AND (lease_pid IS NULL "
               "OR lease_until < ? OR lease_pid IN (%s)) ORDER BY due, id LIMIT ?"
               % (",".join("?" * len(free)) or "NULL"))
        lease_now = times.utc_stamp(datetime.fromtimestamp(real_now).astimezone())
        rows = [dict(r) for r in db.query(
            sql, [times.utc_stamp(now), lease_now, *free, limit + len(skip) + len(_in_flight)])]
        rows = [r for r in rows if r["id"] not in skip and r["id"] not in _in_flight][:limit]
        until = times.utc_stamp(datetime.fromtimestamp(real_now + LEASE_S).astimezone())
        for r in rows:
            db.execute("UPDATE outbox SET lease_until = ?, lease_pid = ? WHERE id = ?",
                       [until, me, r["id"]])
        # Before the commit: another thread of this process must not take them too.
        _in_flight.update(r["id"] for r in rows)
    return rows


def _claim_on_server(db, now: datetime, limit: int, skip: set[int]) -> list[dict]:
    """The claim on PostgreSQL, where delivery workers on several machines claim at once:
    the rows are taken ``FOR UPDATE SKIP LOCKED`` (two claims never wait for, or take, the
    same row) and leased to this connection's server process, ``pg_backend_pid()``. A
    holder is alive while its connection is: a killed worker's rows are free the moment
    the server sees its connection gone, on whichever machine it ran."""
    real_now = time.time()
    lease_now = times.utc_stamp(datetime.fromtimestamp(real_now).astimezone())
    until = times.utc_stamp(datetime.fromtimestamp(real_now + LEASE_S).astimezone())
    excluded = skip | _in_flight
    db.execute("BEGIN")
    try:
        rows = [dict(r) for r in db.query(
            "SELECT * FROM outbox WHERE state = 'pending' AND due <= ? AND (lease_pid IS NULL "
            "OR lease_until < ? OR lease_pid = pg_backend_pid() OR lease_pid NOT IN "
            "(SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL)) ORDER BY due, id "
            "LIMIT ? FOR UPDATE SKIP LOCKED", [times.utc_stamp(now), lease_now,
                                               limit + len(excluded)])]
        rows = [r for r in rows if r["id"] not in excluded][:limit]
        for r in rows:
            db.execute("UPDATE outbox SET lease_until = ?, lease_pid = pg_backend_pid() "
                       "WHERE id = ?", [until, r["id"]])
        _in_flight.update(r["id"] for r in rows)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return rows


def message_of(db: sqlite_utils.Database, row: dict) -> Message:
    if row.get("parts_sent") and row.get("payload") and row["kind"] != "notice":
        # Resume a split message from the very payload its first parts were cut from.
        return Message(row["key"], row["kind"], json.loads(row["payload"]),
                       skip=row["parts_sent"])
    if row["kind"] == "digest":
        return Message(row["key"], "digest", payload.digest(db, row, members_of(db, row["id"])))
    if row["kind"] == "notice":
        return Message(row["key"], "notice", payload.notice(row))
    return Message(row["key"], "alert", payload.alert(db, row))


def record(db: sqlite_utils.Database, row: dict, outcome: Outcome, *, now: datetime,
           max_age_s: float, duration_ms: int = 0, backoff_base_s: float = BACKOFF_BASE_S,
           message: Message | None = None) -> DeliveryResult:
    """Write one attempt's outcome; returns what happened to the row."""
    attempts = (row["attempts"] or 0) + 1
    stamp = times.utc_stamp(now)
    due = None
    if outcome.ok:
        state, kind = "sent", "sent"
    else:
        deadline = datetime.fromisoformat(row["created"]) + timedelta(seconds=max_age_s)
        if outcome.permanent or now >= deadline:
            state, kind = "dead", "dead"
        else:
            delay = backoff_s(attempts, base=backoff_base_s)
            if outcome.retry_after is not None:
                delay = max(1.0, outcome.retry_after)
            state, kind = "pending", "retry"
            due = times.utc_stamp(min(now + timedelta(seconds=delay), deadline))
            due = max(due, times.utc_stamp(now + timedelta(seconds=1)))
    error = secrets.mask(outcome.error)  # whatever the channel or receiver said
    if kind == "dead" and not outcome.permanent:
        error = f"gave up after {attempts} attempts (older than max age): {error}"
    with archive.immediate(db):
        db.execute("INSERT INTO attempts (outbox_id, channel, at, outcome, status, error, "
                   "duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [row["id"], row["channel"], stamp, kind, outcome.status, error, duration_ms])
        db.execute("UPDATE outbox SET state = ?, attempts = ?, last_status = ?, last_error = ?, "
                   "due = COALESCE(?, due), sent = CASE WHEN ? = 'sent' THEN ? ELSE sent END, "
                   "lease_until = NULL, lease_pid = NULL WHERE id = ?",
                   [state, attempts, outcome.status, error, due, state, stamp, row["id"]])
        if state == "pending" and outcome.parts_done > (row.get("parts_sent") or 0) \
                and message is not None and row["kind"] != "notice":
            db.execute("UPDATE outbox SET parts_sent = ?, payload = ? WHERE id = ?",
                       [outcome.parts_done, json.dumps(message.payload, ensure_ascii=False),
                        row["id"]])
        if row["kind"] == "digest" and state in ("sent", "dead"):
            db.execute("UPDATE outbox SET state = ?, sent = CASE WHEN ? = 'sent' THEN ? END, "
                       "last_error = ? WHERE digest_id = ? AND state = 'waiting'",
                       [state, state, stamp, None if state == "sent" else
                        f"its digest #{row['id']} died: {error}", row["id"]])
    # The error is masked above: no secret reaches the log.
    log.log(logging.INFO if kind == "sent" else logging.WARNING,
            "delivery %s (%s, %s) to %s: %s%s%s", row["id"], row["kind"], row["topic"] or "-",
            row["channel"], kind, f" HTTP {outcome.status}" if outcome.status else "",
            f": {error}" if error else "",
            extra={"fields": {"outbox_id": row["id"], "channel": row["channel"],
                              "topic": row["topic"], "outcome": kind, "status": outcome.status,
                              "attempt": attempts, "error": error, "due": due}})
    return DeliveryResult(row["id"], row["channel"], row["topic"], row["kind"], kind,
                          outcome.status, error, attempts, due, outcome.parts)


def defer(db: sqlite_utils.Database, row: dict, until: datetime, why: str) -> DeliveryResult:
    due = times.utc_stamp(until)
    with archive.immediate(db):
        db.execute("UPDATE outbox SET due = ?, last_error = ?, lease_until = NULL, "
                   "lease_pid = NULL WHERE id = ?", [due, why, row["id"]])
    return DeliveryResult(row["id"], row["channel"], row["topic"], row["kind"], "deferred",
                          None, why, row["attempts"] or 0, due, 0)


def _max_age_s(settings: AlertSettings, ch: Channel | None) -> float:
    if ch is not None and ch.max_age:
        return ch.max_age
    return settings.delivery_max_age_s


def _channels(settings: AlertSettings) -> dict[str, Channel]:
    """Every channel that builds: a bad one is reported once here and its rows wait
    (retried), so it never holds up the others."""
    built, problems = check_channels(settings)
    for line in problems:
        log.error("channel not usable, its deliveries wait: %s", secrets.mask(line))
    return built


async def adeliver_due(db: sqlite_utils.Database, settings: AlertSettings, *,
                       now: datetime | None = None, limit: int | None = None,
                       client: httpx.AsyncClient | None = None,
                       channels: dict[str, Channel] | None = None) -> list[DeliveryResult]:
    """Build due digests, then send every due row (at most ``limit``); one result per row."""
    now = now or times.now_utc()
    tz = settings.timezone
    channels = channels if channels is not None else _channels(settings)
    quiet = settings.quiet_hours
    broken = set(settings.channels) - set(channels)
    run_digests(db, settings, now=now)
    limiter = RateLimiter(db, channels, now)
    results: list[DeliveryResult] = []
    handled: set[int] = set()
    # Sends in flight are bounded per channel: a channel that hangs holds its own slots
    # (and connections), never another channel's.
    sems: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(CONCURRENCY))
    own_client = client is None
    client = client or httpx.AsyncClient(limits=httpx.Limits(
        max_connections=CONCURRENCY * max(1, len(channels))),
                                         follow_redirects=False)
    try:
        while limit is None or len(results) < limit:
            want = BATCH if limit is None else min(BATCH, limit - len(results))
            batch = claim(db, now, want, handled)
            if not batch:
                break
            handled.update(r["id"] for r in batch)
            try:
                tasks = [_deliver_one(db, settings, row, channels, broken, limiter, quiet,
                                      tz, now, client, sems[row["channel"]])
                         for row in batch]
                results.extend(await asyncio.gather(*tasks))
            finally:
                _in_flight.difference_update(r["id"] for r in batch)
    finally:
        if own_client:
            await client.aclose()
    return results


async def _deliver_one(db, settings, row, channels, broken, limiter, quiet, tz, now, client,
                       sem) -> DeliveryResult:
    ch = channels.get(row["channel"])
    max_age = _max_age_s(settings, ch)
    if ch is None and row["channel"] in broken:
        # Configured but invalid: wait for the fix (a reload), as a retry would.
        return record(db, row, Outcome(False, error=f"channel {row['channel']!r} has an "
                                                    f"invalid configuration (see the log)"),
                      now=now, max_age_s=max_age, backoff_base_s=settings.delivery_backoff_s)
    if ch is None:
        return record(db, row, Outcome(False, permanent=True,
                                       error=f"channel {row['channel']!r} is not configured "
                                             f"(add [channels.{row['channel']}])"),
                      now=now, max_age_s=max_age)
    until = local_time.quiet_until(now, ch.quiet_hours or quiet, tz)
    if until is not None:
        return defer(db, row, until, f"quiet hours until {times.local_text(until, tz)}")
    wait = limiter.wait_s(ch, now)
    if wait:
        return defer(db, row, now + timedelta(seconds=wait),
                     f"rate limit {ch.rate[0]} per {ch.rate[1]:.0f}s")
    async with sem:
        started = time.monotonic()
        message = None
        try:
            message = message_of(db, row)
            outcome = await asyncio.wait_for(ch.send(message, client),
                                             timeout=ch.timeout * 4 + 5)
        except asyncio.TimeoutError:
            outcome = Outcome(False, error=f"no answer within {ch.timeout * 4 + 5:.0f}s")
        except Exception as exc:  # one bad row or channel must not stop the others
            outcome = Outcome(False, error=ch.redact(f"{type(exc).__name__}: {exc}"))
        ms = int((time.monotonic() - started) * 1000)
    return record(db, row, outcome, now=now, max_age_s=max_age, duration_ms=ms,
                  backoff_base_s=settings.delivery_backoff_s, message=message)


def deliver_due(db: sqlite_utils.Database, settings: AlertSettings, *,
                now: datetime | None = None, limit: int | None = None) -> list[DeliveryResult]:
    """Blocking :func:`adeliver_due`, for commands and tests."""
    return asyncio.run(adeliver_due(db, settings, now=now, limit=limit))


async def send_test(settings: AlertSettings, name: str, *,
                    channels: dict[str, Channel] | None = None) -> tuple[Channel, Outcome]:
    """Send a made-up alert through channel ``name`` now (no outbox row, no retry)."""
    channels = channels if channels is not None else build_channels(settings)
    if name not in channels:
        raise KeyError(name)
    ch = channels[name]
    now = times.now_utc()
    key = f"nw_test_{int(now.timestamp())}"
    message = Message(key, "alert", payload.sample(key, now=times.utc_stamp(now)))
    async with httpx.AsyncClient(follow_redirects=False) as client:
        try:
            outcome = await ch.send(message, client)
        except Exception as exc:
            outcome = Outcome(False, error=ch.redact(f"{type(exc).__name__}: {exc}"))
    return ch, outcome
