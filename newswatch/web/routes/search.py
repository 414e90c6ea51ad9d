"""Search the archive with the topic query language (``alerts.search``, as
``newswatch search`` does), with highlights, in keyset pages."""

from __future__ import annotations

from alerts.query import QueryError, parse
from alerts.search import search as run_search
from newswatch.web import listing
from newswatch.web.app import route
from newswatch.web.routes.matches import int_param

PAGE = 30
BUDGET = 20_000
SECONDS = 0.2  # a rare term answers with a page that says where it stopped


def parse_query(web, text: str):
    """(node, None) or (None, {"message", "position", "before", "at", "after"})."""
    try:
        return parse(text, web.aliases()), None
    except QueryError as exc:
        pos = max(0, min(exc.position, len(text)))
        return None, {"message": exc.message, "position": pos, "before": text[:pos],
                      "at": text[pos:pos + 1] or " ", "after": text[pos + 1:]}


@route("/search")
def search(web, request):
    params = request.query_params
    q = (params.get("q") or "").strip()
    ctx = {"q": q, "results": None, "error": None, "problem": "",
           "params": {k: params.get(k) for k in ("q", "from", "to") if params.get(k)}}
    if q:
        node, ctx["error"] = parse_query(web, q)
        try:
            since, until = listing.day_range(params.get("from"), params.get("to"), web.zone)
        except ValueError as exc:
            node, ctx["problem"] = None, str(exc)
        if node is not None:
            ctx["results"] = run_search(web.db(), node, q, before_id=int_param(params, "before"),
                                        limit=PAGE, budget=BUDGET, since=since, until=until,
                                        seconds=SECONDS)
    status = 400 if ctx["error"] or ctx["problem"] else 200
    return web.page(request, "search.html", status=status, **ctx)
