"""Who may use the web interface, and how.

- **No account and no proxy login configured**: the server binds to loopback only
  (:func:`check_bind` refuses any other address) and every page says so; whoever reaches
  it is an administrator.
- **Accounts** (``newswatch web user add``): a login form; the session is a signed
  cookie (itsdangerous, 14 days, HttpOnly, SameSite=Lax, Secure unless the request came
  over plain HTTP to a loopback address) holding the user name and a stamp of the
  password hash, so changing a password ends that account's sessions.
- **A reverse proxy's login**: ``web_proxy_header`` names the user, believed only when
  the connection comes from ``web_trusted_proxies``; the role is the account's when one
  has that name, else ``reader``.

Every POST needs the session's CSRF token (form field ``csrf`` or header
``X-CSRF-Token``) and, when the browser sends one, an ``Origin`` of this host. The
``reader`` role is read-only: every POST but logging in and out is refused.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from crawler.database import local_base

from newswatch.config import ConfigError
from newswatch.web import accounts

SESSION_COOKIE = "newswatch_session"
SESSION_MAX_AGE = 14 * 86400
LANG_COOKIE = "lang"


class BindRefused(ConfigError):
    """A non-loopback address with no way to log in."""


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, *, has_accounts: bool, proxy_header: str) -> None:
    if is_loopback(host) or has_accounts or proxy_header:
        return
    raise BindRefused(
        f"refusing to serve the web interface on {host}: no accounts are configured, so "
        "it may listen on a loopback address only (127.0.0.1). Add one with "
        "`newswatch web user add NAME`, or set web_proxy_header and web_trusted_proxies.")


def parse_networks(value: str) -> list:
    nets = []
    for part in str(value or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            nets.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"setting web_trusted_proxies: {part!r} is not an address or "
                             "network") from None
    return nets


def session_key(db_path: str) -> bytes:
    """The signing key, kept beside the archive in ``<db>.web-key`` (mode 0600)."""
    path = Path(f"{local_base(db_path)}.web-key")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


@dataclass
class Visitor:
    name: str  # "" for the anonymous local administrator
    role: str  # admin | reader
    via: str  # local | session | proxy

    @property
    def can_write(self) -> bool:
        return self.role == "admin"


class Sessions:
    def __init__(self, key: bytes):
        self.serializer = URLSafeTimedSerializer(key, salt="newswatch-web-session")

    def load(self, cookie: str | None) -> dict:
        if not cookie:
            return {}
        try:
            data = self.serializer.loads(cookie, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}

    def dump(self, data: dict) -> str:
        return self.serializer.dumps(data)


class Gate:
    """Decides who a request is from; built once per application."""

    def __init__(self, *, proxy_header: str, trusted_proxies: str):
        self.proxy_header = proxy_header.strip()
        self.trusted = parse_networks(trusted_proxies)

    def from_trusted_proxy(self, client_host: str | None) -> bool:
        if not client_host or not self.trusted:
            return False
        try:
            addr = ipaddress.ip_address(client_host)
        except ValueError:
            return False
        return any(addr in net for net in self.trusted)

    def scheme(self, request) -> str:
        forwarded = request.headers.get("x-forwarded-proto", "")
        client = request.client.host if request.client else None
        if forwarded in ("http", "https") and self.from_trusted_proxy(client):
            return forwarded
        return request.url.scheme

    def visitor(self, db, request, session: dict) -> Visitor | None:
        client = request.client.host if request.client else None
        if self.proxy_header and self.from_trusted_proxy(client):
            name = request.headers.get(self.proxy_header, "").strip()
            if name:
                user = accounts.get_user(db, name)
                return Visitor(name, user["role"] if user else "reader", "proxy")
        name = session.get("u")
        if name:
            user = accounts.get_user(db, name)
            if user and session.get("s") == accounts.session_stamp(user):
                return Visitor(name, user["role"], "session")
        if not self.proxy_header and not accounts.has_users(db):
            return Visitor("", "admin", "local")
        return None

    def open_mode(self, db) -> bool:
        """No login of any kind: loopback only, and the pages say so."""
        return not self.proxy_header and not accounts.has_users(db)


def csrf_ok(session: dict, submitted: str | None) -> bool:
    expected = session.get("c")
    return bool(expected and submitted and secrets.compare_digest(str(expected),
                                                                  str(submitted)))


def origin_ok(request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host
