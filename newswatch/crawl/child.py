"""Run one source's crawl as a child process (``newswatch crawl SOURCE``) and stop it.

The child is the same command a user runs by hand, so the crawler's per-source lock
sees both. It starts in its own process group: Ctrl-C in the service's terminal must not
kill crawls the service means to let finish, and stopping the group stops the Scrapy
grandchild too.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass

from newswatch.logs import fields

log = logging.getLogger("newswatch.crawl")


@dataclass
class CrawlResult:
    source: str
    returncode: int | None
    seconds: float
    timed_out: bool = False
    stopped: bool = False
    output_tail: str = ""


def crawl_command(source: str, *, db: str, config_path: str | None,
                  timeout: float | None = None) -> list[str]:
    """``newswatch crawl`` for one source; ``timeout`` lets the crawl end itself cleanly."""
    cmd = [sys.executable, "-m", "newswatch"]
    if config_path:
        cmd += ["--config", str(config_path)]
    cmd += ["crawl", "--db", str(db)]
    if timeout:
        cmd += ["--timeout", f"{max(timeout, 1):g}"]
    return cmd + [source]


class CrawlChild:
    def __init__(self, source: str, cmd: list[str], env: dict[str, str] | None = None):
        self.source, self.cmd, self.env = source, cmd, env
        self.proc: asyncio.subprocess.Process | None = None
        self.started = 0.0
        self.stopping = False

    async def run(self, timeout: float) -> CrawlResult:
        self.started = time.monotonic()
        env = dict(os.environ if self.env is None else self.env)
        env.setdefault("NO_COLOR", "1")
        self.proc = await asyncio.create_subprocess_exec(
            *self.cmd, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, env=env, start_new_session=True)
        tail: list[str] = []
        reader = asyncio.ensure_future(self._read(tail))
        timed_out = False
        try:
            await asyncio.wait_for(self.proc.wait(), timeout)
        except asyncio.TimeoutError:
            timed_out = True
            log.warning("crawl of %s passed its %ss limit: stopping it", self.source,
                        int(timeout), extra=fields(source=self.source))
            await self.stop(grace=2.0)
        try:
            await asyncio.wait_for(reader, 2.0)
        except asyncio.TimeoutError:
            reader.cancel()
        return CrawlResult(self.source, self.proc.returncode,
                           time.monotonic() - self.started, timed_out, self.stopping,
                           "\n".join(tail[-15:]))

    async def _read(self, tail: list[str]) -> None:
        assert self.proc and self.proc.stdout
        async for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                tail.append(line)
                del tail[:-50]
                log.debug("%s: %s", self.source, line)

    def signal_group(self, sig: int) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    async def stop(self, grace: float) -> None:
        """SIGTERM the crawl's process group, then SIGKILL it after ``grace`` seconds."""
        if self.proc is None or self.proc.returncode is not None:
            return
        self.stopping = True
        self.signal_group(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), grace)
        except asyncio.TimeoutError:
            self.signal_group(signal.SIGKILL)
            await self.proc.wait()
