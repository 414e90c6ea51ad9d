"""CSV and JSON downloads of matches and of search results, for a date range."""

from __future__ import annotations

import csv
import io
import json

from starlette.responses import StreamingResponse

from alerts.search import search as run_search
from newswatch.web import listing
from newswatch.web.app import route
from newswatch.web.render import local_time
from newswatch.web.routes.matches import filters_from
from newswatch.web.routes.search import parse_query

COLUMNS = ("article_id", "topic", "title", "source", "site", "original_source", "published",
           "published_local", "lang", "url", "snippet", "terms", "matched")


@route("/export")
def export_form(web, request):
    topics, _ = web.topics()
    return web.page(request, "export.html", topics=topics)


def _rows_of_matches(web, filters):
    for item in listing.iter_matches(web.db(), filters):
        a = item["article"]
        yield {"article_id": a["id"], "topic": item["topic"], "title": a.get("title"),
               "source": a.get("source"), "site": a.get("site"),
               "original_source": a.get("original_source"), "published": a.get("published"),
               "published_local": local_time(a.get("published"), web.zone), "lang": a.get("lang"),
               "url": a.get("url"), "snippet": item.get("snippet"),
               "terms": sorted({t["term"] for t in item["terms"]}), "matched": item["created"]}


def _rows_of_search(web, node, q, since, until):
    page = run_search(web.db(), node, q, limit=None, budget=None, since=since, until=until)
    for a, m in page.found:
        yield {"article_id": a["id"], "topic": "", "title": a.get("title"),
               "source": a.get("source"), "site": a.get("site"),
               "original_source": a.get("original_source"), "published": a.get("published"),
               "published_local": local_time(a.get("published"), web.zone), "lang": a.get("lang"),
               "url": a.get("url"), "snippet": m.snippet,
               "terms": sorted({t["term"] for t in m.terms_json()}), "matched": ""}


def _stream(rows, fmt: str, filename: str):
    if fmt == "json":
        def body():
            yield "[\n"
            for i, row in enumerate(rows):
                yield ("" if i == 0 else ",\n") + json.dumps(row, ensure_ascii=False)
            yield "\n]\n"
        media = "application/json"
    else:
        def body():
            buf = io.StringIO()
            out = csv.DictWriter(buf, fieldnames=COLUMNS)
            buf.write("\ufeff")  # Excel reads UTF-8 CSV as such only with a BOM
            out.writeheader()
            for row in rows:
                out.writerow({**row, "terms": " | ".join(row["terms"])})
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
            yield buf.getvalue()
        media = "text/csv; charset=utf-8"
    return StreamingResponse(body(), media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{filename}.{fmt}"'})


@route("/export/matches.{fmt:str}")
def export_matches(web, request):
    fmt = request.path_params["fmt"]
    if fmt not in ("csv", "json"):
        return web.error(request, 404, "Not found.")
    filters, problem = filters_from(web, request.query_params)
    if problem:
        return web.error(request, 400, problem)
    # Read here, in this thread: the connection belongs to it, the stream runs elsewhere.
    return _stream(list(_rows_of_matches(web, filters)), fmt, "matches")


@route("/export/search.{fmt:str}")
def export_search(web, request):
    fmt = request.path_params["fmt"]
    if fmt not in ("csv", "json"):
        return web.error(request, 404, "Not found.")
    q = (request.query_params.get("q") or "").strip()
    node, error = parse_query(web, q) if q else (None, {"message": "empty query",
                                                         "position": 0})
    if error:
        return web.error(request, 400, f"query: {error['message']} (at column "
                                       f"{error['position'] + 1})")
    try:
        since, until = listing.day_range(request.query_params.get("from"),
                                         request.query_params.get("to"), web.zone)
    except ValueError as exc:
        return web.error(request, 400, str(exc))
    return _stream(list(_rows_of_search(web, node, q, since, until)), fmt, "search")
