"""Recognise an answer that blocks us rather than one that has no news.

Sites answer 403, or 521 with a small JavaScript page that sets a cookie and reloads
(MIIT did in 2021-22, see SITES.md). Such a page must make the run "blocked", not "empty".
"""

from __future__ import annotations

import re

BLOCKED_STATUSES = {403, 521}
# A challenge page is small: real list pages are tens of kilobytes.
CHALLENGE_MAX_BYTES = 16 * 1024
_MARKERS = re.compile(
    rb"document\.cookie|__jsl_clearance|acw_sc__v2|_waf_|cf-browser-verification|"
    rb"cf_chl_|challenge-platform|captcha|slider-verify|"
    # "please enable JavaScript" and "security check" in Chinese, UTF-8 bytes
    + "请开启JavaScript|安全验证|访问验证".encode("utf-8"),
    re.IGNORECASE,
)


def block_reason(status: int, body: bytes) -> str | None:
    """Why this answer looks like a block, or None."""
    if status in BLOCKED_STATUSES:
        return f"HTTP {status}"
    if len(body) <= CHALLENGE_MAX_BYTES:
        m = _MARKERS.search(body)
        lowered = body.lower()
        # A challenge page has (almost) no links; a small list page with an analytics
        # script that sets a cookie has many.
        if m and lowered.count(b"<a ") < 3 and (b"<script" in lowered
                                                or b"captcha" in m.group(0).lower()):
            return f"challenge page ({m.group(0).decode('utf-8', 'replace')})"
    return None
