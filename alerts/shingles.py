"""Text → normalised characters → character shingles → MinHash sketch.

Character shingles suit Chinese (no word boundaries) and survive the small edits a
republication makes. Both sides of every comparison go through :func:`normalise`, so a
traditional-script reprint, a full-width copy or an added editor line still compare equal.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from functools import lru_cache

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
SEED = 7
SCHEME = "affine32"
# Chinese shingles are shorter: one character carries what a word does in English.
SHINGLE_K = {"zh": 3, "en": 5}
DEFAULT_K = 4
# Stored beside each signature: a sketch made another way is never compared with this one.
SKETCH_VERSION = f"{SCHEME}/{NUM_PERM}/{SEED}/zh{SHINGLE_K['zh']}en{SHINGLE_K['en']}/n1"

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
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def strip_boilerplate(text: str) -> str:
    """Drop the editor, source and share lines outlets add around a story."""
    kept = []
    for line in text.splitlines():
        if len(line) <= 80 and (_BOILERPLATE_LINE.match(line) or _WIDGET_LINE.match(line)
                                or _SHORT_CREDIT.match(line)):
            continue
        kept.append(line)
    return "\n".join(kept)


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


def normalise(text: str | None) -> str:
    """NFKC, traditional → simplified, lower case, boilerplate lines, spaces and
    punctuation dropped: only letters and digits are left."""
    text = unicodedata.normalize("NFKC", text or "")
    text = strip_boilerplate(text)
    if _has_han(text):
        text = _t2s().convert(text)
    return "".join(ch for ch in text.lower() if ch.isalnum())


def shingle_k(lang: str | None) -> int:
    return SHINGLE_K.get((lang or "").split("-")[0].lower(), DEFAULT_K)


def shingles(normalised: str, k: int) -> set[int]:
    """The set of k-character shingles, each as a stable 32-bit CRC (the same in every
    process, unlike ``hash()``)."""
    if len(normalised) <= k:
        return {zlib.crc32(normalised.encode("utf-8"))} if normalised else set()
    return {zlib.crc32(normalised[i:i + k].encode("utf-8"))
            for i in range(len(normalised) - k + 1)}


def article_shingles(title: str | None, body: str | None, lang: str | None) -> set[int]:
    """Shingles of an article: its body, or its title when the body is too short to
    say anything (a headline-only brief)."""
    k = shingle_k(lang)
    text = normalise(body)
    if len(text) < 40:
        text = normalise(title) + text
    return shingles(text, k)


def _identity(value):
    return value


@lru_cache(maxsize=1)
def _permutations():
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def sketch(shingle_set: set[int]) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=_identity,
                permutations=_permutations())
    if shingle_set:
        m.update_batch(list(shingle_set))
    return m


def sketch_to_bytes(m: MinHash) -> bytes:
    return np.asarray(m.hashvalues).tobytes()


def sketch_from_bytes(blob: bytes) -> MinHash:
    values = np.frombuffer(blob, dtype=np.asarray(sketch(set()).hashvalues).dtype)
    return MinHash(seed=SEED, scheme=SCHEME, hashvalues=values.copy(),
                   permutations=_permutations())


def resemblance(a: set[int], b: set[int]) -> float:
    """How much of the shorter text the other one holds (containment), blended with
    Jaccard: a trimmed or extended reprint scores high, a same-topic story low."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / min(len(a), len(b))


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)
