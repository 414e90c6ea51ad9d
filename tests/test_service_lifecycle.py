"""The service process without crawling: one instance per database, graceful stop,
reload on SIGHUP, /healthz and /metrics, JSON logs."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from tests.support.service_process import ServiceProcess


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def empty_service(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (tmp_path / "topics.toml").write_text("", encoding="utf-8")  # no topics yet
    svc = ServiceProcess(tmp_path, config={"sources_dir": str(sources),
                                           "topics": str(tmp_path / "topics.toml"),
                                           "shutdown_grace": "5s"})
    yield svc
    svc.stop()


def test_sigterm_exits_0_and_a_second_instance_names_the_first(empty_service):
    svc = empty_service.start()
    svc.wait_for("newswatch running")
    second = subprocess.run(svc.command("run", "--db", str(svc.db)), env=svc.env,
                            capture_output=True, text=True, timeout=30)
    assert second.returncode == 1
    assert f"already held by process {svc.proc.pid}" in second.stderr
    status = subprocess.run(svc.command("status", "--db", str(svc.db), "--json"), env=svc.env,
                            capture_output=True, text=True, timeout=30)
    assert json.loads(status.stdout)["service_pid"] == svc.proc.pid
    t0 = time.monotonic()
    assert svc.terminate() == 0
    assert time.monotonic() - t0 < 5
    assert "SIGTERM received" in svc.output and "stopped" in svc.output
    # The lock went with it: a new instance starts.
    svc.start()
    svc.wait_for("newswatch running")
    svc.signal(signal.SIGINT)
    assert svc.proc.wait(10) == 0


def test_sighup_reports_what_changed(empty_service, tmp_path):
    svc = empty_service.start()
    svc.wait_for("newswatch running")
    svc.signal(signal.SIGHUP)
    svc.wait_for("reload: nothing changed")
    text = svc.config_path.read_text().replace('shutdown_grace = "5s"', 'shutdown_grace = "6s"')
    svc.config_path.write_text(text + 'delivery_interval = "3s"\n')
    svc.signal(signal.SIGHUP)
    svc.wait_for(r"reload: setting delivery_interval: '5s' → '3s'")
    svc.wait_for(r"reload: setting shutdown_grace: '5s' → '6s'")
    # A new source and a new topic file: both reported by name.
    sources = tmp_path / "sources"
    (sources / "extra.toml").write_text(
        'name = "extra"\ntitle = "Extra"\nsite = "Extra"\nkind = "html"\nlanguage = "en"\n'
        'start_urls = ["http://127.0.0.1:9/"]\nschedule = { cron = "0 3 * * *" }\n'
        '[list]\nlink = "a::attr(href)"\n')
    (tmp_path / "topics.toml").write_text(
        '[[topic]]\nname = "chips"\ntitle = "Chips"\nquery = "chip*"\n')
    svc.signal(signal.SIGHUP)
    svc.wait_for("reload: sources added: extra")
    svc.wait_for("reload: topics added: chips")
    svc.config_path.write_text(text + "not toml [")
    svc.signal(signal.SIGHUP)
    svc.wait_for("reload failed, keeping the running configuration: .*newswatch.toml")
    assert svc.terminate() == 0


def test_healthz_metrics_and_json_logs(empty_service):
    port = free_port()
    svc = empty_service.start("--http", f"127.0.0.1:{port}", "--log-format", "json")
    svc.wait_for('"message": "newswatch running')
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
        info = json.load(r)
    assert info["status"] == "ok" and info["pid"] == svc.proc.pid
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        text = r.read().decode()
    assert "newswatch_start_time_seconds" in text and "newswatch_outbox" in text
    assert svc.terminate() == 0
    records = [json.loads(line) for line in svc.lines if line.startswith("{")]
    assert records and all({"time", "level", "message"} <= set(r) for r in records)
    assert any(r.get("pid") == svc.proc.pid for r in records)


def test_bad_http_address_and_interval_are_clear_errors(empty_service):
    for args, message in ((["--http", "nonsense"], "expected HOST:PORT"),
                          (["--interval", "soon"], "--interval: expected a number")):
        r = subprocess.run(empty_service.command("run", "--db", str(empty_service.db), *args),
                           env=empty_service.env, capture_output=True, text=True, timeout=30)
        assert r.returncode == 2 and message in r.stderr


def test_a_bad_reload_keeps_the_running_configuration_whole(empty_service, tmp_path):
    topics = tmp_path / "topics.toml"
    good = ('[[topic]]\nname = "chips"\nquery = "chip*"\n\n'
            '[[topic]]\nname = "robots"\nquery = "robot*"\n')
    topics.write_text(good, encoding="utf-8")
    svc = empty_service.start()
    svc.wait_for("newswatch running: 0 sources, 2 topics")
    text = svc.config_path.read_text()
    # One bad topic, an unknown channel type and a mistyped quiet_hours: all refused,
    # each named, in one record; nothing of the running configuration is dropped.
    topics.write_text(good + '\n[[topic]]\nname = "bad"\nquery = "chip AND"\n',
                      encoding="utf-8")
    svc.config_path.write_text(text + 'quiet_hours = "22-07"\n\n[channels.tg]\n'
                               'type = "telegram"\n')
    svc.signal(signal.SIGHUP)
    line = svc.wait_for("reload failed, keeping the running configuration")
    assert "quiet_hours" in line and "telegram" in line
    svc.config_path.write_text(text)
    svc.signal(signal.SIGHUP)
    line = svc.wait_for("reload failed, keeping the running configuration",
                        after=svc.lines.index(line) + 1)
    assert "topic 'bad'" in line
    topics.write_text(good + '\n[[topic]]\nname = "ai"\nquery = "AI"\n', encoding="utf-8")
    svc.signal(signal.SIGHUP)
    svc.wait_for("reload: topics added: ai$")  # chips and robots were never dropped
    assert svc.count("topics removed") == 0 and svc.count("reload failed") == 2
    assert svc.terminate() == 0
