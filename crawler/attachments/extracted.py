"""What extracting one attachment gave: text, pages, and an outcome a person can read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# ok: all the text | truncated: text up to a limit | scanned: a PDF without a text layer
# | empty: a document without text | encrypted | corrupt | too_large (zip bomb, limits)
# | not_document (an HTML page, an image) | unsupported (OFD, archives, slides)
# | not_extracted (a tool is missing) | timeout | memory | failed (download)
OUTCOMES = ("ok", "truncated", "scanned", "empty", "encrypted", "corrupt", "too_large",
            "not_document", "unsupported", "not_extracted", "timeout", "memory", "failed")
HAS_TEXT = ("ok", "truncated")


@dataclass
class Extraction:
    """The result for one file. ``pages`` lists ``[start, label]``: where each page (PDF)
    or sheet (Excel) starts in ``text``, and its label ("3", or the sheet's name)."""

    outcome: str
    detail: str = ""  # e.g. "scanned: no text", "encrypted: needs a password"
    type: str = ""  # what the bytes are: pdf, docx, xlsx, doc, xls, zip, html, ...
    text: str = ""
    pages: list[list] = field(default_factory=list)
    page_count: int | None = None  # pages in the document (PDF), when known
    unit: str = "page"  # page | sheet

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Extraction":
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)

    @property
    def has_text(self) -> bool:
        return self.outcome in HAS_TEXT and bool(self.text)
