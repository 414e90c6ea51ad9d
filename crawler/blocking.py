"""The old one-line block check, kept for callers that want only a reason string.

:func:`crawler.access.classify` is the classifier (challenge kind and vendor, forbidden,
geo-blocked, rate-limited, redesigned, network, and what to do); this asks it.
"""

from __future__ import annotations

from crawler.access.classify import classify


def block_reason(status: int, body: bytes, headers=None, url: str = "") -> str | None:
    """Why this answer blocks us (``"HTTP 412, challenge page (js-cookie): ..."``), or None."""
    verdict = classify(status, headers, body, url)
    return verdict.reason if verdict.blocking else None
