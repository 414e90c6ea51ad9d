"""An article as the engine sees it: normalised once, scanned once, with its metadata.

Title, body, document number and the text of the article's attachments are joined by
NUL (which no term contains) into one ``scan`` string; ``hits`` maps an atom id to its
(start, end) spans in that string. Positions go back to the original text only for the
matches that need explaining; a position in the attachments part then says which file
and which page (:meth:`ScannedArticle.attachment_at`).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from alerts.normalize import WORDSET, fold, normalize, position_map, squeeze

PART_FIELDS = ("title", "body", "doc_number", "attachment")
ATTACHMENT = 3  # the part holding the attachments' text
# Between two attachments' texts: no phrase runs from one file into the next.
FILE_SEPARATOR = "\n\ufffc\n"
TEXT_OUTCOMES = ("ok", "truncated")  # attachments whose text was read


@dataclass(frozen=True)
class FilePart:
    """One attachment inside the attachments part: where its text starts there."""

    start: int  # offset in the attachments part's original text
    end: int
    file: dict  # the archive's row (crawler.archive.attachments_of)


def attachment_text(files: list[dict] | None) -> tuple[str, list[FilePart]]:
    """The attachments part of an article: the texts of its readable files, joined."""
    pieces, parts, pos = [], [], 0
    for f in files or ():
        text = f.get("text") or ""
        if not text or f.get("outcome") not in TEXT_OUTCOMES:
            continue
        if pieces:
            pieces.append(FILE_SEPARATOR)
            pos += len(FILE_SEPARATOR)
        parts.append(FilePart(pos, pos + len(text), f))
        pieces.append(text)
        pos += len(text)
    return "".join(pieces), parts


@dataclass
class ScannedArticle:
    raw: dict
    parts: list[str]  # original title, body, doc_number, attachments
    folded: list[str]  # fold() of each part, NULs as spaces (for position maps)
    normed: list[str]  # squeeze() of each folded part, as joined into ``scan``
    scan: str
    bounds: list[int]  # start of each part in ``scan``
    meta: dict[str, frozenset[str]]
    hits: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    # Atoms not in the automaton: atom -> (text, check start, check end), found on demand.
    lazy: dict[int, tuple[str, bool, bool]] = field(default_factory=dict)
    regex_cache: dict = field(default_factory=dict)
    files: list[FilePart] = field(default_factory=list)
    _maps: list = field(default_factory=lambda: [None, None, None, None])

    @classmethod
    def of(cls, article: dict) -> "ScannedArticle":
        attached, files = attachment_text(article.get("files"))
        parts = [article.get("title") or "", article.get("body") or "",
                 article.get("doc_number") or "", attached]
        folded = [fold(p).replace("\x00", " ") if p else "" for p in parts]
        normed = [squeeze(f) if f else "" for f in folded]
        bounds, pos = [], 0
        for n in normed:
            bounds.append(pos)
            pos += len(n) + 1
        return cls(article, parts, folded, normed, "\x00".join(normed), bounds,
                   meta_of(article), files=files)

    def spans(self, atom: int) -> list[tuple[int, int]]:
        """Where ``atom`` occurs in ``scan`` (from the automaton, else searched now)."""
        got = self.hits.get(atom)
        if got is not None:
            return got
        info = self.lazy.get(atom)
        if info is None:
            return []  # an automaton atom that did not hit
        got = self.hits[atom] = find_spans(self.scan, *info)
        return got

    def part_of(self, pos: int) -> int:
        return bisect_right(self.bounds, pos) - 1

    def part_texts(self, fld: str | None) -> list[tuple[int, str]]:
        """(start in ``scan``, normalised text) of each part ``fld`` covers; a regex is run
        on each part alone, so that it never spans title and body."""
        ends = [self.bounds[1] - 1, self.bounds[2] - 1, self.bounds[3] - 1, len(self.scan)]
        parts = (0,) if fld == "title" else (1, 2) if fld == "body" else \
            (3,) if fld == "attachment" else (0, 1, 2, 3)
        return [(self.bounds[i], self.scan[self.bounds[i]:ends[i]]) for i in parts]

    def attachment_at(self, offset: int) -> tuple[int, str | None]:
        """(file index, page or sheet label) of an offset in the attachments part."""
        starts = [f.start for f in self.files]
        index = max(0, bisect_right(starts, offset) - 1)
        pages = self.files[index].file.get("pages") or []
        within = offset - self.files[index].start
        at = bisect_right([p[0] for p in pages], within) - 1
        return index, (str(pages[at][1]) if at >= 0 else None)

    def word_end(self, pos: int) -> int:
        """The end of the Latin word running through ``pos`` in ``scan``."""
        scan, n = self.scan, len(self.scan)
        while pos < n and scan[pos] in WORDSET:
            pos += 1
        return pos

    def original_span(self, start: int, end: int) -> tuple[int, int, int]:
        """(part, start, end) in the original text of the part holding ``start``."""
        bounds = self.bounds
        part = self.part_of(start)
        original = self._maps[part]
        if original is None:  # built once per part, for the first match to explain
            original = self._maps[part] = position_map(
                self.parts[part], self.folded[part], self.normed[part])
        s, e = start - bounds[part], end - bounds[part]
        return part, original(s), (original(e - 1) + 1 if e > s else original(s))


def find_spans(scan: str, text: str, check_start: bool, check_end: bool) -> list[tuple[int, int]]:
    """Every occurrence of ``text`` in ``scan`` that respects the word-boundary checks."""
    out, n, size = [], len(scan), len(text)
    start = scan.find(text)
    while start >= 0:
        end = start + size
        if not ((check_start and start and scan[start - 1] in WORDSET)
                or (check_end and end < n and scan[end] in WORDSET)):
            out.append((start, end))
        start = scan.find(text, start + 1)
    return out


def meta_of(article: dict) -> dict[str, frozenset[str]]:
    """What ``source:``, ``site:`` and ``lang:`` compare with (normalised)."""
    url = article.get("url") or article.get("canonical_url") or ""
    return {"source": _values(article.get("source") or ""),
            "site": _values(article.get("site") or "") | _host_suffixes(url),
            "lang": _lang_values(article.get("lang") or "")}


@lru_cache(maxsize=4096)
def _values(value: str) -> frozenset[str]:
    return frozenset([normalize(value)]) - {""}


@lru_cache(maxsize=4096)
def _lang_values(value: str) -> frozenset[str]:
    lang = normalize(value)
    return frozenset([lang, lang.split("-")[0]]) - {""}


def _host_suffixes(url: str) -> frozenset[str]:
    """``www.ndrc.gov.cn`` → itself, ``ndrc.gov.cn``, ``gov.cn``, ``cn``: site: matches any."""
    rest = url.split("://", 1)[-1]
    host = rest.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0]
    return _suffixes(host.lower())


@lru_cache(maxsize=4096)
def _suffixes(host: str) -> frozenset[str]:
    labels = host.split(".")
    return frozenset(".".join(labels[i:]) for i in range(len(labels))) - {""}
