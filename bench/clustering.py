"""Story clustering: precision and recall of "same story", and the cost per article.

    python bench/clustering.py            # full run: 10,000 and 100,000 archived
    python bench/clustering.py --quick    # 2,000 and 20,000 archived (a smoke run)

1. Quality, on the labelled evaluation set (tests/support/story_evalset.py: 80 stories
   across outlets, rewrites and languages, with hard negatives from the same institution
   and week). Every article is archived in the order it was fetched (not published) and
   clustered by ``cluster_new``; a pair counts as "same story" when both land in one
   story. The headline figures are on the held-out *test* groups (the *tune* groups were
   the ones looked at while the parameters were chosen); recall is also given apart for
   the cross-language pairs and for the rewrites (two tellings in one language written
   apart). It also checks that each story's first article is its earliest published.
2. Speed: an archive grows by ~1,000 articles a day; with N and 10·N articles already
   archived and clustered, 500 new articles (a fifth of them republications of recent
   ones) are clustered and timed in process CPU time. Median of 3 runs.

The last line is one JSON object. Its size keys name the sizes that ran:
``ms_per_article_10k`` and ``ms_per_article_100k`` on a full run, ``…_2k`` and ``…_20k``
under ``--quick``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from alerts import fingerprints, shingles, stories, story_index  # noqa: E402
from crawler import archive  # noqa: E402
from tests.support import story_evalset  # noqa: E402
from newswatch.storage import open_archive  # noqa: E402

WINDOW_DAYS = 3


def archive_docs(db, docs) -> dict[str, int]:
    """Archive the documents in the order they were fetched; doc id → article id."""
    ids = {}
    for d in sorted(docs, key=lambda d: (d.fetched, d.id)):
        url = f"https://bench.example/{d.id}"
        ids[d.id] = db["articles"].insert({
            "canonical_url": url, "url": url, "source": d.site, "site": d.site,
            "title": d.title, "body": d.body, "lang": d.lang, "published": d.published,
            "fetched": d.fetched, "doc_number": d.doc_number,
            "original_source": d.original_source,
            "content_hash": archive.content_hash(d.title, d.body),
        }).last_pk
    return ids


def _prf(decisions: list[tuple[bool, bool]]) -> tuple[float, float, int, int, int]:
    tp = sum(1 for same, said in decisions if same and said)
    fp = sum(1 for same, said in decisions if not same and said)
    fn = sum(1 for same, said in decisions if same and not said)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def _recall(pairs, story, kind: str) -> float | None:
    found = [story[p.a] == story[p.b] for p in pairs if p.same and p.kind == kind]
    return round(sum(found) / len(found), 4) if found else None


def quality(evalset, workdir: Path) -> dict:
    story_index._indexes.clear()
    db = open_archive(workdir / "quality.db")
    ids = archive_docs(db, evalset.docs)
    t0 = time.perf_counter()
    stories.cluster_new(db, window_days=WINDOW_DAYS)
    elapsed = time.perf_counter() - t0
    story = {doc_id: stories.story_of(db, aid) for doc_id, aid in ids.items()}
    out = {}
    for split in ("tune", "test", "all"):
        pairs = [p for p in evalset.pairs if split == "all" or p.split == split]
        p, r, tp, fp, fn = _prf([(x.same, story[x.a] == story[x.b]) for x in pairs])
        out[split] = {"precision": round(p, 4), "recall": round(r, 4), "pairs": len(pairs),
                      "tp": tp, "fp": fp, "fn": fn,
                      "recall_cross_language": _recall(pairs, story, "cross-language"),
                      "recall_rewrites": _recall(pairs, story, "rewrite"),
                      "recall_republications": _recall(pairs, story, "republication")}
        print(f"{split:>4} split: {len(pairs):4d} pairs  precision {p:.3f}  recall {r:.3f}  "
              f"(tp {tp}, fp {fp}, fn {fn}); recall cross-language "
              f"{out[split]['recall_cross_language']}, rewrites {out[split]['recall_rewrites']}, "
              f"republications {out[split]['recall_republications']}")
    counts = Counter((p.kind, p.split) for p in evalset.pairs)
    print("pairs by kind:", ", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(counts.items())))
    links = Counter(r[0] for r in db.execute(
        "SELECT COALESCE(link, 'first') FROM story_members").fetchall())
    print("members by link:", dict(links))
    # A story's first article is its earliest published member.
    by_story: dict[int, list] = {}
    for d in evalset.docs:
        by_story.setdefault(story[d.id], []).append(d)
    right = 0
    for sid, docs in by_story.items():
        first = stories.get_story(db, sid)["first_article_id"]
        earliest = min(docs, key=lambda d: (d.published, d.id))
        right += first == ids[earliest.id]
    out["first_is_earliest"] = round(right / len(by_story), 4)
    print(f"{len(ids)} articles → {len(by_story)} stories (truth: {len(evalset.stories())}); "
          f"first article = earliest published in {right} of {len(by_story)}; "
          f"{1000 * elapsed / len(ids):.2f} ms per article, cold")
    db.close()
    return out


# ---------------------------------------------------------------- speed

_ORGS = {"zh": ["工业和信息化部", "国家发展改革委", "商务部", "财政部", "中国人民银行", "国家统计局",
                "生态环境部", "科技部", "证监会", "国家网信办"],
         "en": ["the Ministry of Commerce", "the NDRC", "the MIIT", "the People's Bank of China",
                "the Ministry of Finance", "the National Bureau of Statistics", "the CSRC"]}


def _filler_vocabulary() -> dict[str, list[str]]:
    """Words to make distinct filler articles from: 2–4 character chunks and English
    words of the evaluation set's texts."""
    rng = random.Random(1)
    zh, en = set(), set()
    for d in story_evalset.make_evalset().docs:
        text = re.sub(r"[\d.,%]", "", shingles.normalise(d.body))
        if d.lang == "zh":
            for _ in range(120):
                i = rng.randrange(max(1, len(text) - 4))
                zh.add(text[i:i + rng.randint(2, 4)])
        else:
            en.update(w.strip(".,()\"") for w in d.body.split()
                      if len(w) > 2 and not any(c.isdigit() for c in w))
    return {"zh": sorted(zh), "en": sorted(en)}


def _fact(rng: random.Random, lang: str, at: datetime) -> str:
    """A random figure, percentage, date or body, as the facts of a story read."""
    k = rng.random()
    if lang == "zh":
        if k < 0.35:
            return f"{rng.randint(2, 9999)}{rng.choice(['亿元', '万吨', '家', '万人', '个'])}"
        if k < 0.6:
            return f"增长{rng.randint(1, 60)}.{rng.randint(0, 9)}%"
        if k < 0.8:
            return f"{at.month}月{rng.randint(1, 28)}日"
        return rng.choice(_ORGS["zh"])
    if k < 0.35:
        return f"{rng.randint(2, 999)}.{rng.randint(0, 9)} {rng.choice(['billion yuan', 'million tons', 'companies'])}"
    if k < 0.6:
        return f"up {rng.randint(1, 60)}.{rng.randint(0, 9)} percent"
    if k < 0.8:
        return f"Nov {rng.randint(1, 28)}"
    return rng.choice(_ORGS["en"])


def filler_articles(n: int, end: datetime, per_day: int, seed: int):
    """``n`` distinct articles, ``per_day`` a day, the newest at ``end``, 80 % Chinese,
    each with a dozen random facts (figures, dates, bodies) among its words."""
    vocab = _filler_vocabulary()
    rng = random.Random(seed)
    for i in range(n):
        lang = "zh" if rng.random() < 0.8 else "en"
        at = end - timedelta(days=(n - i) / per_day)
        words = [rng.choice(vocab[lang]) for _ in range(rng.randint(90, 160) if lang == "zh"
                                                          else rng.randint(120, 220))]
        for _ in range(12):
            words.insert(rng.randrange(len(words)), _fact(rng, lang, at))
        sep, stop = ("", "。") if lang == "zh" else (" ", ". ")
        body = "\n".join(sep.join(words[j:j + 40]) + stop for j in range(0, len(words), 40))
        yield {"title": sep.join(words[:8]), "body": body, "lang": lang,
               "published": at.replace(microsecond=0).isoformat(), "site": f"site{i % 40}.cn"}


def _archive_rows(db, rows, prefix: str) -> None:
    batch = []
    for k, r in enumerate(rows):
        url = f"https://{r['site']}/{prefix}/{k}.html"
        batch.append({"canonical_url": url, "url": url, "source": r["site"], "site": r["site"],
                      "title": r["title"], "body": r["body"], "lang": r["lang"],
                      "published": r["published"], "fetched": r["published"],
                      "content_hash": archive.content_hash(r["title"], r["body"])})
        if len(batch) == 1000:
            db["articles"].insert_all(batch)
            batch = []
    if batch:
        db["articles"].insert_all(batch)


def _precluster(db, now: datetime, chunk: int = 2000) -> None:
    """Give the archived filler articles their signatures, fingerprints and one-article
    stories in bulk, as ``cluster_new`` would (they are distinct), without its lookups:
    it only saves the benchmark minutes. The cursor is set past them."""
    joined = now.isoformat()
    groups = stories.alias_index(None)
    while True:
        arts = list(db.query("SELECT * FROM articles WHERE id > ? ORDER BY id LIMIT ?",
                             [stories.cursor(db), chunk]))
        if not arts:
            return
        with archive.immediate(db):
            for art in arts:
                prep = stories._prepare(art, now, groups)
                when = datetime.fromtimestamp(prep.at, timezone.utc).isoformat()
                sid = db.execute("INSERT INTO stories(first_article_id, lang, title, first_seen, "
                                 "last_seen, size) VALUES (?, ?, ?, ?, ?, 1)",
                                 [art["id"], prep.lang, art["title"], when, when]).lastrowid
                db.execute("INSERT INTO story_members(article_id, story_id, similarity, site, "
                           "source, joined) VALUES (?, ?, 1.0, ?, ?, ?)",
                           [art["id"], sid, art["site"], art["source"], joined])
                db.execute("INSERT INTO story_signatures(article_id, lang, at, size, version, "
                           "minhash) VALUES (?, ?, ?, ?, ?, ?)",
                           [art["id"], prep.lang, prep.at, int(prep.packed.size),
                            shingles.SKETCH_VERSION, shingles.sketch_to_bytes(prep.sketch)])
                e = prep.entry
                db.execute("INSERT INTO story_fingerprints(article_id, lang, at, title, outlets, "
                           "version, tokens) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [art["id"], prep.lang, prep.at, e.title, " ".join(sorted(e.outlets)),
                            fingerprints.VERSION, fingerprints.encode(e.fp)])
            db.execute("INSERT INTO cursors(name, value) VALUES (?, ?) ON CONFLICT(name) "
                       "DO UPDATE SET value = excluded.value", [stories.CURSOR, arts[-1]["id"]])


def speed(archived: int, workdir: Path, now: datetime, runs: int = 3, new: int = 500) -> dict:
    """Cluster ``new`` fresh articles with ``archived`` already archived and clustered.
    Timed in process CPU time (the machine is shared; wall time is shown beside it)."""
    path = workdir / f"speed-{archived}.db"
    db = open_archive(path)
    t0 = time.perf_counter()
    _archive_rows(db, filler_articles(archived, now - timedelta(hours=1), 1000, seed=archived),
                  "old")
    t1 = time.perf_counter()
    _precluster(db, now)
    t2 = time.perf_counter()
    print(f"{archived:,} archived: inserted in {t1 - t0:.1f} s, sketches in {t2 - t1:.1f} s")
    cpu, wall, cold = [], [], []
    recent = list(db.query("SELECT title, body, lang, published, site FROM articles "
                           "ORDER BY id DESC LIMIT 2000"))
    for run in range(runs):
        rng = random.Random(run)
        fresh = list(filler_articles(new, now, 1000, seed=10_000_000 + archived + run))
        for r in rng.sample(range(len(fresh)), new // 5):
            # A republication of a recent article: new headline, an editor line added.
            src = rng.choice(recent)
            fresh[r] = {**src, "title": "转载：" + src["title"], "published": now.isoformat(),
                        "body": src["body"] + f"\n责任编辑：王磊{run}{r}", "site": "repub.cn"}
        _archive_rows(db, fresh, f"new{run}")
        # A new process: the index is rebuilt from the stored signatures and fingerprints.
        story_index._indexes.clear()
        c0 = time.perf_counter()
        story_index.index_for(db).refresh(db, now.timestamp() - WINDOW_DAYS * 86400)
        cold.append(time.perf_counter() - c0)
        p0, w0 = time.process_time(), time.perf_counter()
        done = stories.cluster_new(db, window_days=WINDOW_DAYS, now=now)
        cpu.append(1000 * (time.process_time() - p0) / done)
        wall.append(1000 * (time.perf_counter() - w0) / done)
    index = story_index.index_for(db)
    joined = db.execute("SELECT COUNT(*) FROM story_members WHERE matched_article_id IS NOT NULL"
                        ).fetchone()[0]
    ms = statistics.median(cpu)
    print(f"{archived:,} archived: {ms:.2f} ms CPU per new article (median of {runs}: "
          f"{', '.join(f'{t:.2f}' for t in cpu)}; wall {statistics.median(wall):.2f} ms); "
          f"{joined} joined a story (republications: {runs * (new // 5)}); index rebuild for "
          f"the window ({len(index.times):,} signatures, {len(index.entries):,} fingerprints) "
          f"{statistics.median(cold):.2f} s")
    db.close()
    return {"ms_per_article": round(ms, 3), "wall_ms_per_article": round(statistics.median(wall), 3),
            "index_rebuild_s": round(statistics.median(cold), 3),
            "window_signatures": len(index.times), "joined": joined}


def _size(n: int) -> str:
    return f"{n // 1000}k"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="2,000 and 20,000 archived instead of 10,000 and 100,000")
    args = parser.parse_args()
    small, large = (2_000, 20_000) if args.quick else (10_000, 100_000)
    evalset = story_evalset.make_evalset()
    sizes = [len(v) for v in evalset.stories().values()]
    print(f"evaluation set: {len(evalset.docs)} articles in {len(sizes)} stories "
          f"({min(sizes)}–{max(sizes)} each), {len(evalset.pairs)} labelled pairs "
          f"({sum(p.same for p in evalset.pairs)} same story, "
          f"{sum(not p.same for p in evalset.pairs)} hard negatives)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        q = quality(evalset, work)
        now = datetime(2026, 11, 29, 8, 0, tzinfo=timezone.utc)
        s_small = speed(small, work, now)
        s_large = speed(large, work, now)
    ratio = s_large["ms_per_article"] / s_small["ms_per_article"]
    print(f"time per article at {large:,} / at {small:,} archived: {ratio:.2f}x (target <= 2)")
    test = q["test"]
    print(f"targets (test split): precision {test['precision']} (>= 0.97), recall "
          f"{test['recall']} (>= 0.90), cross-language {test['recall_cross_language']} "
          f"(>= 0.85), rewrites {test['recall_rewrites']} (>= 0.85)")
    result = {
        "precision": test["precision"], "recall": test["recall"],
        "recall_cross_language": test["recall_cross_language"],
        "recall_rewrites": test["recall_rewrites"],
        f"ms_per_article_{_size(small)}": s_small["ms_per_article"],
        f"ms_per_article_{_size(large)}": s_large["ms_per_article"],
        f"ratio_{_size(large)}_{_size(small)}": round(ratio, 3),
        f"wall_ms_per_article_{_size(small)}": s_small["wall_ms_per_article"],
        f"wall_ms_per_article_{_size(large)}": s_large["wall_ms_per_article"],
        "archived": [small, large], "quick": args.quick,
        "precision_tune": q["tune"]["precision"], "recall_tune": q["tune"]["recall"],
        "precision_all": q["all"]["precision"], "recall_all": q["all"]["recall"],
        "recall_cross_language_all": q["all"]["recall_cross_language"],
        "recall_rewrites_all": q["all"]["recall_rewrites"],
        "pairs_test": test["pairs"], "pairs_all": q["all"]["pairs"],
        "first_is_earliest": q["first_is_earliest"],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
