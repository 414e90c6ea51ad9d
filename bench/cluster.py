"""Cluster throughput: crawl and delivery with 1 and with 3 Celery workers, against the
one-machine service on SQLite.

    python3 bench/cluster.py [--sources 60] [--articles 24] [--window 45] [--alerts 1500]
                             [--rounds 3]

A real PostgreSQL and Redis are started on loopback (tests/support/db_servers.py; the
archive falls back to SQLite where PostgreSQL is missing, and the benchmark stops where
redis-server is). The replay web holds ``--sources`` sources of ``--articles`` articles
each, and every page answers after 200 ms (its replay sidecar's ``delay``), so crawling
is I/O-bound as real crawling is.

- crawl: the scheduler (``newswatch run`` with a broker) dispatches every source at once
  to 1 or 3 workers (``--queues crawl``, ``crawl_concurrency = 1``: a worker stands for a
  machine crawling one source at a time); articles archived per minute over the first
  ``--window`` seconds after the scheduler starts. One machine: ``newswatch run
  --max-crawls 3`` without a broker, on SQLite.
- delivery: ``--alerts`` alerts queued, each its own story, to a receiver that takes
  100 ms per request; 1 or 3 workers (``--queues deliver``, ``delivery_workers = 1``);
  deliveries per second from the first request received to the last. One machine: the
  service's delivery pass (``steps.deliver_due``) on SQLite.

Each figure is the median of ``--rounds`` rounds. The last line is one JSON object with
``crawl_speedup_3_workers`` and ``delivery_speedup_3_workers`` (target >= 2.5 each),
``lost`` (alerts never accepted, or archived articles missing) and ``duplicates`` (an
article archived twice, or an alert accepted under two webhook-ids), target 0.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.cluster_process import NewswatchProcess  # noqa: E402
from tests.support.db_servers import PostgresServer, RedisServer  # noqa: E402
from tests.support.fast_receiver import receive  # noqa: E402
from tests.support.news_site import NewsSite  # noqa: E402
from tests.support.replay_site import replay_site  # noqa: E402

SECRET = "whsec_" + base64.b64encode(b"benchmark-secret-for-newswatch!!").decode()
LATENCY_S = 0.2
RECEIVER_S = 0.1
T0 = datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc)


# ---- the web and the receiver ------------------------------------------------------------


def build_site(root: Path, sources: int, articles: int) -> NewsSite:
    site = NewsSite(root / "site", root / "sources")
    for s in range(sources):
        name = f"bench{s:02d}"
        site.add_source(name, language="zh", site=f"Bench {s}")
        for a in range(articles):
            site.publish(name, f"a{a}", f"{name} 第{a}号通知：推进新型工业化",
                         f"{name}消息：第{a}号通知。" + "各地要结合实际，细化工作方案。" * 20)
    for page in (root / "site").rglob("*.html"):  # every page answers after 200 ms
        page.with_name(page.name + ".meta.toml").write_text(f"delay = {LATENCY_S}\n")
    return site


def serve(conn) -> None:
    """The receiver in its own process: it must not share the GIL with anything."""
    conn.send([(t, wid, json.loads(body)["article"]["id"])
               for _, wid, _, body, t in receive(conn, delay=RECEIVER_S)])


# ---- helpers -----------------------------------------------------------------------------


def toml(path: Path, settings: dict, cluster: dict | None, channels: dict | None) -> None:
    def val(v):
        return json.dumps(v) if not isinstance(v, bool) else ("true" if v else "false")

    lines = [f"{k} = {val(v)}" for k, v in settings.items()]
    for name, table in (channels or {}).items():
        lines += ["", f"[channels.{name}]"] + [f"{k} = {val(v)}" for k, v in table.items()]
    if cluster:
        lines += ["", "[cluster]"] + [f"{k} = {val(v)}" for k, v in cluster.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def start(work: Path, name: str, db: str, settings: dict, cluster, channels, *args):
    p = NewswatchProcess(work, name=name, db=db, config={})
    toml(p.config_path, settings, cluster, channels)
    return p.start(*args)


def count(db: str, sql: str) -> int:
    from newswatch.storage import open_archive

    conn = open_archive(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        close(conn)


def close(conn) -> None:
    try:
        conn.conn.close()
    except Exception:
        getattr(conn, "close", lambda: None)()


class Servers:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.redis = RedisServer().start()
        try:
            self.pg = PostgresServer().start()
        except (FileNotFoundError, OSError) as exc:
            print(f"PostgreSQL unavailable ({exc}): the cluster runs on SQLite", flush=True)
            self.pg = None
        self._n = 0

    def db(self) -> str:
        self._n += 1
        if self.pg is not None:
            return self.pg.new_database()
        return str(self.tmp / f"cluster-{self._n}.db")

    def broker(self) -> str:
        import redis

        url = f"redis://127.0.0.1:{self.redis.port}/{self._n % 16}"
        redis.Redis.from_url(url).flushdb()
        return url

    def stop(self) -> None:
        self.redis.stop()
        if self.pg is not None:
            self.pg.stop()


# ---- crawl -------------------------------------------------------------------------------


def crawl_round(work: Path, site: NewsSite, replay: str, db: str, *, workers: int | None,
                broker: str | None, window: float, expected: int) -> dict:
    """Articles archived per minute in the window; ``workers`` None: one machine."""
    work.mkdir(parents=True, exist_ok=True)
    settings = {"sources_dir": str(site.sources_dir), "replay": replay,
                "default_channels": "console", "topics": str(work / "topics.toml")}
    (work / "topics.toml").write_text('[[topic]]\nname = "none"\nquery = "不会出现的词语甲乙"\n',
                                      encoding="utf-8")
    cluster = {"broker": broker, "crawl_concurrency": 1} if broker else None
    procs = []
    try:
        if workers:
            for i in range(workers):
                procs.append(start(work, f"w{i}", db, settings, cluster, None, "worker",
                                   "--queues", "crawl"))
            for p in procs:
                p.wait_for(r"worker \S+: queues", 60)
        sched = start(work, "scheduler", db, settings, cluster, None, "run",
                      *(() if workers else ("--max-crawls", "3")))
        procs.append(sched)
        sched.wait_for("newswatch running", 60)
        began = time.monotonic()
        done_at = None
        while time.monotonic() - began < window:
            n = count(db, "SELECT count(*) FROM articles")
            if n >= expected:
                done_at = time.monotonic()
                break
            time.sleep(0.5)
        elapsed = (done_at or time.monotonic()) - began
        n = count(db, "SELECT count(*) FROM articles")
    finally:
        for p in procs:
            p.stop()
    # Once every crawl has stopped: an article stored twice (a URL in two rows).
    dupes = count(db, "SELECT count(*) - count(DISTINCT canonical_url) FROM articles")
    return {"articles": n, "seconds": elapsed, "per_min": n * 60 / elapsed,
            "duplicates": dupes}


# ---- delivery ----------------------------------------------------------------------------


def queue_alerts(db: str, n: int) -> None:
    from alerts import outbox
    from crawler import archive, times
    from newswatch.storage import open_archive

    conn = open_archive(db)
    try:
        with archive.immediate(conn):
            for i in range(n):
                url = f"https://news.example.cn/bench/{i}.html"
                conn.execute(
                    "INSERT INTO articles (canonical_url, url, source, site, title, body, "
                    "lang, published, baseline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
                    [url, url, "bench", "新华网", f"关于芯片产业的第{i}号通知", "正文" * 100,
                     "zh", times.utc_stamp(T0)])
        with archive.immediate(conn):
            for i in range(n):
                outbox.enqueue(conn, topic="chips", story_id=i + 1, article_id=i + 1,
                               match_id=None, channels=["hook"], mode="immediate",
                               now=T0)
    finally:
        close(conn)


def delivery_round(work: Path, db: str, *, workers: int | None, broker: str | None,
                   alerts: int) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    parent, child = multiprocessing.Pipe()
    rx = multiprocessing.Process(target=serve, args=(child,), daemon=True)
    rx.start()
    url = parent.recv()
    channels = {"hook": {"type": "webhook", "url": url, "secret": SECRET,
                         "allow_private": True}}
    (work / "sources").mkdir(exist_ok=True)
    (work / "topics.toml").write_text("", encoding="utf-8")
    settings = {"sources_dir": str(work / "sources"), "topics": str(work / "topics.toml"),
                "default_channels": "console", "delivery_interval": "1s",
                "db": db}
    queue_alerts(db, alerts)
    procs = []
    try:
        if workers:
            cluster = {"broker": broker, "delivery_workers": 1}
            for i in range(workers):
                procs.append(start(work, f"d{i}", db, settings, cluster, channels, "worker",
                                   "--queues", "deliver"))
            for p in procs:
                p.wait_for(r"worker \S+: queues", 60)
            procs.append(start(work, "scheduler", db, settings, cluster, channels, "run"))
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                if count(db, "SELECT count(*) FROM outbox WHERE state = 'sent'") >= alerts:
                    break
                time.sleep(0.25)
        else:  # the one-machine service's delivery pass, on this process
            from newswatch.config import load
            from newswatch.service import steps
            from newswatch.service.load import Loaded
            from newswatch.storage import open_archive

            toml(work / "single.toml", settings, None, channels)
            loaded = Loaded(config=load(work / "single.toml"), sources={}, topics=[])
            conn = open_archive(db)
            try:
                while steps.deliver_due(conn, loaded):
                    pass
            finally:
                close(conn)
    finally:
        for p in procs:
            p.stop()
        parent.send("stop")
        seen = parent.recv()
        rx.join(10)
    times_ = [t for t, _, _ in seen]
    elapsed = max(times_) - min(times_) + RECEIVER_S if times_ else float("inf")
    ids: dict = defaultdict(set)
    for _, wid, article in seen:
        ids[article].add(wid)
    sent = count(db, "SELECT count(*) FROM outbox WHERE state = 'sent'")
    return {"alerts": alerts, "seconds": elapsed, "per_s": len(ids) / elapsed,
            "lost": alerts - len(ids) + (alerts - sent if sent < alerts else 0),
            "duplicates": sum(1 for v in ids.values() if len(v) > 1),
            "requests": len(seen)}


# ---- main --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=60)
    parser.add_argument("--articles", type=int, default=24, help="articles per source")
    parser.add_argument("--window", type=float, default=45.0,
                        help="seconds of crawling measured")
    parser.add_argument("--alerts", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("alerts").setLevel(logging.ERROR)
    tmp = Path(tempfile.mkdtemp(prefix="newswatch-bench-cluster-"))
    servers = Servers(tmp)
    backend = "PostgreSQL" if servers.pg is not None else "SQLite"
    results: dict = defaultdict(list)
    lost = duplicates = 0
    expected = args.sources * args.articles
    try:
        site = build_site(tmp, args.sources, args.articles)
        with replay_site(site.root) as served:
            for r in range(args.rounds):
                for label, workers in (("crawl_1_worker", 1), ("crawl_3_workers", 3),
                                       ("crawl_one_machine_sqlite", None)):
                    db = servers.db() if workers else str(tmp / f"single-{r}.db")
                    out = crawl_round(tmp / f"r{r}-{label}", site, served.url, db,
                                      workers=workers,
                                      broker=servers.broker() if workers else None,
                                      window=args.window, expected=expected)
                    results[label].append(out["per_min"])
                    duplicates += out["duplicates"]
                    print(f"round {r + 1} {label}: {out['per_min']:.0f} articles/min "
                          f"({out['articles']} in {out['seconds']:.1f} s on "
                          f"{backend if workers else 'SQLite'}), duplicates "
                          f"{out['duplicates']}", flush=True)
                for label, workers in (("deliver_1_worker", 1), ("deliver_3_workers", 3),
                                       ("deliver_one_machine_sqlite", None)):
                    db = servers.db() if workers else str(tmp / f"single-d{r}.db")
                    out = delivery_round(tmp / f"r{r}-{label}", db, workers=workers,
                                         broker=servers.broker() if workers else None,
                                         alerts=args.alerts)
                    results[label].append(out["per_s"])
                    lost += out["lost"]
                    duplicates += out["duplicates"]
                    print(f"round {r + 1} {label}: {out['per_s']:.0f} deliveries/s "
                          f"({out['alerts']} in {out['seconds']:.1f} s, {out['requests']} "
                          f"requests), lost {out['lost']}, under two ids "
                          f"{out['duplicates']}", flush=True)
    finally:
        servers.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in results.items()}
    for k, v in med.items():
        print(f"median {k}: {v:.1f}")
    print(json.dumps({
        "backend": backend, "sources": args.sources, "articles_per_source": args.articles,
        "latency_ms": LATENCY_S * 1000, "receiver_ms": RECEIVER_S * 1000,
        "rounds": args.rounds,
        "articles_per_min_1_worker": round(med["crawl_1_worker"], 1),
        "articles_per_min_3_workers": round(med["crawl_3_workers"], 1),
        "articles_per_min_one_machine_sqlite": round(med["crawl_one_machine_sqlite"], 1),
        "deliveries_per_s_1_worker": round(med["deliver_1_worker"], 1),
        "deliveries_per_s_3_workers": round(med["deliver_3_workers"], 1),
        "deliveries_per_s_one_machine_sqlite": round(med["deliver_one_machine_sqlite"], 1),
        "crawl_speedup_3_workers": round(med["crawl_3_workers"] / med["crawl_1_worker"], 2),
        "delivery_speedup_3_workers": round(med["deliver_3_workers"]
                                            / med["deliver_1_worker"], 2),
        "lost": lost, "duplicates": duplicates}))


if __name__ == "__main__":
    main()
