"""Know what answered: one verdict for any list or article response.

:func:`classify` takes what any HTTP client has (status, headers, body, URL) and says
whether the page is the site's own (``ok``) or what stands in the way: a ``challenge``
(kind ``js-cookie``, ``waf`` or ``captcha``, with the vendor when a marker names it),
``forbidden``, ``geo-blocked``, ``rate-limited``, ``redesigned`` (the page answers but
the list is gone) or ``network`` (:func:`classify_failure`). The spiders, the access
middleware and ``sources doctor`` all call it; :attr:`Verdict.message` is the sentence a
user can act on. See ``docs/crawling.md``, "Getting through".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from urllib.parse import urlsplit

STATES = ("ok", "challenge", "forbidden", "geo-blocked", "rate-limited", "redesigned",
          "network")
CHALLENGE_KINDS = ("js-cookie", "waf", "captcha")
# A challenge page is small: real list and article pages are tens of kilobytes.
CHALLENGE_MAX_BYTES = 32 * 1024
# Statuses that challenge pages are served with (加速乐 521, 瑞数 412, some 202/203).
CHALLENGE_STATUSES = {202, 203, 412, 468, 493, 521}

# (vendor, where, pattern): where is "cookie" (Set-Cookie names), "header" (names or
# values) or "body". The first match names the vendor.
_VENDORS: tuple[tuple[str, str, re.Pattern], ...] = tuple(
    (vendor, where, re.compile(pattern, re.I)) for vendor, where, pattern in (
        ("加速乐 (jiasule)", "cookie", rb"^__jsl(uid|_clearance)"),
        ("加速乐 (jiasule)", "header", rb"^x-via-jsl$"),
        ("加速乐 (jiasule)", "body", rb"__jsl_clearance|__jsluid"),
        ("安全狗/云盾 (wzws)", "cookie", rb"^wzws_"),
        ("安全狗/云盾 (wzws)", "body", rb"wzws_cid|wzws_sessionid|wzwstemplate|wzwschallenge"),
        ("阿里云 WAF (acw_sc__v2)", "cookie", rb"^acw_(sc__v2|tc)"),
        ("阿里云 WAF (acw_sc__v2)", "body", rb"acw_sc__v2"),
        ("瑞数 (Riversecurity)", "body", rb"\$_ts\s*=|\$_ts\.|\$_ts\[|FSSBBIl1UgzbN7N"),
        ("Cloudflare", "header", rb"^cf-mitigated$|^cf-chl"),
        ("Cloudflare", "body", rb"cf_chl_|challenge-platform|cf-browser-verification|"
                                rb"/cdn-cgi/challenge"),
        ("安全狗 (safedog)", "cookie", rb"^safedog"),
        ("安全狗 (safedog)", "body", rb"safedog|www\.safedog\.cn"),
        ("云锁 (yunsuo)", "cookie", rb"^(yunsuo|security_session_verify)"),
        ("云锁 (yunsuo)", "body", rb"yunsuo_session_verify|security_session_verify"),
        ("Akamai", "header", rb"^akamai-grn$"),
    ))
_CAPTCHA = re.compile(
    rb"captcha|geetest|slider-verify|nc_1_wrapper|h-captcha|g-recaptcha|turnstile|"
    + "滑动验证|拖动滑块|验证码|人机验证|请完成.{0,8}验证".encode(), re.I)
_JS_COOKIE = re.compile(rb"document\.cookie\s*=|\.cookie\s*=\s*|setcookie\(", re.I)
_RELOAD = re.compile(rb"location(\.href)?\s*=|location\.(reload|replace|assign)\s*\(|"
                     rb"window\.location|\bhistory\.go\(|http-equiv=[\"']?refresh", re.I)
_WAF_TEXT = re.compile(
    rb"web application firewall|request (was )?blocked|security check|"
    rb"checking your browser|just a moment|please enable javascript|"
    + "请开启JavaScript|请启用JavaScript|安全验证|访问验证|访问被拦截|网站防火墙|"
      "您的访问被阻断|疑似攻击|安全检测|正在验证|浏览器安全检查".encode(), re.I)
_GEO = re.compile(
    rb"not available in your (country|region)|unavailable in your (country|region)|"
    rb"your (country|region) (is|has been) (blocked|banned)|"
    rb"access from your (country|region|location)|banned the country|error code:? 1009|"
    + "境外IP|海外IP|境外访问|海外访问|您所在的(国家|地区)|不在服务范围|地区限制访问|仅限中国大陆".encode(),
    re.I)
_RATE = re.compile(rb"too many requests|rate limit|slow down|"
                   + "访问过于频繁|访问频率|请求过于频繁|频繁访问|稍后再试".encode(), re.I)
_LINK = re.compile(rb"<a\s", re.I)
_SCRIPT = re.compile(rb"<script", re.I)


@dataclass(frozen=True)
class Verdict:
    """What answered. ``message`` is one sentence that says what to do."""

    state: str  # one of STATES
    status: int | None = None
    kind: str | None = None  # challenge kind: js-cookie | waf | captcha
    vendor: str | None = None  # the WAF or challenge vendor, when a marker names it
    detail: str = ""  # the evidence: a marker, a header, an exception
    retry_after: float | None = None  # seconds the site asked us to wait (rate-limited)
    url: str = ""

    @property
    def ok(self) -> bool:
        return self.state == "ok"

    @property
    def blocking(self) -> bool:
        """Something stands between us and the page (not a redesign, not the network)."""
        return self.state in ("challenge", "forbidden", "geo-blocked", "rate-limited")

    @property
    def label(self) -> str:
        """Short form for tables: ``challenge (js-cookie, 加速乐 (jiasule))``."""
        extra = ", ".join(x for x in (self.kind, self.vendor) if x)
        return f"{self.state} ({extra})" if extra else self.state

    @property
    def message(self) -> str:
        return advice(self)

    @property
    def reason(self) -> str:
        """For a run's errors: ``HTTP 521, challenge page (js-cookie): answers 521 ...``."""
        label = self.label.replace("challenge", "challenge page", 1)
        status = f"HTTP {self.status}, " if self.status and self.status >= 400 else ""
        return f"{status}{label}: {self.message}"

    def to_dict(self) -> dict:
        return {"state": self.state, "status": self.status, "kind": self.kind,
                "vendor": self.vendor, "detail": self.detail,
                "retry_after": self.retry_after, "message": self.message}


def _header_items(headers) -> list[tuple[bytes, bytes]]:
    """(lower-case name, value) pairs from a dict, a list of pairs or Scrapy Headers."""
    if not headers:
        return []
    items = []
    pairs = headers.items() if hasattr(headers, "items") else headers
    for name, value in pairs:
        name = name.encode("latin-1") if isinstance(name, str) else bytes(name)
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            v = v.encode("latin-1", "replace") if isinstance(v, str) else bytes(v)
            items.append((name.lower(), v))
    return items


def cookie_names(header_items) -> list[bytes]:
    return [v.split(b"=", 1)[0].strip() for name, v in header_items if name == b"set-cookie"]


def retry_after_seconds(value: bytes | str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date (RFC 9110 §10.2.3)."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    text = text.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _vendor(items, cookies: list[bytes], head: bytes) -> str | None:
    names = [n for n, _ in items]
    for vendor, where, pattern in _VENDORS:
        if where == "cookie" and any(pattern.search(c) for c in cookies):
            return vendor
        if where == "header" and any(pattern.search(n) for n in names):
            return vendor
        if where == "body" and pattern.search(head):
            return vendor
    if any(n == b"server" and v.lower().startswith(b"cloudflare") for n, v in items) and (
            b"cf_chl" in head or b"just a moment" in head.lower()):
        return "Cloudflare"
    return None


def classify(status: int, headers=None, body: bytes | str = b"", url: str = "", *,
             list_items: int | None = None) -> Verdict:
    """The verdict on one answer.

    ``list_items`` is how many article links a list page gave (None for an article page
    or when unknown); 0 on a page that answered well means the list is gone.
    """
    if isinstance(body, str):
        body = body.encode("utf-8", "replace")
    items = _header_items(headers)
    cookies = cookie_names(items)
    small = len(body) <= CHALLENGE_MAX_BYTES
    head = body if small else body[:CHALLENGE_MAX_BYTES]
    links = len(_LINK.findall(head))
    scripts = bool(_SCRIPT.search(head))
    vendor = _vendor(items, cookies, head)
    header = dict(items)
    mitigated = header.get(b"cf-mitigated", b"").lower() == b"challenge"

    def verdict(state, kind=None, detail="", retry_after=None):
        return Verdict(state, status, kind, vendor if state == "challenge" else
                       (vendor if state == "forbidden" else None), detail, retry_after, url)

    # Rate limits first: a 429 may carry any page, and Retry-After must be honoured.
    retry_after = retry_after_seconds(header.get(b"retry-after"))
    if status == 429 or (status == 503 and retry_after is not None) or (
            small and links < 3 and status >= 400 and _RATE.search(head)):
        return verdict("rate-limited", detail=f"HTTP {status}", retry_after=retry_after)
    if status == 451:
        return verdict("geo-blocked", detail="HTTP 451")
    few_links = links < 3
    if small and few_links:
        if m := _CAPTCHA.search(head):
            if scripts or status >= 400 or vendor:
                return verdict("challenge", "captcha", _marker(m))
        js = _JS_COOKIE.search(head)
        if js and scripts and (_RELOAD.search(head) or status in CHALLENGE_STATUSES
                               or vendor):
            # A firewall's page in place of the site's (200 from 加速乐, 云盾...) is a WAF
            # challenge even when its script is what sets the cookie.
            kind = "waf" if vendor and status == 200 else "js-cookie"
            return verdict("challenge", kind, "script sets a cookie: " + _marker(js))
        if mitigated or (vendor and (status in CHALLENGE_STATUSES or status >= 400 or scripts
                                     or _WAF_TEXT.search(head))):
            m = _WAF_TEXT.search(head)
            return verdict("challenge", "waf", _marker(m) if m else "vendor marker")
        if status in CHALLENGE_STATUSES and scripts:
            return verdict("challenge", "js-cookie", f"HTTP {status} with a script")
        if m := _GEO.search(head):
            # An answer that is an error, or a small HTML page (not a feed or JSON list
            # whose items merely mention it).
            if status >= 400 or (len(body) < 8192 and body.lstrip()[:1] == b"<"
                                 and not body.lstrip()[:5] == b"<?xml"):
                return verdict("geo-blocked", detail=_marker(m))
        if (m := _WAF_TEXT.search(head)) and (status >= 400 or scripts):
            return verdict("challenge", "waf", _marker(m))
    if status in (401, 403, 407):
        return verdict("forbidden", detail=f"HTTP {status}")
    if status in CHALLENGE_STATUSES and status != 202:
        return verdict("challenge", "js-cookie" if scripts else "waf", f"HTTP {status}")
    if status in (404, 410) and list_items is not None:
        return verdict("redesigned", detail=f"HTTP {status}")
    if status >= 400:
        return verdict("network", detail=f"HTTP {status}")
    if list_items == 0:
        return verdict("redesigned", detail="0 article links")
    return verdict("ok")


def _marker(m: re.Match) -> str:
    return m.group(0).decode("utf-8", "replace").strip()[:40]


# Exceptions by name: Twisted's, Scrapy's and OpenSSL's, without importing them here.
_REFUSED = ("ConnectionRefused", "DownloadConnectionRefused", "ConnectError")
_TLS = ("SSL", "TLS", "Handshake", "ResponseNeverReceived", "ConnectionLost",
        "ConnectionDone", "DownloadFailedError")
_TIMEOUT = ("Timeout", "TimedOut")
_DNS = ("DNSLookup", "CannotResolveHost", "gaierror")


def classify_failure(exception: BaseException, url: str = "") -> Verdict:
    """The verdict on a request that got no answer: always ``network``, with what failed."""
    names = [type(exception).__name__]
    for sub in getattr(exception, "reasons", None) or []:  # ResponseNeverReceived wraps
        names.append(type(getattr(sub, "value", sub)).__name__)
    text = " ".join(names) + " " + str(exception)
    if "robots.txt" in text:
        return Verdict("network", None, "robots", None, "forbidden by robots.txt", None, url)
    if any(n in text for n in _DNS):
        what = "host name not found (DNS)"
    elif any(n in text for n in _REFUSED):
        what = "connection refused"
    elif any(n in text for n in _TIMEOUT):
        what = "timed out"
    elif "SSL" in text or "TLS" in text:
        what = "the HTTPS (TLS) handshake failed"
    elif any(n in text for n in _TLS):
        what = "connection dropped before an answer (TLS refused?)"
    else:
        what = f"{names[0]}: {str(exception)[:120]}".rstrip(": ")
    return Verdict("network", None, None, None, what, None, url)


def advice(v: Verdict) -> str:
    """One sentence: what answered, and what to try, cheapest remedy first."""
    status = f"answers {v.status}" if v.status else "answers"
    vendor = f" ({v.vendor})" if v.vendor else ""
    if v.state == "ok":
        return "ok"
    if v.state == "challenge" and v.kind == "js-cookie":
        return (f"{status} with a JavaScript cookie challenge{vendor}: set "
                f"`render = \"auto\"` or a proxy in China")
    if v.state == "challenge" and v.kind == "captcha":
        return (f"{status} with a CAPTCHA{vendor}, which needs a person: use a proxy in "
                f"China, slow the source down (`download_delay`), or ask the site")
    if v.state == "challenge" and v.detail.startswith("script sets a cookie"):
        return (f"{status} with a firewall (WAF) challenge page{vendor} whose script sets a "
                f"cookie: set `render = \"auto\"`, or `warmup` to the home page, or a proxy "
                f"in China")
    if v.state == "challenge":
        return (f"{status} with a firewall (WAF) challenge page{vendor}: set `warmup` to "
                f"the home page (its cookie is often what is missing), else "
                f"`render = \"auto\"` or a proxy in China")
    if v.state == "forbidden":
        parts = urlsplit(v.url)
        home = f"{parts.scheme}://{parts.netloc}/" if parts.netloc else "https://site/"
        return (f"{status} Forbidden{vendor}: send the site's page as Referer "
                f"(`[headers] Referer = \"{home}\"`), set `warmup`, or a proxy in China")
    if v.state == "geo-blocked":
        return (f"{status}: refuses our country or network ({v.detail}): set `proxy` to a "
                f"proxy in China, or crawl the site's English edition")
    if v.state == "rate-limited":
        wait = f", asks to wait {v.retry_after:g} s" if v.retry_after is not None else ""
        return (f"{status}: rate-limited{wait}: raise `download_delay`; newswatch waits "
                f"for Retry-After up to NEWSWATCH_RETRY_AFTER_MAX")
    if v.state == "redesigned":
        return (f"the list page answers but has no article links ({v.detail}): the site "
                f"was probably redesigned; check `[list]` selectors or the start URL")
    if v.state == "network" and v.kind == "proxy":
        return (f"{v.detail}: set it in the crawl's environment (the service's unit or "
                f"shell); nothing was sent without the proxy")
    if v.state == "network" and v.kind == "robots":
        return ("the site's robots.txt forbids this page: newswatch obeys it; choose a start "
                "URL it allows")
    if v.state == "network" and v.status and v.status < 500:
        return f"{status}: the site refuses this address; check the start URL and `[headers]`"
    if v.state == "network" and v.status:
        return (f"{status} (a server error): the site is failing; the next run tries again "
                f"(a lasting 5xx only from abroad may need a proxy in China)")
    if v.state == "network":
        https = urlsplit(v.url).scheme == "https"
        if v.detail.startswith("host name not found"):  # no scheme gets past DNS
            hint = "check the host name and this machine's DNS, or set a `proxy`"
        elif https:
            hint = "set `scheme_fallback = true` if plain HTTP works, or a `proxy`"
        else:
            hint = "check the address, or set a `proxy`"
        return f"no answer: {v.detail or 'network error'}: {hint}"
    return v.state
