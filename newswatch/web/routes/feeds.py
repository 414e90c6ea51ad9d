"""Feeds: the token-protected documents (/feed/TOKEN.atom|rss|json) and their management
(create, with the address shown once; revoke)."""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response

from newswatch.web import accounts, feeds as feed_docs, listing
from newswatch.web.app import route

ITEMS = 50


def _minute_ago() -> str:
    from datetime import datetime, timedelta, timezone

    return (datetime.now(timezone.utc) - timedelta(minutes=1)).replace(microsecond=0).isoformat()


@route("/feeds")
def feeds(web, request):
    topics, _ = web.topics()
    return web.page(request, "feeds.html", feeds=accounts.list_feeds(web.db()), topics=topics,
                    base=str(request.base_url).rstrip("/"), new_url=None)


@route("/feeds/create", methods=("POST",))
def create(web, request):
    topic = str(request.state.form.get("topic") or "") or None
    topics, _ = web.topics()
    titles = {t.name: t.title for t in topics}
    if topic is not None and topic not in titles:
        return web.error(request, 400, f"unknown topic {topic!r}")
    title = titles[topic] if topic else "All matches"
    token = accounts.create_feed(web.db(), topic=topic, title=title,
                                 by=request.state.visitor.name or "local")
    base = str(request.base_url).rstrip("/")
    return web.page(request, "feeds.html", feeds=accounts.list_feeds(web.db()), topics=topics,
                    base=base, new_url=f"{base}/feed/{token}")


@route("/feeds/{feed_id:int}/revoke", methods=("POST",))
def revoke(web, request):
    accounts.revoke_feed(web.db(), request.path_params["feed_id"])
    return RedirectResponse("/feeds", status_code=303)


@route("/feed/{token}.{fmt}", name="feed")
def feed(web, request):
    fmt = request.path_params["fmt"]
    db = web.db()
    found = accounts.feed_for_token(db, request.path_params["token"])
    if found is None or fmt not in feed_docs.FORMATS:
        return Response("no such feed\n", status_code=404, media_type="text/plain")
    if not found["last_used"] or found["last_used"] < _minute_ago():
        accounts.touch_feed(db, found["id"])  # at most once a minute: readers poll
    page = listing.page_of_matches(db, listing.Filters(topic=found["topic"]), limit=ITEMS)
    base = str(request.base_url).rstrip("/")
    body = feed_docs.document(
        fmt, title=f"newswatch: {found['title']}", self_url=str(request.url),
        home_url=f"{base}/matches" + (f"?topic={found['topic']}" if found["topic"] else ""),
        items=page.items, article_url=lambda i: f"{base}/articles/{i}")
    return Response(body, media_type=feed_docs.FORMATS[fmt],
                    headers={"Cache-Control": "private, max-age=60",
                             "Referrer-Policy": "no-referrer"})
