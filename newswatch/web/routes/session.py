"""Logging in and out, the language switch, the front page."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from starlette.responses import RedirectResponse

from newswatch.web import access, accounts, i18n
from newswatch.web.app import route, set_session


def local_target(value: str | None) -> str:
    """A redirect target that stays on this site (no //host or scheme)."""
    value = value or "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//") \
            or "\\" in value:
        return "/"
    return value


@route("/")
def index(web, request):
    return RedirectResponse("/matches", status_code=303)


@route("/login", name="login")
def login_form(web, request):
    return web.page(request, "login.html", next=local_target(request.query_params.get("next")),
                    failed=False)


@route("/login", methods=("POST",), name="login_post", open=True)
def login(web, request):
    form = request.state.form
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    target = local_target(form.get("next"))
    user = accounts.authenticate(web.db(), name, password) if name and password else None
    if user is None:
        return web.page(request, "login.html", status=401, next=target, failed=True)
    response = RedirectResponse(target, status_code=303)
    # A fresh session (and CSRF token) at login: a token planted before it is useless.
    set_session(web, request, response, {"u": user["name"], "s": accounts.session_stamp(user),
                                         "c": secrets.token_urlsafe(24)})
    return response


@route("/logout", methods=("POST",), open=True)
def logout(web, request):
    response = RedirectResponse("/login", status_code=303)
    set_session(web, request, response, {"c": secrets.token_urlsafe(24)})
    return response


@route("/lang")
def switch_language(web, request):
    lang = request.query_params.get("to")
    response = RedirectResponse(local_target(request.query_params.get("next")), status_code=303)
    if lang in i18n.LANGUAGES:
        response.set_cookie(access.LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax",
                            path="/")
    return response
