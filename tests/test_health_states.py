"""Source health from rows in the runs table: each state, and one alert per change."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

import pytest

from newswatch import health
from newswatch.health import notices as ops_alerts
from newswatch.storage import open_archive
from tests.support.backends import archive_target, postgres_server  # noqa: F401

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def db(archive_target):
    return open_archive(archive_target)


def add_run(db, source, minutes_ago, outcome, found=10, new=0, errors=None, pid=None):
    t = (NOW - timedelta(minutes=minutes_ago)).isoformat()
    db["runs"].insert({"source": source, "started": t, "finished": None if outcome == "running"
                       else t, "outcome": outcome, "items_found": found, "items_new": new,
                       "errors": json.dumps(errors or []), "pid": pid})


def state(db, source="s", **kw):
    return health.compute(db, source, now=NOW, **kw)


def test_no_runs_is_new(db):
    h = state(db)
    assert h.state == "new" and h.last_run is None


def test_good_runs_are_ok_with_normal_rate(db):
    for i in range(6):
        add_run(db, "s", 60 - i * 10, "ok", found=10 + i, new=1)
    h = state(db)
    assert h.state == "ok"
    assert h.items_normal == 12.5
    assert h.last_success is not None and h.consecutive_failures == 0


def test_blocked_last_run(db):
    add_run(db, "s", 30, "ok", new=1)
    add_run(db, "s", 10, "blocked", found=0, errors=[{"url": "http://x/", "error": "HTTP 521"}])
    h = state(db)
    assert h.state == "blocked"
    assert "HTTP 521" in h.reason


def test_failing_needs_consecutive_failures(db):
    add_run(db, "s", 30, "ok", new=1)
    add_run(db, "s", 20, "failed", errors=[{"error": "HTTP 500"}])
    assert state(db).state == "ok"
    assert state(db).consecutive_failures == 1
    add_run(db, "s", 10, "failed", errors=[{"error": "HTTP 500"}])
    h = state(db)
    assert h.state == "failing" and h.consecutive_failures == 2
    assert "HTTP 500" in h.reason


def test_a_run_killed_midway_counts_as_failed(db):
    add_run(db, "s", 30, "failed")
    dead_pid = 2**22 + 12345  # above pid_max on most systems: never alive
    add_run(db, "s", 1, "running", pid=dead_pid)
    h = state(db)
    assert h.state == "failing" and not h.running


def test_a_live_crawl_is_running_not_failed(db):
    add_run(db, "s", 30, "ok", new=1)
    add_run(db, "s", 1, "running", pid=os.getpid())
    h = state(db)
    assert h.running and h.state == "ok"


def test_empty_outcome_and_collapsed_item_count(db):
    for i in range(5):
        add_run(db, "s", 100 - i * 10, "ok", found=20, new=1)
    add_run(db, "s", 5, "empty", found=0)
    assert state(db).state == "empty"
    add_run(db, "s", 1, "ok", found=2)
    h = state(db)
    assert h.state == "empty" and "normally 20" in h.reason


def test_stale_when_no_new_article_for_several_normal_gaps(db):
    # A new article every hour, then none for ten hours of good crawls.
    for i in range(20, 10, -1):
        add_run(db, "s", i * 60, "ok", found=10, new=1)
    for i in range(10, 0, -1):
        add_run(db, "s", i * 60 - 30, "ok", found=10, new=0)
    h = state(db, stale_min=timedelta(hours=1))
    assert h.normal_gap_s == 3600
    assert h.state == "stale" and "normally one every" in h.reason
    assert state(db, stale_min=timedelta(days=1)).state == "ok"


def test_one_alert_per_change_and_one_on_recovery(db):
    add_run(db, "s", 50, "ok", new=1)
    assert health.record(db, state(db), now=NOW) is None  # first ok: nothing to say
    add_run(db, "s", 40, "failed")
    add_run(db, "s", 30, "failed")
    change = health.record(db, state(db), now=NOW)
    assert (change.old_state, change.new_state) == ("ok", "failing")
    add_run(db, "s", 25, "failed")
    assert health.record(db, state(db), now=NOW) is None  # still failing: no new alert
    assert ops_alerts.send_pending(db, "console") == 1
    assert ops_alerts.send_pending(db, "console") == 0
    add_run(db, "s", 20, "ok", new=1)
    change = health.record(db, state(db), now=NOW)
    assert change.recovered and change.old_state == "failing"
    assert ops_alerts.send_pending(db, "console") == 1
    notices = [dict(r) for r in db.query(
        "SELECT channel, topic_title, payload FROM outbox WHERE kind = 'notice' ORDER BY id")]
    assert [n["topic_title"] for n in notices] == [
        "newswatch: source s is failing", "newswatch: source s recovered"]
    assert all(n["channel"] == "console" for n in notices)


def test_a_change_recorded_but_not_sent_is_sent_once_after_a_crash(db):
    add_run(db, "s", 30, "blocked", found=0)
    change = health.record(db, state(db), now=NOW)
    assert change.new_state == "blocked"
    # Crash after queuing the notice but before marking it: re-queue is ignored.
    from alerts import outbox

    title, text = ops_alerts.describe(change)
    outbox.enqueue_notice(db, channel="console", key=f"health-change-{change.id}",
                          title=title, text=text)
    assert ops_alerts.send_pending(db, "console") == 1
    n = db.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'notice'").fetchone()[0]
    assert n == 1


def test_one_network_outage_is_one_notice_not_one_per_source(db):
    dns = [{"url": "https://a.example/", "error": "list page: host name not found (DNS)"}]
    names = ["n1", "n2", "n3", "n4"]
    for name in names:
        add_run(db, name, 50, "ok", new=1)
        health.record(db, state(db, name), now=NOW)
    for name in names:
        add_run(db, name, 40, "failed", errors=dns)
        add_run(db, name, 30, "failed", errors=dns)
        assert health.record(db, state(db, name), now=NOW).new_state == "failing"
        ops_alerts.send_pending(db, "console")
    # An unrelated failure is still told on its own.
    add_run(db, "site", 50, "ok", new=1)
    health.record(db, state(db, "site"), now=NOW)
    for minutes in (40, 30):
        add_run(db, "site", minutes, "failed", errors=[{"url": "", "error": "HTTP 500"}])
    health.record(db, state(db, "site"), now=NOW)
    ops_alerts.send_pending(db, "console")
    # The network comes back: one recovery notice, for the source that was told.
    for name in names:
        add_run(db, name, 10, "ok", new=1)
        health.record(db, state(db, name), now=NOW)
        ops_alerts.send_pending(db, "console")
    titles = [r["topic_title"] for r in db.query(
        "SELECT topic_title FROM outbox WHERE kind = 'notice' ORDER BY id")]
    assert titles == ["newswatch: source n1 is failing", "newswatch: source site is failing",
                      "newswatch: source n1 recovered"]


def test_an_interrupted_crawl_is_no_failure_but_one_past_its_time_limit_is(db):
    add_run(db, "s", 50, "ok", new=1)
    for minutes in (40, 30):
        add_run(db, "s", minutes, "interrupted",
                errors=[{"url": "", "error": "stopped: the service is stopping"}])
    h = state(db)
    assert h.state == "ok" and h.consecutive_failures == 0 and h.last_outcome == "interrupted"
    for minutes in (20, 10):
        add_run(db, "s", minutes, "interrupted",
                errors=[{"url": "", "error": "stopped at its time limit of 1800 s"}])
    assert state(db).state == "failing"


def test_health_uses_the_configured_crawl_timeout(db):
    from newswatch.service import steps

    add_run(db, "s", 50 * 60, "ok", new=1)
    # A crawl running for 45 min, still alive, under a 2 h crawl_timeout: running, not failed.
    db["runs"].insert({"source": "s", "started": (datetime.now(timezone.utc)
                                                  - timedelta(minutes=45)).isoformat(),
                       "outcome": "running", "pid": os.getpid()})
    db["runs"].insert({"source": "s", "started": (datetime.now(timezone.utc)
                                                  - timedelta(minutes=45)).isoformat(),
                       "outcome": "running", "pid": os.getpid()})
    assert steps.check_health(db, "s", "console", crawl_timeout_s=7200) == "ok"
    assert health.compute(db, "s", crawl_timeout=timedelta(hours=2)).running
