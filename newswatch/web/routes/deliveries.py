"""Deliveries: the outbox by state (keyset pages), each row's attempts, and retrying dead
letters. Errors are shown through the channels' redactor: no secret reaches the page."""

from __future__ import annotations

import json

from starlette.responses import RedirectResponse

from alerts import outbox
from newswatch.web.app import route
from newswatch.web.routes.matches import int_param

PAGE = 50


@route("/deliveries")
def deliveries(web, request):
    params = request.query_params
    state = params.get("state") if params.get("state") in outbox.STATES else None
    db = web.db()
    rows = outbox.rows_before(db, state=state, before_id=int_param(params, "before"),
                              limit=PAGE)
    red = web.redactor()
    for r in rows:
        r["last_error"] = red(r["last_error"])
    return web.page(request, "deliveries.html", rows=rows, counts=outbox.counts(db),
                    state=state, states=outbox.STATES,
                    next_before=rows[-1]["id"] if len(rows) == PAGE else None,
                    message=params.get("message", ""))


@route("/deliveries/{row_id:int}")
def delivery(web, request):
    db = web.db()
    row = outbox.get(db, request.path_params["row_id"])
    if row is None:
        return web.error(request, 404, "Not found.")
    red = web.redactor()
    attempts = outbox.attempts_of(db, row["id"])
    for a in attempts:
        a["error"] = red(a["error"])
    row["last_error"] = red(row["last_error"])
    payload = None
    if row.get("kind") == "notice" and row.get("payload"):
        try:
            payload = {k: red(str(v)) for k, v in json.loads(row["payload"]).items()}
        except (ValueError, AttributeError):
            payload = None
    shown = {k: row.get(k) for k in ("id", "key", "kind", "topic", "topic_title", "mode",
                                     "story_id", "article_id", "channel", "state", "created",
                                     "due", "attempts", "last_status", "last_error", "sent",
                                     "period_start", "period_end")}
    return web.page(request, "delivery.html", row=shown, attempts=attempts, payload=payload)


@route("/deliveries/{row_id:int}/retry", methods=("POST",))
def retry(web, request):
    done = outbox.requeue(web.db(), [request.path_params["row_id"]])
    return RedirectResponse(f"/deliveries?message={'Requeued.' if done else ''}",
                            status_code=303)


@route("/deliveries/retry-dead", methods=("POST",))
def retry_dead(web, request):
    outbox.requeue(web.db(), dead=True)
    return RedirectResponse("/deliveries?message=Requeued.", status_code=303)
