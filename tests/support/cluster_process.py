"""The processes of a cluster as real subprocesses: ``newswatch run`` (the scheduler) and
``newswatch worker``, on one config file, with their log lines read as they come.

    sched = NewswatchProcess(tmp_path, config=..., name="scheduler").start("run")
    w = NewswatchProcess(tmp_path, config=..., name="w1").start("worker", "--tags", "cn")
    w.wait_for("ready|worker .*: queues")
    w.kill9()
"""

from __future__ import annotations

import subprocess

from tests.support.service_process import ServiceProcess


class NewswatchProcess(ServiceProcess):
    def __init__(self, workdir, *, name: str, db: str | None = None, **kwargs):
        super().__init__(workdir, **kwargs)
        self.name = name
        if db is not None:
            self.db = db  # a path or a postgresql:// URL, passed as --db as it is

    def start(self, *args: str) -> NewswatchProcess:  # type: ignore[override]
        import threading

        self._eof = False
        with self._cond:
            self.started_at_line = len(self.lines)
        self.proc = subprocess.Popen(
            self.command(*args, "--db", str(self.db)), cwd=self.workdir, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        threading.Thread(target=self._read, args=(self.proc,), daemon=True).start()
        return self

    @property
    def pid(self) -> int:
        return self.proc.pid
