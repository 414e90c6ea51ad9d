"""Refuse to post to addresses inside the network (SSRF guard).

A webhook URL that resolves to a loopback, private, link-local, multicast, reserved or
unspecified address is refused unless its channel sets ``allow_private = true``: a
config file (or a topic author) must not be able to make newswatch call the router's
admin page or a cloud metadata endpoint.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import urllib.parse


class RefusedAddress(Exception):
    """The URL's host resolves to an address newswatch will not post to."""


def is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast
            or ip.is_reserved or ip.is_unspecified)


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
                f"{host} resolves to {address}, a loopback/private/link-local address; "
                f"set allow_private = true on the channel to allow it")
    return infos[0][4][0]


def pinned(url: str, address: str | None) -> tuple[str, dict[str, str]]:
    """A plain-http URL rewritten to the checked address, with its Host header, so a DNS
    answer that changes between the check and the connection (rebinding) cannot send
    the request inside. HTTPS is left alone: the certificate check binds it to the name."""
    parts = urllib.parse.urlsplit(url)
    if address is None or parts.scheme != "http":
        return url, {}
    port = f":{parts.port}" if parts.port else ""
    userinfo = parts.netloc.rpartition("@")[0]
    ip = f"[{address}]" if ":" in address else address
    netloc = (f"{userinfo}@" if userinfo else "") + ip + port
    host = parts.hostname or ""
    host = (f"[{host}]" if ":" in host else host) + port
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc)), {"host": host}
