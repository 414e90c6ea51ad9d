"""Cleaning and capping extracted text, the same for every format."""

from __future__ import annotations

import re

from crawler.attachments.extracted import Extraction
from crawler.attachments.limits import Limits

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_BLANK_LINES = re.compile(r"\n[ \t\u3000]*(?:\n[ \t\u3000]*)+")


def clean(text: str) -> str:
    """No control characters (NUL separates parts in the matcher), no blank-line runs."""
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _BLANK_LINES.sub("\n", text).strip()


def assemble(pieces: list[tuple[str, str]], kind: str, limits: Limits, *,
             unit: str = "page", page_count: int | None = None,
             truncated: str = "") -> Extraction:
    """One Extraction from (label, text) pieces (pages or sheets), capped at
    ``limits.max_chars``; ``truncated`` says what a limit already left out."""
    out: list[str] = []
    pages: list[list] = []
    pos = 0
    for label, piece in pieces:
        piece = clean(piece)
        if pos + len(piece) > limits.max_chars:
            piece = piece[:max(0, limits.max_chars - pos)]
            truncated = truncated or (f"only the first {limits.max_chars:,} characters "
                                      f"(NEWSWATCH_ATTACHMENT_MAX_CHARS)")
        pages.append([pos, label])
        out.append(piece)
        pos += len(piece) + 1
        if truncated and pos >= limits.max_chars:
            break
    text = "\n".join(out)
    if not text.strip():
        return Extraction("empty", "empty: no text in the document", kind, "", [],
                          page_count, unit)
    return Extraction("truncated" if truncated else "ok", truncated, kind, text,
                      pages if unit == "sheet" or len(pages) > 1 or kind == "pdf" else [],
                      page_count, unit)
