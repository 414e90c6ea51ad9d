"""Story clustering: precision and recall of "same story", and the cost per article.

    python bench/clustering.py            # full run: 10,000 and 100,000 archived
    python bench/clustering.py --quick    # 2,000 and 20,000 archived (a smoke run)

1. Quality, on the labelled evaluation set (tests/support/story_evalset.py, fixed seed):
   pairwise resemblance on the *tune* groups picks a threshold (shown, for comparison
   with ``alerts.stories.SAME_STORY``); then every document is archived and clustered by
   ``cluster_new`` and a pair counts as "same story" when both land in one story. The
   headline precision and recall are on the held-out *test* groups.
2. Cross-language stretch: English republications linked to their Chinese originals
   (``alerts.story_links``), precision and recall on pairs built from the fixtures.
3. Speed: an archive grows by ~1,000 articles a day; with 10,000 and with 100,000
   articles already archived and clustered, 500 new articles (a fifth of them
   republications of recent ones) are clustered and timed. Median of 3 runs.

The last line is one JSON object: precision, recall, ms_per_article_10k,
ms_per_article_100k (and the other figures).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from alerts import shingles, stories, story_index  # noqa: E402
from crawler import archive, times  # noqa: E402
from tests.support import story_evalset  # noqa: E402
from newswatch.storage import open_archive  # noqa: E402

WINDOW_DAYS = 3


def _insert(db, docs) -> dict[str, int]:
    """Archive the documents in publication order; returns doc id → article id."""
    ids = {}
    for d in sorted(docs, key=lambda d: (d.published, d.id)):
        url = f"https://{d.site}/{d.id}.html"
        ids[d.id] = db["articles"].insert({
            "canonical_url": url, "url": url, "source": d.site, "site": d.site,
            "title": d.title, "body": d.body, "lang": d.lang, "published": d.published,
            "fetched": d.published, "content_hash": archive.content_hash(d.title, d.body),
        }).last_pk
    return ids


def _prf(decisions: list[tuple[bool, bool]]) -> tuple[float, float, int, int, int]:
    tp = sum(1 for same, said in decisions if same and said)
    fp = sum(1 for same, said in decisions if not same and said)
    fn = sum(1 for same, said in decisions if same and not said)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def tune_threshold(evalset) -> float:
    """Pairwise resemblance on the tune split: the middle of the thresholds with the best
    F1 (the widest margin on both sides)."""
    sets = {d.id: shingles.article_shingles(d.title, d.body, d.lang) for d in evalset.docs}
    tune = [(p.same, shingles.resemblance(sets[p.a], sets[p.b]))
            for p in evalset.pairs if p.split == "tune"]
    print("threshold  precision  recall   (pairwise, tune split)")
    scored = []
    for t in [x / 100 for x in range(30, 91, 5)]:
        p, r, *_ = _prf([(same, score >= t) for same, score in tune])
        f1 = 2 * p * r / (p + r) if p + r else 0
        print(f"  {t:.2f}      {p:.3f}     {r:.3f}")
        scored.append((round(f1, 4), t))
    top = max(f for f, _ in scored)
    best = [t for f, t in scored if f == top]
    chosen = round(statistics.median(best), 3)
    print(f"best F1 on tune ({top:.3f}) from {best[0]:.2f} to {best[-1]:.2f}: middle {chosen}; "
          f"alerts.stories.SAME_STORY = {stories.SAME_STORY}")
    return chosen


def quality(evalset, workdir: Path) -> dict:
    db = open_archive(workdir / "quality.db")
    ids = _insert(db, evalset.docs)
    t0 = time.perf_counter()
    stories.cluster_new(db, window_days=WINDOW_DAYS)
    elapsed = time.perf_counter() - t0
    story = {doc_id: stories.story_of(db, aid) for doc_id, aid in ids.items()}
    out = {}
    for split in ("tune", "test", "all", "extra"):
        pairs = [p for p in evalset.pairs
                 if p.split == split or (split == "all" and p.split != "extra")]
        p, r, tp, fp, fn = _prf([(x.same, story[x.a] == story[x.b]) for x in pairs])
        out[split] = {"precision": round(p, 4), "recall": round(r, 4), "pairs": len(pairs),
                      "tp": tp, "fp": fp, "fn": fn}
        print(f"clustered, {split:>4} split: {len(pairs):4d} pairs  precision {p:.3f}  "
              f"recall {r:.3f}  (tp {tp}, fp {fp}, fn {fn})")
    print("(extra: rewrites in an outlet's own words, not copies; outside the targets)")
    print("by kind (all splits): pairs judged same / pairs")
    for kind in sorted({p.kind for p in evalset.pairs}):
        for lang in ("zh", "en"):
            pairs = [p for p in evalset.pairs if p.kind == kind and p.lang == lang]
            if pairs:
                said = sum(1 for p in pairs if story[p.a] == story[p.b])
                print(f"  {kind:24s} {lang}  {said:3d} / {len(pairs):3d}")
    n_stories = len(set(story.values()))
    print(f"{len(ids)} documents → {n_stories} stories "
          f"({1000 * elapsed / len(ids):.2f} ms per article, cold)")
    db.close()
    return out


# ---------------------------------------------------------------- speed


def _filler_vocabulary() -> dict[str, list[str]]:
    """Words to make distinct filler articles from: 2–4 character chunks and English
    words of the fixture stories."""
    rng = random.Random(1)
    zh, en = set(), set()
    for d in story_evalset.base_docs():
        text = shingles.normalise(d.body)
        if d.lang == "zh":
            for _ in range(200):
                i = rng.randrange(max(1, len(text) - 4))
                zh.add(text[i:i + rng.randint(2, 4)])
        else:
            en.update(w.strip(".,()") for w in d.body.split() if len(w) > 2)
    return {"zh": sorted(zh), "en": sorted(en)}


def filler_articles(n: int, end: datetime, per_day: int, seed: int):
    """``n`` distinct articles, ``per_day`` a day, the newest at ``end``, 80 % Chinese."""
    vocab = _filler_vocabulary()
    rng = random.Random(seed)
    for i in range(n):
        lang = "zh" if rng.random() < 0.8 else "en"
        words = [rng.choice(vocab[lang]) for _ in range(rng.randint(90, 160) if lang == "zh"
                                                          else rng.randint(120, 220))]
        sep = "" if lang == "zh" else " "
        body = "\n".join(sep.join(words[j:j + 40]) for j in range(0, len(words), 40))
        at = end - timedelta(days=(n - i) / per_day)
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
    """Give the archived filler articles their signatures and one-article stories in
    bulk, as ``cluster_new`` would (they are distinct), without its per-article lookups:
    it only saves the benchmark minutes. The cursor is set past them."""
    joined = now.isoformat()
    while True:
        arts = list(db.query("SELECT id, title, body, lang, published, site, source "
                             "FROM articles WHERE id > ? ORDER BY id LIMIT ?",
                             [stories.cursor(db), chunk]))
        if not arts:
            return
        with archive.immediate(db):
            for art in arts:
                sset = shingles.article_shingles(art["title"], art["body"], art["lang"])
                at = times.article_time(art).timestamp()
                when = datetime.fromtimestamp(at, timezone.utc).isoformat()
                sid = db.execute("INSERT INTO stories(first_article_id, lang, title, first_seen, "
                                 "last_seen, size) VALUES (?, ?, ?, ?, ?, 1)",
                                 [art["id"], art["lang"], art["title"], when, when]).lastrowid
                db.execute("INSERT INTO story_members(article_id, story_id, similarity, site, "
                           "source, joined) VALUES (?, ?, 1.0, ?, ?, ?)",
                           [art["id"], sid, art["site"], art["source"], joined])
                db.execute("INSERT INTO story_signatures(article_id, lang, at, size, version, "
                           "minhash) VALUES (?, ?, ?, ?, ?, ?)",
                           [art["id"], art["lang"], at, len(sset), shingles.SKETCH_VERSION,
                            shingles.sketch_to_bytes(shingles.sketch(sset))])
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
    print(f"{archived:,} archived: inserted in {t1 - t0:.1f} s, signatures in {t2 - t1:.1f} s")
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
        # A new process: the LSH index is rebuilt from the stored signatures.
        story_index._indexes.clear()
        c0 = time.perf_counter()
        story_index.index_for(db).refresh(db, now.timestamp() - WINDOW_DAYS * 86400)
        cold.append(time.perf_counter() - c0)
        p0, w0 = time.process_time(), time.perf_counter()
        done = stories.cluster_new(db, window_days=WINDOW_DAYS, now=now)
        cpu.append(1000 * (time.process_time() - p0) / done)
        wall.append(1000 * (time.perf_counter() - w0) / done)
    size = len(story_index.index_for(db).times)
    joined = db.execute("SELECT COUNT(*) FROM story_members WHERE matched_article_id IS NOT NULL"
                        ).fetchone()[0]
    ms = statistics.median(cpu)
    print(f"{archived:,} archived: {ms:.2f} ms CPU per new article (median of {runs}: "
          f"{', '.join(f'{t:.2f}' for t in cpu)}; wall {statistics.median(wall):.2f} ms); "
          f"{joined} republications joined; index rebuild for the window "
          f"({size:,} signatures) {statistics.median(cold):.2f} s")
    db.close()
    return {"ms_per_article": round(ms, 3), "wall_ms_per_article": round(statistics.median(wall), 3),
            "index_rebuild_s": round(statistics.median(cold), 3), "window_signatures": size,
            "republications_joined": joined}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="2,000 and 20,000 archived instead of 10,000 and 100,000")
    args = parser.parse_args()
    small, large = (2_000, 20_000) if args.quick else (10_000, 100_000)
    evalset = story_evalset.make_evalset()
    print(f"evaluation set: {len(evalset.docs)} documents, {len(evalset.pairs)} labelled pairs "
          f"({sum(p.same for p in evalset.pairs)} same story, "
          f"{sum(not p.same for p in evalset.pairs)} different)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        tuned = tune_threshold(evalset)
        q = quality(evalset, work)
        links = crosslingual(evalset)
        now = datetime(2026, 11, 29, 8, 0, tzinfo=timezone.utc)
        s_small = speed(small, work, now)
        s_large = speed(large, work, now)
    ratio = s_large["ms_per_article"] / s_small["ms_per_article"]
    print(f"time per article at {large:,} / at {small:,} archived: {ratio:.2f}x (target <= 2)")
    result = {
        "precision": q["test"]["precision"], "recall": q["test"]["recall"],
        "ms_per_article_10k": s_small["ms_per_article"],
        "ms_per_article_100k": s_large["ms_per_article"],
        "ratio_100k_10k": round(ratio, 3),
        "wall_ms_per_article_10k": s_small["wall_ms_per_article"],
        "wall_ms_per_article_100k": s_large["wall_ms_per_article"],
        "republications_joined": [s_small["republications_joined"],
                                  s_large["republications_joined"]],
        "archived": [small, large],
        "precision_all": q["all"]["precision"], "recall_all": q["all"]["recall"],
        "pairs_test": q["test"]["pairs"], "pairs_all": q["all"]["pairs"],
        "rewrites_recall": q["extra"]["recall"],
        "threshold": stories.SAME_STORY, "threshold_tuned": tuned,
        "crosslingual_precision": links.get("precision"),
        "crosslingual_recall": links.get("recall"),
    }
    print(json.dumps(result))


def crosslingual(evalset) -> dict:
    """English ↔ Chinese original (stretch): every English text (the fixtures' English
    stories and the translations of Chinese ones) is linked to its best Chinese base
    story, if any; a link is right when that story is the one it translates."""
    from alerts import story_links
    from alerts.aliases import load_aliases

    aliases = load_aliases(ROOT / "seeds" / "aliases.toml")
    translations, versions = story_evalset.load_translations()
    chinese = [vars(d) for d in story_evalset.base_docs() if d.lang == "zh"]
    english = [(vars(d), versions.get(d.id)) for d in story_evalset.base_docs() if d.lang == "en"]
    english += [({"id": t["id"], "title": t["title"], "body": "\n".join(t["paragraphs"]),
                  "published": t["published"]}, t["of"]) for t in translations]
    made = right = 0
    for doc, original in english:
        found = story_links.best_original(doc, chinese, aliases)
        if found is not None:
            made += 1
            right += found["id"] == original
            if found["id"] != original:
                print(f"  wrong link: {doc['id']} → {found['id']} (truth: {original})")
        elif original:
            print(f"  missed: {doc['id']} (truth: {original})")
    should = sum(1 for _, original in english if original)
    precision = right / made if made else None
    recall = right / should if should else None
    print(f"cross-language links: {len(english)} English texts ({should} translate a Chinese "
          f"one), {made} links made, {right} right: precision "
          f"{precision if precision is None else round(precision, 3)}, recall "
          f"{recall if recall is None else round(recall, 3)} (rule fixed by hand, no held-out split)")
    return {"precision": None if precision is None else round(precision, 4),
            "recall": None if recall is None else round(recall, 4)}


if __name__ == "__main__":
    main()
