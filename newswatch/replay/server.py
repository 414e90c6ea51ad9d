"""The replay server: serves stored pages as ``DIR/<host>/<path>`` over local HTTP.

A crawl with ``--replay URL`` asks it for ``URL/<host>/<path>?<query>``
(``crawler.replay_handler``). Files are read on every request, so a test can "publish"
an article by writing a file while the server runs. How names map to files
(``docs/replay.md``):

- ``/<host>/a/b.html`` → ``DIR/<host>/a/b.html``; a path ending in ``/`` (or naming a
  folder) → its ``index.html``; the path is percent-decoded (UTF-8).
- a query string → ``<file>@<query>``, the query exactly as sent, else with its
  parameters sorted (``/`` in the query written ``%2F``):
  ``/h/info_view.php?VID=7&tab=x`` → ``DIR/h/info_view.php@VID=7&tab=x``; a name over
  200 bytes is stored as ``<file>@sha1-<first 16 hex of sha1(sorted query)>``.
- a sidecar ``<file>.meta.toml`` may set ``status``, ``content_type``, ``charset``,
  ``delay`` (seconds before answering) and a ``[headers]`` table (``Location``,
  ``Retry-After``, ...). It may exist without the file (a redirect, a 500).

Every 200 answer carries an ``ETag`` (hash of the bytes) and ``Last-Modified`` (the
file's mtime); a conditional request that matches gets ``304 Not Modified``.
"""

from __future__ import annotations

import email.utils
import hashlib
import mimetypes
import threading
import time
import tomllib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

DEFAULT_PORT = 8321
_HTML_SUFFIXES = {".php", ".htm", ".html", ".shtml", ".jsp", ".asp", ".aspx", ".do", ""}
_REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found"}
MAX_NAME_BYTES = 200


@dataclass
class Logged:
    """One request the server answered, for tests and the console log."""

    method: str
    path: str  # "/<host>/<path>?<query>" as requested
    status: int
    bytes: int
    conditional: bool

    @property
    def host(self) -> str:
        return self.path.lstrip("/").split("/", 1)[0]


def query_file_names(name: str, query: str) -> list[str]:
    """The file names a path segment with a query may be stored under, in order."""
    if not query:
        return [name]
    sorted_query = urlencode(sorted(parse_qsl(query, keep_blank_values=True)))
    names = [f"{name}@{query.replace('/', '%2F')}"]
    if sorted_query != query:
        names.append(f"{name}@{sorted_query.replace('/', '%2F')}")
    # File names stop at 255 bytes; long API queries (MIIT's) go by a hash of the sorted form.
    digest = hashlib.sha1(sorted_query.replace("/", "%2F").encode("utf-8")).hexdigest()[:16]
    names = [n for n in names if len(n.encode("utf-8")) <= MAX_NAME_BYTES]
    names.append(f"{name}@sha1-{digest}")
    return names


def resolve(root: Path, raw_path: str) -> tuple[Path | None, Path | None]:
    """The content file and sidecar for a request path (either may be None)."""
    parts = urlsplit(raw_path)
    rel = unquote(parts.path, encoding="utf-8", errors="replace").lstrip("/")
    base = (root / rel).resolve()
    if root not in base.parents and base != root:
        return None, None  # "/../" must not leave the folder
    if rel.endswith("/") or base.is_dir() or "/" not in rel:
        base = base / "index.html"
    for name in query_file_names(base.name, parts.query):
        candidate = base.with_name(name)
        sidecar = candidate.with_name(candidate.name + ".meta.toml")
        if candidate.is_file() or sidecar.is_file():
            return (candidate if candidate.is_file() else None,
                    sidecar if sidecar.is_file() else None)
    return None, None


def content_type_for(path: Path, body: bytes) -> str:
    stem = path.name.split("@", 1)[0]
    guessed = mimetypes.guess_type(stem)[0]
    if guessed:
        return guessed
    head = body.lstrip()[:64]
    if head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<urlset"):
        return "application/xml"
    if head[:1] in (b"{", b"["):
        return "application/json"
    if Path(stem).suffix.lower() in _HTML_SUFFIXES:
        return "text/html"
    return "application/octet-stream"


class ReplayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ReplayServer

    def do_HEAD(self) -> None:
        self.answer(send_body=False)

    def do_GET(self) -> None:
        self.answer(send_body=True)

    def answer(self, *, send_body: bool) -> None:
        file, sidecar = resolve(self.server.root, self.path)
        meta: dict = {}
        if sidecar is not None:
            try:
                meta = tomllib.loads(sidecar.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                return self.reply(500, f"bad sidecar {sidecar}: {exc}".encode(), {}, send_body)
        if meta.get("delay"):
            time.sleep(float(meta["delay"]))
        if file is None and sidecar is None:
            return self.reply(404, b"not found in the replay folder\n",
                              {"Content-Type": "text/plain"}, send_body)
        body = file.read_bytes() if file is not None else b""
        status = int(meta.get("status", 200))
        headers = {}
        ctype = meta.get("content_type") or (content_type_for(file, body) if file else
                                             "text/html")
        if meta.get("charset"):
            ctype += f"; charset={meta['charset']}"
        headers["Content-Type"] = ctype
        if status == 200 and file is not None:
            etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
            mtime = file.stat().st_mtime
            headers["ETag"] = etag
            headers["Last-Modified"] = email.utils.formatdate(mtime, usegmt=True)
            if self.not_modified(etag, mtime):
                status, body = 304, b""
        headers.update({str(k): str(v) for k, v in meta.get("headers", {}).items()})
        self.reply(status, body, headers, send_body)

    def not_modified(self, etag: str, mtime: float) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm:
            return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        ims = self.headers.get("If-Modified-Since")
        if ims:
            parsed = email.utils.parsedate_to_datetime(ims)
            return parsed is not None and int(mtime) <= parsed.timestamp()
        return False

    def reply(self, status: int, body: bytes, headers: dict, send_body: bool) -> None:
        self.send_response(status, _REASONS.get(status))
        for key, value in headers.items():
            self.send_header(key, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and status != 304:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the crawler gave up (size cap, timeout): nothing to do
        conditional = bool(self.headers.get("If-None-Match") or
                           self.headers.get("If-Modified-Since"))
        self.server.record(Logged(self.command, self.path, status,
                                  len(body) if status != 304 else 0, conditional))

    def log_message(self, format: str, *args) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


# The request log keeps the latest this many entries: a test inspects its own few, and a
# long-running ``replay serve`` must not grow with every request it ever answered.
MAX_LOGGED = 10_000


class ReplayServer(ThreadingHTTPServer):
    """A threaded HTTP server over a replay folder; ``requests`` logs what it answered
    (the latest :data:`MAX_LOGGED`)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: str | Path, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 *, verbose: bool = False):
        self.root = Path(root).resolve()
        self.verbose = verbose
        self.requests: list[Logged] = []
        self._lock = threading.Lock()
        super().__init__((host, port), ReplayHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def record(self, entry: Logged) -> None:
        with self._lock:
            self.requests.append(entry)
            if len(self.requests) > MAX_LOGGED + MAX_LOGGED // 4:  # trim now and then
                del self.requests[:-MAX_LOGGED]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()
