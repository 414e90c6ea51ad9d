"""Freshness: how long after an article is published does its alert arrive?

A replay site of a few HTML sources, each polled every ``--interval`` seconds by
``newswatch run`` (a subprocess, as in production); ``--articles`` matching articles
are published at random moments; a local webhook receiver records when each alert
arrives. Latency = receipt - publication, measured for every article: an alert that
never arrives counts as a failure (an infinite latency in the percentiles, so losing more
than 5% makes p95 infinite), never as a missing sample. An article published just after
a poll waits up to one interval, so the target is p95 <= interval + 3 s (the service's
own share: crawl, extraction, matching, delivery).

    python3 bench/freshness.py [--articles 50] [--interval 10] [--sources 3]

Prints each latency, then the percentiles; the last line is one JSON object with
p50_latency_s, p95_latency_s (null when infinite), max_latency_s, lost, articles,
received, interval_s, target_p95_s, meets_target and the machine's load average.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.news_site import NewsSite  # noqa: E402
from tests.support.replay_site import replay_site  # noqa: E402
from tests.support.service_process import ServiceProcess  # noqa: E402
from tests.support.webhook_receiver import WebhookReceiver  # noqa: E402

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
TOPICS = '''[[topic]]
name = "chips"
title = "Chips"
query = "芯片"
channels = ["hook"]
'''
WORDS = ("上海 深圳 合肥 武汉 成都 西安 无锡 南京 苏州 杭州 厦门 重庆 天津 青岛 长沙 郑州 晶圆 封装 "
         "测试 光刻 材料 装备 设计 软件 存储 功率 车规 传感 算力 人才 基金 园区 标准 专利 出口 "
         "订单 产能 良率 工艺 节点 研发 投产 扩建 签约 验收 招标 发布 试点 推广 合作 联盟 高校 "
         "企业 政策 补贴 税收 融资 上市 并购").split()


def article(n: int) -> tuple[str, str]:
    """A distinct story about chips: random words, so no two cluster as one story."""
    rng = random.Random(n)
    title = f"{rng.choice(WORDS)}{rng.choice(WORDS)}芯片{rng.choice(WORDS)}进展（{n}）"
    body = "\n\n".join("".join(rng.choice(WORDS) for _ in range(12)) + f"，{rng.randint(1, 99999)}。"
                        for _ in range(8))
    return title, "芯片" + body


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    if k == lo or math.isinf(values[hi]):
        return values[lo] if k == lo else math.inf
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=50)
    ap.add_argument("--interval", type=float, default=10.0)
    ap.add_argument("--sources", type=int, default=3)
    ap.add_argument("--spread", type=float, default=None,
                    help="seconds over which articles are published (default 12 intervals)")
    args = ap.parse_args()
    spread = args.spread or args.interval * 12
    rng = random.Random(2026)
    work = Path(tempfile.mkdtemp(prefix="newswatch-freshness-"))
    site = NewsSite(work / "site", work / "sources")
    names = [f"src{i}" for i in range(args.sources)]
    for name in names:
        site.add_source(name, language="zh")
        site.publish(name, "old", "旧闻", "没有关键词的旧新闻。" * 10)
    (work / "topics.toml").write_text(TOPICS, encoding="utf-8")
    moments = sorted(rng.uniform(0, spread) for _ in range(args.articles))
    published: dict[str, float] = {}
    with replay_site(site.root) as served, WebhookReceiver(SECRET) as rx:
        svc = ServiceProcess(
            work, config={"sources_dir": str(site.sources_dir), "replay": served.url,
                          "topics": str(work / "topics.toml"), "delivery_interval": "1s",
                          "default_channels": "console"},
            channels={"hook": {"type": "webhook", "url": rx.url, "secret": SECRET,
                               "allow_private": True}})
        try:
            svc.start("--interval", f"{args.interval:g}s")
            for name in names:
                svc.wait_for(f"crawl {name}: ok", timeout=120)
            print(f"baseline done; publishing {args.articles} articles over {spread:.0f}s "
                  f"on {args.sources} sources polled every {args.interval:g}s", flush=True)
            t0 = time.time()
            for n, at in enumerate(moments):
                time.sleep(max(0.0, t0 + at - time.time()))
                title, body = article(n)
                site.publish(rng.choice(names), f"a{n}", title, body)
                published[title] = time.time()
            deadline = time.time() + args.interval * 3 + 60
            while time.time() < deadline:
                got = {r.json["article"]["title"] for r in rx.requests if r.status == 200}
                if got >= set(published):
                    break
                time.sleep(0.5)
        finally:
            svc.stop()
    arrived: dict[str, float] = {}
    for r in rx.requests:
        if r.status == 200:
            arrived.setdefault(r.json["article"]["title"], r.at)
    latencies, lost = [], 0
    for title, at in published.items():
        if title in arrived:
            lat = arrived[title] - at
            print(f"{lat:6.2f}s  {title}")
        else:
            lat = math.inf  # lost: a failure, not a sample left out
            lost += 1
            print(f"  lost  {title}")
        latencies.append(lat)
    p50, p95 = percentile(latencies, .5), percentile(latencies, .95)
    target = args.interval + 3.0
    finite = [x for x in latencies if math.isfinite(x)]
    print(f"publication to receipt: p50 {p50:.2f}s  p95 {p95:.2f}s  max "
          f"{max(latencies, default=float('nan')):.2f}s; {lost} of {len(published)} lost; "
          f"target p95 <= {target:g}s (interval + 3 s)")

    def num(x: float) -> float | None:
        return round(x, 2) if math.isfinite(x) else None

    print(json.dumps({
        "p50_latency_s": num(p50), "p95_latency_s": num(p95),
        "max_latency_s": num(max(latencies, default=math.nan)),
        "mean_latency_s": round(statistics.fmean(finite), 2) if finite else None,
        "lost": lost, "articles": len(published), "received": len(finite),
        "interval_s": args.interval, "target_p95_s": target,
        "meets_target": bool(lost == 0 and p95 <= target),
        "sources": args.sources, "load_average_1m": round(os.getloadavg()[0], 2),
    }))

if __name__ == "__main__":
    main()
