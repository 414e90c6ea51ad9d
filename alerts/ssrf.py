"""Refuse to post to addresses inside the network (SSRF guard).

A webhook URL that resolves to any address that is not globally routable is refused
unless its channel sets ``allow_private = true``: loopback, private, link-local,
multicast, reserved, unspecified, and the special-purpose ranges the standard library's
flags miss or get wrong on some Python versions: shared address space ``100.64.0.0/10``
(carrier-grade NAT; Alibaba Cloud's metadata service is 100.100.100.200), benchmarking
``198.18.0.0/15``, the documentation and IETF ranges, and IPv6 forms that embed an IPv4
address (mapped, NAT64 ``64:ff9b::/96``, 6to4, Teredo), whose IPv4 part is checked too.
A config file (or a topic author) must not be able to make newswatch call the router's
admin page or a cloud metadata endpoint. Redirects are never followed (a 3xx is a
permanent failure), so the checked address is the only one a delivery reaches.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import urllib.parse


class RefusedAddress(Exception):
    """The URL's host resolves to an address newswatch will not post to."""


# Special-purpose ranges (RFC 6890 and its updates) refused whatever the flags say.
_SPECIAL = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
    "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
    "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8"))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def is_internal(address: str) -> bool:
    """True unless ``address`` is a globally routable unicast address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return is_internal(str(inner))
    if any(ip in net for net in _SPECIAL if net.version == ip.version):
        return True
    return not ip.is_global or ip.is_multicast


async def check_url(url: str, *, allow_private: bool = False) -> str | None:
    """Raise :class:`RefusedAddress` when ``url``'s host resolves to an internal address;
    else return the address to connect to (None when ``allow_private``)."""
    if allow_private:
        return None
    host = urllib.parse.urlsplit(url).hostname
    if not host:
        raise RefusedAddress("URL has no host")
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None,
                                                             type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise OSError(f"cannot resolve {host}: {exc.strerror or exc}") from None
    for info in infos:
        address = info[4][0]
        if is_internal(address):
            raise RefusedAddress(
                f"{host} resolves to {address}, which is not a public address "
                f"(loopback, private, link-local, shared or special-purpose); "
                f"set allow_private = true on the channel to allow it")
    return infos[0][4][0]


def pinned(url: str, address: str | None) -> tuple[str, dict[str, str], dict[str, str]]:
    """The URL rewritten to the checked address, with its Host header and (for https)
    the TLS server name, so a DNS answer that changes between the check and the
    connection (rebinding) cannot send the request inside. The certificate is still
    verified against the name. Returns (url, headers, httpx request extensions)."""
    parts = urllib.parse.urlsplit(url)
    if address is None or parts.scheme not in ("http", "https"):
        return url, {}, {}
    port = f":{parts.port}" if parts.port else ""
    userinfo = parts.netloc.rpartition("@")[0]
    ip = f"[{address}]" if ":" in address else address
    netloc = (f"{userinfo}@" if userinfo else "") + ip + port
    name = parts.hostname or ""
    host = (f"[{name}]" if ":" in name else name) + port
    extensions = {"sni_hostname": name} if parts.scheme == "https" else {}
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), {"host": host}, extensions
