"""Stop requests that reach ``newswatch run`` before the service's handlers are in place.

Importing the CLI (click, rich, the commands) takes a moment; a supervisor's SIGTERM in
that moment must still be a clean stop (exit 0), not a death by signal. So the entry
points call :func:`install_if_run` before importing anything heavy: for the ``run``
command, SIGTERM/SIGINT are then remembered in :data:`received` (the service acts on
them as soon as it starts) and SIGHUP is ignored until the service handles it.
"""

from __future__ import annotations

import os
import signal
import sys

received: list[str] = []


def _remember(signum, frame) -> None:
    received.append(signal.Signals(signum).name)


def install() -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _remember)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


def _is_run(argv: list[str]) -> bool:
    prog = argv[0] if argv else ""
    if os.path.basename(prog) != "newswatch" and not prog.endswith(
            os.path.join("newswatch", "__main__.py")):
        return False
    args = iter(argv[1:])
    for arg in args:
        if arg in ("--config", "-c"):
            next(args, None)
        elif not arg.startswith("-"):
            return arg == "run"
    return False


def install_if_run(argv: list[str] | None = None) -> None:
    if _is_run(sys.argv if argv is None else argv):
        install()
