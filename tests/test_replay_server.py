"""The replay server: file mapping, sidecars, conditional GET, live changes, the CLI."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from crawler.replay_handler import replay_url
from tests.support.replay_site import replay_site


@pytest.fixture()
def site(tmp_path):
    with replay_site(tmp_path / "web") as s:
        yield s


def test_paths_folders_and_queries_map_to_files(site):
    site.publish("https://www.x.cn/news/", "<p>index</p>")
    site.publish("https://www.x.cn/news/a.html", "<p>a</p>")
    site.publish("http://www.lw.cn/pcen/info_view.php?VID=7&tab=mynews", "<p>vid 7</p>")
    site.publish("https://www.x.cn/列表/", "<p>zh</p>")
    assert (site.root / "www.lw.cn/pcen/info_view.php@VID=7&tab=mynews").is_file()
    get = lambda path: httpx.get(site.url + path)
    assert get("/www.x.cn/news/").text == "<p>index</p>"
    assert get("/www.x.cn/news").text == "<p>index</p>"  # a folder serves its index
    assert get("/www.x.cn/news/a.html").text == "<p>a</p>"
    assert get("/www.lw.cn/pcen/info_view.php?VID=7&tab=mynews").text == "<p>vid 7</p>"
    # parameters in another order fall back to the sorted name
    assert get("/www.lw.cn/pcen/info_view.php?tab=mynews&VID=7").text == "<p>vid 7</p>"
    assert get("/www.lw.cn/pcen/info_view.php?VID=8&tab=mynews").status_code == 404
    assert get("/www.x.cn/%E5%88%97%E8%A1%A8/").text == "<p>zh</p>"
    assert get("/www.x.cn/../../etc/passwd").status_code == 404
    r = get("/www.x.cn/news/a.html")
    assert r.headers["content-type"] == "text/html" and r.headers["etag"]


def test_sidecar_sets_status_type_charset_headers(site):
    site.publish("https://h.cn/old.html", "", meta='status = 301\n[headers]\n'
                                                 'Location = "https://h.cn/new.html"\n')
    (site.root / "h.cn/old.html").unlink()  # a sidecar alone answers too
    site.publish("https://h.cn/gbk.html", "<p>中文</p>".encode("gbk"),
                 meta='charset = "gbk"\n')
    site.publish("https://h.cn/busy.html", "", meta='status = 503\n[headers]\n'
                                                  'Retry-After = "120"\n')
    site.publish("https://h.cn/doc.html", b"%PDF-1.4", meta='content_type = "application/pdf"')
    r = httpx.get(site.url + "/h.cn/old.html")
    assert r.status_code == 301 and r.headers["location"] == "https://h.cn/new.html"
    r = httpx.get(site.url + "/h.cn/gbk.html")
    assert r.headers["content-type"] == "text/html; charset=gbk" and r.text == "<p>中文</p>"
    r = httpx.get(site.url + "/h.cn/busy.html")
    assert r.status_code == 503 and r.headers["retry-after"] == "120"
    assert httpx.get(site.url + "/h.cn/doc.html").headers["content-type"] == "application/pdf"


def test_content_types_are_guessed(site):
    site.publish("https://h.cn/api/list.json", '{"a": 1}')
    site.publish("https://h.cn/feed.php", '<?xml version="1.0"?><rss/>')
    assert httpx.get(site.url + "/h.cn/api/list.json").headers["content-type"] == \
        "application/json"
    assert httpx.get(site.url + "/h.cn/feed.php").headers["content-type"] == "application/xml"


def test_conditional_requests_get_304_until_the_file_changes(site):
    site.publish("https://h.cn/list/", "<p>v1</p>")
    first = httpx.get(site.url + "/h.cn/list/")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert httpx.get(site.url + "/h.cn/list/", headers={"If-None-Match": etag}).status_code == 304
    assert httpx.get(site.url + "/h.cn/list/",
                     headers={"If-Modified-Since": modified}).status_code == 304
    site.publish("https://h.cn/list/", "<p>v2</p>")  # published while running
    again = httpx.get(site.url + "/h.cn/list/", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.text == "<p>v2</p>"
    log = site.requests
    assert [r.status for r in log] == [200, 304, 304, 200]
    assert [r.conditional for r in log] == [False, True, True, True]
    assert log[1].bytes == 0 and log[0].host == "h.cn"


def test_replay_url_keeps_host_path_query():
    assert replay_url("http://127.0.0.1:8321/", "https://WWW.Gov.cn/a/b.htm?x=1") == \
        "http://127.0.0.1:8321/www.gov.cn/a/b.htm?x=1"
    assert replay_url("http://r", "http://h.cn:8080") == "http://r/h.cn:8080/"


def test_replay_serve_command(tmp_path):
    (tmp_path / "h.cn").mkdir()
    (tmp_path / "h.cn" / "index.html").write_text("<p>hello</p>")
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "newswatch", "replay", "serve",
                             str(tmp_path), "--port", str(port), "--quiet"],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert f"http://127.0.0.1:{port}" in proc.stdout.readline()
        for _ in range(50):
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/h.cn/").text == "<p>hello</p>"
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        else:
            pytest.fail("replay server did not answer")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_suggested_crawl_names_the_seeds_and_a_database_of_its_own(tmp_path):
    from newswatch.commands.replay import crawl_hint

    web = tmp_path / "web"
    web.mkdir()
    assert crawl_hint(web, "http://127.0.0.1:1") == (
        "newswatch crawl --sources-dir SOURCES_DIR --replay http://127.0.0.1:1 --db replay.db")
    (tmp_path / "web-sources").mkdir()
    hint = crawl_hint(web, "http://127.0.0.1:1")
    assert f"--sources-dir {tmp_path / 'web-sources'} " in hint and "--db replay.db" in hint
    bundled = Path(__file__).resolve().parent.parent / "seeds" / "replay"
    assert "--sources-dir " + str(bundled.parent / "replay-sources") in crawl_hint(
        bundled, "http://x")


def test_the_request_log_is_bounded(tmp_path, monkeypatch):
    from newswatch.replay import server as server_mod

    monkeypatch.setattr(server_mod, "MAX_LOGGED", 8)
    srv = server_mod.ReplayServer(tmp_path, port=0)
    try:
        for i in range(100):
            srv.record(server_mod.Logged("GET", f"/{i}", 200, 0, None))
        assert 8 <= len(srv.requests) <= 10
        assert srv.requests[-1].path == "/99"
    finally:
        srv.server_close()
