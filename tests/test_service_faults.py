"""The service against a replay site whose sources break: the healthy ones keep their
schedule, the broken ones are reported; a manual crawl during a scheduled one is refused
by the per-source lock, never "database is locked"; SIGTERM waits for a crawl, within
the grace period."""

from __future__ import annotations

import json
import re
import sqlite3
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest

from tests.support.news_site import NewsSite
from tests.support.replay_site import replay_site
from tests.support.service_process import ServiceProcess


@pytest.fixture
def site(tmp_path):
    s = NewsSite(tmp_path / "site", tmp_path / "sources")
    with replay_site(s.root) as served:
        s.served = served
        yield s


def service_for(tmp_path, site, **settings):
    (tmp_path / "no-topics.toml").write_text("", encoding="utf-8")  # a topic file, empty
    config = {"sources_dir": str(site.sources_dir), "replay": site.served.url,
              "topics": str(tmp_path / "no-topics.toml"), **settings}
    return ServiceProcess(tmp_path, config=config)


def runs(db_path, source):
    con = sqlite3.connect(db_path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(
            "SELECT * FROM runs WHERE source = ? ORDER BY id", [source])]
    finally:
        con.close()


def changes(db_path) -> list[tuple]:
    con = sqlite3.connect(db_path)
    try:
        return con.execute("SELECT source, old_state, new_state FROM health_changes "
                           "ORDER BY id").fetchall()
    except sqlite3.OperationalError:  # the service has not created its tables yet
        return []
    finally:
        con.close()


def status(svc) -> dict:
    r = subprocess.run(svc.command("status", "--db", str(svc.db), "--json"), env=svc.env,
                       capture_output=True, text=True, timeout=60)
    if r.returncode == 1 and "no archive at" in r.stderr:
        return {}  # the service has not created it yet (status creates nothing)
    assert r.returncode == 0, r.stderr
    return {row["source"]: row for row in json.loads(r.stdout)["sources"]}


def test_broken_sources_are_reported_and_the_healthy_one_keeps_its_schedule(tmp_path, site):
    for name in ("good", "fivehundred", "hanging", "challenged"):
        site.add_source(name)
        site.publish(name, f"{name}-1", f"{name} first article", "Body text. " * 20)
    site.break_("fivehundred", "500")
    site.break_("hanging", "hang")
    site.break_("challenged", "challenge")
    svc = service_for(tmp_path, site, crawl_timeout="12s")
    try:
        svc.start("--interval", "6s")
        deadline = time.monotonic() + 70
        while time.monotonic() < deadline:
            time.sleep(3)
            states = {k: v["state"] for k, v in status(svc).items()}
            if (states == {"good": "ok", "fivehundred": "failing", "hanging": "failing",
                           "challenged": "blocked"} and len(runs(svc.db, "good")) >= 3
                    and len(changes(svc.db)) >= 3):
                break
        assert states == {"good": "ok", "fivehundred": "failing", "hanging": "failing",
                          "challenged": "blocked"}, svc.output[-3000:]
        assert svc.terminate() == 0
    finally:
        svc.stop()
    good = runs(svc.db, "good")
    assert all(r["outcome"] == "ok" for r in good)
    starts = [datetime.fromisoformat(r["started"]) for r in good]
    gaps = [(b - a).total_seconds() for a, b in zip(starts, starts[1:])]
    # The hanging source's time-outs never hold the healthy one back: its next crawl
    # starts at most one interval after its own previous crawl ended (a crawl longer
    # than the interval, on a loaded machine, skips a turn; nothing else may delay it).
    took = [float(x) for x in re.findall(r"crawl good: ok, .* in ([\d.]+)s", svc.output)]
    assert gaps and max(gaps) <= 6 + max(took) + 4, (gaps, took)
    hung = [(datetime.fromisoformat(r["started"]), r) for r in runs(svc.db, "hanging")]
    assert any(h_start < s < h_start + timedelta(seconds=12 + 10) for h_start, _ in hung
               for s in starts), "no healthy crawl ran while the hanging one hung"
    # One change (one ops alert) per source, not one per crawl.
    assert sorted(changes(svc.db)) == [("challenged", "new", "blocked"), ("fivehundred", "new", "failing"),
                               ("hanging", "new", "failing")]
    # Each change was logged and queued once to the ops channel (console by default).
    for source, state in (("fivehundred", "failing"), ("hanging", "failing"),
                          ("challenged", "blocked")):
        assert svc.count(f"source {source}: new → {state}") == 1, svc.output[-3000:]
    assert "database is locked" not in svc.output


def test_a_manual_crawl_during_a_scheduled_one_is_refused_by_the_lock(tmp_path, site):
    site.add_source("slow")
    site.add_source("other")
    site.publish("slow", "s1", "Slow first", "Body text. " * 20)
    site.publish("other", "o1", "Other first", "Body text. " * 20)
    index = site.root / site.host("slow") / "index.html.meta.toml"
    index.write_text("delay = 4\n")
    svc = service_for(tmp_path, site)
    try:
        svc.start("slow", "--interval", "30s")
        svc.wait_for("crawl slow: started")
        time.sleep(1.5)
        manual = subprocess.run(svc.command("crawl", "--db", str(svc.db), "slow", "other"),
                                env=svc.env, capture_output=True, text=True, timeout=60)
        svc.wait_for("crawl slow: ok", timeout=30)
        assert svc.terminate() == 0
    finally:
        svc.stop()
    out = manual.stdout + manual.stderr
    assert manual.returncode == 1
    assert "already being crawled by" in out, out
    assert "database is locked" not in out + svc.output
    # The scheduled crawl ran once; the manual one crawled only the other source.
    assert [r["outcome"] for r in runs(svc.db, "slow")] == ["ok"]
    assert [r["outcome"] for r in runs(svc.db, "other")] == ["ok"]


def test_sigterm_lets_a_running_crawl_finish_within_the_grace(tmp_path, site):
    site.add_source("slow")
    site.publish("slow", "s1", "Slow first", "Body text. " * 20)
    (site.root / site.host("slow") / "index.html.meta.toml").write_text("delay = 3\n")
    svc = service_for(tmp_path, site, shutdown_grace="20s")
    try:
        svc.start("--interval", "1h")
        svc.wait_for("crawl slow: started")
        time.sleep(0.5)
        t0 = time.monotonic()
        assert svc.terminate(timeout=30) == 0
        took = time.monotonic() - t0
    finally:
        svc.stop()
    assert took < 20
    assert "crawl slow: ok" in svc.output
    assert [r["outcome"] for r in runs(svc.db, "slow")] == ["ok"]


def test_sigterm_stops_a_crawl_that_outlives_the_grace(tmp_path, site):
    site.add_source("stuck")
    site.break_("stuck", "hang")
    svc = service_for(tmp_path, site, shutdown_grace="5s")
    try:
        svc.start("--interval", "1h")
        svc.wait_for("crawl stuck: started")
        deadline = time.monotonic() + 60
        while not runs(svc.db, "stuck") and time.monotonic() < deadline:
            time.sleep(0.2)  # the crawl has opened its run (Scrapy has started)
        t0 = time.monotonic()
        assert svc.terminate(timeout=30) == 0
        took = time.monotonic() - t0
    finally:
        svc.stop()
    assert took <= 5 + 1.5, took
    assert "stopping crawl(s) still running: stuck" in svc.output
    ps = subprocess.run(["pgrep", "-f", f"{svc.db}"], capture_output=True, text=True)
    assert ps.stdout.strip() == "", "a crawl process outlived the service"
    # Stopping the service is not the source's failure: the run is interrupted, closed,
    # and no ops notice is queued; the next start finds no run left "running".
    assert [r["outcome"] for r in runs(svc.db, "stuck")] == ["interrupted"]
    assert all(r["finished"] for r in runs(svc.db, "stuck"))
    assert changes(svc.db) == []
    assert "stuck: new →" not in svc.output


def _catches_sigterm(pid: int) -> bool:
    try:
        status = open(f"/proc/{pid}/status", encoding="ascii").read()
    except OSError:
        return False
    caught = int(re.search(r"SigCgt:\s*([0-9a-f]+)", status).group(1), 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def test_run_catches_sigterm_before_it_imports_the_cli():
    # The window in which a SIGTERM killed `run` (exit -15) was the CLI's imports
    # (~0.6 s): the handler must be in place before them.
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "newswatch", "run",
                          "--help"], capture_output=True, text=True, timeout=60)
    order = [line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines()
             if line.startswith("import time:")]
    assert "newswatch.early_signals" in order, out.stderr[-500:]
    assert order.index("newswatch.early_signals") < order.index("click")


def test_a_sigterm_in_the_first_moments_of_run_exits_cleanly(tmp_path, site):
    for attempt in range(3):
        svc = service_for(tmp_path, site)
        try:
            svc.start("--interval", "1h")
            deadline = time.monotonic() + 30
            while not _catches_sigterm(svc.proc.pid) and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(attempt * 0.2)  # at once, then while the CLI is still loading
            code = svc.terminate(timeout=30)
        finally:
            svc.stop()
        assert code == 0, (attempt, code, svc.output[-2000:])
