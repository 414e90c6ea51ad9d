"""Story clusters: one story republished, retold or translated by many outlets is one story.

:func:`cluster_new` walks the articles above its cursor, oldest first. Each is sketched
(MinHash over character shingles, see :mod:`alerts.shingles`) and fingerprinted
(figures, names, bodies, quoted titles, document numbers, the outlets it credits: see
:mod:`alerts.fingerprints`), then linked to one window article, by the first of:

1. ``shingles``: a near-duplicate of the same language (containment of the shorter text);
2. ``source``: an article of the outlet its original-source line credits, on the same story;
3. ``fingerprints``: the same facts (and, in one language, a similar title), close in time.

The linked article's story is joined; otherwise the article starts a story. The link and
its score are stored with the membership. Memberships, signatures, fingerprints and the
cursor are committed together, batch by batch, so a crash neither skips nor
double-assigns.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone

import sqlite_utils
from sqlite_utils.migrations import Migrations

from pathlib import Path

import seeds
from alerts import fingerprints, scanned, shingles, story_index
from alerts.aliases import load_alias_groups
from crawler import archive, times
from crawler.database import upsert_sql
from crawler.times import article_time

log = logging.getLogger(__name__)

CURSOR = "stories"
# Containment of the shorter text from which two articles are one story: the middle of
# the best-F1 range on the tune half of the evaluation set (bench/clustering.py).
SAME_STORY = 0.575
BATCH = 200
# How far below SAME_STORY a MinHash estimate may fall and still be checked exactly
# (with 128 permutations the Jaccard estimate's standard error is at most 0.045).
ESTIMATE_MARGIN = 0.2

# Fingerprint links (alerts.fingerprints.evidence): a candidate joins when its score
# (coverage of the lighter fingerprint, plus title similarity and shingle containment in
# one language, less a penalty per day apart) reaches JOIN and the shared weight MIN_SHARED.
JOIN = 0.62
MIN_SHARED = 2.4
TITLE_WEIGHT = 0.35
CONTAINMENT_WEIGHT = 0.6
DAY_PENALTY = 0.08
# With an original-source line naming the candidate's outlet, less is asked of it.
SOURCE_JOIN = 0.35
SOURCE_MIN_SHARED = 1.5
# Fingerprint candidates compared per article, those sharing the most specific tokens.
MAX_CANDIDATES = 25
# A same-language candidate proposed by its shingles alone must share this much of them.
MIN_CONTAINMENT = 0.15
# "21日", "on Thursday" are read against the publication day in Beijing time: the zone
# the institutions and outlets newswatch watches write in.
WRITTEN_IN = timezone(timedelta(hours=8))
# A notice is often three lines and the policy is its attachment: the text of the
# attachments that carry it joins the body for shingles and fingerprints, up to this
# much (a 200-page annex need not be shingled whole to be recognised).
ATTACHMENT_CHARS = 50_000
# Attachments that do not tell the story: forms, templates and return slips, which
# different notices attach alike (and spreadsheets, mostly lists and forms).
_FORM_NAME = re.compile(r"(表|模板|样表|样式|格式|回执|报名|申报书|申请书|承诺书|委托书|"
                        r"form|template)\s*(\(|（|\d|$)", re.I)
_STORY_TYPES = ("pdf", "docx", "doc", "wps")
# The alias groups read when no others are given: the bundled seeds/aliases.toml.
BUNDLED_ALIASES = seeds.ROOT / "aliases.toml"

migrations = Migrations("stories")


@migrations()
def m001_stories(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS cursors(name TEXT PRIMARY KEY, value INTEGER)")
    db["stories"].create(
        {"id": int, "first_article_id": int, "lang": str, "title": str,
         "first_seen": str, "last_seen": str, "size": int},
        pk="id", defaults={"size": 1},
    )
    db["stories"].create_index(["last_seen"])
    db["story_members"].create(
        {"article_id": int, "story_id": int, "similarity": float, "matched_article_id": int,
         "site": str, "source": str, "joined": str},
        pk="article_id",
    )
    db["story_members"].create_index(["story_id"])
    # The sketch of each article, so a new process rebuilds the window's LSH index
    # without re-reading bodies. `at` is published (else fetched), epoch seconds.
    db["story_signatures"].create(
        {"article_id": int, "lang": str, "at": float, "size": int, "version": str,
         "minhash": bytes},
        pk="article_id",
    )
    db["story_signatures"].create_index(["at"])


@migrations()
def m002_links_and_fingerprints(db: sqlite_utils.Database) -> None:
    # Which link joined a member (shingles, source, fingerprints; NULL for the first)
    # and what they shared; `similarity` holds the link's score.
    db["story_members"].add_column("link", str)
    db["story_members"].add_column("evidence", str)
    db["story_fingerprints"].create(
        {"article_id": int, "lang": str, "at": float, "title": str, "outlets": str,
         "version": str, "tokens": str},
        pk="article_id",
    )
    db["story_fingerprints"].create_index(["at"])


# ---------------------------------------------------------------- reading


def cursor(db: sqlite_utils.Database) -> int:
    """The id of the last article assigned to a story (0 before the first run)."""
    row = db.execute("SELECT value FROM cursors WHERE name = ?", [CURSOR]).fetchone()
    return int(row[0]) if row else 0


def story_of(db: sqlite_utils.Database, article_id: int) -> int | None:
    row = db.execute("SELECT story_id FROM story_members WHERE article_id = ?",
                     [article_id]).fetchone()
    return int(row[0]) if row else None


def get_story(db: sqlite_utils.Database, story_id: int) -> dict | None:
    rows = list(db.query("SELECT * FROM stories WHERE id = ?", [story_id]))
    return rows[0] if rows else None


MEMBER_FIELDS = ("url", "title", "site", "source", "original_source", "published",
                 "fetched", "lang")


def members(db: sqlite_utils.Database, story_id: int) -> list[dict]:
    """The story's articles, the earliest published first: id, url, title, site, source,
    original_source, published, fetched, lang, the link that joined each (``link``:
    ``shingles``, ``source``, ``fingerprints``; None for the one that started the story),
    its score (``similarity``), the member it linked to and what they shared."""
    out = []
    for m in db.query("SELECT * FROM story_members WHERE story_id = ? ORDER BY article_id",
                      [story_id]):
        art = archive.get_article(db, m["article_id"]) or {}
        row = {"id": m["article_id"], **{k: art.get(k) for k in MEMBER_FIELDS},
               "similarity": m["similarity"], "matched_article_id": m["matched_article_id"],
               "link": m.get("link"), "evidence": _evidence_list(m.get("evidence")),
               "joined": m["joined"]}
        out.append(row)
    out.sort(key=lambda r: (_sort_time(r), r["id"]))
    return out


def _evidence_list(text: str | None) -> list[str]:
    return [t for t in (text or "").split("\t") if t]


def _sort_time(member: dict) -> float:
    t = article_time(member)
    return t.timestamp() if t else float("inf")


def recent(db: sqlite_utils.Database, days: float, *, now: datetime | None = None) -> list[dict]:
    """Stories last seen within ``days`` of ``now``, newest first, each with the sites
    and sources of its members (``outlets``)."""
    since = times.utc_stamp(_now(now) - timedelta(days=days))
    stories = list(db.query("SELECT * FROM stories WHERE last_seen >= ? "
                            "ORDER BY last_seen DESC, id DESC", [since]))
    for s in stories:
        outlets = []
        for r in db.query("SELECT site, source FROM story_members WHERE story_id = ? "
                          "ORDER BY article_id", [s["id"]]):
            name = r["site"] or r["source"]
            if name and name not in outlets:
                outlets.append(name)
        s["outlets"] = outlets
    return stories


# ---------------------------------------------------------------- clustering


def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(timezone.utc)
    return now if now.tzinfo else now.replace(tzinfo=timezone.utc)


def lang_key(article: dict) -> str:
    """`zh`, `en`, …: the language part of the article's tag, else guessed from its script."""
    lang = (article.get("lang") or "").replace("_", "-").split("-")[0].lower()
    if lang:
        return lang
    text = (article.get("title") or "") + (article.get("body") or "")[:200]
    return "zh" if shingles.has_han(text) else "en"


def story_body(article: dict) -> str:
    """The text a story is recognised by: the body, then the text of the attachments that
    carry the policy (``files``, as ``crawler.archive.attachments_of`` gives them; not
    forms or spreadsheets), at most ATTACHMENT_CHARS of them."""
    body = article.get("body") or ""
    room, pieces = ATTACHMENT_CHARS, []
    for f in article.get("files") or ():
        text = f.get("text") or ""
        if room <= 0 or not text or f.get("outcome") not in scanned.TEXT_OUTCOMES \
                or f.get("type") not in _STORY_TYPES or _is_form(f.get("name") or ""):
            continue
        pieces.append(text[:room])
        room -= len(pieces[-1])
    return "\n\n".join([body, *pieces]) if pieces else body


def _is_form(name: str) -> bool:
    stem = name.rsplit(".", 1)[0] if "." in name[-6:] else name
    return bool(_FORM_NAME.search(stem.strip()))


def _shingles_of(index: story_index.WindowIndex, db, article_id: int):
    """A candidate's packed shingles: from the cache, else from its text (re-read)."""
    cached = index.shingle_cache.get(article_id)
    if cached is not None:
        return cached
    art = archive.get_article(db, article_id, with_attachments=True)
    found = shingles.packed(shingles.article_shingles(art.get("title"), story_body(art),
                                                      lang_key(art)) if art else set())
    index.remember_shingles(article_id, found)
    return found


def best_match(db, index: story_index.WindowIndex, article: dict, packed, sketch, lang: str,
               at: float, window_s: float) -> tuple[int, float] | None:
    """The most similar verified near-duplicate in the window: (article id, resemblance)."""
    best: tuple[int, float] | None = None
    found = [c for c in index.query(lang, sketch, at, window_s) if c != article["id"]]
    estimates = index.estimated_containment(found, sketch, packed.size)
    for cand, estimate in zip(found, estimates):
        if estimate < SAME_STORY - ESTIMATE_MARGIN:
            continue
        score = shingles.resemblance_packed(packed, _shingles_of(index, db, cand))
        if score >= SAME_STORY and (best is None or score > best[1]
                                    or (score == best[1] and cand < best[0])):
            best = (cand, score)
    return best


@dataclass
class Prepared:
    """What clustering needs of one article, computed outside the write lock."""

    packed: object  # numpy array of shingles
    sketch: object  # MinHash
    lang: str
    at: float
    entry: story_index.Entry


@dataclass(frozen=True)
class Link:
    """Why an article joins another's story."""

    article_id: int
    kind: str  # shingles, source, fingerprints
    score: float
    shared: tuple[str, ...] = ()


def link_score(index: story_index.WindowIndex, prep: Prepared, cand: int,
               containment: float = 0.0, df: _DF | None = None
               ) -> tuple[float, fingerprints.Evidence]:
    """The fingerprint score of a candidate (see JOIN), and the evidence behind it."""
    other = index.entries[cand]
    same_lang = other.lang == prep.lang
    ev = fingerprints.evidence(prep.entry.fp, other.fp, df or _DF(index))
    score = ev.coverage
    if same_lang:
        score += TITLE_WEIGHT * fingerprints.title_similarity(prep.entry.title, other.title)
        score += CONTAINMENT_WEIGHT * containment
    score -= DAY_PENALTY * max(0.0, abs(other.at - prep.at) / 86400 - 1)
    return score, ev


class _DF:
    """Token → number of window articles holding it, read from the index; and each
    token's weight at that number, computed once per article being linked."""

    def __init__(self, index: story_index.WindowIndex) -> None:
        self.index = index
        self.weights: dict[str, float] = {}

    def get(self, token: str, default: int = 1) -> int:
        return max(self.index.df(token), default)

    def weight(self, token: str) -> float:
        w = self.weights.get(token)
        if w is None:
            w = self.weights[token] = fingerprints.weight(token, self.get(token))
        return w


def fingerprint_link(db, index: story_index.WindowIndex, article: dict, prep: Prepared,
                     window_s: float) -> Link | None:
    """The best ``source`` link, else the best ``fingerprints`` link, or None."""
    me = article["id"]
    containment = {}
    if prep.packed.size:
        found = [c for c in index.query(prep.lang, prep.sketch, prep.at, window_s) if c != me]
        for cand, est in zip(found, index.estimated_containment(found, prep.sketch,
                                                                 prep.packed.size)):
            containment[cand] = float(min(est, 1.0))
    # Candidates: those sharing specific tokens, strongest first, and only as many as
    # could reach MIN_SHARED with every weak token of this article shared too.
    strong = index.fingerprint_candidates(prep.entry.fp, prep.at, window_s)
    strong.pop(me, None)
    weak = sum(fingerprints.weight(t) for t in prep.entry.fp.facts
               if fingerprints.kind(t) not in fingerprints.STRONG_KINDS)
    ranked = sorted((c for c, w in strong.items() if w + weak >= SOURCE_MIN_SHARED),
                    key=lambda c: (-strong[c], c))[:MAX_CANDIDATES]
    df = _DF(index)
    best: Link | None = None
    credited = index.outlet_articles(prep.entry.fp.credits, prep.at, window_s) - {me}
    for cand in sorted(credited & (set(ranked) | set(containment))):
        if cand not in index.entries:
            continue
        score, ev = link_score(index, prep, cand, containment.get(cand, 0.0), df)
        if ev.shared >= SOURCE_MIN_SHARED and score >= SOURCE_JOIN and (
                best is None or score > best.score):
            best = Link(cand, "source", round(min(score, 1.0), 4), _shown(ev))
    if best is not None:
        return best
    cands = {c for c in ranked if strong[c] + weak >= MIN_SHARED}
    cands |= {c for c, v in containment.items() if v >= MIN_CONTAINMENT}
    for cand in sorted(cands):
        if cand not in index.entries:
            continue
        score, ev = link_score(index, prep, cand, containment.get(cand, 0.0), df)
        if ev.shared >= MIN_SHARED and score >= JOIN and (best is None or score > best.score):
            best = Link(cand, "fingerprints", round(min(score, 1.0), 4), _shown(ev))
    return best


def _shown(ev: fingerprints.Evidence) -> tuple[str, ...]:
    """The heaviest shared tokens, as stored and shown (``m:`` repeats an ``n:``)."""
    return tuple(t for t in ev.tokens if not t.startswith("m:"))[:6]


def _assign(db, index, article: dict, prep: Prepared, window_s: float, joined: str) -> None:
    packed, sketch, lang, at = prep.packed, prep.sketch, prep.lang, prep.at
    when = times.utc_stamp(datetime.fromtimestamp(at, timezone.utc))
    match = best_match(db, index, article, packed, sketch, lang, at, window_s) \
        if packed.size else None
    link = Link(match[0], "shingles", round(match[1], 4)) if match else \
        fingerprint_link(db, index, article, prep, window_s)
    story_id = story_of(db, link.article_id) if link else None
    if story_id is None:
        story_id = db.execute(
            "INSERT INTO stories(first_article_id, lang, title, first_seen, last_seen, size) "
            "VALUES (?, ?, ?, ?, ?, 1)",
            [article["id"], lang, article.get("title"), when, when]).lastrowid
        link = None
    else:
        story = get_story(db, story_id)
        db.execute("UPDATE stories SET size = size + 1, "
                   "first_seen = MIN(first_seen, ?), last_seen = MAX(last_seen, ?) "
                   "WHERE id = ?", [when, when, story_id])
        if story and when < (story["first_seen"] or when):
            # Published before the story's first article: it becomes the first.
            db.execute("UPDATE stories SET first_article_id = ?, lang = ?, title = ? "
                       "WHERE id = ?", [article["id"], lang, article.get("title"), story_id])
    # Raw statements: sqlite-utils' insert() inspects the table on every call.
    db.execute(
        upsert_sql("story_members", ["article_id", "story_id", "similarity",
                                     "matched_article_id", "site", "source", "joined", "link",
                                     "evidence"], ["article_id"]),
        [article["id"], story_id, link.score if link else 1.0,
         link.article_id if link else None, article.get("site"), article.get("source"),
         joined, link.kind if link else None, "\t".join(link.shared) if link else None])
    if packed.size:
        db.execute(
            upsert_sql("story_signatures", ["article_id", "lang", "at", "size", "version",
                                            "minhash"], ["article_id"]),
            [article["id"], lang, at, int(packed.size), shingles.SKETCH_VERSION,
             shingles.sketch_to_bytes(sketch)])
        index.add(article["id"], lang, at, sketch, int(packed.size))
        index.remember_shingles(article["id"], packed)
    entry = prep.entry
    db.execute(
        upsert_sql("story_fingerprints", ["article_id", "lang", "at", "title", "outlets",
                                          "version", "tokens"], ["article_id"]),
        [article["id"], lang, at, entry.title, " ".join(sorted(entry.outlets)),
         fingerprints.VERSION, fingerprints.encode(entry.fp)])
    index.add_entry(article["id"], entry)


_alias_cache: dict = {}


def alias_index(aliases=None) -> fingerprints.AliasIndex:
    """The alias groups fingerprints read: a path, a ``{name: terms}`` mapping, or None
    for the bundled ``seeds/aliases.toml``. Built once per path or mapping."""
    if isinstance(aliases, fingerprints.AliasIndex):
        return aliases
    if isinstance(aliases, dict):
        key = ("dict", tuple(sorted((k, tuple(v)) for k, v in aliases.items())))
    else:
        path = Path(aliases) if aliases else BUNDLED_ALIASES
        try:
            key = ("path", str(path), path.stat().st_mtime_ns)
        except OSError:
            key = ("path", str(path), None)
    if key not in _alias_cache:
        places: set[str] = set()
        if isinstance(aliases, dict):
            groups = aliases
        else:
            try:
                loaded = load_alias_groups(path)
            except ValueError as exc:  # AliasError: cluster on, without the groups
                log.warning("stories: %s; fingerprints are read without alias groups", exc)
                loaded = {}
            groups = {name: g.terms for name, g in loaded.items()}
            places = {name for name, g in loaded.items() if g.kind == "place"}
        _alias_cache.clear()
        _alias_cache[key] = fingerprints.AliasIndex(groups, frozenset(places))
    return _alias_cache[key]


def _prepare(article: dict, now: datetime, aliases: fingerprints.AliasIndex) -> Prepared:
    """Shingles, sketch, language, time and fingerprint of an article. One that cannot
    be read gets nothing: it becomes a story of its own instead of stopping the cursor."""
    at = (article_time(article) or now).timestamp()
    title, body = article.get("title"), story_body(article)
    try:
        lang = lang_key(article)
        shingle_set = shingles.article_shingles(title, body, lang)
        fp = fingerprints.extract(title, body, aliases, doc_number=article.get("doc_number"),
                                  original_source=article.get("original_source"),
                                  published=datetime.fromtimestamp(at, WRITTEN_IN))
        outlets = set()
        for name in (article.get("site"), article.get("source"), _host(article.get("url"))):
            outlets |= aliases.group_of(name)
    except Exception as exc:  # noqa: BLE001 - one bad article must not block the rest
        log.warning("stories: article %s cannot be sketched (%s: %s); it gets a story of "
                    "its own", article.get("id"), type(exc).__name__, exc)
        lang, shingle_set = str(article.get("lang") or "und"), set()
        fp, outlets = fingerprints.Fingerprint(frozenset()), set()
    entry = story_index.Entry(lang, at, title or "", frozenset(outlets), fp)
    return Prepared(shingles.packed(shingle_set), shingles.sketch(shingle_set), lang, at, entry)


def _host(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    return url.split("://", 1)[1].split("/", 1)[0].split(":")[0]


def cluster_new(db: sqlite_utils.Database, *, window_days: float = 3,
                now: datetime | None = None, batch: int = BATCH, aliases=None) -> int:
    """Assign every article above the stories cursor to a story; return how many.

    An article joins the story of the window article it is linked to (near-duplicate,
    credited original, or the same facts; see the module docstring), within
    ``window_days`` of it, else starts a new story. ``aliases``: the alias groups the
    fingerprints read (a path or ``{name: terms}``; default the bundled file).
    """
    now = _now(now)
    window_s = window_days * 86400
    groups = alias_index(aliases)
    done = 0
    while True:
        start = cursor(db)
        rows = archive.articles_after(db, start, limit=batch, with_attachments=True)
        if not rows:
            return done
        # Sketch outside the write lock; only lookups and writes happen inside it.
        prepared = [_prepare(a, now, groups) for a in rows]
        index = story_index.index_for(db)
        try:
            with index.lock, archive.immediate(db):
                if cursor(db) != start:
                    continue  # another process took this batch; read on from its cursor
                oldest = min(p.at for p in prepared)
                index.refresh(db, min(oldest, now.timestamp()) - window_s)
                joined = times.utc_stamp(now)
                for article, prep in zip(rows, prepared):
                    if story_of(db, article["id"]) is None:
                        _assign(db, index, article, prep, window_s, joined)
                db.execute("INSERT INTO cursors(name, value) VALUES (?, ?) "
                           "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                           [CURSOR, rows[-1]["id"]])
        except BaseException:
            story_index.forget(db)  # its in-memory additions were rolled back
            raise
        done += len(rows)


# ---------------------------------------------------------------- reading for the web


def outlets_of(db: sqlite_utils.Database, story_ids: Iterable[int]) -> dict[int, list[dict]]:
    """``{story_id: [{article_id, source, site}, ...]}`` for a page of stories, one query
    (the "also published by" of a list of matches)."""
    wanted = sorted({int(s) for s in story_ids if s is not None})
    out: dict[int, list[dict]] = {s: [] for s in wanted}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        for r in db.query("SELECT story_id, article_id, source, site FROM story_members "
                          f"WHERE story_id IN ({','.join('?' * len(chunk))}) "
                          "ORDER BY article_id", chunk):
            out[r["story_id"]].append({"article_id": r["article_id"], "source": r["source"],
                                       "site": r["site"]})
    return out
