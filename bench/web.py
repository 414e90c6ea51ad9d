"""The web interface's server time on a large archive.

    python bench/web.py            # 1,000,000 articles and 100,000 matches
    python bench/web.py --quick    # 100,000 articles and 10,000 matches (a smoke run)
    python bench/web.py --db PATH  # keep (or reuse) the generated archive
    python bench/web.py --postgres postgresql://...   # the same, served from PostgreSQL

1. Generates an archive through ``newswatch.storage.open_archive`` (the real schema, FTS
   triggers included) with bulk inserts: articles of realistic lengths (Chinese bodies
   600-2,500 characters, English 1,500-5,000), three in five Chinese, built from pools
   of sentences so generation is fast; about 3% of Chinese sentences mention 芯片 and 2%
   of English ones "supply chain". A tenth of the articles get a match (10 topics), with
   snippet and terms as the matcher writes them, and story memberships (a fifth of the
   stories have two or three outlets).
2. Times requests through the real ASGI application in-process (server time, no
   network): the matches page (all topics and one topic, at random keyset depths), an
   article page, a topic's Atom feed, a search for 芯片 (two characters: the matcher walk)
   and for the phrase "supply chain" (full-text index + matcher), and for 晶圆, which no
   article holds (the walk stops at the page's time bound, 0.2 s). p50 and p95 of
   ``--requests`` each (default 40).
3. Anchor, in the same run: one page of match rows read with ``LIMIT/OFFSET`` and with
   the keyset (``id < ?``) at the same depths (plain SQL): the ratio shows what keyset
   paging buys, and how loaded the machine was (the keyset read should take ~0.1 ms).

With ``--postgres URL`` (an empty database), the generated SQLite archive is moved there
with ``newswatch db copy`` (timed) and every figure is measured on PostgreSQL instead:
the same pages, the trigram index in place of FTS5.

Targets: p95 <= 100 ms for pages and feeds, <= 300 ms for search. The last line is one
JSON object: p95_matches_ms, p95_article_ms, p95_feed_ms, p95_search_zh_ms,
p95_search_en_ms, the p50s, the sizes and the anchor.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore", category=DeprecationWarning)

from newswatch.storage import open_archive  # noqa: E402

TOPICS = [f"topic-{i}" for i in range(10)]
ZH_WORDS = ("工业和信息化部 国务院 发展改革委 人工智能 制造业 数字经济 新能源汽车 产业链 供应链 "
            "高质量发展 科技创新 集成电路 算力 数据要素 标准体系 试点示范 中小企业 专精特新 "
            "绿色低碳 智能网联 工业互联网 基础设施 重点项目 政策措施 市场主体 营商环境").split()
EN_WORDS = ("ministry industry technology policy investment growth market exports energy "
            "vehicles manufacturing digital economy data infrastructure standards innovation "
            "companies regulation research factory production capacity global report "
            "officials announced plan").split()


def zh_sentence(rng: random.Random) -> str:
    words = rng.sample(ZH_WORDS, rng.randint(4, 8))
    if rng.random() < 0.03:
        words.insert(rng.randint(0, len(words)), "芯片")
    return "，".join("".join(words[i:i + 2]) for i in range(0, len(words), 2)) + "。"


def en_sentence(rng: random.Random) -> str:
    words = [rng.choice(EN_WORDS) for _ in range(rng.randint(10, 22))]
    if rng.random() < 0.02:
        i = rng.randint(0, len(words) - 2)
        words[i], words[i + 1] = "supply", "chain"
    return " ".join(words).capitalize() + "."


def body_of(rng, pool: list[str], low: int, high: int, sep: str) -> str:
    target = rng.randint(low, high)
    out, size = [], 0
    while size < target:
        s = rng.choice(pool)
        out.append(s)
        size += len(s)
    return sep.join(out)


def generate(db, n_articles: int, n_matches: int, seed: int = 7) -> dict:
    rng = random.Random(seed)
    zh_pool = [zh_sentence(rng) for _ in range(3000)]
    en_pool = [en_sentence(rng) for _ in range(3000)]
    sources = [(f"src-{i:02d}", "zh" if i % 5 < 3 else "en") for i in range(30)]
    conn = db.conn
    now = datetime.now(timezone.utc).replace(microsecond=0)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO sources (name, title, kind, site, language) VALUES "
                     "(?, ?, 'html', ?, ?)",
                     [(s, f"Source {s}", f"Site {s}", lang) for s, lang in sources])
    conn.execute("COMMIT")
    t0 = time.perf_counter()
    batch = []
    span_s = 365 * 86400
    for i in range(1, n_articles + 1):
        src, lang = sources[i % len(sources)]
        # Ids grow with time, as in a real archive: article i is newer than i-1.
        when = now - timedelta(seconds=span_s * (n_articles - i) / n_articles)
        if lang == "zh":
            title = "".join(rng.sample(ZH_WORDS, 3)) + ("芯片" if rng.random() < 0.05 else "")
            body = body_of(rng, zh_pool, 600, 2500, "")
        else:
            title = " ".join(rng.sample(EN_WORDS, 6)).capitalize()
            body = body_of(rng, en_pool, 1500, 5000, " ")
        stamp = when.isoformat()
        batch.append((i, f"https://{src}.example/a/{i}.html", f"https://{src}.example/a/{i}.html",
                      src, f"Site {src}", title, stamp, stamp[:10], "meta", body, lang, stamp,
                      '{"title": "selector", "published": "meta", "body": "selector"}'))
        if len(batch) == 5000:
            _insert_articles(conn, batch)
            batch = []
    if batch:
        _insert_articles(conn, batch)
    articles_s = time.perf_counter() - t0
    # Matches: a tenth of the articles (or n_matches), newest ids matched last.
    t0 = time.perf_counter()
    matched = sorted(rng.sample(range(1, n_articles + 1), n_matches))
    conn.execute("BEGIN")
    rows, members, story = [], [], 0
    for mid, aid in enumerate(matched, start=1):
        story += 1
        topic = TOPICS[aid % len(TOPICS)]
        terms = json.dumps([{"term": "芯片", "field": "body", "at": [[40, 42]]}],
                           ensure_ascii=False)
        created = (now - timedelta(seconds=span_s * (n_articles - aid) / n_articles)).isoformat()
        rows.append((mid, aid, topic, story, 1, terms, "…产业**芯片**攻关…", created))
        members.append((aid, story, 1.0, None, f"Site src-{aid % 30:02d}", f"src-{aid % 30:02d}",
                        created))
        if rng.random() < 0.2:
            for other in (aid - 1, aid - 2)[:rng.randint(1, 2)]:
                if other > 0 and other not in matched:
                    members.append((other, story, 0.8, aid, f"Site src-{other % 30:02d}",
                                    f"src-{other % 30:02d}", created))
    conn.executemany("INSERT INTO matches (id, article_id, topic, story_id, first_for_story, "
                     "terms, snippet, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.executemany("INSERT OR IGNORE INTO story_members (article_id, story_id, similarity, "
                     "matched_article_id, site, source, joined) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     members)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    return {"articles_s": round(articles_s, 1), "matches_s": round(time.perf_counter() - t0, 1),
            "matched": matched}


def _insert_articles(conn, batch) -> None:
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO articles (id, canonical_url, url, source, site, title, published, "
        "published_text, date_source, body, lang, fetched, field_sources) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
    conn.execute("COMMIT")


class ServerTimer:
    """ASGI wrapper: how long the application took over a request, body included
    (the test client's own thread hand-offs left out)."""

    def __init__(self, app):
        self.app, self.last_ms = app, 0.0

    async def __call__(self, scope, receive, send):
        t0 = time.perf_counter()
        await self.app(scope, receive, send)
        self.last_ms = (time.perf_counter() - t0) * 1000


def timed(client, url: str) -> float:
    r = client.get(url)
    ms = client.app.last_ms
    if r.status_code != 200:
        raise SystemExit(f"{url}: HTTP {r.status_code}\n{r.text[:2000]}")
    return ms


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(round(q * (len(values) - 1))))], 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--db", help="archive to generate (or reuse when it exists)")
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--articles", type=int, help="another size (matches: a tenth)")
    ap.add_argument("--postgres", metavar="URL",
                    help="measure on this (empty) PostgreSQL database, copied from the archive")
    args = ap.parse_args()
    n_articles, n_matches = (100_000, 10_000) if args.quick else (1_000_000, 100_000)
    if args.articles:
        n_articles, n_matches = args.articles, max(1, args.articles // 10)
    tmp = tempfile.TemporaryDirectory(prefix="newswatch-bench-web-")
    path = Path(args.db) if args.db else Path(tmp.name) / "web.db"
    reuse = path.exists()
    db = open_archive(path)
    if reuse:
        gen = {"articles_s": None, "matches_s": None,
               "matched": [r[0] for r in db.execute("SELECT article_id FROM matches")]}
        n_articles = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        n_matches = len(gen["matched"])
        print(f"reusing {path}: {n_articles} articles, {n_matches} matches")
    else:
        print(f"generating {n_articles} articles and {n_matches} matches in {path} ...")
        gen = generate(db, n_articles, n_matches)
        print(f"  articles in {gen['articles_s']} s, matches in {gen['matches_s']} s")
    size_mb = round(path.stat().st_size / 1e6)
    target, copy_s = str(path), None
    if args.postgres:
        from crawler.database import redacted
        from newswatch.storage_copy import copy_archive

        t0 = time.perf_counter()
        copy_archive(str(path), args.postgres)
        copy_s = round(time.perf_counter() - t0, 1)
        print(f"  copied into {redacted(args.postgres)} in {copy_s} s")
        target = args.postgres
        db = open_archive(target)
        db.execute("ANALYZE")

    from starlette.testclient import TestClient

    from newswatch.web import accounts
    from newswatch.web.app import WebOptions, create_app

    topics = Path(tmp.name) / "topics.toml"
    topics.write_text("".join(f'[[topic]]\nname = "{t}"\nquery = "芯片"\n\n' for t in TOPICS),
                      encoding="utf-8")
    app = create_app(WebOptions(config_path=None, overrides={
        "db": target, "topics": str(topics), "sources_dir": str(Path(tmp.name) / "none")}))
    token = accounts.create_feed(db, topic=TOPICS[3], title="bench")
    rng = random.Random(11)
    max_match = n_matches
    figures: dict[str, list[float]] = {k: [] for k in (
        "matches", "matches_topic", "article", "feed", "search_zh", "search_en",
        "search_zh_rare", "anchor_offset", "anchor_keyset")}
    depths = [rng.randint(1, max_match) for _ in range(args.requests)]
    with TestClient(ServerTimer(app), base_url="http://127.0.0.1") as client:
        for url in ("/matches", f"/feed/{token}.atom", "/search?q=%E8%8A%AF%E7%89%87"):
            client.get(url)  # warm the per-thread connection and the caches
        for depth in depths:
            figures["matches"].append(timed(client, f"/matches?before={depth}"))
            figures["matches_topic"].append(
                timed(client, f"/matches?topic={TOPICS[depth % 10]}&before={depth}"))
            aid = gen["matched"][depth % len(gen["matched"])]
            figures["article"].append(timed(client, f"/articles/{aid}"))
            figures["feed"].append(timed(client, f"/feed/{token}.atom"))
            # Searches start at a random point of the archive (a later page).
            before = rng.randint(n_articles // 2, n_articles)
            figures["search_zh"].append(timed(client, f"/search?q=%E8%8A%AF%E7%89%87&before={before}"))
            figures["search_en"].append(
                timed(client, f"/search?q=%22supply+chain%22&before={before}"))
            # A two-character term in no article: the walk is bounded by the page's time.
            figures["search_zh_rare"].append(
                timed(client, f"/search?q=%E6%99%B6%E5%9C%86&before={before}"))
            offset = max_match - depth
            t0 = time.perf_counter()
            list(db.execute("SELECT * FROM matches ORDER BY id DESC LIMIT 50 OFFSET ?", [offset]))
            figures["anchor_offset"].append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            list(db.execute("SELECT * FROM matches WHERE id < ? ORDER BY id DESC LIMIT 50",
                            [depth]))
            figures["anchor_keyset"].append((time.perf_counter() - t0) * 1000)
        page = client.get("/search?q=%E8%8A%AF%E7%89%87").text
        en_page = client.get("/search?q=%22supply+chain%22").text
    assert "<mark>芯片</mark>" in page and "full-text index" in en_page
    result = {
        "articles": n_articles, "matches": n_matches, "db_mb": size_mb,
        "requests": args.requests, "quick": args.quick,
        "backend": "postgresql" if args.postgres else "sqlite", "copy_s": copy_s,
    }
    for key in figures:
        result[f"p50_{key}_ms"] = pct(figures[key], 0.5)
        result[f"p95_{key}_ms"] = pct(figures[key], 0.95)
        print(f"{key:>14}: p50 {result[f'p50_{key}_ms']:7.1f} ms   "
              f"p95 {result[f'p95_{key}_ms']:7.1f} ms")
    result["p95_matches_ms"] = max(result["p95_matches_ms"], result["p95_matches_topic_ms"])
    # The anchor: one page of match rows by OFFSET against by keyset, same depths.
    result["offset_over_keyset_p50"] = round(
        result["p50_anchor_offset_ms"] / max(0.001, result["p50_anchor_keyset_ms"]), 1)
    result["targets"] = {"pages_feeds_p95_ms": 100, "search_p95_ms": 300}
    result["within_targets"] = all(result[k] <= 100 for k in (
        "p95_matches_ms", "p95_article_ms", "p95_feed_ms")) and all(
        result[k] <= 300 for k in ("p95_search_zh_ms", "p95_search_en_ms"))
    result["generate_s"] = {"articles": gen["articles_s"], "matches": gen["matches_s"]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
