"""``Extracted``: what extraction found on one page, and its JSON form."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime


@dataclass
class Extracted:
    """The fields of one article page; ``field_sources`` says where each came from."""

    url: str
    title: str | None = None
    published: datetime | None = None
    published_text: str | None = None
    date_source: str | None = None
    author: str | None = None
    editor: str | None = None
    site: str | None = None
    original_source: str | None = None
    doc_number: str | None = None
    body: str = ""
    lang: str | None = None
    attachments: list[str] = field(default_factory=list)
    encoding: str | None = None
    field_sources: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["published"] = self.published.isoformat() if self.published else None
        return data

    def to_json(self) -> str:
        """One line of JSON, non-ASCII kept as is."""
        return json.dumps(self.to_dict(), ensure_ascii=False)
