"""The cluster (docs/scaling.md) on real servers: a real Redis as the broker, the
scheduler (`newswatch run` with a broker) and `newswatch worker` as subprocesses, the
replay web and a recording webhook receiver. The settings and error messages first
(no server needed), then a scheduler dispatching to workers with tag routing, then the
cluster of the issue: kill -9 of a crawl worker mid-crawl and a delivery worker
mid-send lose nothing and send nothing twice under two ids."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newswatch import config
from newswatch.cluster.app import crawl_queue, crawl_queues, tags_of_queue
from tests.support.cluster_process import NewswatchProcess
from tests.support.db_servers import postgres_server, postgres_url, redis_server, redis_url  # noqa: F401
from tests.support.news_site import NewsSite
from tests.support.replay_site import replay_site
from tests.support.service_process import REPO, write_config
from tests.support.webhook_receiver import Reply, WebhookReceiver
from tests.test_service_alerts import story_text

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
TOPICS = '''[[topic]]
name = "chips"
title = "Chips / 芯片"
query = "芯片"
channels = ["hook"]
'''


_REDIS_DBS = itertools.count(1)


@pytest.fixture
def broker(redis_server):  # noqa: F811
    """A Redis database of its own (tasks left by one test never reach another's workers)."""
    import redis

    n = next(_REDIS_DBS) % 16
    url = f"redis://127.0.0.1:{redis_server.port}/{n}"
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request, tmp_path):
    """The archive: an SQLite file, then a PostgreSQL database (skipped, with the reason,
    where PostgreSQL is missing)."""
    if request.param == "sqlite":
        return str(tmp_path / "cluster.db")
    return request.getfixturevalue("postgres_url")


def _cluster_toml(path: Path, settings: dict, cluster: dict, channels: dict | None = None):
    write_config(path, settings, channels)
    lines = ["", "[cluster]"] + [f"{k} = {json.dumps(v)}" for k, v in cluster.items()]
    with path.open("a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


# ---- settings, queues and messages: no server ------------------------------------------


def test_cluster_settings_are_typed_and_the_broker_password_never_shown(tmp_path):
    path = _cluster_toml(tmp_path / "n.toml", {}, {
        "broker": "redis://:s3cr3t-pw@10.0.0.5:6379/0", "crawl_concurrency": 3,
        "delivery_workers": 5, "visibility_timeout": "40m"})
    cfg = config.load(path)
    c = cfg.cluster
    assert (c.enabled, c.crawl_concurrency, c.delivery_workers, c.visibility_timeout) == (
        True, 3, 5, 2400.0)
    assert c.broker == "redis://:s3cr3t-pw@10.0.0.5:6379/0"
    assert "s3cr3t-pw" not in c.broker_shown and "s3cr3t-pw" not in repr(c)
    assert "s3cr3t-pw" not in cfg.text("cluster.broker")
    assert not config.load(None).cluster.enabled

    bad = _cluster_toml(tmp_path / "bad.toml", {}, {
        "broker": "http://:s3cr3t-pw@10.0.0.5/", "crawl_concurrency": 0, "workers": 2})
    with pytest.raises(config.Problems) as err:
        config.load(bad)
    text = str(err.value)
    assert "unknown setting 'workers' in [cluster]" in text
    assert "setting [cluster] 'crawl_concurrency': must be 1 or more" in text
    assert "setting [cluster] 'broker': expected a broker URL" in text
    assert "s3cr3t-pw" not in text


def test_a_source_is_queued_by_its_tags_and_a_worker_takes_every_subset_of_its_own():
    assert crawl_queue(()) == "crawl"
    assert crawl_queue(("gov", "cn")) == "crawl.cn.gov"
    assert crawl_queues(()) == ["crawl"]
    assert crawl_queues(("cn",)) == ["crawl", "crawl.cn"]
    assert crawl_queues(("gov", "cn")) == ["crawl", "crawl.cn", "crawl.gov", "crawl.cn.gov"]
    assert tags_of_queue("crawl.cn.gov") == ("cn", "gov") and tags_of_queue("deliver") == ()


def _newswatch(tmp_path, *args, env=None):
    import os

    full = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", **(env or {})}
    for var in ("NEWSWATCH_BROKER", "NEWSWATCH_CONFIG", "NEWSWATCH_DB"):
        if not env or var not in env:
            full.pop(var, None)
    return subprocess.run([sys.executable, "-m", "newswatch", *args], cwd=tmp_path, env=full,
                          capture_output=True, text=True, timeout=60)


def test_worker_without_a_broker_or_with_one_down_names_the_setting(tmp_path):
    db = str(tmp_path / "a.db")
    out = _newswatch(tmp_path, "worker", "--db", db)
    assert out.returncode == 1
    assert "no broker configured" in out.stderr and "cluster.broker" in out.stderr

    # A port nothing listens on; the password must not appear anywhere.
    env = {"NEWSWATCH_BROKER": "redis://:pa55-w0rd@127.0.0.1:9/0"}
    for args in (("worker",), ("run",)):
        out = _newswatch(tmp_path, *args, "--db", db, env=env)
        assert out.returncode == 1, out.stderr
        assert "setting cluster.broker (redis://:***@127.0.0.1:9/0)" in out.stderr
        assert "does not answer" in out.stderr
        assert "pa55-w0rd" not in out.stderr + out.stdout
    from newswatch.storage import open_archive

    open_archive(db).conn.close()
    out = _newswatch(tmp_path, "status", "--db", db, env=env)
    assert "cluster: broker unreachable" in out.stdout, out.stdout + out.stderr
    assert "pa55-w0rd" not in out.stderr + out.stdout


def test_seed_tags_are_validated(tmp_path):
    from crawler.seeds import SeedError, load_source

    site = NewsSite(tmp_path / "site", tmp_path / "sources")
    seed = site.add_source("alpha")
    _tag(seed, ["cn", "gov", "cn"])
    assert load_source(seed).tags == ("cn", "gov")
    _tag(seed, ["CN"], replace=True)
    with pytest.raises(SeedError, match="field 'tags'"):
        load_source(seed)


def _tag(seed: Path, tags: list[str], replace: bool = False) -> None:
    text = seed.read_text(encoding="utf-8")
    if replace:
        text = "\n".join(ln for ln in text.splitlines() if not ln.startswith("tags ="))
    seed.write_text(text.replace("download_delay = 0", f"download_delay = 0\ntags = "
                                                       f"{json.dumps(tags)}", 1),
                    encoding="utf-8")


# ---- on a real Redis -------------------------------------------------------------------


class Cluster:
    """A scheduler and workers on one config; ``stop()`` ends them all."""

    def __init__(self, tmp_path: Path, db: str, settings: dict, cluster: dict,
                 channels: dict):
        self.tmp, self.db = tmp_path, db
        self.settings, self.cluster, self.channels = settings, cluster, channels
        self.procs: dict[str, NewswatchProcess] = {}

    def start(self, name: str, *args: str) -> NewswatchProcess:
        p = NewswatchProcess(self.tmp, name=name, db=self.db, config=self.settings,
                             channels=self.channels)
        _cluster_toml(p.config_path, self.settings, self.cluster, self.channels)
        self.procs[name] = p.start(*args)
        return p

    def stop(self) -> None:
        for p in self.procs.values():
            p.stop()


def _archive(db: str):
    from newswatch.storage import open_archive

    return open_archive(db)


def _ok_runs(db: str) -> dict[str, int]:
    conn = _archive(db)
    try:
        return {r["source"]: r["n"] for r in conn.query(
            "SELECT source, count(*) AS n FROM runs WHERE outcome = 'ok' GROUP BY source")}
    finally:
        _close(conn)


def _close(conn) -> None:
    try:
        conn.conn.close()
    except Exception:
        close = getattr(conn, "close", None)
        if close:
            close()


def _wait(what: str, check, timeout: float, procs=()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    tails = "\n".join(f"--- {p.name}\n" + "\n".join(p.lines[-25:]) for p in procs)
    raise AssertionError(f"{what}: not within {timeout}s\n{tails}")


def _crawled_by(proc: NewswatchProcess) -> set[str]:
    import re

    return {m.group(1) for line in proc.lines
            for m in [re.search(r"crawl (\S+): started on", line)] if m}


@pytest.fixture
def plain_site(tmp_path):
    site = NewsSite(tmp_path / "site", tmp_path / "sources")
    for name in ("alpha", "beta", "gamma-cn"):
        seed = site.add_source(name, language="zh")
        if name.endswith("-cn"):
            _tag(seed, ["cn"])
        site.publish(name, f"{name}-old", f"{name} 旧闻", "这是一条旧的新闻，没有关键词。" * 8)
    (tmp_path / "topics.toml").write_text(TOPICS, encoding="utf-8")
    return site


def test_scheduler_dispatches_crawls_to_workers_by_tag_and_alerts_arrive(
        tmp_path, plain_site, broker, db_target):
    site = plain_site
    with replay_site(site.root) as served, WebhookReceiver(SECRET) as rx:
        cl = Cluster(tmp_path, db_target,
                     {"sources_dir": str(site.sources_dir), "replay": served.url,
                      "topics": str(tmp_path / "topics.toml"), "delivery_interval": "1s",
                      "default_channels": "console"},
                     {"broker": broker, "crawl_concurrency": 2, "delivery_workers": 1},
                     {"hook": {"type": "webhook", "url": rx.url, "secret": SECRET,
                               "allow_private": True}})
        try:
            plain = cl.start("plain", "worker", "--http", "127.0.0.1:0")
            cn = cl.start("cn", "worker", "--queues", "crawl", "--tags", "cn")
            plain.wait_for(r"worker \S+: queues crawl,match,deliver", 30)
            cn.wait_for(r"worker \S+: queues crawl,crawl.cn,", 30)
            sched = cl.start("scheduler", "run", "--interval", "4s")
            sched.wait_for("crawl gamma-cn: dispatched to queue crawl.cn", 30)
            _wait("every source crawled", lambda: len(_ok_runs(cl.db)) == 3, 60,
                  cl.procs.values())
            # A new matching article: crawled at the next turn, matched, delivered.
            site.publish("alpha", "chip-1", "芯片产业园签约", "上海消息：芯片产业园项目签约。" * 6)
            site.publish("gamma-cn", "chip-2", "晶圆厂投产", "合肥消息：新的芯片晶圆厂投产。" * 6)
            rx.wait_for(2, timeout=60)
            titles = {r.json["story"]["first_article"]["title"] for r in rx.requests
                      if r.status == 200}
            assert titles == {"芯片产业园签约", "晶圆厂投产"}
            assert all(r.verified for r in rx.requests)
            assert "gamma-cn" not in _crawled_by(plain), "a cn source reached an untagged worker"
            assert "gamma-cn" in _crawled_by(cn)

            out = _newswatch(tmp_path, "status", "--json", "--config",
                             str(sched.config_path), "--db", cl.db)
            status = json.loads(out.stdout)
            if cl.db.startswith("postgresql"):  # the scheduler is named by its lock
                assert f"pid {sched.pid} " in (status["scheduler"] or ""), status["scheduler"]
            else:
                assert status["service_pid"] == sched.pid
            info = status["cluster"]
            assert info["reachable"] and len(info["workers"]) == 2, info
            tags = sorted(tuple(w["tags"]) for w in info["workers"])
            assert tags == [(), ("cn",)]
        finally:
            cl.stop()
        assert sched.proc.returncode == 0, sched.output[-2000:]


def _schedulers_only(tmp_path, db: str, site, broker: str) -> Cluster:
    """A cluster for scheduler tests: no site to crawl, no receiver to reach."""
    return Cluster(tmp_path, db,
                   {"sources_dir": str(site.sources_dir), "replay": "http://127.0.0.1:9",
                    "topics": str(tmp_path / "topics.toml")},
                   {"broker": broker}, {"hook": {"type": "webhook", "url": "http://127.0.0.1:9/h",
                                                 "secret": SECRET, "allow_private": True}})


def test_a_standby_scheduler_takes_over_when_the_first_dies(tmp_path, plain_site, broker,
                                                          db_target):
    cl = _schedulers_only(tmp_path, db_target, plain_site, broker)
    try:
        first = cl.start("first", "run")
        first.wait_for("scheduler: holding the scheduler lock", 30)
        second = cl.start("second", "run")
        second.wait_for("scheduler: standing by", 30)
        assert "dispatched" not in second.output
        first.kill9()
        second.wait_for("scheduler: holding the scheduler lock", 15)
        second.wait_for("dispatched to queue", 15)
    finally:
        cl.stop()


def test_a_scheduler_whose_lock_connection_breaks_stops_so_only_one_dispatches(
        tmp_path, plain_site, broker, postgres_url):
    import psycopg

    from crawler.database import lock_key

    cl = _schedulers_only(tmp_path, postgres_url, plain_site, broker)
    try:
        sched = cl.start("scheduler", "run")
        sched.wait_for("scheduler: holding the scheduler lock", 30)
        key = lock_key("scheduler")
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            (ended,) = conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                "AND granted AND classid::bigint = %s AND objid::bigint = %s",
                [(key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF]).fetchone()
        assert ended, "the scheduler's lock session was not found"
        sched.wait_for("scheduler: lost the scheduler lock", 30)
        assert sched.proc.wait(timeout=60) == 1, sched.output[-2000:]
    finally:
        cl.stop()


def test_the_crawl_lock_is_an_advisory_lock_on_postgresql_and_names_its_holder(
        postgres_url):  # noqa: F811
    import os

    from newswatch.crawl.locks import NamedLock, source_lock_of

    first, second = source_lock_of(postgres_url, "alpha"), source_lock_of(postgres_url, "alpha")
    assert first.server and first.try_acquire()
    try:
        assert not second.try_acquire()
        assert f"pid {os.getpid()}" in second.holder()
        assert source_lock_of(postgres_url, "beta").try_acquire()  # another source: free
        assert NamedLock(postgres_url, "match").try_acquire()
    finally:
        first.release()
    assert second.try_acquire()
    second.release()


def _healthz(proc: NewswatchProcess) -> dict:
    import re
    import urllib.request

    line = proc.wait_for(r"serving /healthz and /metrics on http://", 30)
    url = re.search(r"(http://\S+)", line).group(1) + "/healthz"
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return json.loads(r.read())
    except OSError:
        return {}


@pytest.fixture
def pg_target(request):
    """The cluster test needs a server database (several machines' workers)."""
    return request.getfixturevalue("postgres_url")


def test_the_cluster_loses_nothing_when_a_crawl_and_a_delivery_worker_are_killed(
        tmp_path, broker, pg_target):
    """One scheduler, three crawl workers (two tagged cn), two delivery workers, 30
    sources; kill -9 a cn crawl worker mid-crawl and a delivery worker mid-send."""
    from newswatch.service import add_request

    site = NewsSite(tmp_path / "site", tmp_path / "sources")
    names = [f"src{i:02d}-cn" if i % 3 == 0 else f"src{i:02d}" for i in range(30)]
    for name in names:
        seed = site.add_source(name, language="zh", site=f"Site {name}")
        if name.endswith("-cn"):
            _tag(seed, ["cn"])
        site.publish(name, f"{name}-old", f"{name} 旧闻", "这是一条旧的新闻，没有关键词。" * 8)
    (tmp_path / "topics.toml").write_text(TOPICS, encoding="utf-8")
    slow = Reply(200, delay=2.0)  # every send is in flight for 2 s
    with replay_site(site.root) as served, WebhookReceiver(SECRET, default=slow) as rx:
        cl = Cluster(tmp_path, pg_target,
                     {"sources_dir": str(site.sources_dir), "replay": served.url,
                      "topics": str(tmp_path / "topics.toml"), "delivery_interval": "1s",
                      "delivery_backoff": "1s", "default_channels": "console",
                      "crawl_timeout": "2m"},
                     {"broker": broker, "crawl_concurrency": 2, "delivery_workers": 2,
                      "visibility_timeout": "5s"},
                     {"hook": {"type": "webhook", "url": rx.url, "secret": SECRET,
                               "allow_private": True, "timeout": 10}})
        try:
            crawlers = [cl.start("c1", "worker", "--queues", "crawl"),
                        cl.start("c2", "worker", "--queues", "crawl", "--tags", "cn"),
                        cl.start("c3", "worker", "--queues", "crawl", "--tags", "cn")]
            senders = [cl.start(n, "worker", "--queues", "match,deliver", "--http",
                                "127.0.0.1:0") for n in ("d1", "d2")]
            for p in crawlers + senders:
                p.wait_for(r"worker \S+: queues", 60)
            sched = cl.start("scheduler", "run")
            _wait("the baseline crawl of every source", lambda: len(_ok_runs(cl.db)) == 30,
                  180, cl.procs.values())
            baseline_titles = {f"{n} 旧闻" for n in names}

            # A story on every source; the cn sources' article pages answer slowly, so the
            # killed worker's crawl is in the middle of fetching.
            expected = {}
            for i, name in enumerate(names):
                title, body = story_text(i)  # its own words: no two stories cluster
                title = f"芯片：{title}"
                url = site.publish(name, f"story-{i}", title, body)
                expected[title] = url
                if name.endswith("-cn"):
                    served.file_for(url).with_name(f"story-{i}.html.meta.toml").write_text(
                        "delay = 3\n", encoding="utf-8")
            c2, c3 = crawlers[1], crawlers[2]
            mark, mark1, mark3 = len(c2.lines), len(crawlers[0].lines), len(c3.lines)
            db = _archive(cl.db)
            try:
                for name in names:
                    add_request(db, "crawl", source=name, by="test")
            finally:
                _close(db)

            # kill -9 a cn crawl worker in the middle of a crawl.
            c2.wait_for(r"crawl src\d\d-cn: started on", 60, after=mark)
            time.sleep(1.5)
            c2.kill9()
            killed_crawls = _crawled_by_after(c2, mark) - _crawled_by_after(c2, mark, "ok")

            # kill -9 a delivery worker in the middle of a send.
            rx.wait_for(1, timeout=120)
            victim = None
            deadline = time.monotonic() + 10
            while victim is None and time.monotonic() < deadline:
                for p in senders:
                    if _healthz(p).get("delivering"):
                        victim = p
                        break
                else:
                    time.sleep(0.05)
            assert victim is not None, "no delivery worker was sending"
            victim.kill9()
            received_before_kill = len(rx.requests)

            def all_received():
                return set(expected) <= set(_accepted(rx))

            _wait("every alert received", all_received, 180, cl.procs.values())
            time.sleep(3)  # anything still to come (a repeat) comes now
        finally:
            cl.stop()

    accepted = _accepted(rx)
    assert set(accepted) == set(expected), set(accepted) ^ set(expected)
    assert not set(accepted) & baseline_titles  # the baseline alerts nothing
    two_ids = {t: ids for t, ids in accepted.items() if len(ids) > 1}
    assert not two_ids, f"accepted under two ids: {two_ids}"
    assert all(r.verified for r in rx.requests)
    assert received_before_kill < len(rx.requests) or len(rx.requests) >= 30

    db = _archive(cl.db)
    try:
        rows = list(db.query("SELECT canonical_url, count(*) AS n FROM articles "
                             "GROUP BY canonical_url"))
    finally:
        _close(db)
    archived = {r["canonical_url"]: r["n"] for r in rows}
    assert len(archived) == 60 and set(archived.values()) == {1}
    assert set(expected.values()) <= set(archived)

    cn = {n for n in names if n.endswith("-cn")}
    assert not cn & _crawled_by(crawlers[0]), "a cn source was crawled by the untagged worker"
    assert cn <= _crawled_by(crawlers[1]) | _crawled_by(crawlers[2])
    # The killed worker's crawls were done again, its cn ones by the other cn worker.
    assert killed_crawls
    assert killed_crawls & cn <= _crawled_by_after(c3, mark3, "ok")
    assert killed_crawls <= (_crawled_by_after(c3, mark3, "ok")
                             | _crawled_by_after(crawlers[0], mark1, "ok"))


def _crawled_by_after(proc: NewswatchProcess, mark: int, what: str = "started on") -> set[str]:
    import re

    return {m.group(1) for line in proc.lines[mark:]
            for m in [re.search(rf"crawl (\S+): {what}", line)] if m}


def _accepted(rx) -> dict[str, set[str]]:
    """Alert title → the webhook-ids under which the receiver accepted it."""
    seen: dict[str, set[str]] = {}
    for r in list(rx.requests):
        if r.status == 200 and r.verified:
            seen.setdefault(r.json["story"]["first_article"]["title"], set()).add(r.webhook_id)
    return seen
