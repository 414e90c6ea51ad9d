"""Delivery throughput: N queued alerts to a local webhook receiver, all answered 200,
then the same with the receiver failing every other request (500).

    python3 bench/delivery.py [--count 10000] [--runs 3]

Prints each run, then medians; the last line is one JSON object with
deliveries_per_s, deliveries_per_s_half_failing, lost (alerts never accepted, target 0),
duplicates_two_ids (the same article, topic and channel accepted by the receiver under
two different webhook-ids: the receiver cannot dedupe those, target 0) and
accepted_twice (one delivery, one webhook-id, accepted more than once: a send repeated
after it was accepted, target 0), plus peak memory. Each alert is its own article, so
both counts start at zero and only a delivery fault can raise them.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from alerts import outbox  # noqa: E402
from alerts import delivery as delivery_mod  # noqa: E402
from alerts.delivery import deliver_due  # noqa: E402
from crawler import archive, times  # noqa: E402
from tests.support.fast_receiver import receive  # noqa: E402
from tests.support.outbox_rows import DeliveryConfig  # noqa: E402
from newswatch.storage import open_archive  # noqa: E402

SECRET = "whsec_" + base64.b64encode(b"benchmark-secret-for-newswatch!!").decode()
T0 = datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc)


def queue(db, count: int) -> None:
    """``count`` alerts, one per story and article."""
    articles = []
    for i in range(count):
        url = f"https://news.example.cn/bench/{i}.html"
        articles.append({"canonical_url": url, "url": url, "source": "bench", "site": "新华网",
                         "title": f"关于芯片产业的第{i}号通知", "body": "正文" * 100,
                         "lang": "zh", "published": times.utc_stamp(T0), "baseline": 0})
    db["articles"].insert_all(articles)
    with archive.immediate(db):
        for i in range(count):
            outbox.enqueue(db, topic="chips", story_id=i + 1, article_id=i + 1,
                           match_id=None, channels=["hook"], mode="immediate", now=T0)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve(conn, half_failing: bool, count: int) -> None:
    """The receiver, in its own process so that it does not share the GIL with delivery."""
    out = []
    for status, webhook_id, path, body, _ in receive(conn, half_failing=half_failing):
        data = json.loads(body)
        out.append((status, webhook_id, path, data["topic"]["name"], data["article"]["id"]))
    conn.send(out)


def one_run(count: int, half_failing: bool) -> dict:
    parent, child = multiprocessing.Pipe()
    proc = multiprocessing.Process(target=serve, args=(child, half_failing, count), daemon=True)
    proc.start()
    url = parent.recv()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_archive(Path(tmp) / "bench.db")
        queue(db, count)
        cfg = DeliveryConfig(db=str(Path(tmp) / "bench.db"), channels={"hook": {
            "type": "webhook", "url": url, "secret": SECRET, "allow_private": True}})
        now, rounds = T0, 0
        started, cpu_started = time.perf_counter(), time.process_time()
        while True:
            results = deliver_due(db, cfg, now=now)
            rounds += 1
            if not results and outbox.counts(db)["pending"] == 0:
                break
            now += timedelta(hours=2)  # past every backoff
            if rounds > 60:
                break
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        parent.send("stop")
        seen = parent.recv()
        proc.join(10)
        accepted = [s for s in seen if s[0] == 200]
        keys = {r["key"]: r for r in db.query("SELECT key, story_id, state FROM outbox")}
        got = {s[1] for s in accepted}
        lost = sum(1 for k, r in keys.items() if k not in got or r["state"] != "sent")
        ids_per_triple: dict = defaultdict(set)  # (article, topic, channel) -> webhook-ids
        accepted_per_id: dict = defaultdict(int)
        for _, webhook_id, path, topic, article in accepted:
            ids_per_triple[(article, topic, path)].add(webhook_id)
            accepted_per_id[webhook_id] += 1
        two_ids = sum(1 for ids in ids_per_triple.values() if len(ids) > 1)
        twice = sum(1 for n in accepted_per_id.values() if n > 1)
        return {"deliveries_per_s": count / elapsed, "seconds": elapsed, "rounds": rounds,
                "cpu_ms_per_delivery": cpu * 1000 / count,
                "requests": len(seen), "lost": lost, "duplicates_two_ids": two_ids,
                "accepted_twice": twice, "peak_rss_mb": rss_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=None,
                        help="sends in flight at once (default: alerts.delivery.CONCURRENCY)")
    args = parser.parse_args()
    # Each retry logs a warning; without a handler Python prints them all to stderr.
    logging.getLogger("alerts").setLevel(logging.ERROR)
    if args.concurrency:
        delivery_mod.CONCURRENCY = args.concurrency
    out: dict = {"count": args.count, "runs": args.runs,
                 "concurrency": delivery_mod.CONCURRENCY,
                 "rss_after_imports_mb": round(rss_mb(), 1)}  # so the growth shows
    lost = two_ids = twice = 0
    for label, failing in (("all_ok", False), ("half_failing", True)):
        runs = []
        for i in range(args.runs):
            r = one_run(args.count, failing)
            runs.append(r)
            print(f"{label} run {i + 1}: {r['deliveries_per_s']:.0f} deliveries/s "
                  f"({r['seconds']:.1f} s, {r['requests']} requests, {r['rounds']} rounds, "
                  f"{r['cpu_ms_per_delivery']:.2f} ms CPU per delivery), "
                  f"lost {r['lost']}, same alert under two ids {r['duplicates_two_ids']}, "
                  f"accepted twice {r['accepted_twice']}, "
                  f"peak RSS {r['peak_rss_mb']:.0f} MB", flush=True)
            lost += r["lost"]
            two_ids += r["duplicates_two_ids"]
            twice += r["accepted_twice"]
        med = statistics.median(r["deliveries_per_s"] for r in runs)
        key = "deliveries_per_s" if not failing else "deliveries_per_s_half_failing"
        out[key] = round(med, 1)
        out[f"cpu_ms_per_delivery_{label}"] = round(statistics.median(
            r["cpu_ms_per_delivery"] for r in runs), 2)
        print(f"{label}: median {med:.0f} deliveries/s")
    out["ratio_half_failing"] = round(out["deliveries_per_s_half_failing"]
                                      / out["deliveries_per_s"], 3)
    out["lost"] = lost
    out["duplicates_two_ids"] = two_ids
    out["accepted_twice"] = twice
    out["peak_rss_mb"] = round(rss_mb(), 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
