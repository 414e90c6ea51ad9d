"""Signals the service answers: SIGTERM and SIGINT stop it gracefully, SIGHUP reloads.

A second SIGTERM/SIGINT during the graceful stop cuts the grace period short.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable


def install(loop: asyncio.AbstractEventLoop, *, on_stop: Callable[[str], None],
            on_reload: Callable[[], None]) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_stop, sig.name)
    loop.add_signal_handler(signal.SIGHUP, on_reload)


def uninstall(loop: asyncio.AbstractEventLoop) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        try:
            loop.remove_signal_handler(sig)
        except (ValueError, RuntimeError):
            pass
