"""``newswatch demo``: the whole product, offline, in under a minute.

Serves the bundled demo sites (``seeds/demo/``) with the replay server, starts a local
webhook receiver that prints what it gets, runs ``newswatch run`` on a temporary
database, lets the baseline crawl archive the sites (no alerts), "publishes" new
articles, shows the alerts arriving (one per story, with "also published by"), then
stops the service with SIGTERM and says where the database is.
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from newswatch.config import BUNDLED_SEEDS
from newswatch.demo.receiver import DemoReceiver

DEMO = BUNDLED_SEEDS / "demo"
SOURCES = ("demo-ministry", "demo-daily")
EXPECTED_ALERTS = 2  # the chips story (with its republication) and the robots story
BEIJING = timezone(timedelta(hours=8))


# The latest time of day a demo page gives (``{today} 11:20``), with room to spare: before
# noon in Beijing the pages are dated the day before, so that no page lies in the future
# (a date ahead of the fetch is not believed, and the demo's story would then be told by
# whichever page happened to keep its time).
LATEST_PAGE_TIME = timedelta(hours=12)


def copy_pages(src: Path, dest: Path, *, now: datetime | None = None) -> list[Path]:
    """Copy demo pages, dating them today/yesterday (Beijing time; the day before when it
    is not yet noon there); returns the new files."""
    today = ((now or datetime.now(timezone.utc)).astimezone(BEIJING) - LATEST_PAGE_TIME).date()
    written = []
    for path in sorted(src.rglob("*")):
        if not path.is_file():
            continue
        target = dest / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8")
        text = text.replace("{today}", today.isoformat()).replace(
            "{yesterday}", (today - timedelta(days=1)).isoformat())
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(target)  # a crawl never reads half a page
        written.append(target)
    return written


def write_config(path: Path, *, replay: str, hook_url: str, secret: str) -> None:
    path.write_text(f'''# Written by `newswatch demo`.
sources_dir = "{DEMO / 'sources'}"
topics = "{DEMO / 'topics.toml'}"
replay = "{replay}"
delivery_interval = "1s"
shutdown_grace = "10s"
default_channels = "console"

[channels.demo-hook]
type = "webhook"
url = "{hook_url}"
secret = "{secret}"
allow_private = true
''', encoding="utf-8")


class ServiceOutput:
    """Reads the service's log lines, echoes them indented, and waits for patterns."""

    def __init__(self, proc: subprocess.Popen, echo: Callable[[str], None]):
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._echo = echo
        threading.Thread(target=self._read, args=(proc,), daemon=True).start()

    def _read(self, proc) -> None:
        for line in proc.stdout:
            line = line.rstrip("\n")
            self._echo(f"   service │ {line}")
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()

    def wait_for(self, *needles: str, timeout: float) -> bool:
        """Wait until every needle has appeared in some line."""
        def seen():
            return all(any(n in line for line in self.lines) for n in needles)
        with self._cond:
            return self._cond.wait_for(seen, timeout)


def run_demo(workdir: str | Path | None = None, *, interval: float = 3.0,
             echo: Callable[[str], None] = print) -> int:
    """Run the demo; 0 when every expected alert arrived and the service stopped cleanly."""
    started = time.monotonic()
    work = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="newswatch-demo-"))
    work.mkdir(parents=True, exist_ok=True)
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    copy_pages(DEMO / "site", site)
    db = work / "demo.db"
    for old in work.glob("demo.db*"):
        if old.is_file():
            old.unlink()
    secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    from newswatch.replay.server import ReplayServer

    replay = ReplayServer(site, "127.0.0.1", 0)
    threading.Thread(target=replay.serve_forever, daemon=True).start()
    receiver = DemoReceiver(secret, out=echo).start()
    config = work / "newswatch.toml"
    write_config(config, replay=replay.url, hook_url=receiver.url, secret=secret)
    echo(f"newswatch demo: two made-up sites served locally at {replay.url}, a webhook "
         f"receiver at {receiver.url}")
    echo(f"step 1/4  start `newswatch run --interval {interval:g}s`; its first crawl of each "
         f"source is a baseline: archived, never alerted")
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
    for var in ("NEWSWATCH_CONFIG", "NEWSWATCH_DB", "NEWSWATCH_SOURCES", "NEWSWATCH_TOPICS",
                "NEWSWATCH_REPLAY"):
        env.pop(var, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "newswatch", "--config", str(config), "run", "--db", str(db),
         "--interval", f"{interval:g}s"], cwd=work, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, bufsize=1)
    out = ServiceOutput(proc, echo)
    ok = False
    try:
        if not out.wait_for(*(f"crawl {s}: ok" for s in SOURCES), timeout=45):
            echo("the baseline crawl did not finish in 45 s: see the service lines above")
            return 1
        echo(f"step 2/4  baseline done, {receiver.distinct()} alerts so far. Now publishing: "
             f"a ministry story on chips, its republication by the daily, a daily story on "
             f"humanoid robots, and a ministry notice that matches no topic")
        copy_pages(DEMO / "publish", site)
        echo("step 3/4  waiting for the alerts (one per story)…")
        ok = receiver.wait_for(EXPECTED_ALERTS, timeout=45)
        time.sleep(1.0)  # a wrong extra alert would show here
    finally:
        echo("step 4/4  stopping the service (SIGTERM)")
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        receiver.stop()
        replay.shutdown()
        replay.server_close()
    got = receiver.distinct()
    took = time.monotonic() - started
    echo("")
    echo(f"{got} alert(s) received (expected {EXPECTED_ALERTS}); service exit code {code}; "
         f"{took:.0f} s in all.")
    echo(f"database: {db}")
    for cmd in ("status", "alerts", "stories"):
        echo(f"{'explore it:' if cmd == 'status' else '':<12} newswatch --config {config} "
             f"{cmd} --db {db}")
    return 0 if ok and got == EXPECTED_ALERTS and code == 0 else 1
