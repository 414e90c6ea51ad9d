"""Text normalisation shared by queries and articles, so both sides compare alike.

``normalize(text)`` lower-cases, folds compatibility forms (NFKC: full-width ＡＢＣ/１２３,
＋ → +), converts traditional to simplified Chinese, unifies punctuation variants
(〔〕【】［］ → [], “” → ") and squeezes whitespace: a run of spaces becomes one space
between two Latin word characters and disappears elsewhere, so "AI + manufacturing",
"AI+manufacturing" and "人工智能 ＋ 制造" compare equal to their unspaced forms.

opencc-python-reimplemented converts a few thousand characters per millisecond, far too
slow to run on every article, so its dictionaries are compiled once here into a
``str.translate`` table (single characters) plus a regex for the few phrases whose
conversion differs from character by character; ``OpenCC('t2s')`` stays the reference
the tests compare against.
"""

from __future__ import annotations

import bisect
import os
import re
import sys
import unicodedata
from functools import lru_cache

# Characters that make up a Latin "word": a term starting or ending with one must not
# touch another one in the text (so "ai" does not match "said").
WORD_CHARS = "0-9a-z\u00b5\u00df-\u00f6\u00f8-\u024f"
_WORD = re.compile(f"[{WORD_CHARS}]")
WORDSET = frozenset(c for c in map(chr, range(0x250)) if _WORD.fullmatch(c))

# Punctuation variants NFKC leaves apart but users type interchangeably.
_PUNCT = {
    "〔": "[", "〕": "]", "【": "[", "】": "]", "〖": "[", "〗": "]", "［": "[", "］": "]",
    "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'",
    "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "−": "-",
    "·": "·", "・": "·", "•": "·", "\u3000": " ", "\xa0": " ",
    "ς": "σ",  # final sigma: whole-string lower() makes it, per-character lower() does not
}

_SPACES = re.compile(r"\s+")
# Whitespace that squeeze() shortens: runs of 2+, or one not between two word characters
# (the single spaces between English words, nearly all of them, are skipped).
_SHRINKING_SPACES = re.compile(f"\\s(?:\\s+|(?![{WORD_CHARS}])|(?<![{WORD_CHARS}]\\s))")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# A single space survives only between two word characters (written to start with the
# literal space: a leading look-behind makes the regex try every position, 50x slower).
_LONE_SPACE = re.compile(f" (?:(?![{WORD_CHARS}])|(?<![{WORD_CHARS}] ))")
# Frequent in Chinese text: replaced with str.replace so that the rare characters left
# can be found with one fast regex search before paying for a full translate.
_COMMON = "，；：？！“”‘’（）【】〔〕—\u3000％"


def _opencc_dir() -> str:
    import opencc

    return os.path.join(os.path.dirname(opencc.__file__), "dictionary")


def _read_pairs(name: str) -> dict[str, str]:
    pairs = {}
    with open(os.path.join(_opencc_dir(), name), encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 2 and parts[0]:
                pairs[parts[0]] = parts[1].split(" ")[0]
    return pairs


_ASTRAL_FOLDED = ((0x10400, 0x10428), (0x104B0, 0x104D4), (0x10570, 0x10596),
                  (0x10781, 0x107BB), (0x10C80, 0x10CB3), (0x118A0, 0x118C0),
                  (0x16E40, 0x16E60), (0x1D15E, 0x1D165), (0x1D1BB, 0x1D1C1),
                  (0x1D400, 0x1D800), (0x1E900, 0x1E922), (0x1EE00, 0x1EEBC),
                  (0x1F100, 0x1F191), (0x1F200, 0x1F252), (0x1FBF0, 0x1FBFA),
                  (0x2F800, 0x2FA1E))


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], re.Pattern | None, dict[str, str], re.Pattern]:
    """Build the translate table, the phrase regex and the test for rare characters."""
    t2s = _read_pairs("TSCharacters.txt")
    table: dict[int, str] = {}

    def fold(ch: str) -> str:
        out = unicodedata.normalize("NFKC", t2s.get(ch, ch)).lower()
        out = "".join(_PUNCT.get(c, c) for c in out)
        return "".join(t2s.get(c, c) for c in out)

    candidates = set(t2s) | set(_PUNCT)
    for cp in range(0x80, 0x10000):
        if not 0xD800 <= cp <= 0xDFFF:
            candidates.add(chr(cp))
    # Beyond the BMP, only the blocks NFKC or lower() change (listed once from
    # unicodedata: scanning a million code points at every start-up costs a second).
    for lo, hi in _ASTRAL_FOLDED:
        candidates.update(map(chr, range(lo, hi)))
    for ch in candidates:
        if len(ch) != 1:
            continue
        out = fold(ch.lower()) if ch.lower() != ch else fold(ch)
        if out == ch:
            continue
        for _ in range(3):  # until stable, so that normalising twice changes nothing
            again = "".join(fold(c) for c in out)
            if again == out:
                break
            out = again
        if out != ch and len(out) == 1:  # one for one: offsets in the text stay aligned
            table[ord(ch)] = out
    # Phrases whose conversion is not the character-by-character one (瞭解 → 了解).
    phrases = {}
    for trad, simp in _read_pairs("TSPhrases.txt").items():
        if "".join(t2s.get(c, c) for c in trad) != simp:
            phrases[trad] = simp
    phrase_re = None
    if phrases:
        phrase_re = re.compile("|".join(map(re.escape, sorted(phrases, key=len, reverse=True))))
    # Only characters of the Basic Multilingual Plane: one beyond it turns the class
    # into a linear list (100x slower); those are caught by _ASTRAL in fold().
    rare = {chr(k) for k in table if k < 0x10000 and chr(k) not in _COMMON}
    # A phrase with no character in the table (瞭解 → 了解: 瞭 alone stays 瞭) is spotted
    # by its traditional-only characters (瞭, 覆, 藉…), never by common ones: 沈默 → 沉默
    # is left out, as 沈 is also a simplified surname and would slow every article.
    rare.update(c for p in phrases for c in p if c in t2s and ord(c) < 0x10000)
    rare = "".join(sorted(rare))
    rare_re = re.compile("[" + re.escape(rare) + "]")
    return table, phrase_re, phrases, rare_re


def _phrases(text: str) -> str:
    _, phrase_re, phrases, _ = _tables()
    if phrase_re is not None:
        text = phrase_re.sub(lambda m: phrases[m.group()], text)
    return text


def fold(text: str) -> str:
    """Case, width, script and punctuation folding; keeps whitespace as it is."""
    if text.isascii():
        return text.lower()
    table, _, _, rare_re = _tables()
    if rare_re.search(text) or _ASTRAL.search(text):
        return _phrases(text).lower().translate(table)
    text = text.lower()
    for ch in _COMMON:
        if ch in text:
            text = text.replace(ch, table[ord(ch)])
    return text


def squeeze(text: str) -> str:
    """Whitespace: one space between Latin words, none elsewhere."""
    text = " ".join(text.split())  # C speed, unlike a regex over every character
    return _LONE_SPACE.sub("", text) if " " in text else text


def normalize(text: str | None) -> str:
    """The comparable form of ``text`` (see the module docstring)."""
    if not text:
        return ""
    return squeeze(fold(text).replace("\x00", " "))


class _SpacesRemoved:
    """For ``squeeze(folded)``: the normalised position after each whitespace run that
    shrank (``keys``) and the characters removed up to there (``removed``), found lazily:
    only as far into the text as the positions asked for (hits are often near the top)."""

    def __init__(self, folded: str):
        self.folded, self.keys, self.removed = folded, [], []
        self._runs = _SHRINKING_SPACES.finditer(folded)
        self._total, self._done = 0, False

    def shift_at(self, p: int) -> int:
        """Characters removed before normalised position ``p``."""
        folded, n = self.folded, len(self.folded)
        while not self._done and (not self.keys or self.keys[-1] <= p):
            m = next(self._runs, None)
            if m is None:
                self._done = True
                break
            s, e = m.span()
            kept = int(0 < s and e < n and folded[s - 1] in WORDSET and folded[e] in WORDSET)
            if (e - s) - kept:
                self._total += (e - s) - kept
                self.keys.append(e - self._total)
                self.removed.append(self._total)
        i = bisect.bisect_right(self.keys, p) - 1
        return self.removed[i] if i >= 0 else 0


def position_map(text: str | None, folded: str | None = None, normed: str | None = None):
    """A function from a position in ``normalize(text)`` to the position in ``text`` it
    came from (one past the end maps to ``len(text)``). Cheap: folding maps each character
    to exactly one character, so only removed whitespace moves positions. ``folded``
    (``fold(text)``, NULs as spaces) and ``normed`` (``squeeze(folded)``) save
    computing them again when the caller has them."""
    text = text or ""
    if folded is None:
        folded = fold(text).replace("\x00", " ")
    size = len(text)
    if len(folded) != size:  # lower() of a rare letter (İ) grew: walk per character
        offsets = normalize_with_offsets(text)[1]
        return lambda p: offsets[min(p, len(offsets) - 1)]
    if normed is None:
        normed = squeeze(folded)
    if len(normed) == size:
        return lambda p: min(p, size)  # no whitespace removed: nothing moved
    # Every whitespace character of ``folded`` is removed or kept as one of normed's spaces.
    spaces = size - len(normed) + normed.count(" ")
    if folded.count(" ") == spaces:  # plain spaces only: the usual case, two counts
        return _NonSpaceIndex(folded, normed, (" ",)).original
    kinds = tuple(c for c in _USUAL_SPACES if c in folded)
    if sum(folded.count(c) for c in kinds) == spaces:
        return _NonSpaceIndex(folded, normed, kinds).original
    shifts = _SpacesRemoved(folded)  # rarer whitespace (\x0b, \u2028…): walk the runs
    return lambda p: min(size, p + shifts.shift_at(p))


_USUAL_SPACES = (" ", "\n", "\t", "\r")


class _NonSpaceIndex:
    """Maps positions of ``squeeze(folded)`` back by counting, with ``str.count`` (C
    speed), whitespace in ``folded``: the k-th non-space character of one is the k-th of
    the other. For texts whose whitespace is all in ``kinds``. Each answer is kept as a
    starting point, so the end of a hit costs counts over the hit alone; walking the
    whitespace runs with a regex instead cost tens of microseconds an article."""

    def __init__(self, folded: str, normed: str, kinds: tuple[str, ...]):
        self.folded, self.normed, self.kinds = folded, normed, kinds
        # Known points (p, k, o): k non-space characters in normed[:p], and o the first
        # position of folded with k non-space characters before it.
        self._ps, self._known = [0], [(0, 0, 0)]

    def _spaces(self, lo: int, hi: int) -> int:
        folded = self.folded
        if len(self.kinds) == 1:
            return folded.count(self.kinds[0], lo, hi)
        return sum(folded.count(c, lo, hi) for c in self.kinds)

    def original(self, p: int) -> int:
        normed, folded = self.normed, self.folded
        if p >= len(normed):
            return len(folded)
        i = bisect.bisect_right(self._ps, p) - 1
        p0, k0, o0 = self._known[i]
        k = k0 + (p - p0) - normed.count(" ", p0, p)  # non-space characters before p
        # The first o with k non-space characters before it: o = o0 + (k - k0) + the
        # spaces in folded[o0:o], reached from below (each round adds the stretch's).
        o, spaces = o0 + k - k0, self._spaces(o0, o0 + k - k0)
        while o0 + k - k0 + spaces != o:
            o, spaces = o0 + k - k0 + spaces, spaces + self._spaces(o, o0 + k - k0 + spaces)
        if p != p0:
            self._ps.insert(i + 1, p)
            self._known.insert(i + 1, (p, k, o))
        if normed[p] == " ":
            return o  # a kept space: the first of its run, right after character k - 1
        while folded[o] in self.kinds:  # the spaces before character k
            o += 1
        return o


def normalize_with_offsets(text: str | None) -> tuple[str, list[int]]:
    """``normalize(text)`` and, for each of its characters (plus one past the end), the
    offset in ``text`` it came from. Per character and slow: the reference for tests."""
    text = text or ""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        for c in fold(ch):
            chars.append(c)
            offsets.append(i)
    folded = "".join(chars).replace("\x00", " ")
    if fold(text).replace("\x00", " ") != folded:  # context-dependent folding (phrases)
        folded = fold(text).replace("\x00", " ")
        offsets = list(range(len(folded))) if len(folded) == len(text) else offsets
    out_chars: list[str] = []
    out_offsets: list[int] = []
    pos = 0
    for m in _SPACES.finditer(folded):
        s, e = m.span()
        out_chars.append(folded[pos:s])
        out_offsets.extend(offsets[pos:s])
        if 0 < s and e < len(folded) and folded[s - 1] in WORDSET and folded[e] in WORDSET:
            out_chars.append(" ")
            out_offsets.append(offsets[s])
        pos = e
    out_chars.append(folded[pos:])
    out_offsets.extend(offsets[pos:])
    out_offsets.append(len(text))
    return "".join(out_chars), out_offsets


def is_word_char(ch: str) -> bool:
    return bool(ch) and _WORD.match(ch) is not None


if __name__ == "__main__":  # pragma: no cover - a quick manual check
    print(normalize(sys.argv[1] if len(sys.argv) > 1 else "人工智能 ＋ 製造"))
