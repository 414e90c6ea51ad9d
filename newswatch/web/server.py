"""Serving the application with uvicorn: alone (``newswatch web``) or on the service's
own event loop (``newswatch run --web``), where it also answers ``/metrics`` and
``/healthz``.

The socket is bound here (so port 0 works and the log names the real port). uvicorn's
own proxy-header handling is off: ``newswatch.web.access`` trusts forwarded headers only
from ``web_trusted_proxies``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket

import uvicorn

from newswatch.web import access, accounts
from newswatch.web.app import Web, WebOptions, create_app

log = logging.getLogger("newswatch.web")


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signals to its host (the service's handlers)."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def prepare(opts: WebOptions, host: str) -> Web:
    """The application state, after checking that ``host`` may be served."""
    web = Web(opts)
    access.check_bind(host, has_accounts=accounts.has_users(web.db()),
                      proxy_header=web.config.web_proxy_header)
    return web


def _config(app, host: str) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, log_level="warning", access_log=False,
                          proxy_headers=False, server_header=False, lifespan="off")


def url_of(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def serve(opts: WebOptions, host: str, port: int, *, on_ready=None) -> None:
    """Serve until SIGINT/SIGTERM (``newswatch web``)."""
    web = prepare(opts, host)
    sock = bind(host, port)
    server = uvicorn.Server(_config(create_app(web=web), host))
    if on_ready:
        on_ready(web, url_of(host, sock))
    server.run(sockets=[sock])


class InService:
    """The web interface on the service's loop; ``stop()`` ends it."""

    def __init__(self, server: _QuietServer, task: asyncio.Task, url: str):
        self.server, self.task, self.url = server, task, url

    async def stop(self) -> None:
        self.server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.task, 5)


async def start_in_service(opts: WebOptions, host: str, port: int) -> InService:
    web = await asyncio.to_thread(prepare, opts, host)
    sock = bind(host, port)
    server = _QuietServer(_config(create_app(web=web), host))
    task = asyncio.ensure_future(server.serve(sockets=[sock]))
    while not server.started and not task.done():
        await asyncio.sleep(0.02)
    if task.done():
        task.result()  # the start-up error
    return InService(server, task, url_of(host, sock))
