"""End to end: the service as a subprocess, a replay site and a recording receiver that
verifies every webhook. New articles alert quickly, once per story; a receiver that is
down gets everything when it returns; kill -9 at random moments loses nothing and any
repeat carries the same webhook-id."""

from __future__ import annotations

import random
import re
import time

import pytest

from crawler import archive
from tests.support.news_site import NewsSite
from tests.support.replay_site import replay_site
from tests.support.service_process import ServiceProcess
from tests.support.webhook_receiver import WebhookReceiver
from newswatch.storage import open_archive  # noqa: E402
from tests.support.backends import archive_target, postgres_server  # noqa: F401

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
TOPICS = '''[[topic]]
name = "chips"
title = "Chips / 芯片"
query = "芯片 OR semiconductor*"
channels = ["hook"]
'''


SUBJECTS = ["集成电路产业园", "晶圆制造基地", "封装测试企业", "设计软件厂商", "车规级芯片",
            "存储芯片项目", "光刻材料供应", "功率半导体", "人工智能芯片", "传感器芯片",
            "芯片人才培养", "芯片出口管理"]
PLACES = ["上海", "深圳", "合肥", "武汉", "成都", "西安", "无锡", "南京", "苏州", "杭州", "厦门",
          "重庆", "天津", "青岛", "大连", "长沙"]
VERBS = ["签约", "投产", "扩建", "验收", "招标", "发布", "审议", "调研", "试点", "推广"]


def story_text(n: int) -> tuple[str, str]:
    """A distinct matching story (its own words, so stories never cluster together)."""
    rng = random.Random(n)
    subject, place = SUBJECTS[n % len(SUBJECTS)], PLACES[n % len(PLACES)]
    title = f"{place}{subject}{rng.choice(VERBS)}（{n}）"
    sentences = []
    for k in range(8):
        a, b = rng.sample(PLACES, 2)
        sentences.append(f"{a}与{b}{rng.choice(VERBS)}{rng.choice(SUBJECTS)}，"
                         f"金额{rng.randint(10, 9999)}亿元，涉及{rng.randint(2, 800)}家企业，"
                         f"预计{rng.randint(2027, 2040)}年{rng.choice(VERBS)}。")
    return title, f"{place}消息：{subject}。" + "\n\n".join(sentences)


@pytest.fixture
def world(tmp_path, archive_target):
    site = NewsSite(tmp_path / "site", tmp_path / "sources")
    site.add_source("ministry", language="zh", site="Ministry")
    site.add_source("outlet", language="zh", site="Outlet Daily")
    site.publish("ministry", "old-m", "旧闻：会议召开", "这是一条旧的新闻，没有关键词。" * 8)
    site.publish("outlet", "old-o", "旧闻：市场观察", "这是另一条旧的新闻，没有关键词。" * 8)
    (tmp_path / "topics.toml").write_text(TOPICS, encoding="utf-8")
    with replay_site(site.root) as served, WebhookReceiver(SECRET) as rx:
        svc = ServiceProcess(
            tmp_path, db=archive_target,
            config={"sources_dir": str(site.sources_dir), "replay": served.url,
                    "topics": str(tmp_path / "topics.toml"), "delivery_interval": "1s",
                    "delivery_backoff": "2s",
                    "default_channels": "console"},
            channels={"hook": {"type": "webhook", "url": rx.url, "secret": SECRET,
                               "allow_private": True}})
        yield site, rx, svc
        svc.stop()


def by_title(rx) -> dict[str, set[str]]:
    """Received alerts: article title → the webhook-ids it came with."""
    seen: dict[str, set[str]] = {}
    for r in rx.requests:
        if r.status == 200:
            assert r.verified, r.error
            seen.setdefault(r.json["story"]["first_article"]["title"], set()).add(r.webhook_id)
    return seen


def wait_until(cond, timeout: float, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(step)
    return cond()


def test_fresh_alert_once_per_story_and_receiver_outage(world):
    site, rx, svc = world
    interval = 3
    svc.start("--interval", f"{interval}s")
    svc.wait_for("crawl ministry: ok", timeout=40)
    baseline = svc.wait_for("crawl outlet: ok", timeout=40)
    assert rx.requests == []  # the baseline crawl never alerts
    # A one-page crawl takes ~2.5 s here when the machine is idle; when it is loaded
    # (shared CI), whatever a crawl takes beyond 3 s is allowed on top of the target.
    crawl_s = float(re.search(r"in ([\d.]+)s", baseline).group(1))
    allowance = max(0.0, crawl_s - 3.0)

    # A ministry story and its republication by another outlet: one alert, "also
    # published by" naming the outlet.
    title, body = story_text(1)
    t0 = time.monotonic()
    site.publish("ministry", "m1", title, body)
    site.publish("outlet", "o1", title, "本报讯 据工业和信息化部消息。\n\n" + body,
                 credit="工业和信息化部")
    rx.wait_for(1, timeout=interval + 30)
    latency = time.monotonic() - t0
    assert latency <= interval + 5 + allowance, (
        f"alert took {latency:.1f}s (crawl {crawl_s:.1f}s)\n" + svc.output[-2500:])
    svc.wait_for("crawl outlet: ok, 1 new")
    svc.wait_for("crawl ministry: ok, 1 new")
    time.sleep(3)  # room for a wrong second alert
    assert len(rx.requests) == 1  # one alert for the story, not one per outlet
    alert = rx.requests[0].json
    assert alert["topic"]["name"] == "chips"
    # Both outlets are one story. When both crawls end before the alert goes out, the alert
    # names the other outlet; when one ends later (a loaded machine), the story records it.
    others = {a["site"] for a in alert["story"]["also_published_by"]}
    first_site = alert["story"]["first_article"]["site"]
    assert first_site not in others and {first_site} | others <= {"Ministry", "Outlet Daily"}
    db = open_archive(svc.db)
    sites = {r["site"] for r in db.query(
        "SELECT a.site FROM story_members m JOIN articles a ON a.id = m.article_id "
        "WHERE m.story_id = ?", [alert["story"]["id"]])}
    assert sites == {"Ministry", "Outlet Daily"}, alert["story"]

    # The receiver goes down; alerts wait in the outbox and all arrive once it is back.
    rx.down()
    for n in (2, 3):
        site.publish("ministry", f"m{n}", *story_text(n))
    svc.wait_for(r"matched .* [1-9] alert\(s\) queued", timeout=40, after=len(svc.lines))
    time.sleep(2)
    rx.up()
    assert wait_until(lambda: len(by_title(rx)) == 3, timeout=45), by_title(rx)
    assert all(len(ids) == 1 for ids in by_title(rx).values())
    assert svc.terminate() == 0


def test_kill_9_at_random_moments_loses_no_alert(world):
    site, rx, svc = world
    rng = random.Random(8)
    run_args = ("ministry", "--interval", "2s")  # one source: half the processes to kill
    svc.start(*run_args)
    svc.wait_for("crawl ministry: ok", timeout=40)
    svc.kill9()
    expected = []
    kills = 0
    for i in range(22):
        if i % 3 == 0:
            n = 10 + i
            title, body = story_text(n)
            site.publish("ministry", f"k{n}", title, body)
            expected.append(title)
        svc.start(*run_args)
        # Kill during start-up, crawling, matching or delivering: anywhere.
        time.sleep(rng.uniform(0.3, 4.0))
        svc.kill9()
        kills += 1
    assert kills >= 20
    svc.start(*run_args)
    assert wait_until(lambda: set(by_title(rx)) >= set(expected), timeout=90), (
        sorted(set(expected) - set(by_title(rx))), svc.output[-2000:])
    time.sleep(2)
    assert svc.terminate() == 0
    seen = by_title(rx)
    assert set(seen) == set(expected)
    # A repeat (killed between sending and recording) reuses the same webhook-id.
    assert all(len(ids) == 1 for ids in seen.values()), seen
    assert "database is locked" not in svc.output
