"""Access benchmark: 200 article pages behind a JavaScript cookie challenge (a 412 whose
script computes the cookie), crawled with ``render = "auto"``, against the same site
without a challenge in the same run (the anchor), politeness off, on loopback.

    python3 bench/access.py [--articles 200] [--cookie-uses 100] [--repeat 3]

The clearance cookie stops working after ``--cookie-uses`` pages, so the browser is
needed again now and then, as on a real site. Figures: pages per minute of each crawl
(median of ``--repeat``), their ratio, the share of requests that went through the
browser (target <= 0.05 after the first challenge), and the peak memory of the crawl
process and of the browser (Playwright's driver and Chromium, PSS). The last line is one
JSON object: pages_per_min_challenge, pages_per_min_plain, ratio, browser_request_share,
browser_requests, peak_rss_mb (crawl + browser), crawl_peak_rss_mb, browser_peak_mb.
Needs the browser extra and a Chromium; says so and exits 2 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["PYTHONPATH"] = str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")

from crawler.access.chromium import BrowserUnavailable, check_available  # noqa: E402
from crawler.seeds import find_source  # noqa: E402
from newswatch.crawl.runner import CrawlOptions, crawl_source  # noqa: E402
from tests.support.challenge_server import challenge_server, write_seed  # noqa: E402


class MemorySampler(threading.Thread):
    """Peak RSS of the crawl child (``scrapy crawl``) and PSS of its descendants."""

    def __init__(self, interval: float = 0.25):
        super().__init__(daemon=True)
        import psutil

        self.psutil, self.interval = psutil, interval
        self.crawl_peak = self.browser_peak = self.total_peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        ps = self.psutil
        me = ps.Process()
        while not self.stop.is_set():
            for child in me.children():
                try:
                    if "scrapy" not in " ".join(child.cmdline()):
                        continue
                    crawl = child.memory_info().rss
                    browser = 0
                    for proc in child.children(recursive=True):
                        try:
                            browser += proc.memory_full_info().pss
                        except ps.Error:
                            pass
                except ps.Error:
                    continue
                self.crawl_peak = max(self.crawl_peak, crawl)
                self.browser_peak = max(self.browser_peak, browser)
                self.total_peak = max(self.total_peak, crawl + browser)
            self.stop.wait(self.interval)


def crawl_once(server, site: str, render: str, work: Path) -> dict:
    seeds = work / "seeds"
    write_seed(seeds, "bench", server, site,
               extra=f'render = "{render}"\n[pagination]\nmax_pages = 1\n')
    source = find_source(seeds, "bench")
    sampler = MemorySampler()
    sampler.start()
    started = time.monotonic()
    result = crawl_source(source, CrawlOptions(db=work / "a.db", sources_dir=seeds,
                                               polite=False, timeout=600))
    seconds = time.monotonic() - started
    sampler.stop.set()
    sampler.join()
    if result.outcome != "ok":
        raise SystemExit(f"{site} crawl: {result.outcome}: {result.message()} "
                         f"(log {result.log})")
    pages = result.pages + result.items_new
    return {"pages": pages, "seconds": seconds, "pages_per_min": pages / seconds * 60,
            "requests": result.requests, "browser_requests": result.browser_requests,
            "items_new": result.items_new, "crawl_peak": sampler.crawl_peak,
            "browser_peak": sampler.browser_peak, "total_peak": sampler.total_peak}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--cookie-uses", type=int, default=100,
                    help="pages one clearance cookie lasts (0: for ever)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from scrapy.settings import Settings

    try:
        import psutil  # noqa: F401

        check_available(Settings({"TWISTED_REACTOR":
                                  "twisted.internet.asyncioreactor.AsyncioSelectorReactor"}))
    except (BrowserUnavailable, ImportError) as exc:
        print(f"bench/access.py needs the browser extra and Chromium: {exc}")
        raise SystemExit(2)
    runs: dict[str, list[dict]] = {"challenge": [], "plain": []}
    with tempfile.TemporaryDirectory() as tmp, \
            challenge_server(articles=args.articles, cookie_uses=args.cookie_uses) as srv:
        for i in range(args.repeat):
            # Alternate, so that load on the machine falls on both alike.
            for kind, site in (("plain", "plain"), ("challenge", "js")):
                r = crawl_once(srv, site, "auto", Path(tmp) / f"{kind}{i}")
                if r["items_new"] != args.articles:
                    raise SystemExit(f"{kind}: {r['items_new']} of {args.articles} articles")
                runs[kind].append(r)
                print(f"{kind:9} run {i + 1}: {r['pages']} pages in {r['seconds']:.1f} s "
                      f"= {r['pages_per_min']:.0f}/min, {r['requests']} requests, "
                      f"{r['browser_requests']} through the browser, crawl peak "
                      f"{r['crawl_peak'] / 2**20:.0f} MB, browser peak "
                      f"{r['browser_peak'] / 2**20:.0f} MB", flush=True)
    med = {k: statistics.median(r["pages_per_min"] for r in v) for k, v in runs.items()}
    ch = runs["challenge"]
    share = statistics.median(r["browser_requests"] / r["requests"] for r in ch)
    # After the first challenge: the first browser page is the price of admission.
    share_after = statistics.median((r["browser_requests"] - 1) / (r["requests"] - 1)
                                    for r in ch)
    out = {
        "articles": args.articles, "cookie_uses": args.cookie_uses, "repeat": args.repeat,
        "pages_per_min_challenge": round(med["challenge"], 1),
        "pages_per_min_plain": round(med["plain"], 1),
        "ratio": round(med["challenge"] / med["plain"], 3),
        "browser_request_share": round(share, 4),
        "browser_request_share_after_first": round(share_after, 4),
        "browser_requests": statistics.median(r["browser_requests"] for r in ch),
        "plain_browser_requests": max(r["browser_requests"] for r in runs["plain"]),
        "peak_rss_mb": round(max(r["total_peak"] for r in ch) / 2**20, 1),
        "crawl_peak_rss_mb": round(max(r["crawl_peak"] for r in ch) / 2**20, 1),
        "browser_peak_mb": round(max(r["browser_peak"] for r in ch) / 2**20, 1),
        "plain_peak_rss_mb": round(max(r["total_peak"] for r in runs["plain"]) / 2**20, 1),
        "target_browser_request_share": 0.05,
    }
    print(f"challenge {out['pages_per_min_challenge']}/min vs plain "
          f"{out['pages_per_min_plain']}/min (ratio {out['ratio']}); browser share "
          f"{out['browser_request_share']} (after the first {share_after:.4f}, target <= "
          f"0.05); peak {out['peak_rss_mb']} MB")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
