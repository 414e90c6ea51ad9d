"""Crawl benchmark: a replay site of 5,000 article pages (30-60 KB each) and their list
pages, crawled with politeness off, compared with `scrapy bench` in the same run (before
and after the crawl, averaged), then re-crawled unchanged.

    python3 bench/crawl.py [--articles 5000] [--per-page 20] [--bench-seconds 10]

The last line is one JSON object: pages_per_min, scrapy_bench_pages_per_min, ratio
(target >= 0.5), recrawl_requests, recrawl_article_requests (target 0),
recrawl_bytes_ratio (target <= 0.02).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.seeds import load_source  # noqa: E402
from newswatch.crawl.runner import CrawlOptions, crawl_source  # noqa: E402
from newswatch.replay.server import ReplayServer  # noqa: E402

HOST = "www.bench-ministry.example.cn"
SENTENCES = [
    "工业和信息化部召开专题会议，研究部署下一阶段重点工作。",
    "会议强调，要加快关键核心技术攻关，推动人工智能与制造业深度融合。",
    "各地要结合实际，细化工作方案，确保各项任务落到实处。",
    "前三季度，规模以上工业增加值同比增长百分之五点八。",
    "要加强集成电路、新型显示、工业软件等领域的协同创新。",
    "推动中小企业数字化转型，培育一批专精特新企业。",
    "完善标准体系，强化安全保障，营造良好发展环境。",
    "新能源汽车产销量继续保持增长，出口规模进一步扩大。",
    "加快建设新型基础设施，提升算力网络服务能力。",
    "坚持稳中求进工作总基调，巩固和增强经济回升向好态势。",
]
NAV = "".join(f'<li><a href="/col{i}/" title="栏目{i}">栏目名称{i}</a></li>' for i in range(60))


def article_html(n: int, rng: random.Random) -> str:
    paras = "".join(f"<p style=\"text-indent:2em\">{''.join(rng.choices(SENTENCES, k=6))}</p>"
                    for _ in range(rng.randint(8, 20)))
    related = "".join(f'<li><a href="/xwfb/art/2026/art_{rng.randrange(10**6):032x}.html">'
                      f'相关新闻标题{rng.randrange(1000)}号</a><span>2026-11-{rng.randint(1, 28):02d}'
                      f"</span></li>" for _ in range(rng.randint(60, 320)))
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>基准测试文章{n}_演示部委网站</title>"
            f'<meta name="ArticleTitle" content="基准测试文章{n}：推进新型工业化">'
            f'<meta name="PubDate" content="2026-11-{n % 28 + 1:02d} {n % 24:02d}:{n % 60:02d}">'
            f'<meta name="ContentSource" content="新闻宣传司">'
            f'<link rel="stylesheet" href="/css/main.css"><script src="/js/jquery.min.js">'
            f'</script></head><body><div class="top"><ul class="nav">{NAV}</ul></div>'
            f'<div class="main"><div class="left"><h1 id="con_title">基准测试文章{n}：推进新型工业化'
            f'</h1><div class="cinfo"><span id="con_time">发布时间：2026-11-{n % 28 + 1:02d}</span>'
            f'</div><div id="con_con" class="ccontent">{paras}</div></div>'
            f'<div class="right"><h3>相关新闻</h3><ul class="related">{related}</ul></div></div>'
            f'<div class="footer"><ul>{NAV}</ul><p>主办单位：演示部委 版权所有</p></div>'
            f"</body></html>")


def build_site(root: Path, articles: int, per_page: int) -> tuple[int, int]:
    rng = random.Random(42)
    base = root / HOST / "xwfb"
    (base / "art").mkdir(parents=True)
    total = 0
    ids = [f"{n:032x}" for n in range(articles)]
    for n, hexid in enumerate(ids):
        html = article_html(n, rng)
        while len(html.encode()) < 30_000:  # 30-60 KB, like real ministry pages
            html = html.replace("</body>", f"<!-- {'统计代码' * 500} --></body>")
        data = html.encode("utf-8")[:60_000] if len(html.encode()) > 60_000 else html.encode()
        (base / "art" / f"art_{hexid}.html").write_bytes(data)
        total += len(data)
    pages = (articles + per_page - 1) // per_page
    for p in range(pages):
        chunk = ids[p * per_page:(p + 1) * per_page]
        lis = "".join(f'<li><a href="/xwfb/art/art_{h}.html" title="基准测试文章{int(h, 16)}">'
                      f'文章</a><span>2026-11-01</span></li>' for h in chunk)
        name = "index.html" if p == 0 else f"index_{p}.html"
        (base / name).write_text(f'<html><head><meta charset="utf-8"></head><body>'
                                 f'<ul class="list">{lis}</ul></body></html>', encoding="utf-8")
    return pages, total


SEED = f"""\
name = "bench"
title = "bench"
site = "Bench"
kind = "html"
language = "zh"
start_urls = ["https://{HOST}/xwfb/"]
download_delay = 0
[list]
items = "ul.list li"
link = "a::attr(href)"
title = "a::attr(title)"
date = "span::text"
[pagination]
url_template = "https://{HOST}/xwfb/index_{{page}}.html"
first_page = 1
max_pages = {{max_pages}}
[article]
title = "h1#con_title"
body = "div#con_con"
"""


def timed_crawl(source, options) -> tuple[object, float]:
    marks = {}

    def on_event(event):
        marks.setdefault(event["event"], time.monotonic())
        if event["event"] == "done":
            marks["done"] = time.monotonic()

    result = crawl_source(source, options, on_event=on_event)
    return result, marks.get("done", time.monotonic()) - marks.get("start", 0)


def require_ok(what: str, result, *, expect_new: int) -> None:
    """A figure from a crawl that did not end ``ok`` (or missed articles) means nothing:
    stop before reporting any."""
    if result.outcome != "ok" or result.items_new != expect_new:
        errors = "; ".join(e["error"] for e in result.errors[:5])
        raise SystemExit(f"bench/crawl.py: the {what} ended {result.outcome!r} with "
                         f"{result.items_new} new articles (expected ok, {expect_new}): "
                         f"{errors or 'no error recorded'}; log {result.log}")


def scrapy_bench(seconds: int) -> float:
    """Median pages/min of `scrapy bench` (its own local server and link-following spider)."""
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    with tempfile.TemporaryDirectory() as cwd:  # outside the project: default settings
        out = subprocess.run([sys.executable, "-m", "scrapy", "bench", "-s",
                              f"CLOSESPIDER_TIMEOUT={seconds}", "-s", "LOGSTATS_INTERVAL=1"],
                             capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    rates = [int(x) for x in re.findall(r"at (\d+) pages/min", out.stderr)]
    rates = [r for r in rates if r > 0]
    if not rates:
        raise SystemExit(f"scrapy bench printed no rate:\n{out.stderr[-2000:]}")
    return float(statistics.median(rates))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--per-page", type=int, default=20)
    parser.add_argument("--bench-seconds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nw-bench-") as tmp:
        tmp = Path(tmp)
        t0 = time.monotonic()
        list_pages, site_bytes = build_site(tmp / "site", args.articles, args.per_page)
        print(f"site: {args.articles} articles ({site_bytes / 2**20:.0f} MB) and {list_pages} "
              f"list pages, built in {time.monotonic() - t0:.1f} s", flush=True)
        (tmp / "seeds").mkdir()
        (tmp / "seeds" / "bench.toml").write_text(SEED.replace("{max_pages}", str(list_pages)))
        source = load_source(tmp / "seeds" / "bench.toml")
        server = ReplayServer(tmp / "site", "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        # No article cap: the bench crawls the whole site in one run.
        options = CrawlOptions(db=tmp / "bench.db", sources_dir=tmp / "seeds", replay=server.url,
                               polite=False, max_articles=0,
                               settings={"LOG_LEVEL": "WARNING", "NEWSWATCH_MAX_ARTICLES": "0"})
        # scrapy bench before and after our crawl: the machine's load drifts.
        bench_rates = [scrapy_bench(args.bench_seconds)]
        print(f"scrapy bench (before): {bench_rates[0]:.0f} pages/min", flush=True)
        first, seconds = timed_crawl(source, options)
        require_ok("crawl", first, expect_new=args.articles)
        pages = first.pages + first.items_new + first.items_failed
        pages_per_min = pages / seconds * 60
        first_bytes = sum(r.bytes for r in server.requests)
        print(f"crawl: {first.outcome}, {pages} pages ({first.items_new} articles stored, "
              f"{first.items_failed} failed) in {seconds:.1f} s = {pages_per_min:.0f} pages/min",
              flush=True)
        server.clear_log()
        second, seconds2 = timed_crawl(source, options)
        require_ok("re-crawl", second, expect_new=0)
        log = server.requests
        recrawl_bytes = sum(r.bytes for r in log)
        article_requests = sum(1 for r in log if "/art/" in r.path)
        print(f"re-crawl: {second.outcome}, {len(log)} requests "
              f"({[f'{r.path} {r.status}' for r in log][:5]}), {article_requests} article "
              f"requests, {recrawl_bytes} bytes, {second.items_new} new, in {seconds2:.1f} s",
              flush=True)
        server.shutdown()
    bench_rates.append(scrapy_bench(args.bench_seconds))
    bench_rate = statistics.mean(bench_rates)
    print(f"scrapy bench (after): {bench_rates[1]:.0f} pages/min; mean {bench_rate:.0f} "
          f"(each the median of its per-second rates)", flush=True)
    print(json.dumps({
        "pages_per_min": round(pages_per_min),
        "scrapy_bench_pages_per_min": round(bench_rate),
        "ratio": round(pages_per_min / bench_rate, 3),
        "recrawl_requests": len(log),
        "recrawl_article_requests": article_requests,
        "recrawl_bytes_ratio": float(f"{recrawl_bytes / max(first_bytes, 1):.3g}"),
    }))


if __name__ == "__main__":
    main()
