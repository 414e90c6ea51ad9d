"""A replay server over a folder, in a thread: ``with replay_site(path) as site: ...``.

``site.url`` is the base URL to pass as ``--replay`` / ``NEWSWATCH_REPLAY``;
``site.requests`` logs every answered request (``Logged``: method, path, status, bytes,
conditional); ``site.publish(url, text)`` writes the file a real URL is served from, so a
test can add an article while the server runs. File naming: docs/replay.md.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newswatch.replay.server import ReplayServer, query_file_names


class ReplaySite:
    def __init__(self, server: ReplayServer):
        self.server = server
        self.root = server.root
        self.url = server.url

    @property
    def requests(self):
        return list(self.server.requests)

    def paths(self) -> list[str]:
        """The requested paths, "/<host>/<path>?<query>", in order."""
        return [r.path for r in self.server.requests]

    def clear_log(self) -> None:
        self.server.clear_log()

    def file_for(self, url: str) -> Path:
        """Where the page for a real ``url`` is stored in the folder."""
        parts = urlsplit(url)
        path = unquote(parts.path or "/")
        if path.endswith("/"):
            path += "index.html"
        target = self.root / parts.hostname / path.lstrip("/")
        return target.with_name(query_file_names(target.name, parts.query)[0])

    def publish(self, url: str, content: str | bytes, *, encoding: str = "utf-8",
                meta: str | None = None) -> Path:
        """Write the page served for ``url`` (and its ``.meta.toml`` sidecar text)."""
        target = self.file_for(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        if meta is not None:
            target.with_name(target.name + ".meta.toml").write_text(meta, encoding="utf-8")
        return target


@contextlib.contextmanager
def replay_site(root: str | Path, *, port: int = 0) -> Iterator[ReplaySite]:
    """Serve ``root`` on 127.0.0.1 (a free port) for the duration of the block."""
    Path(root).mkdir(parents=True, exist_ok=True)
    server = ReplayServer(root, "127.0.0.1", port)
    thread = threading.Thread(target=server.serve_forever, name="replay-site", daemon=True)
    thread.start()
    try:
        yield ReplaySite(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
