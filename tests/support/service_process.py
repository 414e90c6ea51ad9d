"""``newswatch run`` as a real subprocess for end-to-end tests: start it, read its log
lines as they come, signal it, kill it.

    svc = ServiceProcess(tmp_path, config={"sources_dir": ..., "topics": ...})
    svc.start("--interval", "2s")
    svc.wait_for("crawl demo: ok")
    svc.terminate()  # SIGTERM; returns the exit code
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def write_config(path: Path, settings: dict, channels: dict | None = None) -> Path:
    """A newswatch.toml from plain values (strings, numbers, bools, lists)."""
    def val(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return str(v)
        if isinstance(v, list):
            return "[" + ", ".join(val(x) for x in v) + "]"
        return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [f"{k} = {val(v)}" for k, v in settings.items()]
    for name, table in (channels or {}).items():
        lines.append(f"\n[channels.{name}]")
        lines += [f"{k} = {val(v)}" for k, v in table.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class ServiceProcess:
    def __init__(self, workdir: Path, *, config: dict | None = None,
                 channels: dict | None = None, db: Path | str | None = None,
                 env: dict | None = None):
        self.workdir = Path(workdir)
        # A path, or a postgresql:// URL kept as it is.
        self.db = (str(db) if db and str(db).startswith("postgresql://")
                   else Path(db or self.workdir / "service.db"))
        self.config_path = write_config(self.workdir / "newswatch.toml", config or {},
                                        channels)
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1",
                    "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
                    **(env or {})}
        for var in ("NEWSWATCH_DB", "NEWSWATCH_CONFIG", "NEWSWATCH_SOURCES",
                    "NEWSWATCH_TOPICS", "NEWSWATCH_REPLAY"):
            if env is None or var not in env:
                self.env.pop(var, None)
        self.proc: subprocess.Popen | None = None
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._eof = False

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "newswatch", "--config", str(self.config_path), *args]

    def start(self, *run_args: str) -> ServiceProcess:
        self._eof = False
        with self._cond:
            self.started_at_line = len(self.lines)
        self.proc = subprocess.Popen(
            self.command("run", "--db", str(self.db), *run_args), cwd=self.workdir,
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            bufsize=1)
        threading.Thread(target=self._read, args=(self.proc,), daemon=True).start()
        return self

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    @property
    def output(self) -> str:
        with self._cond:
            return "\n".join(self.lines)

    def wait_for(self, pattern: str, timeout: float = 20, *, after: int | None = None) -> str:
        """The first log line matching the regex ``pattern``, from line ``after`` (default:
        the latest start)."""
        rx = re.compile(pattern)
        after = self.started_at_line if after is None else after
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines[after:]:
                    if rx.search(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    tail = "\n".join(self.lines[-40:])
                    raise AssertionError(f"no log line matching {pattern!r} within "
                                         f"{timeout}s; last lines:\n{tail}")
                self._cond.wait(min(left, 0.2))

    def count(self, pattern: str) -> int:
        rx = re.compile(pattern)
        with self._cond:
            return sum(1 for line in self.lines if rx.search(line))

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def terminate(self, timeout: float = 40) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill9(self) -> None:
        self.proc.kill()
        self.proc.wait(10)

    def stop(self) -> None:
        """Whatever state it is in, make sure it is gone (test teardown)."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
