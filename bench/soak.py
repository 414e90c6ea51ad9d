"""Soak: the service's own memory and CPU over many crawl cycles.

``newswatch run`` (a subprocess) crawls ``--sources`` small replay sources with a 1 s
interval until ``--cycles`` crawls have finished; every 25 cycles a matching article is
published, so matching and delivery run too. The service's resident memory is sampled
every 25 cycles. Then the seeds are rescheduled to hourly with SIGHUP and the idle
service's CPU is measured for ``--idle`` seconds. Crawl children are not counted: they
are separate processes that exit after each crawl.

    python3 bench/soak.py [--cycles 500] [--sources 2] [--idle 20]

The last line is one JSON object with rss_mb_start, rss_mb_end (target <= 150, no
steady growth), rss_growth_mb_per_100_cycles (slope over the second half),
idle_cpu_percent, cycles and seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.freshness import article  # noqa: E402  (distinct stories: none cluster)
from tests.support.news_site import NewsSite  # noqa: E402
from tests.support.replay_site import replay_site  # noqa: E402
from tests.support.service_process import ServiceProcess  # noqa: E402
from tests.support.webhook_receiver import WebhookReceiver  # noqa: E402

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
TICK = os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """User + system CPU of the process itself (not its children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def crawl_cycles(lines: list[str]) -> int:
    """Crawls the service finished: its per-crawl summary lines (JSON with source, outcome
    and items_new), not the delivery lines that also carry an outcome."""
    n = 0
    for line in lines:
        if '"items_new"' not in line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if {"source", "outcome", "items_new"} <= entry.keys():
            n += 1
    return n


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares MB per cycle."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((x - mx) ** 2 for x, _ in points) or 1.0
    return sum((x - mx) * (y - my) for x, y in points) / den


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", type=int, default=500)
    ap.add_argument("--sources", type=int, default=2)
    ap.add_argument("--idle", type=float, default=20.0)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="newswatch-soak-"))
    site = NewsSite(work / "site", work / "sources", interval="1s")
    names = [f"soak{i}" for i in range(args.sources)]
    for name in names:
        site.add_source(name, language="zh")
        site.publish(name, "old", "旧闻", "没有关键词的旧新闻。" * 10)
    (work / "topics.toml").write_text('[[topic]]\nname = "chips"\ntitle = "Chips"\n'
                                      'query = "芯片"\nchannels = ["hook"]\n', encoding="utf-8")
    samples: list[tuple[int, float]] = []
    with replay_site(site.root) as served, WebhookReceiver(SECRET) as rx:
        svc = ServiceProcess(
            work, config={"sources_dir": str(site.sources_dir), "replay": served.url,
                          "topics": str(work / "topics.toml"), "delivery_interval": "2s",
                          "default_channels": "console"},
            channels={"hook": {"type": "webhook", "url": rx.url, "secret": SECRET,
                               "allow_private": True}})
        try:
            svc.start("--log-format", "json")
            pid = svc.proc.pid
            t0 = time.monotonic()
            published = 0
            cycles = 0
            while cycles < args.cycles:
                time.sleep(0.5)
                cycles = crawl_cycles(list(svc.lines))
                if cycles // 25 > len(samples):
                    samples.append((cycles, rss_mb(pid)))
                    print(f"cycle {cycles:4d}: rss {samples[-1][1]:6.1f} MB, "
                          f"{rx and len(rx.requests)} alerts", flush=True)
                    name = names[published % len(names)]
                    site.publish(name, f"n{published}", *article(published))
                    published += 1
                if svc.proc.poll() is not None:
                    raise SystemExit(f"the service exited:\n{svc.output[-2000:]}")
            soak_s = time.monotonic() - t0
            rss_end = rss_mb(pid)
            # Idle: every source hourly from now on (SIGHUP reload), then measure.
            for seed in site.sources_dir.glob("*.toml"):
                seed.write_text(seed.read_text().replace('interval = "1s"', 'interval = "1h"'))
            svc.signal(signal.SIGHUP)
            svc.wait_for("reload: schedules changed", timeout=30, after=0)
            time.sleep(5)  # let the crawls already running finish
            c0, w0 = cpu_s(pid), time.monotonic()
            time.sleep(args.idle)
            idle = 100 * (cpu_s(pid) - c0) / (time.monotonic() - w0)
            rss_idle = rss_mb(pid)
            assert svc.terminate(timeout=60) == 0
        finally:
            svc.stop()
    half = samples[len(samples) // 2:]
    growth = slope(half) * 100
    print(f"{cycles} crawl cycles in {soak_s:.0f}s; rss start {samples[0][1]:.1f} MB, "
          f"end {rss_end:.1f} MB, idle {rss_idle:.1f} MB; second-half growth "
          f"{growth:+.2f} MB per 100 cycles; idle CPU {idle:.2f}%; "
          f"{len(rx.requests)} alerts received for {published} published")
    print(json.dumps({
        "rss_mb_start": round(samples[0][1], 1), "rss_mb_end": round(rss_end, 1),
        "rss_mb_idle": round(rss_idle, 1),
        "rss_growth_mb_per_100_cycles": round(growth, 2),
        "idle_cpu_percent": round(idle, 2), "cycles": cycles, "seconds": round(soak_s, 1),
        "sources": args.sources, "alerts_received": len(rx.requests), "published": published,
    }))


if __name__ == "__main__":
    main()
