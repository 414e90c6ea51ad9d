"""A loopback web of small sites, each behind one kind of obstacle, for access tests.

Every site lives under its own path prefix on one ``http://127.0.0.1:PORT`` server and
has a list page (``/<site>/list.html``) linking ``articles`` article pages:

- ``js``: ``412`` with a script that computes a cookie by arithmetic and reloads (瑞数,
  NHC style); only a JavaScript engine gets the value right. ``cookie_uses`` makes a
  cookie stop working after that many pages (a new challenge).
- ``waf``: ``200`` with 加速乐-style ``__jsluid_s`` (Set-Cookie, ``X-Via-JSL``) and a
  script computing ``__jsl_clearance_s`` from it.
- ``home``: the list and articles want the ``wzws_sessionid`` cookie that only the home
  page ``/home/`` sets; without it a 安全狗/云盾 (wzws) page.
- ``tls``: served over plain HTTP only: ``https://`` to this port fails the handshake.
- ``ref``: ``403`` unless a ``Referer`` on this server is sent.
- ``rate``: every page answers ``429`` with ``Retry-After`` once, then serves it.
- ``plain``: no obstacle (the comparison).
- ``geo``: ``403`` saying the region is not served; ``gone``: the list has no links.
- ``captcha``: a slider CAPTCHA page.
- ``tied``: like ``js``, but the cookie passes only with a browser's ``Sec-Fetch-Mode``
  header: plain requests never get through, even with the browser's cookie.

``hits`` counts requests per (site, what was served); ``times`` keeps when each path was
asked (for Retry-After); ``clearances`` the cookie values that passed.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SITES = ("js", "waf", "home", "tls", "ref", "rate", "plain", "geo", "gone", "captcha", "tied")


def _numbers(seed: str) -> tuple[int, int, int]:
    h = hashlib.sha256(seed.encode()).digest()
    return (int.from_bytes(h[:3], "big") % 90000 + 10000,
            int.from_bytes(h[3:6], "big") % 9000 + 1000,
            int.from_bytes(h[6:9], "big") % 999983)


def answer(seed: str) -> str:
    """What the challenge's script computes for ``seed``."""
    a, b, c = _numbers(seed)
    return format((a * b) ^ c, "x")


def challenge_script(cookie: str, seed: str) -> str:
    a, b, c = _numbers(seed)
    # Split across variables and a function so a regular expression cannot lift it.
    return (f"<script>var _0x1=[{a},{b}];function _0x2(p,q){{return (p*q)^{c};}}"
            f"var v=_0x2(_0x1[0],_0x1[1]).toString(16);"
            f"document.cookie='{cookie}='+v+'.{seed}; path=/';"
            f"setTimeout(function(){{location.reload();}},50);</script>")


def article_html(site: str, i: int) -> str:
    body = (f"第{i}号通知：关于{site}专项工作的安排。各有关单位要高度重视，认真落实相关要求，"
            f"加快推进重点项目建设，确保按期完成目标任务。本通知自发布之日起施行，"
            f"请各地结合实际抓好贯彻落实，及时报送工作进展情况。") * 2
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{site}通知{i}</title>'
            f'<meta name="ArticleTitle" content="{site}专项工作通知第{i}号">'
            f'<meta name="PubDate" content="2026-11-{(i % 27) + 1:02d} 09:30">'
            f'</head><body><div class="nav"><a href="/">首页</a> <a href="/x">机构</a> '
            f'<a href="/y">新闻</a></div><h1>{site}专项工作通知第{i}号</h1>'
            f'<div class="content"><img src="/{site}/pic{i}.png"><p>{body}</p></div>'
            f'<div class="footer">版权所有</div>'
            f'</body></html>')


class ChallengeServer:
    def __init__(self, *, articles: int = 3, retry_after: float = 1.0,
                 cookie_uses: int = 0, link_scheme: str = "http"):
        self.articles = articles
        self.retry_after = retry_after
        self.cookie_uses = cookie_uses  # 0: a clearance cookie never stops working
        self.link_scheme = link_scheme
        self.hits: Counter = Counter()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.clearances: Counter = Counter()
        self.sessions: set[str] = set()
        self.rate_seen: set[str] = set()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def list_url(self, site: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}/{site}/list.html"

    def list_html(self, site: str) -> str:
        if site == "gone":
            return ('<html><head><meta charset="utf-8"><title>改版</title></head><body>'
                    '<div id="app"></div><p>网站改版中</p>' + "<p>空</p>" * 400 + '</body></html>')
        base = f"{self.link_scheme if site == 'tls' else 'http'}://127.0.0.1:{self.port}"
        lis = "".join(f'<li><a href="{base}/{site}/a{i}.html">{site}通知{i}</a>'
                      f'<span>2026-11-{(i % 27) + 1:02d}</span></li>'
                      for i in range(1, self.articles + 1))
        return (f'<html><head><meta charset="utf-8"><title>{site} 通知公告</title></head>'
                f'<body><ul class="news">{lis}</ul></body></html>')

    def _valid(self, cookies: SimpleCookie, name: str) -> bool:
        morsel = cookies.get(name)
        if morsel is None or "." not in morsel.value:
            return False
        value, seed = morsel.value.split(".", 1)
        if value != answer(seed):
            return False
        with self.lock:
            self.clearances[seed] += 1
            return not self.cookie_uses or self.clearances[seed] <= self.cookie_uses

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send(self, status, body, headers=(), ctype="text/html; charset=utf-8"):
                data = body.encode("utf-8") if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers:
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                parts = path.strip("/").split("/")
                site = parts[0] if parts else ""
                with server.lock:
                    server.times[path].append(time.monotonic())
                if path == "/robots.txt":
                    return self.send(404, "no robots", ctype="text/plain")
                if site not in SITES:
                    return self.send(404, "not here")
                cookies = SimpleCookie(self.headers.get("Cookie", ""))
                blocked = getattr(server, f"gate_{site}")(self, path, cookies)
                if blocked:
                    with server.lock:
                        server.hits[(site, "blocked")] += 1
                    return None
                with server.lock:
                    server.hits[(site, "page")] += 1
                if path.endswith("/list.html"):
                    return self.send(200, server.list_html(site))
                if path.rsplit("/", 1)[-1].startswith("a"):
                    n = int(path.rsplit("/", 1)[-1][1:].split(".")[0])
                    return self.send(200, article_html(site, n))
                return self.send(200, f"<html><body><h1>{site} home</h1>"
                                      f'<a href="/{site}/list.html">通知</a></body></html>')

        return Handler

    # --- gates: return True when they answered instead of the page ---------------------

    def gate_js(self, h, path, cookies):
        if self._valid(cookies, "nw_jsc"):
            return False
        seed = secrets.token_hex(6)
        h.send(412, f"<html><head><meta charset='utf-8'>{challenge_script('nw_jsc', seed)}"
                    f"</head><body></body></html>")
        return True

    def gate_tied(self, h, path, cookies):
        if h.headers.get("Sec-Fetch-Mode"):
            return self.gate_js(h, path, cookies)
        seed = secrets.token_hex(6)
        h.send(412, f"<html><head>{challenge_script('nw_jsc', seed)}</head></html>")
        return True

    def gate_waf(self, h, path, cookies):
        luid = cookies.get("__jsluid_s")
        if luid and self._valid(cookies, "__jsl_clearance_s") and \
                cookies["__jsl_clearance_s"].value.endswith("." + luid.value):
            return False
        luid_value = luid.value if luid else secrets.token_hex(8)
        h.send(200, f"<html><head>{challenge_script('__jsl_clearance_s', luid_value)}"
                    f"</head><body></body></html>",
               headers=[("Set-Cookie", f"__jsluid_s={luid_value}; path=/; HttpOnly"),
                        ("X-Via-JSL", "a1b2c3,-")])
        return True

    def gate_home(self, h, path, cookies):
        if path in ("/home/", "/home/index.html"):
            sid = secrets.token_hex(8)
            with self.lock:
                self.sessions.add(sid)
            h.send(200, '<html><body><h1>首页</h1><a href="/home/list.html">通知</a>'
                        "</body></html>",
                   headers=[("Set-Cookie", f"wzws_sessionid={sid}; path=/")])
            return True
        sid = cookies.get("wzws_sessionid")
        if sid and sid.value in self.sessions:
            return False
        h.send(200, "<html><head><script>var wzwschallenge='x';</script></head>"
                    "<body>请开启JavaScript并刷新该页.</body></html>")
        return True

    def gate_tls(self, h, path, cookies):
        return False  # plain HTTP is served; a TLS handshake to this port fails

    def gate_ref(self, h, path, cookies):
        if (h.headers.get("Referer") or "").startswith(self.url):
            return False
        h.send(403, "<html><body><h1>403 Forbidden</h1></body></html>")
        return True

    def gate_rate(self, h, path, cookies):
        with self.lock:
            first = path not in self.rate_seen
            self.rate_seen.add(path)
        if first:
            h.send(429, "<html><body>Too Many Requests</body></html>",
                   headers=[("Retry-After", f"{self.retry_after:g}")])
            return True
        return False

    def gate_plain(self, h, path, cookies):
        return False

    def gate_geo(self, h, path, cookies):
        h.send(403, "<html><body><h1>Access denied</h1><p>This service is not available "
                    "in your region.</p></body></html>")
        return True

    def gate_gone(self, h, path, cookies):
        return False

    def gate_captcha(self, h, path, cookies):
        h.send(200, "<html><head><script src='/g/geetest.js'></script></head><body>"
                    "<div class='geetest_holder'>请拖动滑块完成验证</div></body></html>")
        return True

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def challenge_server(**kwargs):
    server = ChallengeServer(**kwargs).start()
    try:
        yield server
    finally:
        server.stop()


def write_seed(folder, name: str, server: ChallengeServer, site: str, *,
               scheme: str = "http", extra: str = "") -> None:
    """A seed for ``site`` on ``server`` named ``name``, with ``extra`` TOML lines."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.toml").write_text(
        f'name = "{name}"\ntitle = "{site} test"\nsite = "{site}-site"\nkind = "html"\n'
        f'language = "zh"\nstart_urls = ["{server.list_url(site, scheme)}"]\n'
        f'download_delay = 0\n{extra}\n'
        f'[list]\nitems = "ul.news li"\nlink = "a::attr(href)"\ntitle = "a::text"\n'
        f'date = "span::text"\n', encoding="utf-8")


class RecordingProxy:
    """A forwarding HTTP proxy on loopback that records the URLs asked through it."""

    def __init__(self):
        import urllib.request

        proxy = self
        self.urls: list[str] = []
        self.auth: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                proxy.urls.append(self.path)
                proxy.auth.append(self.headers.get("Proxy-Authorization", ""))
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("proxy-authorization", "proxy-connection",
                                                "connection", "host")}
                req = urllib.request.Request(self.path, headers=headers)
                opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
                try:
                    resp = opener.open(req, timeout=10)
                    status, body, rheaders = resp.status, resp.read(), resp.headers.items()
                except urllib.error.HTTPError as exc:
                    status, body, rheaders = exc.code, exc.read(), exc.headers.items()
                self.send_response(status)
                for k, v in rheaders:
                    if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Socks5Proxy:
    """A SOCKS5 proxy on loopback (no authentication, CONNECT only) that records the
    destinations asked through it."""

    def __init__(self):
        import socket
        import socketserver
        import struct

        proxy = self
        self.targets: list[tuple[str, int]] = []

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                c = self.request
                ver, n = c.recv(2)
                c.recv(n)
                c.sendall(b"\x05\x00")  # no authentication
                ver, cmd, _, atyp = c.recv(4)
                if atyp == 1:
                    host = socket.inet_ntoa(c.recv(4))
                elif atyp == 3:
                    host = c.recv(c.recv(1)[0]).decode()
                else:
                    return
                port = struct.unpack("!H", c.recv(2))[0]
                proxy.targets.append((host, port))
                try:
                    up = socket.create_connection((host, port), timeout=10)
                except OSError:
                    c.sendall(b"\x05\x05\x00\x01" + bytes(6))
                    return
                c.sendall(b"\x05\x00\x00\x01" + bytes(6))
                self._pipe(c, up)

            def _pipe(self, a, b):
                import selectors

                sel = selectors.DefaultSelector()
                sel.register(a, selectors.EVENT_READ, b)
                sel.register(b, selectors.EVENT_READ, a)
                try:
                    while True:
                        for key, _ in sel.select(timeout=30):
                            data = key.fileobj.recv(65536)
                            if not data:
                                return
                            key.data.sendall(data)
                finally:
                    b.close()

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"socks5://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
