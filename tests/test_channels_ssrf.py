"""The SSRF guard: every address that is not globally routable is refused, embedded
IPv4 forms included; https is pinned like http; a receiver's reply is read capped."""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from alerts import ssrf
from alerts.channels.base import REPLY_CAP_BYTES
from alerts.channels.webhook import WebhookChannel


@pytest.mark.parametrize("address", [
    "100.64.0.1", "100.100.100.200",  # shared address space (Alibaba Cloud metadata)
    "100.127.255.254", "198.18.0.1", "198.19.255.1",  # benchmarking
    "192.0.0.8", "192.0.2.1", "198.51.100.7", "203.0.113.9", "240.0.0.1",
    "255.255.255.255", "224.0.0.1", "0.1.2.3",
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "::ffff:100.100.100.200", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1",
    "fe80::1%eth0"])
def test_special_purpose_addresses_are_refused(address):
    assert ssrf.is_internal(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "47.246.1.1", "100.63.255.255",
                                     "100.128.0.1", "2400:3200::1", "64:ff9b::808:808"])
def test_public_addresses_pass(address):
    assert not ssrf.is_internal(address)


def test_https_is_pinned_with_the_name_kept_for_tls():
    url, headers, ext = ssrf.pinned("https://hooks.example.com/x?y=1", "93.184.216.34")
    assert url == "https://93.184.216.34/x?y=1"
    assert headers == {"host": "hooks.example.com"}
    assert ext == {"sni_hostname": "hooks.example.com"}
    assert ssrf.pinned("https://h.example.com/", None) == ("https://h.example.com/", {}, {})


def test_a_hostname_resolving_to_shared_space_is_refused(monkeypatch):
    async def fake(host, port, type=0):
        return [(2, 1, 6, "", ("100.100.100.200", 0))]

    class Loop:
        getaddrinfo = staticmethod(fake)

    monkeypatch.setattr(asyncio, "get_running_loop", lambda: Loop())
    with pytest.raises(ssrf.RefusedAddress, match="100.100.100.200"):
        asyncio.run(ssrf.check_url("http://metadata.example.com/latest"))


class _Flood(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(500)
        self.send_header("content-length", str(50 * 1024 * 1024))
        self.end_headers()
        chunk = b"x" * 65536
        try:
            for _ in range(800):  # 50 MB, unless the client hangs up first
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


def test_a_flooding_receiver_is_read_only_up_to_the_cap(monkeypatch):
    monkeypatch.setattr(ssrf, "is_internal", lambda address: False)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flood)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        ch = WebhookChannel("hook", {"type": "webhook", "url": url})

        async def go():
            async with httpx.AsyncClient() as client:
                return await ch.post(client, url, content=b"{}")

        outcome, resp = asyncio.run(go())
    finally:
        server.shutdown()
    assert not outcome.ok and outcome.status == 500
    assert len(resp.content) == REPLY_CAP_BYTES
    assert len(outcome.error) < 300
