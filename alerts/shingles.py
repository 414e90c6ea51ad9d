"""Text → normalised characters → character shingles → MinHash sketch.

Character shingles suit Chinese (no word boundaries) and survive the small edits a
republication makes. Both sides of every comparison go through :func:`normalise`, so a
traditional-script reprint, a full-width copy or an added editor line still compare equal.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np
from datasketch import LeanMinHash, MinHash

try:  # the pre-mix update_batch applies (datasketch >= 2); tests check both paths agree
    from datasketch.minhash import _fmix
except ImportError:  # pragma: no cover
    _fmix = None

NUM_PERM = 128
SEED = 7
SCHEME = "affine32"
# Chinese shingles are shorter: one character carries what a word does in English.
SHINGLE_K = {"zh": 3, "en": 5}
DEFAULT_K = 4
# Stored beside each signature: a sketch made another way is never compared with this one.
SKETCH_VERSION = f"{SCHEME}/{NUM_PERM}/{SEED}/zh{SHINGLE_K['zh']}en{SHINGLE_K['en']}/n2"

# Lines that outlets add around a reprinted text: editors, sources, share/print widgets.
_BOILERPLATE_LINE = re.compile(
    r"^\s*[（(【\[]?\s*(责任编辑|编辑|责编|校对|审核|审校|签发|作者|记者|通讯员|来源|"
    r"文章来源|本文来源|稿件来源|原标题|原文链接|转载|分享到|扫一扫|相关阅读|相关新闻|"
    r"延伸阅读|版权所有|editors?|edited by|sources?|reporters?|reporting by|writing by|"
    r"translated by|translators?|original title|share|copyright|related|read more|"
    r"photos?|file photo)\s*[:：|]",
    re.IGNORECASE,
)
# Share and print widgets that make up a whole line.
_WIDGET_LINE = re.compile(
    r"^\s*(【纠错】|打印|关闭窗口|关闭|分享到.*|扫一扫.*|print|share|close|"
    r"all rights reserved.*|copyright ©.*|©.*)\s*$", re.IGNORECASE)
# Bracketed credit lines such as "（记者 王磊）" or "(Xinhua)" at the start or end of a text.
_SHORT_CREDIT = re.compile(r"^\s*[（(【\[][^）)】\]]{0,30}[）)】\]]\s*$")


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """OpenCC's traditional → simplified character table (character level: a reprint's
    script changes character by character, and both sides go through the same table)."""
    import opencc

    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and len(parts[0]) == 1:
            table[ord(parts[0])] = parts[1]
    return table


# Code points below this go through the lookup tables; the rare ones above are kept as is.
_TABLE_SIZE = 0x30000


# Ranges of code points that fold to something else or are letters outside Han: the rest
# of the table is identity (Han ideographs: kept) or dropped (private use, emoji, ...).
_HAN_RANGES = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0x20000, 0x2F800), (0x2FA20, 0x30000))
_FOLD_RANGES = ((0x80, 0x3400), (0x4DC0, 0x4E00), (0xA000, 0xD800), (0xF900, 0x10000),
                (0x1D400, 0x1D800), (0x1F100, 0x1F200), (0x2F800, 0x2FA20))


@lru_cache(maxsize=1)
def _code_tables() -> tuple[np.ndarray, np.ndarray]:
    """Per code point: what it normalises to (NFKC, lower case, traditional → simplified)
    and whether it is kept (letters and digits). Built once, so that normalising an
    article is two numpy lookups instead of three passes over a Python string."""
    t2s = _t2s_table()
    mapping = np.arange(_TABLE_SIZE, dtype=np.uint32)
    keep = np.zeros(_TABLE_SIZE, dtype=bool)
    for lo, hi in _HAN_RANGES:
        keep[lo:hi] = True
    for c in range(0x80):
        if chr(c).isalnum():
            mapping[c], keep[c] = ord(chr(c).lower()), True
    for lo, hi in _FOLD_RANGES:
        for c in range(lo, hi):
            folded = unicodedata.normalize("NFKC", chr(c)).lower()
            kept = [x for x in folded if x.isalnum()]
            if kept:  # a multi-character fold ("½" → "1⁄2") keeps its first letter or digit
                mapping[c], keep[c] = ord(kept[0]), True
    # Simplify after folding: a compatibility ideograph folds to a traditional one.
    fold_t2s = np.arange(_TABLE_SIZE, dtype=np.uint32)
    for trad, simp in t2s.items():
        if trad < _TABLE_SIZE and len(simp) == 1:
            fold_t2s[trad] = ord(simp)
    mapping = fold_t2s[np.minimum(mapping, _TABLE_SIZE - 1)]
    return mapping, keep


# A boilerplate line is short, or has a colon, bracket or © near its start.
_MAYBE_BOILERPLATE = re.compile(r"[:：|】）)©]")


def _is_boilerplate(line: str) -> bool:
    if len(line) > 80 or (len(line) > 24 and not _MAYBE_BOILERPLATE.search(line, 0, 20)):
        return False
    line = unicodedata.normalize("NFKC", line).translate(_t2s_table())
    return bool(_BOILERPLATE_LINE.match(line) or _WIDGET_LINE.match(line)
                or _SHORT_CREDIT.match(line))


def strip_boilerplate(text: str) -> str:
    """Drop the editor, source and share lines outlets add around a story."""
    return "\n".join(line for line in text.splitlines() if not _is_boilerplate(line))


def has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


def normalised_codes(text: str | None) -> np.ndarray:
    """The code points of :func:`normalise` as a numpy array (what shingling reads)."""
    text = strip_boilerplate(text or "")
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    mapping, keep = _code_tables()
    if codes.size and codes.max() >= _TABLE_SIZE:
        inside = codes < _TABLE_SIZE
        clipped = np.where(inside, codes, 0)
        return np.where(inside, mapping[clipped], codes)[np.where(inside, keep[clipped], True)]
    return mapping[codes][keep[codes]]


def normalise(text: str | None) -> str:
    """NFKC, lower case, traditional → simplified, boilerplate lines dropped, spaces and
    punctuation dropped: only letters and digits are left."""
    return normalised_codes(text).astype(np.uint32).tobytes().decode("utf-32-le")


def shingle_k(lang: str | None) -> int:
    return SHINGLE_K.get((lang or "").split("-")[0].lower(), DEFAULT_K)


_MASK32 = np.uint64(0xFFFFFFFF)
_MULT = np.uint64(0x100000001B3)  # FNV-1a's 64-bit prime, a good multiplier for code points


def code_shingles(codes: np.ndarray, k: int) -> set[int]:
    """The set of k-character shingles, each a 32-bit polynomial hash of its code points:
    the same in every process (unlike ``hash()``), and vectorised."""
    if not codes.size:
        return set()
    codes = codes.astype(np.uint64)
    n = len(codes) - k + 1
    if n <= 0:
        k, n = len(codes), 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):  # wrapping modulo 2**64 is the point
        for j in range(k):
            h = h * _MULT + codes[j:j + n]
        h = (h ^ (h >> np.uint64(32))) & _MASK32
    return set(h.tolist())


def shingles(normalised: str, k: int) -> set[int]:
    """Shingles of an already normalised string."""
    return code_shingles(np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32), k)


def article_shingles(title: str | None, body: str | None, lang: str | None) -> set[int]:
    """Shingles of an article: its body, or its title when the body is too short to
    say anything (a headline-only brief)."""
    codes = normalised_codes(body)
    if len(codes) < 40:
        codes = np.concatenate([normalised_codes(title), codes])
    return code_shingles(codes, shingle_k(lang))


def _identity(value):
    return value


@lru_cache(maxsize=1)
def _permutations():
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def sketch(shingle_set: set[int]) -> MinHash:
    """The MinHash of a shingle set (the shingles are already 32-bit hashes)."""
    if _fmix is not None and shingle_set:
        # datasketch's own update_batch arithmetic, without a Python call per shingle.
        a, b = _permutations()
        hv = _fmix(np.fromiter(shingle_set, dtype=np.uint32, count=len(shingle_set))
                   .reshape(-1, 1), 32)
        return MinHash(seed=SEED, scheme=SCHEME, hashvalues=(hv * a + b).min(axis=0),
                       permutations=(a, b))
    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=_identity,
                permutations=_permutations())
    if shingle_set:
        m.update_batch(list(shingle_set))
    return m


def sketch_to_bytes(m: MinHash) -> bytes:
    return np.asarray(m.hashvalues, dtype=np.uint32).tobytes()


def sketch_from_bytes(blob: bytes) -> LeanMinHash:
    """A stored sketch, as a LeanMinHash (no permutations: enough for LSH and Jaccard,
    and five times faster to rebuild an index from)."""
    return LeanMinHash(seed=SEED, scheme=SCHEME,
                       hashvalues=np.frombuffer(blob, dtype=np.uint32).copy())


def resemblance(a: set[int], b: set[int]) -> float:
    """How much of the shorter text the other one holds (containment), blended with
    Jaccard: a trimmed or extended reprint scores high, a same-topic story low."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / min(len(a), len(b))


def packed(shingle_set: set[int]) -> np.ndarray:
    """A shingle set as a sorted uint32 array: 4 bytes a shingle instead of ~60 in a set,
    for the shingles kept in memory between articles."""
    return np.sort(np.fromiter(shingle_set, dtype=np.uint32, count=len(shingle_set)))


def resemblance_packed(a: np.ndarray, b: np.ndarray) -> float:
    """:func:`resemblance` of two :func:`packed` sets."""
    if not a.size or not b.size:
        return 0.0
    return len(np.intersect1d(a, b, assume_unique=True)) / min(a.size, b.size)


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)
