"""Extraction quality and speed, against trafilatura alone in the same run.

English: the scrapinghub article-extraction-benchmark (181 pages with ground-truth
bodies), scored with ../shared/tools/score_extraction.py (body F1 over 4-token shingles).
Chinese: GeneralNewsExtractor's 60 article pages (no ground truth): how many get a
non-empty title, date and body. Both read from ../shared/data (else /work/shared/data)
and are skipped when absent.

Timing: per page, our ``extract`` on the raw bytes (decoding included) and
``trafilatura.extract`` on the decoded text (decoding excluded, as the scorer times it),
interleaved so machine noise hits both alike. Medians in milliseconds.

Usage: python bench/extraction.py [--limit N] [--rounds R]
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def shared_dir() -> Path | None:
    for candidate in (REPO.parent / "shared", Path("/work/shared")):
        if (candidate / "data").is_dir():
            return candidate
    return None


def load_scorer(shared: Path):
    path = shared / "tools" / "score_extraction.py"
    spec = importlib.util.spec_from_file_location("score_extraction", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return out, (time.perf_counter() - t0) * 1000


def bench_english(scorer, root: Path, limit: int | None, rounds: int):
    import trafilatura

    from crawler.extraction import extract

    data = json.loads((root / "ground-truth.json").read_text("utf8"))
    keys = sorted(data)[:limit] if limit else sorted(data)
    truth = {k: data[k].get("articleBody", "") for k in keys}
    ours, theirs, ours_ms, theirs_ms = {}, {}, [], []
    for i, key in enumerate(keys):
        raw = scorer.read_raw(root / "html" / f"{key}.html.gz")
        html = scorer.decode_html(raw)
        url = data[key].get("url") or ""
        best_ours = best_theirs = float("inf")
        for r in range(rounds):
            # Alternate which runs first so caches and noise favour neither.
            if (i + r) % 2:
                result, ms_o = _timed(lambda: extract(raw, url))
                text, ms_t = _timed(lambda: trafilatura.extract(html, include_comments=False))
            else:
                text, ms_t = _timed(lambda: trafilatura.extract(html, include_comments=False))
                result, ms_o = _timed(lambda: extract(raw, url))
            best_ours, best_theirs = min(best_ours, ms_o), min(best_theirs, ms_t)
        ours[key], theirs[key] = result.body, text or ""
        ours_ms.append(best_ours)
        theirs_ms.append(best_theirs)
    mine = scorer.score_bodies(truth, ours, n_bootstrap=200)
    base = scorer.score_bodies(truth, theirs, n_bootstrap=200)
    return mine, base, ours_ms, theirs_ms, ours


def bench_chinese(root: Path):
    from crawler.extraction import extract

    pages = sorted((root / "tests").glob("*/*.html"))
    counts = {"title": 0, "date": 0, "body": 0}
    times = []
    for path in pages:
        raw = path.read_bytes()
        result, ms = _timed(lambda: extract(raw, f"http://{path.parent.name}.example/{path.name}"))
        times.append(ms)
        counts["title"] += bool(result.title)
        counts["date"] += bool(result.published)
        counts["body"] += len(result.body) >= 50
    n = len(pages) or 1
    return {k: v / n for k, v in counts.items()}, len(pages), times


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, help="only the first N English pages")
    ap.add_argument("--rounds", type=int, default=3,
                    help="time each page R times and keep the fastest (default 3)")
    ap.add_argument("--worst", type=int, default=0, help="print the N pages we score worst on")
    args = ap.parse_args(argv)
    shared = shared_dir()
    out = {"body_f1_en": None, "trafilatura_body_f1_en": None, "gne_title_rate": None,
           "gne_date_rate": None, "gne_body_rate": None, "median_ms": None,
           "trafilatura_median_ms": None}
    if shared is None:
        print("skipped: ../shared/data not found")
        print(json.dumps(out))
        return out
    scorer = load_scorer(shared)
    aeb = shared / "data" / "scrapinghub-aeb"
    if (aeb / "ground-truth.json").is_file():
        mine, base, ours_ms, theirs_ms, preds = bench_english(scorer, aeb, args.limit, args.rounds)
        out["body_f1_en"] = round(mine["f1"], 4)
        out["trafilatura_body_f1_en"] = round(base["f1"], 4)
        out["median_ms"] = round(statistics.median(ours_ms), 2)
        out["trafilatura_median_ms"] = round(statistics.median(theirs_ms), 2)
        print(f"English ({mine['n_docs']} pages): body F1 {mine['f1']:.4f} "
              f"(P {mine['precision']:.4f} R {mine['recall']:.4f}); trafilatura alone "
              f"{base['f1']:.4f} (P {base['precision']:.4f} R {base['recall']:.4f})")
        print(f"median ms per page: ours {out['median_ms']} (raw bytes, decoding included), "
              f"trafilatura {out['trafilatura_median_ms']}; ratio "
              f"{out['median_ms'] / out['trafilatura_median_ms']:.3f}")
        if args.worst:
            data = json.loads((aeb / "ground-truth.json").read_text("utf8"))
            rows = []
            for key, body in preds.items():
                tp, fp, fn = scorer.shingle_tp_fp_fn(data[key]["articleBody"], body, 4, "auto")
                rows.append((tp, fp, fn, key, data[key]["url"]))
            for tp, fp, fn, key, url in sorted(rows)[:args.worst]:
                print(f"  tp {tp:.2f} fp {fp:.2f} fn {fn:.2f}  {key[:12]}  {url}")
    else:
        print(f"skipped English: {aeb} not found")
    gne = shared / "data" / "gne-pages"
    if (gne / "tests").is_dir():
        rates, n, times = bench_chinese(gne)
        out.update({f"gne_{k}_rate": round(v, 4) for k, v in rates.items()})
        print(f"Chinese ({n} GNE pages): title {rates['title']:.1%}, date {rates['date']:.1%}, "
              f"body {rates['body']:.1%}; median {statistics.median(times):.1f} ms")
    else:
        print(f"skipped Chinese: {gne} not found")
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
