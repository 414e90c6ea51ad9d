"""Who may use the web interface: loopback only without accounts, logins with scrypt
hashes and signed sessions, CSRF on every POST, the read-only role, a reverse proxy's
header trusted only from its addresses."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from starlette.testclient import TestClient

from newswatch.web import access, accounts
from newswatch.web.app import WebOptions, create_app
from newswatch.storage import open_archive
from tests.support.service_process import write_config
from tests.support.web_archive import env_for

LOCAL = "http://127.0.0.1"


@pytest.fixture
def setup(tmp_path):
    topics = tmp_path / "topics.toml"
    topics.write_text('[[topic]]\nname = "chips"\nquery = "芯片"\n', encoding="utf-8")
    db = tmp_path / "a.db"
    config = write_config(tmp_path / "newswatch.toml", {"db": str(db), "topics": str(topics)})
    return tmp_path, db, config


def app_for(config, **settings):
    return create_app(WebOptions(config_path=str(config), overrides=settings))


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(client, name, password):
    page = client.get("/login").text
    return client.post("/login", data={"csrf": csrf_of(page), "name": name,
                                       "password": password, "next": "/topics"},
                       follow_redirects=False)


def test_passwords_are_hashed_with_scrypt_and_verified(setup):
    _, db, _ = setup
    conn = open_archive(db)
    accounts.set_user(conn, "ana", "correct horse", "admin")
    stored = conn.execute("SELECT password FROM web_users").fetchone()[0]
    assert stored.startswith("scrypt$16384$8$1$") and "correct horse" not in stored
    assert accounts.authenticate(conn, "ana", "correct horse")["role"] == "admin"
    assert accounts.authenticate(conn, "ana", "wrong horse") is None
    assert accounts.authenticate(conn, "nobody", "correct horse") is None
    with pytest.raises(accounts.AccountError, match="at least 8"):
        accounts.set_user(conn, "bob", "short")
    with pytest.raises(accounts.AccountError, match="role"):
        accounts.set_user(conn, "bob", "long enough", "root")


def test_without_accounts_it_is_open_on_loopback_only_and_says_so(setup):
    tmp, db, config = setup
    with TestClient(app_for(config), base_url=LOCAL) as c:
        r = c.get("/topics")
        assert r.status_code == 200 and "No accounts are configured" in r.text
    with pytest.raises(access.BindRefused, match="loopback"):
        access.check_bind("0.0.0.0", has_accounts=False, proxy_header="")
    access.check_bind("127.0.0.1", has_accounts=False, proxy_header="")
    access.check_bind("::1", has_accounts=False, proxy_header="")
    access.check_bind("0.0.0.0", has_accounts=True, proxy_header="")
    run = subprocess.run([sys.executable, "-m", "newswatch", "--config", str(config), "web",
                          "--host", "0.0.0.0", "--port", "0"], capture_output=True, text=True,
                         env=env_for(tmp), timeout=60)
    assert run.returncode != 0 and "refusing to serve" in run.stderr


def test_accounts_require_login_and_sessions_are_signed_cookies(setup):
    tmp, db, config = setup
    accounts.set_user(open_archive(db), "ana", "correct horse", "admin")
    with TestClient(app_for(config), base_url=LOCAL, follow_redirects=False) as c:
        r = c.get("/topics")
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
        assert c.get("/static/htmx.min.js").status_code == 200
        assert login(c, "ana", "wrong one").status_code == 401
        r = login(c, "ana", "correct horse")
        assert r.status_code == 303 and r.headers["location"] == "/topics"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
        assert "No accounts" not in c.get("/topics").text
        assert "Signed in as" in c.get("/topics").text
        # A forged cookie is nobody's session.
        c.cookies.set(access.SESSION_COOKIE, "eyJ1IjoiYW5hIn0.forged.sig")
        assert c.get("/topics").status_code == 303
        c.cookies.clear()
        assert login(c, "ana", "correct horse").status_code == 303
        # A password change ends the sessions made with the old one.
        accounts.set_user(open_archive(db), "ana", "battery staple", "admin")
        assert c.get("/topics").status_code == 303
        # Logging out ends the session.
        login(c, "ana", "battery staple")
        page = c.get("/topics").text
        c.post("/logout", data={"csrf": csrf_of(page)})
        assert c.get("/topics").status_code == 303
    # Over HTTPS or to a non-loopback address the cookie is Secure.
    with TestClient(app_for(config), base_url="https://newswatch.example",
                    follow_redirects=False) as c:
        assert "Secure" in login(c, "ana", "battery staple").headers["set-cookie"]


def test_no_open_redirect_after_login(setup):
    _, db, config = setup
    accounts.set_user(open_archive(db), "ana", "correct horse", "admin")
    with TestClient(app_for(config), base_url=LOCAL, follow_redirects=False) as c:
        page = c.get("/login").text
        r = c.post("/login", data={"csrf": csrf_of(page), "name": "ana",
                                   "password": "correct horse", "next": "https://evil.example/"})
        assert r.headers["location"] == "/"


def post_routes(app):
    out = []
    for r in app.routes:
        if "POST" in (getattr(r, "methods", None) or ()):
            out.append(r.path.replace("{row_id:int}", "1").replace("{feed_id:int}", "1")
                       .replace("{name}", "demo"))
    return out


def test_every_post_needs_the_csrf_token_and_a_same_origin(setup):
    _, db, config = setup
    app = app_for(config)
    routes = post_routes(app)
    assert {"/login", "/logout", "/topics/save", "/sources/demo/crawl",
            "/deliveries/1/retry", "/deliveries/retry-dead", "/feeds/create",
            "/feeds/1/revoke"} <= set(routes)
    with TestClient(app, base_url=LOCAL, follow_redirects=False) as c:
        token = csrf_of(c.get("/topics/new").text)
        for path in routes:
            r = c.post(path, data={"name": "x"})
            assert r.status_code == 403 and "CSRF" in r.text, path
            r = c.post(path, data={"csrf": "not-the-token"})
            assert r.status_code == 403, path
            r = c.post(path, data={"csrf": token}, headers={"Origin": "https://evil.example"})
            assert r.status_code == 403, path
        # The right token from the same origin passes the check (and then does its work).
        r = c.post("/deliveries/retry-dead", data={"csrf": token},
                   headers={"Origin": "http://127.0.0.1"})
        assert r.status_code == 303
        r = c.post("/deliveries/retry-dead", headers={"X-CSRF-Token": token})
        assert r.status_code == 303


def test_reader_role_is_read_only(setup):
    _, db, config = setup
    accounts.set_user(open_archive(db), "rita", "reads a lot", "reader")
    with TestClient(app_for(config), base_url=LOCAL, follow_redirects=False) as c:
        login(c, "rita", "reads a lot")
        page = c.get("/topics").text
        assert "read-only" in page and "/topics/new" not in page
        token = csrf_of(page)
        for path in post_routes(c.app):
            if path in ("/login", "/logout"):
                continue
            r = c.post(path, data={"csrf": token, "name": "x", "query": "x"})
            assert r.status_code == 403 and "read-only" in r.text, path
        assert c.get("/matches").status_code == 200


def test_proxy_header_is_trusted_only_from_the_configured_proxies(setup):
    _, db, config = setup
    accounts.set_user(open_archive(db), "ana", "correct horse", "admin")
    settings = {"web_proxy_header": "X-Forwarded-User",
                "web_trusted_proxies": "10.1.0.0/16, 127.0.0.1"}
    app = app_for(config, **settings)
    with TestClient(app, base_url=LOCAL, client=("10.1.2.3", 4000),
                    follow_redirects=False) as c:
        r = c.get("/topics", headers={"X-Forwarded-User": "ana"})
        assert r.status_code == 200 and "<b>ana</b>" in r.text and "read-only" not in r.text
        r = c.get("/topics", headers={"X-Forwarded-User": "someone"})
        assert r.status_code == 200 and "read-only" in r.text  # unknown: a reader
        assert c.get("/topics").status_code == 303  # no header: log in
    with TestClient(app, base_url=LOCAL, client=("192.0.2.9", 4000),
                    follow_redirects=False) as c:
        assert c.get("/topics", headers={"X-Forwarded-User": "ana"}).status_code == 303
    with pytest.raises(ValueError, match="web_trusted_proxies"):
        access.parse_networks("10.0.0.0/8, not-an-address")


def test_user_commands(setup):
    tmp, db, config = setup
    cmd = [sys.executable, "-m", "newswatch", "--config", str(config), "web", "user"]
    env = env_for(tmp)
    run = subprocess.run([*cmd, "add", "ana", "--role", "admin", "--password-stdin"],
                         input="correct horse\n", capture_output=True, text=True, env=env)
    assert run.returncode == 0 and "added ana (admin)" in run.stdout
    run = subprocess.run([*cmd, "list"], capture_output=True, text=True, env=env)
    assert run.stdout.startswith("ana\tadmin\t")
    run = subprocess.run([*cmd, "add", "bob", "--password-stdin"], input="short\n",
                         capture_output=True, text=True, env=env)
    assert run.returncode != 0 and "at least 8" in run.stderr
    run = subprocess.run([*cmd, "remove", "ana"], capture_output=True, text=True, env=env)
    assert run.returncode == 0
    assert not accounts.has_users(open_archive(db))
