"""Topics: the list with counts, the editor with its live preview (htmx re-runs the query
on the archive as you type), saving and deleting (atomic, then the running service
reloads)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from starlette.responses import RedirectResponse

from alerts import matcher
from alerts.search import search as run_search
from alerts.topics import TopicError, make_topic
from newswatch import service
from newswatch.web import topic_files
from newswatch.web.app import route
from newswatch.web.routes.search import parse_query

PREVIEW_SHOWN = 20
PREVIEW_BUDGET = 20_000
PREVIEW_SECONDS = 1.0
MAX_DAYS = 365


@route("/topics")
def topics(web, request):
    found, error = web.topics()
    counts = matcher.match_counts(web.db())
    return web.page(request, "topics.html", topics=found, counts=counts, load_error=error,
                    saved=request.query_params.get("saved"),
                    deleted=request.query_params.get("deleted"),
                    service_pid=service.running_pid(web.db_path))


def _form_values(topic) -> dict:
    if topic is None:
        return {"name": "", "title": "", "query": "", "sources": "", "languages": "",
                "channels": "", "mode": "immediate", "max_age": "7d"}
    age = topic.max_age
    return {"name": topic.name, "title": topic.title, "query": topic.query_text,
            "sources": ", ".join(topic.sources), "languages": ", ".join(topic.languages),
            "channels": ", ".join(topic.channels), "mode": topic.mode,
            "max_age": _age_text(age) if age else ""}


def _age_text(age: timedelta) -> str:
    s = int(age.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if s % size == 0:
            return f"{s // size}{unit}"
    return f"{s}s"


def _editor(web, request, *, original, values, target: Path, error=None, status=200):
    return web.page(request, "topic_edit.html", status=status, original=original,
                    values=values, target=str(target), version=topic_files.version(target),
                    error=error, days=7)


NO_FILE = "setting 'topics' names no file: set it to the TOML file new topics go to"


@route("/topics/new")
def new_topic(web, request):
    if not web.topic_paths():
        return web.error(request, 400, NO_FILE)
    return _editor(web, request, original=None, values=_form_values(None),
                   target=web.topic_paths()[0])


def _named(web, request):
    found, _ = web.topics()
    return next((t for t in found if t.name == request.path_params["name"]), None)


@route("/topics/{name}/edit")
def edit_topic(web, request):
    topic = _named(web, request)
    if topic is None:
        return web.error(request, 404, "Not found.")
    return _editor(web, request, original=topic.name, values=_form_values(topic),
                   target=Path(topic.file))


@route("/topics/preview")
def preview(web, request):
    """The htmx fragment under the editor: what the query would have matched."""
    params = request.query_params
    try:
        days = max(1, min(MAX_DAYS, int(params.get("days") or 7)))
    except ValueError:
        days = 7
    values = {k: params.get(k, "") for k in topic_files.FIELDS}
    query = values.get("query") or ""
    ctx = {"days": days, "query": query, "error": None, "problem": "", "results": None}
    if not query.strip():
        return web.page(request, "topic_preview.html", **ctx)
    _, ctx["error"] = parse_query(web, query)
    if ctx["error"] is None:
        table = topic_files.table_of({**values, "name": values.get("name") or "preview",
                                      "max_age": ""})
        try:
            topic = make_topic(table, web.aliases())
        except TopicError as exc:
            ctx["problem"] = str(exc)
        else:
            since = datetime.now(timezone.utc) - timedelta(days=days)
            ctx["results"] = run_search(web.db(), topic.query, query, topic=topic, since=since,
                                        limit=None, budget=PREVIEW_BUDGET,
                                        seconds=PREVIEW_SECONDS)
            ctx["shown"] = ctx["results"].found[:PREVIEW_SHOWN]
    return web.page(request, "topic_preview.html", **ctx)


@route("/topics/save", methods=("POST",))
def save_topic(web, request):
    form = request.state.form
    values = {k: str(form.get(k, "")) for k in topic_files.FIELDS}
    original = str(form.get("original") or "") or None
    found, _ = web.topics()
    paths = web.topic_paths()
    if original is not None:
        topic = next((t for t in found if t.name == original), None)
        if topic is None:
            return web.error(request, 404, "Not found.")
        target = Path(topic.file)
    elif paths:
        target = paths[0]
    else:
        return web.error(request, 400, NO_FILE)
    try:
        topic_files.save(paths, target, original, values, str(form.get("version", "")),
                         web.config.aliases)
    except topic_files.SaveError as exc:
        return _editor(web, request, original=original, values=values, target=target,
                       error=str(exc), status=400)
    by = request.state.visitor.name or "local"
    service.add_request(web.db(), "reload", by=by)
    return RedirectResponse(f"/topics?saved={values['name']}", status_code=303)


@route("/topics/{name}/delete")
def confirm_delete(web, request):
    topic = _named(web, request)
    if topic is None:
        return web.error(request, 404, "Not found.")
    target = Path(topic.file)
    return web.page(request, "topic_delete.html", topic=topic, target=str(target),
                    version=topic_files.version(target))


@route("/topics/{name}/delete", methods=("POST",))
def delete_topic(web, request):
    """Remove a topic from its file. Its matches stay in the archive (the matches page
    still lists them under its name); the running service stops matching it on reload."""
    topic = _named(web, request)
    if topic is None:
        return web.error(request, 404, "Not found.")
    target = Path(topic.file)
    try:
        topic_files.delete(web.topic_paths(), target, topic.name,
                           str(request.state.form.get("version", "")), web.config.aliases)
    except topic_files.SaveError as exc:
        return _editor(web, request, original=topic.name, values=_form_values(topic),
                       target=target, error=str(exc), status=400)
    by = request.state.visitor.name or "local"
    service.add_request(web.db(), "reload", by=by)
    return RedirectResponse(f"/topics?deleted={topic.name}", status_code=303)
