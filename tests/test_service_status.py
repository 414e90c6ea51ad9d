"""`newswatch status` from an archive with runs, articles and outbox rows."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from click.testing import CliRunner

from newswatch.cli import main
from newswatch.storage import open_archive


def seed(folder, name, interval="15m"):
    (folder / f"{name}.toml").write_text(
        f'name = "{name}"\ntitle = "{name}"\nsite = "{name}"\nkind = "html"\n'
        f'language = "en"\nstart_urls = ["https://{name}.test/"]\n'
        f'schedule = {{ interval = "{interval}" }}\n[list]\nlink = "a::attr(href)"\n')


def test_status_shows_health_schedule_articles_today_and_outbox(tmp_path, monkeypatch):
    sources = tmp_path / "sources"
    sources.mkdir()
    for name in ("alpha", "beta", "gamma"):
        seed(sources, name)
    monkeypatch.setenv("NEWSWATCH_SOURCES", str(sources))
    monkeypatch.setenv("NEWSWATCH_TOPICS", str(tmp_path / "none.toml"))
    monkeypatch.delenv("NEWSWATCH_CONFIG", raising=False)
    db_path = tmp_path / "a.db"
    db = open_archive(db_path)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    t = lambda minutes: (now - timedelta(minutes=minutes)).isoformat()  # noqa: E731
    db["runs"].insert_all([
        {"source": "alpha", "started": t(10), "finished": t(9), "outcome": "ok",
         "items_found": 5, "items_new": 2},
        {"source": "beta", "started": t(30), "finished": t(29), "outcome": "failed",
         "errors": json.dumps([{"url": "https://beta.test/", "error": "HTTP 500"}])},
        {"source": "beta", "started": t(10), "finished": t(9), "outcome": "failed",
         "errors": json.dumps([{"url": "https://beta.test/", "error": "HTTP 500"}])},
    ])
    for i in range(2):
        db["articles"].insert({"canonical_url": f"https://alpha.test/{i}", "url": "u",
                               "source": "alpha", "fetched": now.isoformat(), "baseline": 0})
    db["articles"].insert({"canonical_url": "https://alpha.test/old", "url": "u",
                           "source": "alpha", "fetched": now.isoformat(), "baseline": 1})
    from alerts import outbox

    outbox.enqueue_notice(db, channel="console", key="k1", title="t", text="x")
    runner = CliRunner()
    r = runner.invoke(main, ["status", "--db", str(db_path), "--json"])
    assert r.exit_code == 0, r.output
    info = json.loads(r.output)
    rows = {row["source"]: row for row in info["sources"]}
    assert info["service_pid"] is None
    assert rows["alpha"]["state"] == "ok" and rows["alpha"]["new_today"] == 2
    assert rows["beta"]["state"] == "failing" and "HTTP 500" in rows["beta"]["reason"]
    assert rows["gamma"]["state"] == "new" and rows["gamma"]["last_run"] is None
    # Next run: alpha ran 10 minutes ago on a 15-minute interval, gamma never ran.
    alpha_next = datetime.fromisoformat(rows["alpha"]["next_run"])
    assert timedelta(minutes=4) < alpha_next - now <= timedelta(minutes=5, seconds=5)
    assert datetime.fromisoformat(rows["gamma"]["next_run"]) <= now + timedelta(seconds=5)
    assert info["outbox"]["pending"] == 1
    r = runner.invoke(main, ["status", "--db", str(db_path)], terminal_width=160)
    assert r.exit_code == 0, r.output
    assert "service not running" in r.output
    for text in ("alpha", "beta", "failing", "gamma", "due now", "pending"):
        assert text in r.output
    # At 80 columns every row's reason is still readable, whole, on one line.
    r = runner.invoke(main, ["status", "--db", str(db_path)], env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    assert all(len(line) <= 80 for line in r.output.splitlines()[1:])  # [0]: the db path
    reason = rows["beta"]["reason"]
    assert any(line.strip() == f"beta: {reason}" for line in r.output.splitlines()), r.output
