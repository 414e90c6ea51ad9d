"""List inference: do seeds built by `sources add` find what hand-written seeds find, and
does the fallback keep sources alive through a redesign?

    python bench/inference.py

For every source of the real-site fixtures (``seeds/sources`` over
``tests/fixtures/sites``) and of the replay web (``seeds/replay-sources`` over
``seeds/replay``), except the VID probe (it has no list):

1. The hand-written seed is crawled against its replay folder (the reference).
2. Its ``[list]``, ``[pagination]`` and ``[article]`` tables are hidden: `sources add`'s
   ``propose`` builds a seed from the first start URL alone (the seed's other start
   URLs are kept: the same selectors must serve sibling columns), and that seed is
   crawled the same way.
3. ``recall``: the share of the reference's articles the inferred seed archived (per
   source and overall); ``extra_share``: the share of the inferred seed's articles the
   reference does not have; ``date_acc``: of the articles both archived with a date, the
   share whose published day agrees.
4. ``redesign_survival``: :func:`redesign` rewrites a copy of each folder as a redesign
   does (every class and id renamed; ``ul``/``li``/``span``/``h4`` turned into other tags;
   JSON keys renamed; feeds left alone), the hand-written seeds are crawled against it,
   and a source survives when its crawl still archives articles: ``degraded`` (its
   selectors broke and the fallback read the list) or ``ok`` (its selectors, a URL
   pattern over every link, did not break). ``redesign_degraded`` counts the first kind.
   Feed sources are left out (no selectors to break).

The last line is one JSON object: recall, min_source_recall, extra_share, date_acc,
redesign_survival (and per-source figures).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler import archive, runs  # noqa: E402
from crawler.seeds import load_sources  # noqa: E402
from newswatch.replay.server import ReplayServer  # noqa: E402
from newswatch.sources.add import propose, validate  # noqa: E402
from newswatch.sources.fetch import Fetcher  # noqa: E402
from newswatch.replay.check import check_replay  # noqa: E402

WEBS = [(ROOT / "seeds" / "sources", ROOT / "tests" / "fixtures" / "sites"),
        (ROOT / "seeds" / "replay-sources", ROOT / "seeds" / "replay")]
SKIP_SPIDERS = {"vid_probe"}


# --- the redesign ---------------------------------------------------------------------

_ATTR = re.compile(rb"""\b(class|id)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_TAGS = {b"ul": b"section", b"ol": b"section", b"li": b"div", b"span": b"em", b"h4": b"h3",
         b"table": b"div", b"tr": b"div", b"td": b"div", b"tbody": b"div"}
_TAG = re.compile(rb"<(/?)(" + b"|".join(_TAGS) + rb")(?=[\s>/])", re.I)


def _rename(token: bytes) -> bytes:
    return b"r" + hashlib.sha1(token).hexdigest()[:6].encode()


def redesign_html(raw: bytes) -> bytes:
    def attr(m):
        value = m.group(2)
        quote = value[:1] if value[:1] in (b'"', b"'") else b""
        inner = value[1:-1] if quote else value
        renamed = b" ".join(_rename(t) for t in inner.split())
        return m.group(1) + b"=" + (quote or b'"') + renamed + (quote or b'"')

    raw = _ATTR.sub(attr, raw)
    return _TAG.sub(lambda m: b"<" + m.group(1) + _TAGS[m.group(2).lower()], raw)


def redesign_json(value):
    if isinstance(value, dict):
        return {f"{k}_v2": redesign_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redesign_json(v) for v in value]
    if isinstance(value, str) and "<" in value and "href" in value:
        return redesign_html(value.encode("utf-8")).decode("utf-8")
    return value


def redesign(folder: Path, out: Path) -> Path:
    """A copy of the replay ``folder`` as the sites would look after a redesign."""
    shutil.copytree(folder, out)
    for path in out.rglob("*"):
        if not path.is_file() or path.name.endswith((".meta.toml", "expect.toml", ".txt")):
            continue
        raw = path.read_bytes()
        head = raw.lstrip()[:300].lower()
        if head[:1] in (b"{", b"["):
            try:
                data = json.loads(raw.decode("utf-8-sig"))
            except ValueError:
                continue
            path.write_text(json.dumps(redesign_json(data), ensure_ascii=False), "utf-8")
        elif head.startswith(b"<?xml") or b"<rss" in head or b"<urlset" in head:
            continue  # feeds and sitemaps are standards, not designs
        elif b"<" in head:
            path.write_bytes(redesign_html(raw))
    return out


# --- crawling and comparing -----------------------------------------------------------


def _articles(work: Path, name: str) -> tuple[dict[str, str | None], str]:
    db_path = work / f"{name}.db"
    if not db_path.exists():
        return {}, "not crawled"
    db = archive.connect(db_path)
    rows = {r["canonical_url"]: r["published"] for r in archive.articles_of_source(db, name)}
    run = runs.last_run(db)
    db.conn.close()
    return rows, run["outcome"] if run else "no run"


def _serve(folder: Path) -> ReplayServer:
    server = ReplayServer(folder, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _inferred_seeds(sources, folder: Path, out_dir: Path) -> dict[str, str]:
    """Write a seed built by `sources add` for each source; name → how (or the error)."""
    server = _serve(folder)
    fetcher = Fetcher(server.url)
    how = {}
    try:
        for s in sources:
            page = fetcher.get(s.start_urls[0], headers=s.headers)
            try:
                prop = propose(page, fetcher=fetcher, name=s.name, language=s.language)
                if len(s.start_urls) > 1:
                    prop.url = s.start_urls[0]
                text = prop.seed_text()
                first = f"start_urls = [{json.dumps(s.start_urls[0], ensure_ascii=False)}]"
                text = text.replace(first, "start_urls = " + json.dumps(
                    list(s.start_urls), ensure_ascii=False))
                validate(text, s.name)
            except Exception as exc:  # a failure is a figure, not a crash
                how[s.name] = f"FAILED: {exc}"
                continue
            (out_dir / f"{s.name}.toml").write_text(text, encoding="utf-8")
            how[s.name] = prop.how
    finally:
        fetcher.close()
        server.shutdown()
        server.server_close()
    return how


def _day(ts: str | None) -> str | None:
    if not ts:
        return None
    from datetime import datetime, timedelta, timezone

    dt = datetime.fromisoformat(ts)
    return (dt.astimezone(timezone(timedelta(hours=8)))).date().isoformat()


def main() -> int:
    per_source = {}
    total_ref = total_hit = total_inf = total_extra = dates = dates_ok = 0
    survived, redesigned, through_fallback = 0, 0, 0
    tmp = Path(tempfile.mkdtemp(prefix="newswatch-bench-inference-"))
    for i, (seeds_dir, folder) in enumerate(WEBS):
        sources = [s for s in load_sources(seeds_dir) if s.spider not in SKIP_SPIDERS]
        ref_work, inf_work, red_work = (tmp / f"{i}-ref", tmp / f"{i}-inf", tmp / f"{i}-red")
        check_replay(sources, folder, seeds_dir, keep=ref_work)
        inferred_dir = tmp / f"{i}-seeds"
        inferred_dir.mkdir()
        how = _inferred_seeds(sources, folder, inferred_dir)
        built = load_sources(inferred_dir, strict=False)
        check_replay(built, folder, inferred_dir, keep=inf_work)
        red_folder = redesign(folder, tmp / f"{i}-redesigned")
        breakable = [s for s in sources if s.kind != "feed"]
        check_replay(breakable, red_folder, seeds_dir, keep=red_work)
        for s in sources:
            ref, _ = _articles(ref_work, s.name)
            got, outcome = _articles(inf_work, s.name)
            hit = set(ref) & set(got)
            recall = len(hit) / len(ref) if ref else None
            row = {"recall": round(recall, 3) if recall is not None else None,
                   "reference": len(ref), "inferred": len(got), "extra": len(set(got) - set(ref)),
                   "outcome": outcome, "how": how.get(s.name, "")}
            if ref:
                total_ref += len(ref)
                total_hit += len(hit)
            total_inf += len(got)
            total_extra += len(set(got) - set(ref))
            for url in hit:
                if ref[url]:
                    dates += 1
                    dates_ok += _day(ref[url]) == _day(got[url])
            if s.kind != "feed":
                red, red_outcome = _articles(red_work, s.name)
                row["redesign"] = f"{red_outcome}, {len(red)} articles"
                redesigned += 1
                # Selectors that did not break (a link_pattern over every link) stay "ok";
                # the ones that broke must come through the fallback, marked "degraded".
                survived += bool(red) and red_outcome in ("ok", "degraded")
                through_fallback += red_outcome == "degraded"
            per_source[s.name] = row
            print(f"{s.name:24} recall {row['recall']!s:6} ref {len(ref):3} inferred "
                  f"{len(got):3} extra {row['extra']:2} {outcome:9} | redesign: "
                  f"{row.get('redesign', '-'):22} | {row['how']}")
    recalls = [r["recall"] for r in per_source.values() if r["recall"] is not None]
    result = {
        "recall": round(total_hit / total_ref, 3) if total_ref else None,
        "min_source_recall": min(recalls) if recalls else None,
        "extra_share": round(total_extra / total_inf, 3) if total_inf else None,
        "date_acc": round(dates_ok / dates, 3) if dates else None,
        "redesign_survival": round(survived / redesigned, 3) if redesigned else None,
        "redesign_degraded": through_fallback, "redesigned_sources": redesigned,
        "sources": len(per_source), "reference_articles": total_ref,
        "targets": {"recall": 0.95, "min_source_recall": 0.8, "extra_share": 0.05,
                    "redesign_survival": 1.0},
    }
    shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
