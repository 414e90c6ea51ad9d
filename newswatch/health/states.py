"""Source health, computed from the archive's ``runs`` table.

Per source: last success, consecutive failures, items per run against the source's own
normal (the median of its recent good runs), and time since its last new article against
its normal gap between new articles. States, most serious first:

- ``blocked``: the last crawl met a 403, 521 or a challenge page;
- ``failing``: the last ``failing_after`` crawls failed (network, 5xx, time-out, killed);
- ``empty``:   the last crawl found no items (or a fifth of its normal): probable redesign;
- ``degraded``: the seed's list selectors broke, and list inference read the list instead
  (the reason names the selectors to put in the seed);
- ``stale``:   no new article for several normal gaps;
- ``ok``;      and ``new`` before a source has finished any crawl.

An ``interrupted`` crawl stopped by a service stop or a SIGTERM says nothing about the
source: it is shown as the last run but never counts. One stopped at its time limit
(``crawl_timeout``) counts as a failed crawl: a source that always hangs is failing.

:func:`record` keeps the last state per source in ``source_health`` and appends a row to
``health_changes`` when it changes, so an operator gets one alert per change, not one per
crawl; :mod:`newswatch.health.notices` sends them.
"""

from __future__ import annotations

import json
import os
import statistics
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone

from sqlite_utils.migrations import Migrations

from crawler import archive, runs, times
from crawler.database import upsert_sql

STATES = ("ok", "degraded", "empty", "blocked", "failing", "stale", "new")
# How many recent runs make a source's "normal".
HISTORY_RUNS = 20
EMPTY_SHARE = 0.2
STALE_GAPS = 4

migrations = Migrations("newswatch_health")


@migrations()
def m001_health(db) -> None:
    db["source_health"].create(
        {"source": str, "state": str, "reason": str, "since": str, "checked": str},
        pk="source",
    )
    db["health_changes"].create(
        {"id": int, "source": str, "old_state": str, "new_state": str, "reason": str,
         "at": str, "notified": str},
        pk="id",
    )
    db["health_changes"].create_index(["notified"])


@dataclass
class Health:
    source: str
    state: str = "new"
    reason: str = ""
    last_run: str | None = None
    last_outcome: str | None = None
    last_success: str | None = None
    consecutive_failures: int = 0
    items_last: int | None = None
    items_normal: float | None = None
    last_new: str | None = None
    normal_gap_s: float | None = None
    running: bool = False
    errors: list = field(default_factory=list)
    access: dict | None = None  # the last run's crawler.access verdict (state, message...)

    def to_json(self) -> dict:
        return asdict(self)


def _parse(ts: str | None) -> datetime | None:
    if not ts:
        return None
    dt = datetime.fromisoformat(ts)
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def first_error(errors_json: str | None) -> str:
    try:
        errors = json.loads(errors_json or "[]")
    except ValueError:
        return ""
    if not errors:
        return ""
    e = errors[0]
    if isinstance(e, dict):
        return " ".join(str(e.get(k)) for k in ("url", "error") if e.get(k))
    return str(e)


def compute(db, source: str, *, now: datetime | None = None, failing_after: int = 2,
            stale_min: timedelta = timedelta(days=1),
            crawl_timeout: timedelta = timedelta(minutes=30)) -> Health:
    """The health of one source from its last :data:`HISTORY_RUNS` crawls."""
    now = now or datetime.now(timezone.utc)
    rows = runs.recent_runs(db, source, HISTORY_RUNS * 3)
    h = Health(source)
    done = []
    latest = None
    for i, r in enumerate(rows):
        r = dict(r)
        if r["outcome"] == "running":
            started = _parse(r["started"])
            # The runner stops a crawl at crawl_timeout and kills it 10 s later.
            fresh = started is not None and now - started < crawl_timeout + timedelta(minutes=1)
            if i == 0 and fresh and _alive(r["pid"]):
                h.running = True
                continue
            # Killed or lost: the crawl never finished, which is a failure.
            r["outcome"] = "failed"
            r["errors"] = json.dumps([{"error": "crawl did not finish (killed or timed out)"}])
        latest = latest or r
        if r["outcome"] == "interrupted":
            if "time limit" not in first_error(r["errors"]):
                continue  # stopped by us (a service stop, SIGTERM): not the source's doing
            r = {**r, "outcome": "failed"}  # hung past crawl_timeout
        done.append(r)
    if latest is not None:
        h.last_run = latest["finished"] or latest["started"]
        h.last_outcome = latest["outcome"]
    if not done:
        return h
    last = done[0]
    h.items_last = last["items_found"]
    try:
        h.errors = json.loads(last["errors"] or "[]")[:5]
    except ValueError:
        h.errors = []
    h.access = access_of(last)
    for r in done:
        if r["outcome"] != "failed":
            break
        h.consecutive_failures += 1
    good = [r for r in done if r["outcome"] == "ok"]
    if good:
        h.last_success = good[0]["finished"] or good[0]["started"]
        h.items_normal = statistics.median(r["items_found"] or 0 for r in good[:HISTORY_RUNS])
    with_new = [_parse(r["finished"] or r["started"]) for r in done if (r["items_new"] or 0) > 0]
    if with_new:
        h.last_new = times.utc_stamp(with_new[0])
        gaps = [(a - b).total_seconds() for a, b in zip(with_new, with_new[1:])]
        if len(gaps) >= 2:
            h.normal_gap_s = statistics.median(gaps)
    h.state, h.reason = _classify(h, last, now, failing_after, stale_min)
    return h


def access_of(run: dict) -> dict | None:
    """A run's access verdict (``runs.access``, written by the crawler), or None."""
    try:
        value = json.loads(run.get("access") or "null")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _access_words(h: Health) -> str:
    """``challenge (js-cookie, 加速乐): answers 412 with ...: set render = "auto" ...``."""
    a = h.access or {}
    if not a.get("message"):
        return ""
    extra = ", ".join(x for x in (a.get("kind"), a.get("vendor")) if x)
    return f"{a['state']}{f' ({extra})' if extra else ''}: {a['message']}"


def _classify(h: Health, last: dict, now: datetime, failing_after: int,
              stale_min: timedelta) -> tuple[str, str]:
    words = _access_words(h)
    if last["outcome"] == "blocked":
        return "blocked", words or f"blocked: {first_error(last['errors']) or 'challenge or 403'}"
    if h.consecutive_failures >= failing_after:
        return "failing", (f"{h.consecutive_failures} crawls failed in a row: "
                           f"{words or first_error(last['errors']) or 'no detail'}")
    if last["outcome"] == "empty":
        return "empty", words or "last crawl found 0 items (probable redesign)"
    if last["outcome"] == "degraded":
        return "degraded", degraded_reason(last.get("fallback"))
    if (h.items_normal and h.items_normal >= 5 and last["outcome"] == "ok"
            and (last["items_found"] or 0) < EMPTY_SHARE * h.items_normal):
        return "empty", (f"last crawl found {last['items_found']} items, normally "
                         f"{h.items_normal:g} (probable redesign)")
    if h.last_new and h.normal_gap_s:
        since = now - _parse(h.last_new)
        limit = max(timedelta(seconds=STALE_GAPS * h.normal_gap_s), stale_min)
        if since > limit:
            return "stale", (f"no new article for {_human(since)}, normally one every "
                             f"{_human(timedelta(seconds=h.normal_gap_s))}")
    if h.consecutive_failures:
        if h.last_success is None:
            return "new", f"first crawls failed ({h.consecutive_failures} in a row)"
        return "ok", f"last crawl failed ({h.consecutive_failures} in a row)"
    return "ok", ""


def degraded_reason(fallback_json: str | None) -> str:
    """Why a run is degraded, with the seed lines list inference used instead."""
    from crawler.list_fallback import describe

    try:
        fallback = json.loads(fallback_json or "{}")
    except ValueError:
        fallback = {}
    return describe(fallback) if fallback else "list selectors broke; inference read the list"


def _human(td: timedelta) -> str:
    s = int(td.total_seconds())
    if s < 120:
        return f"{s}s"
    if s < 7200:
        return f"{s // 60}m"
    if s < 2 * 86400:
        return f"{s // 3600}h"
    return f"{s // 86400}d"


@dataclass
class Change:
    id: int
    source: str
    old_state: str
    new_state: str
    reason: str
    at: str

    @property
    def recovered(self) -> bool:
        return self.new_state == "ok"


def record(db, h: Health, *, now: datetime | None = None) -> Change | None:
    """Store ``h``; return the change when its state differs from the stored one.

    ``new`` is not a state worth an alert; nor is a first ``ok``.
    """
    if h.state == "new":
        return None
    now_s = times.utc_stamp(now)
    with archive.immediate(db):
        rows = list(db.query("SELECT state FROM source_health WHERE source = ?", [h.source]))
        old = rows[0]["state"] if rows else "new"
        if old == h.state:
            db.execute("UPDATE source_health SET checked = ?, reason = ? WHERE source = ?",
                       [now_s, h.reason, h.source])
            return None
        db.execute(upsert_sql("source_health", ["source", "state", "reason", "since", "checked"],
                              ["source"]), [h.source, h.state, h.reason, now_s, now_s])
        if old == "new" and h.state == "ok":
            return None
        cur = db.execute("INSERT INTO health_changes (source, old_state, new_state, reason, "
                         "at) VALUES (?, ?, ?, ?, ?)",
                         [h.source, old, h.state, h.reason, now_s])
        return Change(cur.lastrowid, h.source, old, h.state, h.reason, now_s)


def unnotified(db) -> list[Change]:
    """Changes not yet sent to the ops channel (a crash between record and send)."""
    return [Change(r["id"], r["source"], r["old_state"], r["new_state"], r["reason"], r["at"])
            for r in db.query("SELECT * FROM health_changes WHERE notified IS NULL ORDER BY id")]


def mark_notified(db, change_id: int, *, now: datetime | None = None,
                  value: str | None = None) -> None:
    """Mark a change told (``notified`` = when), or ``value`` (``folded``: told by another)."""
    now_s = times.utc_stamp(now)
    with archive.immediate(db):
        db.execute("UPDATE health_changes SET notified = ? WHERE id = ?",
                   [value or now_s, change_id])


def last_failing_change_notified(db, source: str, *, before: int) -> str | None:
    """``notified`` of the source's latest change to a bad state before change ``before``."""
    row = db.execute("SELECT notified FROM health_changes WHERE source = ? AND id < ? AND "
                     "new_state != 'ok' ORDER BY id DESC LIMIT 1", [source, before]).fetchone()
    return row[0] if row else None


def stored_states(db) -> dict[str, dict]:
    return {r["source"]: dict(r) for r in db.query("SELECT * FROM source_health")}
