"""The Starlette application and what every request needs (:class:`Web`): settings, one
archive connection per worker thread, topics, the time zone, the visitor, the language.

Endpoints are plain functions ``(web, request) -> Response`` declared with
:func:`route`; they run in Starlette's thread pool, so SQLite's blocking calls never hold
the event loop (which, inside ``newswatch run --web``, is the service's).
"""

from __future__ import annotations

import functools
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from newswatch import config as config_mod
from newswatch.storage import open_archive
from newswatch.web import access, i18n, render

STATIC = Path(__file__).parent / "static"
# Paths anyone may reach: the login form, static files, token-protected feeds.
OPEN_PREFIXES = ("/login", "/static/", "/feed/", "/lang", "/metrics", "/healthz")


@dataclass
class WebOptions:
    config_path: str | None = None
    overrides: dict = field(default_factory=dict)
    # Inside the service: its /metrics body and /healthz dict.
    metrics: Callable[[], bytes] | None = None
    healthz: Callable[[], dict] | None = None


class Web:
    def __init__(self, opts: WebOptions):
        self.opts = opts
        self.config = config_mod.load(opts.config_path, **(opts.overrides or {}))
        self.zone = self.config.timezone  # a ZoneInfo, checked when the config loaded
        self.db_path = str(self.config.db)
        self.gate = access.Gate(proxy_header=self.config.web_proxy_header,
                                trusted_proxies=self.config.web_trusted_proxies)
        self.sessions = access.Sessions(access.session_key(self.db_path))
        self.templates = render.environment()
        self._local = threading.local()
        self._topics_key = None
        self._topics: list = []
        self._topics_error = ""
        self.db()  # migrations applied once, before the first request

    # ---- shared state ------------------------------------------------------------

    def db(self):
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = open_archive(self.db_path)
        return db

    def topic_paths(self) -> list[Path]:
        return config_mod.topic_files(self.config)

    def topics(self) -> tuple[list, str]:
        """The topics of the topic files (re-read when a file changes), and the error that
        stopped them loading ("" when none)."""
        from alerts.topics import load_topics

        paths = [p for p in self.topic_paths() if p.exists()]
        key = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
        if key != self._topics_key:
            try:
                self._topics, self._topics_error = list(load_topics(paths, self.config.aliases)), ""
            except Exception as exc:  # shown on the Topics page, never a crash
                self._topics, self._topics_error = [], str(exc)
            self._topics_key = key
        return self._topics, self._topics_error

    def aliases(self) -> dict:
        from alerts.aliases import load_aliases

        return load_aliases(self.config.aliases)

    def redactor(self):
        """A function that masks every channel secret (``${ENV}`` values, URL tokens and
        paths) out of text shown on a page: ``alerts.secrets.mask`` once the channels'
        secrets are remembered."""
        from alerts import secrets as alert_secrets

        for table in self.config.channels.values():
            alert_secrets.remember_references(table)
            for key, value in table.items():
                if isinstance(value, str) and value.startswith(("http://", "https://")):
                    try:
                        alert_secrets.remember_url(alert_secrets.expand(value, where=key))
                    except alert_secrets.SecretError:
                        alert_secrets.remember_url(value)
        return alert_secrets.mask

    # ---- rendering ---------------------------------------------------------------

    def page(self, request: Request, template: str, status: int = 200, **ctx) -> HTMLResponse:
        lang = request.state.lang
        _ = i18n.translator(lang)
        body = self.templates.get_template(template).render(
            request=request, _=_, lang=lang, visitor=request.state.visitor,
            csrf=request.state.session.get("c", ""), open_mode=request.state.open_mode,
            t=lambda v, fmt="%Y-%m-%d %H:%M": render.local_time(v, self.zone, fmt),
            zone=self.zone.key, path=request.url.path, **ctx)
        return HTMLResponse(body, status_code=status)

    def error(self, request: Request, status: int, message: str) -> HTMLResponse:
        return self.page(request, "error.html", status=status, message=message)


# ---------------------------------------------------------------- request handling


def route(path: str, *, methods=("GET",), name: str | None = None, open: bool = False):
    """Declare an endpoint ``fn(web, request)``. A POST endpoint checks the CSRF token and,
    unless ``open``, the administrator role."""

    def decorate(fn):
        fn._web_route = (path, tuple(methods), name or fn.__name__, open)
        return fn

    return decorate


def _wrap(web: Web, fn, methods, open_):
    @functools.wraps(fn)
    async def endpoint(request: Request) -> Response:
        if request.method == "POST":
            form = await request.form()
            request.state.form = form
            token = form.get("csrf") or request.headers.get("x-csrf-token")
            if not access.csrf_ok(request.state.session, token) or not access.origin_ok(request):
                return PlainTextResponse("CSRF check failed: reload the page and try again.",
                                         status_code=403)
            visitor = request.state.visitor
            if not open_ and (visitor is None or not visitor.can_write):
                return await run_in_threadpool(
                    web.error, request, 403, i18n.translator(request.state.lang)(
                        "Forbidden: this account is read-only."))
        return await run_in_threadpool(fn, web, request)

    return endpoint


def _identify(web: Web, request: Request) -> None:
    session = web.sessions.load(request.cookies.get(access.SESSION_COOKIE))
    request.state.new_session = not session.get("c")
    if request.state.new_session:
        session = {"c": secrets.token_urlsafe(24)}
    request.state.session = session
    db = web.db()
    request.state.visitor = web.gate.visitor(db, request, session)
    request.state.open_mode = web.gate.open_mode(db)
    request.state.lang = i18n.pick(request.cookies.get(access.LANG_COOKIE),
                                   request.headers.get("accept-language"))


def set_session(web: Web, request: Request, response: Response, session: dict) -> None:
    secure = web.gate.scheme(request) == "https" or not access.is_loopback(
        request.url.hostname or "")
    response.set_cookie(access.SESSION_COOKIE, web.sessions.dump(session),
                        max_age=access.SESSION_MAX_AGE, httponly=True, samesite="lax",
                        secure=secure, path="/")


def create_app(opts: WebOptions | None = None, *, web: Web | None = None) -> Starlette:
    from newswatch.web import routes

    web = web or Web(opts or WebOptions())
    table = []
    for fn in routes.endpoints():
        path, methods, name, open_ = fn._web_route
        table.append(Route(path, _wrap(web, fn, methods, open_), methods=list(methods),
                           name=name))
    if web.opts.metrics is not None:
        table.append(Route("/metrics", _metrics(web), methods=["GET"]))
    if web.opts.healthz is not None:
        table.append(Route("/healthz", _healthz(web), methods=["GET"]))
    table.append(Mount("/static", StaticFiles(directory=str(STATIC)), name="static"))
    async def gatekeeper(request: Request, call_next):
        await run_in_threadpool(_identify, web, request)
        path = request.url.path
        if request.state.visitor is None and not path.startswith(OPEN_PREFIXES):
            if request.method != "GET":
                return PlainTextResponse("log in first", status_code=401)
            return RedirectResponse(f"/login?next={_quote(request)}", status_code=303)
        response = await call_next(request)
        if request.state.new_session and not path.startswith(("/static/", "/feed/")):
            set_session(web, request, response, request.state.session)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault(
                "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; "
                "style-src 'self'; script-src 'self'; frame-ancestors 'none'")
        return response

    app = Starlette(routes=table, middleware=[Middleware(BaseHTTPMiddleware, dispatch=gatekeeper)])
    app.state.web = web
    return app


def _quote(request: Request) -> str:
    from urllib.parse import quote

    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return quote(target, safe="")


def _metrics(web: Web):
    async def endpoint(request: Request) -> Response:
        from prometheus_client.exposition import CONTENT_TYPE_LATEST

        return Response(web.opts.metrics(), media_type=CONTENT_TYPE_LATEST)

    return endpoint


def _healthz(web: Web):
    async def endpoint(request: Request) -> Response:
        from starlette.responses import JSONResponse

        info = web.opts.healthz()
        return JSONResponse(info, status_code=200 if info.get("status") == "ok" else 503)

    return endpoint
