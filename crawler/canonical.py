"""Canonical URLs: the archive's unique key, so one article reached two ways is stored once.

Lower-case scheme and host, no default port, no fragment, no tracking parameters,
query parameters sorted, percent-encoding normalised (w3lib). The path keeps its case:
servers such as IIS ignore it, but most of ours do not.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Parameters that say how a reader arrived, never which page they read.
TRACKING_PARAMS = frozenset({
    "spm", "from", "fromsource", "ref", "referer", "share", "share_token", "sharefrom",
    "isappinstalled", "scene", "clicktime", "enterid", "wfr", "fbclid", "gclid", "dclid",
    "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "wxshare", "_",
})
_TRACKING_PREFIXES = ("utm_", "pk_", "hmsr", "hmpl", "hmcu", "hmkw", "hmci")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SLASHES = re.compile(r"/{2,}")


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The canonical form of an absolute http(s) URL (see the module docstring)."""
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower() or "http"
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not is_tracking_param(k)])
    path = _SLASHES.sub("/", parts.path) or "/"
    cleaned = urlunsplit((scheme, netloc, path, query, ""))
    return canonicalize_url(cleaned, keep_fragments=False)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
