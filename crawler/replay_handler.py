"""Replay routing: below every middleware, send http(s) requests to a replay server.

With ``NEWSWATCH_REPLAY = "http://127.0.0.1:8321"`` a request for
``https://www.example.cn/a/b.html?x=1`` is fetched from
``http://127.0.0.1:8321/www.example.cn/a/b.html?x=1`` and the response comes back under
the original URL, so robots.txt, redirects, the HTTP cache, dedupe and the archive all
see real URLs. Without the setting this is Scrapy's HTTP/1.1 handler unchanged.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler


def replay_url(replay: str, url: str) -> str:
    """Where the replay server keeps ``url``: ``<replay>/<host>/<path>?<query>``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"  # "host:port" folders keep two local servers apart
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{replay.rstrip('/')}/{host}{path}{query}"


class ReplayDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.replay = crawler.settings.get("NEWSWATCH_REPLAY") or ""

    async def download_request(self, request):
        if not self.replay:
            return await super().download_request(request)
        routed = request.replace(url=replay_url(self.replay, request.url))
        # The Host header must name the replay server, not the real site.
        routed.headers.pop(b"Host", None)
        response = await super().download_request(routed)
        return response.replace(url=request.url, request=request)
