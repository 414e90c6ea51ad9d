"""The crawl runner: concurrent writers, the per-source lock, dry runs, --refresh, events."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from crawler import archive
from crawler.seeds import load_source
from newswatch.crawl import runner as crawl_runner
from newswatch.crawl.locks import source_lock
from newswatch.crawl.runner import CrawlOptions, crawl_source, crawl_sources
from tests.support.replay_site import replay_site
from newswatch.storage import open_archive  # noqa: E402

PAGE = ("<html><head><meta charset='utf-8'><title>{t}</title>"
        "<meta name='PubDate' content='2026-11-0{d} 08:00'></head><body><h1>{t}</h1>"
        "<div class='content'><p>{t}。{b}</p></div></body></html>")
BODY = "本站消息：有关部门今天发布了新的产业政策，要求加快推进重点项目建设，确保按期完成。"


def build(site, seeds, name: str, host: str, count: int):
    links = "".join(f"<li><a href='/n/{i}.html'>{name} {i}</a></li>" for i in range(count))
    site.publish(f"https://{host}/n/", f"<ul>{links}</ul>")
    for i in range(count):
        site.publish(f"https://{host}/n/{i}.html",
                     PAGE.format(t=f"{name} 第{i}篇", d=i % 9 + 1, b=BODY))
    (seeds / f"{name}.toml").write_text(textwrap.dedent(f"""\
        name = "{name}"
        title = "{name}"
        site = "{name}"
        kind = "html"
        language = "zh"
        start_urls = ["https://{host}/n/"]
        [list]
        link = "a::attr(href)"
        [article]
        body = "div.content"
        """), encoding="utf-8")
    return load_source(seeds / f"{name}.toml")


@pytest.fixture()
def web(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    with replay_site(tmp_path / "web") as site:
        yield site, seeds, tmp_path / "archive.db"


def test_two_sources_write_one_archive_at_once(web):
    site, seeds, db = web
    one = build(site, seeds, "writer-one", "one.example", 40)
    two = build(site, seeds, "writer-two", "two.example", 40)
    events = []
    results = crawl_sources([one, two], CrawlOptions(db=db, sources_dir=seeds,
                                                     replay=site.url),
                            jobs=2, on_event=events.append)
    assert [r.outcome for r in results] == ["ok", "ok"], [r.errors for r in results]
    assert [r.items_new for r in results] == [40, 40]
    conn = open_archive(db)
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 80
    logs = "".join(open(r.log, encoding="utf-8").read() for r in results)
    assert "database is locked" not in logs
    kinds = {e["event"] for e in events}
    assert {"start", "done"} <= kinds
    assert {e["source"] for e in events} == {"writer-one", "writer-two"}


def test_a_locked_source_is_refused_naming_the_holder(web):
    site, seeds, db = web
    source = build(site, seeds, "busy", "busy.example", 1)
    with source_lock(db, "busy"):
        result = crawl_source(source, CrawlOptions(db=db, sources_dir=seeds, replay=site.url))
        env = {**os.environ, "NEWSWATCH_CONFIG": ""}
        cli = subprocess.run([sys.executable, "-m", "newswatch", "crawl", "busy", "--db",
                              str(db), "--sources-dir", str(seeds)],
                             capture_output=True, text=True, env=env, timeout=60)
    assert result.outcome == "locked"
    assert f"pid {os.getpid()}" in result.message() and "--wait" in result.message()
    assert cli.returncode == 1
    assert "locked" in cli.stdout and f"pid {os.getpid()}" in cli.stderr
    assert site.requests == []  # nothing was fetched


def test_dry_run_stores_nothing_and_prints_items(web):
    site, seeds, db = web
    build(site, seeds, "dry", "dry.example", 2)
    env = {**os.environ, "NEWSWATCH_CONFIG": "", "COLUMNS": "80"}
    out = subprocess.run([sys.executable, "-m", "newswatch", "crawl", "dry", "--dry-run",
                          "--db", str(db), "--sources-dir", str(seeds), "--replay", site.url],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    items = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert len(items) == 2, out.stdout  # one JSON object per line, even at 80 columns
    assert {i["title"] for i in items} == {"dry 第0篇", "dry 第1篇"}
    assert all(i["would_store"] for i in items)
    assert "dry run (nothing stored)" in out.stdout
    assert not db.exists() or open_archive(db).execute(
        "SELECT COUNT(*) FROM articles").fetchone()[0] == 0


def test_refresh_requests_known_articles_again_and_updates_them(web):
    site, seeds, db = web
    source = build(site, seeds, "fresh", "fresh.example", 2)
    options = CrawlOptions(db=db, sources_dir=seeds, replay=site.url)
    assert crawl_source(source, options).items_new == 2
    site.publish("https://fresh.example/n/0.html",
                 PAGE.format(t="fresh 第0篇（更正）", d=1, b=BODY))
    site.clear_log()
    options.refresh = True
    refreshed = crawl_source(source, options)
    assert refreshed.outcome == "ok" and "/fresh.example/n/0.html" in site.paths()
    titles = {r["title"] for r in open_archive(db).query("SELECT title FROM articles")}
    assert "fresh 第0篇（更正）" in titles and len(titles) == 2


def test_a_crawl_past_its_timeout_is_interrupted_never_ok_never_the_baseline(web, monkeypatch):
    site, seeds, db = web
    monkeypatch.setattr(crawl_runner, "STOP_GRACE", 5.0)
    source = build(site, seeds, "stuck", "stuck.example", 2)
    # The list answers at once, the articles never in time: the crawl is cut midway.
    for i in range(2):
        site.publish(f"https://stuck.example/n/{i}.html", PAGE.format(t="x", d=1, b=BODY),
                     meta="delay = 60\n")
    result = crawl_source(source, CrawlOptions(db=db, sources_dir=seeds, replay=site.url,
                                               timeout=6,
                                               settings={"DOWNLOAD_TIMEOUT": "120"}))
    assert result.outcome == "interrupted" and result.seconds < 40, result
    assert "time limit of 6 s" in result.message()
    conn = open_archive(db)
    runs = [dict(r) for r in conn.query("SELECT outcome, finished, baseline FROM runs")]
    assert runs and all(r["outcome"] == "interrupted" and r["finished"] for r in runs)
    assert conn.execute("SELECT first_run_id FROM sources").fetchone()[0] is None
    # Scrapy got ONE SIGTERM (a second makes it stop uncleanly) and closed the run itself.
    log = open(result.log, encoding="utf-8").read()
    assert log.count("Received SIGTERM") == 1 and "twice" not in log
    # The first *complete* crawl is the baseline.
    for i in range(2):
        site.publish(f"https://stuck.example/n/{i}.html", PAGE.format(t=f"y{i}", d=1, b=BODY),
                     meta="")
    again = crawl_source(source, CrawlOptions(db=db, sources_dir=seeds, replay=site.url))
    assert again.outcome == "ok" and again.baseline
    assert conn.execute("SELECT first_run_id FROM sources").fetchone()[0] == again.run_id


def test_a_list_of_100000_links_ends_quickly_within_its_bounds(web):
    site, seeds, db = web
    source = build(site, seeds, "huge", "huge.example", 0)
    links = "".join(f"<a href='/n/{i}.html'>{i}</a>" for i in range(100_000))
    site.publish("https://huge.example/n/", f"<html><body>{links}</body></html>")
    for i in range(6):
        site.publish(f"https://huge.example/n/{i}.html",
                     PAGE.format(t=f"huge {i}", d=1, b=BODY))
    result = crawl_source(source, CrawlOptions(db=db, sources_dir=seeds, replay=site.url,
                                               max_articles=5))
    assert result.outcome == "ok", result.errors
    assert result.items_new == 5 and result.requests <= 8  # robots, list, 5 articles
    assert result.seconds < 60
    messages = " ".join(e["error"] for e in result.errors)
    assert "more than 1,000 links" in messages and "stopped at 5 article pages" in messages
    assert [p for p in site.paths() if p.endswith(".html")][-5:] == [
        f"/huge.example/n/{i}.html" for i in range(5)] or len(site.paths()) <= 8
    # Capped: not yet the baseline; the next run takes the next (older) links.
    conn = open_archive(db)
    assert conn.execute("SELECT first_run_id FROM sources").fetchone()[0] is None
    second = crawl_source(source, CrawlOptions(db=db, sources_dir=seeds, replay=site.url,
                                               max_articles=5))
    assert second.items_known == 5 and second.items_new == 1  # page 5 (the rest 404)


def test_leftover_running_rows_are_closed_as_interrupted_unless_being_crawled(web):
    site, seeds, db = web
    conn = open_archive(db)
    for name in ("killed", "live"):
        conn["runs"].insert({"source": name, "started": archive.utcnow(),
                             "outcome": "running", "pid": 999_999})
    with source_lock(db, "live"):
        closed = crawl_runner.close_leftover_runs(db)
    assert len(closed) == 1
    outcomes = {r["source"]: r["outcome"] for r in conn.query("SELECT * FROM runs")}
    assert outcomes == {"killed": "interrupted", "live": "running"}


@pytest.mark.parametrize("sig", ["SIGTERM", "SIGINT"])
def test_newswatch_crawl_stopped_by_a_signal_gives_scrapy_one_sigterm(web, sig):
    import signal as signals
    import time

    site, seeds, db = web
    source = build(site, seeds, "held", "held.example", 1)
    site.publish("https://held.example/n/0.html", PAGE.format(t="x", d=1, b=BODY),
                 meta="delay = 60\n")
    env = {**os.environ, "NEWSWATCH_CONFIG": ""}
    proc = subprocess.Popen([sys.executable, "-m", "newswatch", "crawl", source.name, "--db",
                             str(db), "--sources-dir", str(seeds), "--replay", site.url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "/held.example/n/" not in site.paths():
        time.sleep(0.1)  # the list page is read, the article request in flight: midway
    time.sleep(0.5)
    proc.send_signal(getattr(signals, sig))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode in (1, 130), out + err
    runs = [dict(r) for r in open_archive(db).query("SELECT outcome, finished FROM runs")]
    assert [r["outcome"] for r in runs] == ["interrupted"] and runs[0]["finished"]
    log = open(crawl_runner.Path(str(db) + ".logs") / "held.log", encoding="utf-8").read()
    assert log.count("Received SIG") == 1 and "twice" not in log, log[-2000:]


def test_wait_takes_the_lock_when_the_holder_lets_go(web):
    import threading

    site, seeds, db = web
    source = build(site, seeds, "queued", "queued.example", 1)
    held, release = threading.Event(), threading.Event()

    def holder():
        with source_lock(db, "queued"):
            held.set()
            release.wait(30)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    threading.Timer(1.0, release.set).start()
    result = crawl_source(source, CrawlOptions(db=db, sources_dir=seeds, replay=site.url,
                                               wait=True))
    thread.join()
    assert result.outcome == "ok" and result.items_new == 1


def test_a_crawl_started_by_a_big_process_is_not_stopped_by_the_memory_cap(web):
    """Linux carries a process's peak memory into the children it starts: a service
    grown past the 512 MB cap must still be able to crawl (CI's test run hit this)."""
    site, seeds, db = web
    build(site, seeds, "heavy", "heavy.example", 2)
    script = textwrap.dedent(f"""
        import sys
        held = bytearray(600 * 1024 * 1024)
        for i in range(0, len(held), 4096):
            held[i] = 1
        from crawler.seeds import load_source
        from newswatch.crawl.runner import CrawlOptions, crawl_source
        source = load_source({str(seeds / 'heavy.toml')!r})
        result = crawl_source(source, CrawlOptions(db={str(db)!r}, sources_dir={str(seeds)!r},
                                                   replay={site.url!r}))
        print(result.outcome, result.items_new, result.errors)
        """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, cwd=os.getcwd())
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[:2] == ["ok", "2"], out.stdout


def test_the_memory_cap_reads_the_current_size_not_the_inherited_peak():
    from crawler.extensions.memory import resident_bytes
    script = ("import resource, sys; from crawler.extensions.memory import resident_bytes; "
              "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, resident_bytes())")
    parent = textwrap.dedent(f"""
        import subprocess, sys
        held = bytearray(300 * 1024 * 1024)
        for i in range(0, len(held), 4096):
            held[i] = 1
        print(subprocess.run([sys.executable, "-c", {script!r}], capture_output=True,
                             text=True).stdout)
        """)
    out = subprocess.run([sys.executable, "-c", parent], capture_output=True, text=True,
                         timeout=60, cwd=os.getcwd())
    peak, now = (int(v) for v in out.stdout.split())
    assert peak > 300 * 1024 * 1024  # what Scrapy's own extension would have read
    assert now < 150 * 1024 * 1024
    assert 0 < resident_bytes() < peak * 10
