"""Getting through, end to end without a browser: for each obstacle on the loopback
challenge server, the plain crawl is classified and says what to do, and the seed's
remedy (warmup, scheme_fallback, headers, proxy, Retry-After) gets the articles."""

from __future__ import annotations

import json
import os
import stat

import pytest

from crawler.access.cookies import cookie_file
from crawler.seeds import find_source
from newswatch.storage import open_archive
from newswatch.crawl.runner import CrawlOptions, crawl_source
from tests.support.challenge_server import RecordingProxy, challenge_server, write_seed


@pytest.fixture(scope="module")
def server():
    with challenge_server(retry_after=1.0, link_scheme="https") as srv:
        yield srv


def crawl(tmp_path, server, site, extra="", *, scheme="http", name="t", settings=None):
    seeds = tmp_path / "seeds"
    write_seed(seeds, name, server, site, scheme=scheme,
               extra=extra.replace("SERVER", server.url))
    source = find_source(seeds, name)
    return crawl_source(source, CrawlOptions(db=tmp_path / "a.db", sources_dir=seeds,
                                             polite=False, timeout=120,
                                             settings=settings or {}))


def run_row(tmp_path):
    db = open_archive(tmp_path / "a.db")
    row = dict(next(db.query("SELECT * FROM runs ORDER BY id DESC LIMIT 1")))
    db.conn.close()
    return row


def test_home_cookie_plain_crawl_says_warmup_and_warmup_gets_the_articles(tmp_path, server):
    plain = crawl(tmp_path / "1", server, "home")
    assert plain.outcome == "blocked"
    assert plain.access["state"] == "challenge" and plain.access["kind"] == "waf"
    assert "wzws" in plain.access["vendor"] and "`warmup`" in plain.message()
    row = run_row(tmp_path / "1")
    assert json.loads(row["access"])["state"] == "challenge"

    fixed = crawl(tmp_path / "2", server, "home", 'warmup = "SERVER/home/"')
    assert (fixed.outcome, fixed.items_new) == ("ok", 3), fixed.errors
    assert fixed.browser_requests == 0
    saved = cookie_file(tmp_path / "2" / "a.db", "t")
    assert "wzws_sessionid" in saved.read_text()
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600  # cookies are credentials


def test_saved_cookies_carry_over_to_the_next_run(tmp_path, server):
    first = crawl(tmp_path, server, "home", 'warmup = "SERVER/home/"')
    assert first.outcome == "ok"
    # The next run's warm-up fails (a 404 page): the saved cookie alone gets through.
    server.articles += 1
    try:
        again = crawl(tmp_path, server, "home", 'warmup = "SERVER/missing/"')
    finally:
        server.articles -= 1
    assert (again.outcome, again.items_new) == ("ok", 1), again.errors


def test_https_refused_says_scheme_fallback_and_fallback_gets_the_articles(tmp_path, server):
    plain = crawl(tmp_path / "1", server, "tls", scheme="https")
    assert plain.outcome == "failed"
    assert plain.access["state"] == "network"
    assert "TLS" in plain.access["detail"] and "scheme_fallback = true" in plain.message()

    fixed = crawl(tmp_path / "2", server, "tls", "scheme_fallback = true", scheme="https")
    assert (fixed.outcome, fixed.items_new) == ("ok", 3), fixed.errors
    db = open_archive(tmp_path / "2" / "a.db")
    urls = [r["url"] for r in db.query("SELECT url FROM articles")]
    assert urls and all(u.startswith("http://") for u in urls)  # the https links, over http


def test_403_without_referer_says_referer_and_the_header_gets_the_articles(tmp_path, server):
    plain = crawl(tmp_path / "1", server, "ref")
    assert plain.outcome == "blocked" and plain.access["state"] == "forbidden"
    assert f'Referer = "{server.url}/"' in plain.message()

    fixed = crawl(tmp_path / "2", server, "ref", '[headers]\nReferer = "SERVER/ref/"')
    assert (fixed.outcome, fixed.items_new) == ("ok", 3), fixed.errors


def test_429_retry_after_is_honoured(tmp_path, server):
    result = crawl(tmp_path, server, "rate")
    assert (result.outcome, result.items_new) == ("ok", 3), result.errors
    for path in ("/rate/list.html", "/rate/a1.html", "/rate/a2.html", "/rate/a3.html"):
        first, second = server.times[path][:2]
        assert second - first >= 0.95, (path, second - first)


def test_a_retry_after_past_the_cap_leaves_the_run_rate_limited(tmp_path):
    with challenge_server(retry_after=3600) as srv:
        result = crawl(tmp_path, srv, "rate")
    assert result.outcome == "blocked"
    assert result.access["state"] == "rate-limited" and result.access["retry_after"] == 3600
    assert "download_delay" in result.message()


def test_geo_block_and_redesign_and_captcha_are_told_apart(tmp_path, server):
    geo = crawl(tmp_path / "g", server, "geo")
    assert geo.outcome == "blocked" and geo.access["state"] == "geo-blocked"
    assert "proxy" in geo.message()
    gone = crawl(tmp_path / "r", server, "gone")
    assert gone.outcome == "empty" and gone.access["state"] == "redesigned"
    captcha = crawl(tmp_path / "c", server, "captcha", 'render = "auto"')
    assert captcha.access["kind"] == "captcha"
    assert captcha.browser_requests == 0  # a browser does not solve a CAPTCHA


def test_the_proxy_comes_from_the_environment_and_is_never_recorded(tmp_path, server,
                                                                    monkeypatch):
    proxy = RecordingProxy()
    try:
        monkeypatch.setenv("NW_TEST_PROXY", proxy.url.replace("http://", "http://u:s3cret@"))
        result = crawl(tmp_path, server, "plain", 'proxy = "${NW_TEST_PROXY}"')
    finally:
        proxy.stop()
    assert (result.outcome, result.items_new) == ("ok", 3), result.errors
    assert f"{server.url}/plain/list.html" in proxy.urls and len(proxy.urls) >= 4
    assert all(a.startswith("Basic ") for a in proxy.auth)
    row = run_row(tmp_path)
    assert "s3cret" not in json.dumps(row) and "s3cret" not in open(result.log).read()


def test_an_unset_proxy_variable_fails_the_run_without_a_direct_request(tmp_path, server,
                                                                       monkeypatch):
    monkeypatch.delenv("NW_UNSET_PROXY", raising=False)
    before = sum(n for (site, _), n in server.hits.items() if site == "ref")
    result = crawl(tmp_path, server, "ref", 'proxy = "${NW_UNSET_PROXY}"')
    assert result.outcome == "failed"
    assert any("NW_UNSET_PROXY is not set" in e["error"] for e in result.errors)
    assert sum(n for (site, _), n in server.hits.items() if site == "ref") == before


def test_render_auto_without_a_browser_degrades_to_a_message(tmp_path, server):
    result = crawl(tmp_path, server, "js", 'render = "auto"',
                   settings={"NEWSWATCH_BROWSER_EXECUTABLE": str(tmp_path / "no-chromium")})
    assert result.outcome == "blocked" and result.returncode == 0
    assert any("NEWSWATCH_BROWSER_EXECUTABLE" in e["error"] for e in result.errors)
    assert 'render = "auto"' in result.message()


def test_seed_fields_are_validated(tmp_path):
    from crawler.seeds import SeedError, load_source

    path = tmp_path / "bad.toml"
    path.write_text('name = "bad"\ntitle = "t"\nsite = "s"\nkind = "html"\nlanguage = "zh"\n'
                    'start_urls = ["https://a.cn/"]\nwarmup = "ftp://a.cn/"\n'
                    'scheme_fallback = "yes"\nproxy = "ftp://u:pw@p:1"\nrender = "sometimes"\n'
                    '[list]\nlink = "a::attr(href)"\n', encoding="utf-8")
    with pytest.raises(SeedError) as err:
        load_source(path)
    text = str(err.value)
    for field in ("'warmup'", "'scheme_fallback'", "'proxy'", "'render'"):
        assert field in text
    assert "pw" not in text  # a proxy's credentials are never echoed


def test_status_sources_and_the_ops_alert_say_what_to_do(tmp_path, server):
    from click.testing import CliRunner

    from newswatch import health
    from newswatch.health import notices as ops_alerts
    from newswatch.cli import main

    result = crawl(tmp_path, server, "js")
    assert result.outcome == "blocked" and 'render = "auto"' in result.message()
    db = open_archive(tmp_path / "a.db")
    h = health.compute(db, "t")
    db.conn.close()
    assert h.state == "blocked"
    assert h.reason.startswith("challenge (js-cookie): answers 412 with a JavaScript cookie")
    assert 'set `render = "auto"` or a proxy in China' in h.reason
    _, text = ops_alerts.describe(health.Change(1, "t", "ok", "blocked", h.reason, ""))
    assert 'render = "auto"' in text
    out = CliRunner().invoke(main, ["sources", "--json", "--db", str(tmp_path / "a.db"),
                                    "--sources-dir", str(tmp_path / "seeds")],
                             env={"NEWSWATCH_CONFIG": ""})
    row = json.loads(out.output.splitlines()[0])
    assert row["access"]["kind"] == "js-cookie" and row["render"] == "never"


def test_a_socks5_proxy_carries_plain_requests(tmp_path, server, monkeypatch):
    pytest.importorskip("socksio", reason="SOCKS for plain requests needs newswatch[socks]")
    from tests.support.challenge_server import Socks5Proxy

    proxy = Socks5Proxy()
    try:
        monkeypatch.setenv("NW_TEST_SOCKS", proxy.url)
        result = crawl(tmp_path, server, "plain", 'proxy = "${NW_TEST_SOCKS}"')
    finally:
        proxy.stop()
    assert (result.outcome, result.items_new) == ("ok", 3), result.errors
    assert ("127.0.0.1", server.port) in proxy.targets


def test_sources_check_warns_when_render_cannot_find_a_browser(tmp_path):
    import subprocess
    import sys

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "r.toml").write_text(
        'name = "r"\ntitle = "t"\nsite = "s"\nkind = "html"\nlanguage = "zh"\n'
        'start_urls = ["https://a.cn/"]\nrender = "auto"\n[list]\nlink = "a::attr(href)"\n',
        encoding="utf-8")
    env = {**os.environ, "NEWSWATCH_CONFIG": "",
           "NEWSWATCH_BROWSER_EXECUTABLE": str(tmp_path / "none")}
    out = subprocess.run([sys.executable, "-m", "newswatch", "sources", "check",
                          "--sources-dir", str(seeds)], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0  # a warning: another machine may have the browser
    assert 'r.toml: render = "auto" cannot use a browser here' in out.stderr
    assert "NEWSWATCH_BROWSER_EXECUTABLE" in out.stderr
