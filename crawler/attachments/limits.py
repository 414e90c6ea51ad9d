"""The bounds of one extraction; every default is a crawler setting (crawler/settings.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_pages: int = 500  # PDF pages read; the rest is left out (outcome truncated)
    max_chars: int = 2_000_000  # characters kept per file
    max_unpacked: int = 100 * 2**20  # bytes a .docx/.xlsx may unpack to (zip bombs)
    timeout: float = 60.0  # seconds for one file, the child process included
    memory_mb: int = 1024  # address space of the extracting child process

    @classmethod
    def from_settings(cls, settings) -> "Limits":
        return cls(max_pages=settings.getint("NEWSWATCH_ATTACHMENT_MAX_PAGES"),
                   max_chars=settings.getint("NEWSWATCH_ATTACHMENT_MAX_CHARS"),
                   max_unpacked=settings.getint("NEWSWATCH_ATTACHMENT_MAX_UNPACKED"),
                   timeout=settings.getfloat("NEWSWATCH_ATTACHMENT_TIMEOUT"),
                   memory_mb=settings.getint("NEWSWATCH_ATTACHMENT_MEMORY_MB"))
