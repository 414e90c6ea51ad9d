"""``newswatch extract``: many inputs in one process, JSON lines in input order, URLs fetched."""

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from newswatch.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
SEED = str(FIXTURES / "outlook_seed.html")
MIIT = str(FIXTURES / "miit_policy.html")
PEOPLE = str(FIXTURES / "people_gbk.html")
REPO = Path(__file__).resolve().parent.parent


def run(*args):
    return CliRunner().invoke(main, ["extract", *args], catch_exceptions=False)


def lines_of(result) -> list[dict]:
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


def test_json_one_object_per_input_in_order_even_for_failures(tmp_path):
    missing = str(tmp_path / "missing.html")
    result = run("--json", SEED, missing, MIIT, PEOPLE)
    items = lines_of(result)
    assert len(items) == 4
    assert items[0]["editor"] == "Yao jue / Xie Tunan"
    assert items[0]["original_source"] == "Securities Daily"
    assert items[1]["url"] == missing and "cannot read" in items[1]["error"]
    assert items[1]["title"] is None and items[1]["body"] == ""
    assert items[2]["doc_number"] == "工信部联规〔2025〕12号"
    assert items[3]["encoding"] == "gb18030" and items[3]["title"] == "多地加快布局新型储能产业"
    assert set(items[0]) == set(items[1])  # the same keys for a failed input
    assert result.exit_code == 1           # one input could not be read


def test_url_option_gives_files_their_address():
    url = "http://www.outlooknewera.com.cn/pcen/info_view.php?VID=71312&tab=mynews"
    item = lines_of(run("--json", "--url", url, SEED))[0]
    assert item["url"] == url
    assert item["published"] == "2025-11-04T00:00:00+08:00"
    assert item["site"] == "outlooknewera.com.cn"


def test_file_without_url_gets_its_file_uri():
    item = lines_of(run("--json", SEED))[0]
    assert item["url"] == Path(SEED).resolve().as_uri()


def test_readable_summary():
    result = run(SEED, MIIT)
    assert result.exit_code == 0
    assert f"== {SEED}" in result.output and f"== {MIIT}" in result.output
    assert "editor:       Yao jue / Xie Tunan" in result.output
    assert "doc number:   工信部联规〔2025〕12号" in result.output
    assert "body:" in result.output


def test_select_option_and_its_errors():
    item = lines_of(run("--json", "--select", "title=h2.title::text", "--select",
                        "body=div.content", SEED))[0]
    assert item["field_sources"]["title"] == "selector"
    assert item["field_sources"]["body"] == "selector"
    assert item["editor"] == "Yao jue / Xie Tunan"   # credits still leave a selected body
    numbered = lines_of(run("--json", "--select", "doc_number=p[style*=center]", MIIT))[0]
    assert numbered["doc_number"] == "工信部联规〔2025〕12号"
    assert numbered["field_sources"]["doc_number"] == "selector"
    bad = run("--json", "--select", "colour=h1", SEED)
    assert bad.exit_code == 2 and "KEY=SELECTOR" in bad.output


def test_source_option_uses_the_seed_selectors(tmp_path, monkeypatch):
    seeds = tmp_path / "sources"
    seeds.mkdir()
    (seeds / "outlook.toml").write_text(
        'name = "outlook"\ntitle = "Outlook"\nsite = "Outlook New Era"\nkind = "html"\n'
        'language = "en"\nstart_urls = ["http://www.outlooknewera.com.cn/pcen/"]\n'
        'schedule = { interval = "1h" }\n[list]\nlink = "a::attr(href)"\n'
        '[article]\ntitle = "h2.title::text"\nbody = "div.content"\n', "utf-8")
    monkeypatch.setenv("NEWSWATCH_SOURCES", str(seeds))
    item = lines_of(run("--json", "--source", "outlook", SEED))[0]
    assert item["field_sources"]["title"] == "selector"
    assert item["field_sources"]["body"] == "selector"
    assert "Source:" not in item["body"] and item["original_source"] == "Securities Daily"
    missing = run("--json", "--source", "nope", SEED)
    assert missing.exit_code == 1 and "unknown source 'nope'" in missing.output


class _Pages(BaseHTTPRequestHandler):
    body = (FIXTURES / "people_gbk.html").read_bytes().replace(b"charset=GB2312", b"", 1)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.path.startswith("/missing"):
            self.send_response(404)
            self.end_headers()
            return
        if self.path.startswith("/huge"):  # endless, until the client hangs up
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(40 * 16):  # 40 MB at most
                    self.wfile.write(b"<p>" + b"x" * 65530 + b"</p>")
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=GBK")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_urls_are_fetched_with_their_header_charset(server):
    result = run("--json", f"{server}/n1/2025/1104/c1004-1.html", f"{server}/missing.html")
    ok, missing = lines_of(result)
    assert ok["encoding"] == "gb18030"
    assert ok["title"] == "多地加快布局新型储能产业"
    assert ok["published"] == "2025-11-04T09:30:00+08:00"
    assert "HTTP 404" in missing["error"] and missing["url"].endswith("/missing.html")


def test_console_command_runs_many_files_in_one_process():
    files = [SEED, MIIT, PEOPLE] * 4
    proc = subprocess.run([sys.executable, "-m", "newswatch", "extract", "--json", *files],
                          capture_output=True, text=True, cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    items = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [i["url"].rsplit("/", 1)[-1] for i in items] == [Path(f).name for f in files]


def test_a_url_is_read_only_up_to_the_crawlers_cap(server):
    result = run("--json", f"{server}/huge.html")
    item = lines_of(result)[0]
    assert result.exit_code == 1
    assert "larger than the 10 MB cap" in item["error"]


def test_a_page_without_article_text_exits_1_whatever_it_has(tmp_path):
    only_title = tmp_path / "title.html"
    only_title.write_text("<html><head><title>Page</title></head><body><div>hi</div>"
                          "</body></html>", "utf-8")
    nothing = tmp_path / "empty.html"
    nothing.write_text("<html><body><div></div></body></html>", "utf-8")
    for page, error in ((only_title, "no article text found"),
                        (nothing, "no article title or text found")):
        result = run(str(page))
        assert result.exit_code == 1, result.output
        assert error in result.output
