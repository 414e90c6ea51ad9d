"""The matcher over a real archive, with the real stories and outbox modules: each article
once, baseline and old articles skipped, one alert per story, and crash safety."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alerts import matcher, outbox, stories
from alerts.query import parse
from alerts.topics import Topic
from crawler import archive
from tests.support.archive_articles import add_article
from newswatch.storage import open_archive  # noqa: E402
from tests.support.backends import archive_target, postgres_server  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.now(timezone.utc).replace(microsecond=0)
STORY = ("工业和信息化部近日印发《人形机器人创新发展指导意见》，提出到2025年，人形机器人创新体系"
         "初步建立，“大脑、小脑、肢体”等一批关键技术取得突破，确保核心部组件安全有效供给。"
         "整机产品达到国际先进水平，并实现批量生产，在特种、制造、民生服务等场景得到示范应用。")


def topic(name, query, **kw):
    return Topic(name=name, title=name, query=parse(query), query_text=query, **kw)


ROBOTS = topic("robots", "人形机器人")
CHIPS = topic("chips", "芯片 OR chip*", channels=("hook", "mail"))


@pytest.fixture
def db(archive_target):
    return open_archive(archive_target)


def rows(db, sql, params=()):
    return [dict(r) for r in db.query(sql, params)]


def test_each_article_is_matched_once_and_the_cursor_moves(db):
    a = add_article(db, title="人形机器人", body=STORY)
    b = add_article(db, title="高端芯片", body="芯片产业链。", source="other")
    c = add_article(db, title="无关", body="天气晴朗。")
    result = matcher.run_once(db, [ROBOTS, CHIPS], now=NOW)
    assert result.articles == 3
    assert {(m["article_id"], m["topic"]) for m in result.matches} == {(a, "robots"), (b, "chips")}
    assert matcher.cursor(db) == c
    again = matcher.run_once(db, [ROBOTS, CHIPS], now=NOW)
    assert again.articles == 0 and again.matches == []
    stored = rows(db, "SELECT * FROM matches ORDER BY id")
    assert [(r["article_id"], r["topic"], r["first_for_story"]) for r in stored] == \
        [(a, "robots", 1), (b, "chips", 1)]
    terms = json.loads(stored[0]["terms"])
    assert {"term": "人形机器人", "field": "title", "at": [[0, 5]]} in terms
    assert "**人形机器人**" in stored[0]["snippet"]
    assert stored[0]["story_id"] == stories.story_of(db, a)


def test_outbox_rows_per_channel_default_channels_and_mode(db):
    add_article(db, title="芯片", body="芯片。")
    add_article(db, title="机器人", body=STORY, source="s2")
    hourly = topic("robots", "人形机器人", mode="hourly")
    result = matcher.run_once(db, [hourly, CHIPS], default_channels=("console", "ops"), now=NOW)
    assert result.queued == 4
    out = rows(db, "SELECT topic, channel, mode, state FROM outbox ORDER BY id")
    assert sorted((r["topic"], r["channel"]) for r in out) == [
        ("chips", "hook"), ("chips", "mail"), ("robots", "console"), ("robots", "ops")]
    assert {r["mode"] for r in out if r["topic"] == "robots"} == {"hourly"}


def test_a_story_alerts_a_topic_once(db):
    first = add_article(db, title="人形机器人指导意见", body=STORY, source="miit")
    second = add_article(db, title="工信部：人形机器人指导意见", body=STORY + "（来源：新华社）",
                         source="xinhua", url="https://xinhua.example.cn/1.html")
    assert stories.story_of(db, first) is None
    result = matcher.run_once(db, [ROBOTS], default_channels=("console",), now=NOW)
    assert stories.story_of(db, first) == stories.story_of(db, second)
    by_article = {m["article_id"]: m for m in result.matches}
    assert by_article[first]["first_for_story"] and by_article[first]["queued"] == 1
    assert not by_article[second]["first_for_story"] and by_article[second]["queued"] == 0
    assert [r["article_id"] for r in rows(db, "SELECT * FROM outbox")] == [first]
    # A later republication, in a later run, is still "also published by".
    third = add_article(db, title="人形机器人", body=STORY + "。", source="people")
    later = matcher.run_once(db, [ROBOTS], default_channels=("console",), now=NOW)
    assert [(m["article_id"], m["first_for_story"]) for m in later.matches] == [(third, False)]
    assert len(rows(db, "SELECT * FROM outbox")) == 1


def test_baseline_and_old_articles_never_match_but_are_walked(db):
    base = add_article(db, title="人形机器人", body=STORY, baseline=1)
    old = add_article(db, title="人形机器人", body=STORY + "旧", source="x",
                      published=(NOW - timedelta(days=10)).isoformat())
    fresh = add_article(db, title="人形机器人", body="人形机器人" + STORY[::-1], source="y")
    result = matcher.run_once(db, [topic("robots", "人形机器人", max_age=timedelta(days=7))],
                              now=NOW)
    assert [m["article_id"] for m in result.matches] == [fresh]
    assert matcher.cursor(db) == fresh and result.articles == 3
    assert base < old < fresh


def test_only_articles_the_stories_have_clustered_are_walked(db, monkeypatch):
    add_article(db, title="人形机器人", body=STORY)
    monkeypatch.setattr(stories, "cluster_new", lambda db, **kw: 0)
    assert matcher.run_once(db, [ROBOTS], now=NOW).articles == 0
    assert matcher.cursor(db) == 0
    monkeypatch.undo()
    assert matcher.run_once(db, [ROBOTS], now=NOW).articles == 1


def test_an_error_mid_batch_commits_nothing_and_a_rerun_records_everything_once(db, monkeypatch):
    ids = [add_article(db, title=f"芯片{i}", body=f"芯片新闻{i}" * (i + 1), source=f"s{i}")
           for i in range(5)]
    real = outbox.enqueue
    calls = []

    def failing(*args, **kw):
        calls.append(kw["article_id"])
        if len(calls) == 4:
            raise RuntimeError("disk full")
        return real(*args, **kw)

    monkeypatch.setattr(outbox, "enqueue", failing)
    with pytest.raises(RuntimeError):
        matcher.run_once(db, [CHIPS], now=NOW, batch=2)
    # Batch 1 (two articles) committed with its cursor; batch 2 rolled back entirely.
    assert matcher.cursor(db) == ids[1]
    assert [r["article_id"] for r in rows(db, "SELECT * FROM matches ORDER BY id")] == ids[:2]
    assert len(rows(db, "SELECT * FROM outbox")) == 4
    monkeypatch.setattr(outbox, "enqueue", real)
    matcher.run_once(db, [CHIPS], now=NOW, batch=2)
    assert [r["article_id"] for r in rows(db, "SELECT * FROM matches ORDER BY id")] == ids
    assert len(rows(db, "SELECT * FROM outbox")) == 10
    assert matcher.cursor(db) == ids[-1]


CRASHER = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    from newswatch.storage import open_archive
    from alerts import matcher, outbox
    from alerts.query import parse
    from alerts.topics import Topic
    from crawler import archive

    db = open_archive({path!r})
    real = outbox.enqueue
    def crash(*args, **kw):
        real(*args, **kw)
        if kw["article_id"] == {crash_at}:
            os._exit(9)  # the process dies mid-transaction: no rollback, no commit
        return []
    outbox.enqueue = crash
    topic = Topic(name="chips", title="chips", query=parse("芯片"), query_text="芯片")
    matcher.run_once(db, [topic], batch=3)
""")


def test_a_killed_matcher_neither_skips_nor_repeats(tmp_path):
    path = tmp_path / "crash.db"
    db = open_archive(path)
    ids = [add_article(db, title=f"芯片{i}", body=f"芯片报道{i}" * (i + 2), source=f"s{i}")
           for i in range(6)]
    script = CRASHER.format(root=str(ROOT), path=str(path), crash_at=ids[4])
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 9, proc.stderr
    db = open_archive(path)
    assert matcher.cursor(db) == ids[2]  # the first batch of three committed, no more
    assert [r["article_id"] for r in rows(db, "SELECT * FROM matches ORDER BY id")] == ids[:3]
    matcher.run_once(db, [topic("chips", "芯片")])
    assert [r["article_id"] for r in rows(db, "SELECT * FROM matches ORDER BY id")] == ids
    keys = [r["key"] for r in rows(db, "SELECT key FROM outbox")]
    from alerts.settings import DEFAULT_CHANNELS

    assert len(keys) == len(set(keys)) == 6 * len(DEFAULT_CHANNELS)


def test_one_bad_article_does_not_stop_the_matcher(db, monkeypatch):
    good = add_article(db, title="芯片", body="芯片")
    bad = add_article(db, title="芯片", body="芯片!", source="b")
    from alerts import engine as engine_mod

    original = engine_mod.Engine.match

    def flaky(self, article, **kw):
        if article["id"] == bad:
            raise ValueError("odd data")
        return original(self, article, **kw)

    monkeypatch.setattr(engine_mod.Engine, "match", flaky)
    result = matcher.run_once(db, [CHIPS], now=NOW)
    assert [m["article_id"] for m in result.matches] == [good]
    assert matcher.cursor(db) == bad


def test_a_failing_article_is_retried_then_parked_visibly_and_re_run_on_request(
        db, monkeypatch, tmp_path):
    bad = add_article(db, title="芯片", body="芯片!", source="b")
    from alerts import engine as engine_mod

    original = engine_mod.Engine.match
    broken = {"on": True}

    def flaky(self, article, **kw):
        if article["id"] == bad and broken["on"]:
            raise ValueError("odd data")
        return original(self, article, **kw)

    monkeypatch.setattr(engine_mod.Engine, "match", flaky)
    matcher.run_once(db, [CHIPS], now=NOW)
    assert [(f["article_id"], f["attempts"], f["parked"]) for f in matcher.failures(db)] == \
        [(bad, 1, 0)]
    # Retried on the next passes; parked after the third failure.
    for _ in range(matcher.MAX_ATTEMPTS - 1):
        matcher.run_once(db, [CHIPS], now=NOW)
    assert matcher.parked_count(db) == 1
    assert "ValueError: odd data" in matcher.failures(db, parked=True)[0]["error"]
    matcher.run_once(db, [CHIPS], now=NOW)  # a parked article is left alone
    assert matcher.failures(db)[0]["attempts"] == matcher.MAX_ATTEMPTS
    # `status` counts it; `newswatch match --retry-parked` runs it again.
    from newswatch.commands.status import gather

    assert gather(db, {}, timezone.utc)["matcher"]["parked"] == 1
    broken["on"] = False
    assert matcher.retry_parked(db) == 1
    result = matcher.run_once(db, [CHIPS], now=NOW)
    assert [m["article_id"] for m in result.matches] == [bad]
    assert matcher.failures(db) == [] and matcher.parked_count(db) == 0


def test_match_retry_parked_command(tmp_path):
    db_path = tmp_path / "archive.db"
    db = open_archive(db_path)
    art = add_article(db, title="芯片", body="芯片")
    db.execute("INSERT INTO match_failures VALUES (?, 3, 'ValueError: x', ?, ?, 1)",
               [art, NOW.isoformat(), NOW.isoformat()])
    topics = tmp_path / "topics.toml"
    topics.write_text('[[topic]]\nname = "chips"\nquery = "芯片"\n', encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "NEWSWATCH_CONFIG": "",
           "NEWSWATCH_TOPICS": str(topics)}
    out = subprocess.run([sys.executable, "-m", "newswatch", "match", "--retry-parked",
                          "--db", str(db_path)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "1 parked article(s) put back" in out.stdout
    assert matcher.parked_count(db) == 0 and matcher.failures(db) == []


def test_topic_state_records_when_a_topic_changed(db):
    matcher.run_once(db, [ROBOTS], now=NOW)
    first = rows(db, "SELECT * FROM topic_state")
    assert [(r["topic"], r["query"]) for r in first] == [("robots", "人形机器人")]
    later = NOW + timedelta(hours=1)
    matcher.run_once(db, [ROBOTS], now=later)
    assert rows(db, "SELECT since FROM topic_state")[0]["since"] == first[0]["since"]
    matcher.run_once(db, [topic("robots", "人形机器人 OR humanoid")], now=later)
    assert rows(db, "SELECT since FROM topic_state")[0]["since"] == later.isoformat()


def test_match_counts(db):
    add_article(db, title="芯片", body="芯片")
    matcher.run_once(db, [CHIPS, ROBOTS], now=NOW)
    counts = matcher.match_counts(db)
    assert counts["chips"]["matches"] == 1 and counts["chips"]["stories"] == 1
    assert "robots" not in counts
