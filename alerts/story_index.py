"""The in-memory index of the window's articles, rebuilt from ``story_signatures`` and
``story_fingerprints``.

Two lookups: MinHash LSH over the signatures (per language), and an inverted index from
fingerprint tokens and credited outlets (:mod:`alerts.fingerprints`) to articles. It
holds only the articles of the time window, so a lookup costs the same with ten thousand
or ten million articles archived. One index is kept per archive file per process and
topped up with rows other processes wrote since.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

from alerts import fingerprints, shingles

# Jaccard level where LSH starts proposing candidates; they are then verified exactly.
LSH_THRESHOLD = 0.2
# Shingle sets of recent articles kept in memory, so verification rarely re-reads a body.
SHINGLE_CACHE_SIZE = 4000
# A token held by more window articles than this proposes no candidates (it still
# counts, damped, when two candidates are compared): it is a topic, not a story.
MAX_POSTING = 300


@dataclass(frozen=True)
class Entry:
    """What the window keeps of one article for the fingerprint lookups."""

    lang: str
    at: float
    title: str
    outlets: frozenset[str]  # alias groups of its site and source
    fp: fingerprints.Fingerprint


class WindowIndex:
    """MinHash LSH over the signatures with a time at or after ``lo`` (epoch seconds)."""

    def __init__(self, identity: tuple = ()) -> None:
        self.identity = identity  # the archive file's (device, inode) when built
        self.lock = threading.Lock()  # held for a whole batch: threads share this index
        self._clear()

    def _clear(self) -> None:
        self.lsh: dict[str, MinHashLSH] = {}
        self.times: dict[int, tuple[str, float]] = {}  # article id → (lang, time)
        self.sketches: dict[int, tuple[np.ndarray, int]] = {}  # id → (hash values, shingles)
        self.lo: float | None = None
        self.max_id = 0
        self.shingle_cache: OrderedDict[int, np.ndarray] = OrderedDict()  # packed shingles
        self.entries: dict[int, Entry] = {}  # article id → fingerprint entry
        self.postings: dict[str, set[int]] = {}  # token → article ids
        self.by_outlet: dict[str, set[int]] = {}  # alias group → article ids
        self.fp_max_id = 0
        self.fp_lo: float | None = None

    def _lsh(self, lang: str) -> MinHashLSH:
        if lang not in self.lsh:
            self.lsh[lang] = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=shingles.NUM_PERM)
        return self.lsh[lang]

    def add(self, article_id: int, lang: str, at: float, sketch: MinHash, size: int) -> None:
        if article_id in self.times:
            return
        self._lsh(lang).insert(article_id, sketch, check_duplication=False)
        self.times[article_id] = (lang, at)
        self.sketches[article_id] = (np.asarray(sketch.hashvalues), size)
        self.max_id = max(self.max_id, article_id)

    def remove(self, article_id: int) -> None:
        lang, _ = self.times.pop(article_id)
        self.sketches.pop(article_id, None)
        self.lsh[lang].remove(article_id)
        self.shingle_cache.pop(article_id, None)

    def add_entry(self, article_id: int, entry: Entry) -> None:
        if article_id in self.entries:
            return
        self.entries[article_id] = entry
        for t in entry.fp.tokens:
            self.postings.setdefault(t, set()).add(article_id)
        for o in entry.outlets:
            self.by_outlet.setdefault(o, set()).add(article_id)
        self.fp_max_id = max(self.fp_max_id, article_id)

    def remove_entry(self, article_id: int) -> None:
        entry = self.entries.pop(article_id)
        for t in entry.fp.tokens:
            ids = self.postings.get(t)
            if ids is not None:
                ids.discard(article_id)
                if not ids:
                    del self.postings[t]
        for o in entry.outlets:
            self.by_outlet.get(o, set()).discard(article_id)

    def df(self, token: str) -> int:
        """How many window articles hold ``token``."""
        return len(self.postings.get(token, ()))

    def fingerprint_candidates(self, fp: fingerprints.Fingerprint, at: float,
                               window_s: float) -> dict[int, float]:
        """Window articles sharing a specific token (see STRONG_KINDS) with ``fp``, each
        with the weight of the specific tokens it shares (an upper bound is enough:
        this only ranks and prunes)."""
        found: dict[int, float] = {}
        for t in fp.tokens:
            if fingerprints.kind(t) in fingerprints.STRONG_KINDS:
                for key in fingerprints.candidate_keys(t):
                    ids = self.postings.get(key)
                    if ids and len(ids) <= MAX_POSTING:
                        w = fingerprints.weight(key, len(ids)) or \
                            fingerprints.WEIGHTS["pn"] * min(1.0, fingerprints.DF_FREE / len(ids))
                        for a in ids:
                            found[a] = found.get(a, 0.0) + w
        entries = self.entries
        return {a: w for a, w in found.items() if abs(entries[a].at - at) <= window_s}

    def outlet_articles(self, outlets, at: float, window_s: float) -> set[int]:
        """Window articles published by one of the ``outlets`` (alias groups)."""
        found: set[int] = set()
        for o in outlets:
            found |= self.by_outlet.get(o, set())
        return {a for a in found if abs(self.entries[a].at - at) <= window_s}

    def query(self, lang: str, sketch: MinHash, at: float, window_s: float) -> list[int]:
        """Candidate article ids of ``lang`` whose time is within the window of ``at``."""
        if lang not in self.lsh:
            return []
        found = self.lsh[lang].query(sketch)
        return [a for a in found if abs(self.times[a][1] - at) <= window_s]

    def estimated_containment(self, candidates: list[int], sketch: MinHash,
                              size: int) -> np.ndarray:
        """Containment of the smaller text estimated from the sketches (Jaccard J and the
        two sizes: J·(|A|+|B|) / ((1+J)·min)), to skip exact checks that cannot pass."""
        if not candidates:
            return np.zeros(0)
        values = np.stack([self.sketches[c][0] for c in candidates])
        sizes = np.array([self.sketches[c][1] for c in candidates], dtype=float)
        j = (values == np.asarray(sketch.hashvalues)).mean(axis=1)
        return j * (sizes + size) / ((1 + j) * np.maximum(np.minimum(sizes, size), 1))

    def refresh(self, db, lo: float) -> None:
        """Load what the window from ``lo`` needs: older rows if ``lo`` moved back,
        rows written since the last load, and forget rows well before ``lo``."""
        version = shingles.SKETCH_VERSION
        top = db.execute("SELECT COALESCE(MAX(article_id), 0) FROM story_signatures").fetchone()[0]
        top_fp = db.execute("SELECT COALESCE(MAX(article_id), 0) FROM story_fingerprints"
                            ).fetchone()[0]
        if top < self.max_id or top_fp < self.fp_max_id:
            self._clear()  # rows we hold are gone (a restored file): start again
        # Rows other processes wrote since the last load: fixed before loading older rows,
        # which may carry higher ids (a backfill) and would move max_id past them.
        since_id = self.max_id
        if self.lo is None or lo < self.lo:
            sql = ("SELECT article_id, lang, at, minhash, size FROM story_signatures "
                   "WHERE at >= ? AND version = ?")
            params: list = [lo, version]
            if self.lo is not None:
                sql += " AND at < ?"
                params.append(self.lo)
            self._load(db.execute(sql, params))
            self.lo = lo
        self._load(db.execute(
            "SELECT article_id, lang, at, minhash, size FROM story_signatures "
            "WHERE article_id > ? AND at >= ? AND version = ?", [since_id, self.lo, version]))
        self._refresh_entries(db, lo)
        if lo - self.lo > 86400:
            # Evict in one sweep once a day's worth has gone stale, not on every call.
            for article_id in [a for a, (_, t) in self.times.items() if t < lo]:
                self.remove(article_id)
            self.lo = lo
        if lo - self.fp_lo > 86400:
            for article_id in [a for a, e in self.entries.items() if e.at < lo]:
                self.remove_entry(article_id)
            self.fp_lo = lo

    def _refresh_entries(self, db, lo: float) -> None:
        """The fingerprint rows of the window, as :meth:`refresh` loads signatures."""
        version = fingerprints.VERSION
        cols = "article_id, lang, at, title, outlets, tokens FROM story_fingerprints"
        since_id = self.fp_max_id
        if self.fp_lo is None or lo < self.fp_lo:
            sql, params = f"SELECT {cols} WHERE at >= ? AND version = ?", [lo, version]
            if self.fp_lo is not None:
                sql += " AND at < ?"
                params.append(self.fp_lo)
            self._load_entries(db.execute(sql, params))
            self.fp_lo = lo
        self._load_entries(db.execute(f"SELECT {cols} WHERE article_id > ? AND at >= ? "
                                      "AND version = ?", [since_id, self.fp_lo, version]))

    def _load_entries(self, rows) -> None:
        for article_id, lang, at, title, outlets, tokens in rows:
            self.add_entry(article_id, Entry(lang, at, title or "",
                                             frozenset((outlets or "").split()),
                                             fingerprints.decode(tokens)))

    def _load(self, rows) -> None:
        for article_id, lang, at, blob, size in rows:
            self.add(article_id, lang, at, shingles.sketch_from_bytes(blob), size or 0)

    def remember_shingles(self, article_id: int, packed: np.ndarray) -> None:
        self.shingle_cache[article_id] = packed
        self.shingle_cache.move_to_end(article_id)
        while len(self.shingle_cache) > SHINGLE_CACHE_SIZE:
            self.shingle_cache.popitem(last=False)


_indexes: dict[str, WindowIndex] = {}
_indexes_lock = threading.Lock()


def _identity(path: str) -> tuple:
    try:
        st = os.stat(path)
    except OSError:
        return ()
    return (st.st_dev, st.st_ino)


def index_for(db) -> WindowIndex:
    """The process's index for this archive file (a fresh one for an in-memory db, or
    when another file now sits at the same path)."""
    path = db.execute("PRAGMA database_list").fetchone()[2]
    key = path or f"memory:{id(db)}"
    identity = _identity(path) if path else ()
    with _indexes_lock:
        if key not in _indexes or _indexes[key].identity != identity:
            _indexes[key] = WindowIndex(identity)
        return _indexes[key]


def forget(db) -> None:
    """Drop the cached index (after a rolled-back batch, whose entries were never stored)."""
    key = db.execute("PRAGMA database_list").fetchone()[2] or f"memory:{id(db)}"
    with _indexes_lock:
        _indexes.pop(key, None)
