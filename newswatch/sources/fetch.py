"""Fetching pages for `sources add` and `sources doctor`: live, or through a replay server.

Under ``--replay URL`` every request goes to the replay server as the crawler's replay
handler sends it (``crawler.replay_handler.replay_url``), and the page keeps its real URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.replay_handler import replay_url

USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0.0.0 Safari/537.36")


@dataclass
class Page:
    url: str
    status: int = 0
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    error: str = ""  # why it could not be fetched

    @property
    def ok(self) -> bool:
        return not self.error and 200 <= self.status < 300


def challenge_kind(status: int, body: bytes, headers=None, url: str = "") -> str | None:
    """What stands in the way of an answer, in words a user can act on (the access
    classifier's label and advice: ``challenge (js-cookie, 加速乐 (jiasule)): ...``), or
    None when nothing does."""
    from crawler.access import classify

    verdict = classify(status, headers or {}, body, url)
    return f"{verdict.label}: {verdict.message}" if verdict.blocking else None


class Fetcher:
    """A small HTTP client with a browser User-Agent; ``replay`` routes every request."""

    def __init__(self, replay: str = "", *, timeout: float = 20.0, headers=None):
        import httpx

        self.replay = replay
        self.client = httpx.Client(follow_redirects=True, timeout=timeout,
                                   headers={"User-Agent": USER_AGENT, **(headers or {})})

    def get(self, url: str, *, headers=None) -> Page:
        import httpx

        target = replay_url(self.replay, url) if self.replay else url
        try:
            response = self.client.get(target, headers=headers or {})
        except httpx.HTTPError as exc:
            return Page(url, error=f"{type(exc).__name__}: {exc}".rstrip(": "))
        final = url if self.replay else str(response.url)
        page = Page(final, response.status_code, response.content, dict(response.headers))
        if response.status_code >= 400:
            page.error = f"HTTP {response.status_code}"
        return page

    def close(self) -> None:
        self.client.close()
