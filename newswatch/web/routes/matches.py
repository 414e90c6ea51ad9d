"""Matches (all topics or one, filtered, keyset pages) and one article with everything
known about it."""

from __future__ import annotations

from alerts import matcher, stories
from crawler import archive
from newswatch.web import listing
from newswatch.web.app import route

# How a story member was joined (alerts.stories' link kinds), in words a reader follows.
LINK_WORDS = {"shingles": "same text", "source": "names it as its source",
              "fingerprints": "shared facts"}


def filters_from(web, params) -> tuple[listing.Filters, str]:
    """The filters of a query string; the error message ("" when none)."""
    f = listing.Filters(topic=params.get("topic") or None, source=params.get("source") or None,
                        lang=params.get("lang") or None)
    try:
        f.since, f.until = listing.day_range(params.get("from"), params.get("to"), web.zone)
    except ValueError as exc:
        return f, str(exc)
    return f, ""


def int_param(params, name: str) -> int | None:
    value = params.get(name)
    return int(value) if value and value.isdigit() else None


@route("/matches")
def matches(web, request):
    params = request.query_params
    db = web.db()
    filters, problem = filters_from(web, params)
    page = listing.page_of_matches(db, filters, before=int_param(params, "before")) \
        if not problem else listing.Page()
    topics, _ = web.topics()
    titles = {t.name: t.title for t in topics}
    sources = archive.list_sources(db)
    keep = {k: params.get(k) for k in ("topic", "source", "lang", "from", "to") if params.get(k)}
    return web.page(request, "matches.html", page=page, titles=titles, topics=topics,
                    sources=sources, params=keep, problem=problem)


@route("/articles/{article_id:int}")
def article(web, request):
    db = web.db()
    article_id = request.path_params["article_id"]
    art = archive.get_article(db, article_id)
    if art is None:
        return web.error(request, 404, "Not found.")
    story_id = stories.story_of(db, article_id)
    members = stories.members(db, story_id) if story_id else []
    found = matcher.matches_of_article(db, article_id)
    topics, _ = web.topics()
    titles = {t.name: t.title for t in topics}
    body_spans = [span for m in found for term in m["terms"] if term.get("field") == "body"
                  for span in term.get("at", [])]
    title_spans = [span for m in found for term in m["terms"] if term.get("field") == "title"
                   for span in term.get("at", [])]
    fields = [(name, art.get(name)) for name in (
        "title", "url", "canonical_url", "source", "site", "site_id", "published",
        "published_text", "date_source", "author", "editor", "original_source", "doc_number",
        "lang", "encoding", "fetched", "first_seen_run", "baseline", "content_hash")]
    return web.page(request, "article.html", art=art, fields=fields,
                    field_sources=art.get("field_sources") or {}, story_id=story_id,
                    members=members, link_words=LINK_WORDS, found=found, titles=titles, body_spans=body_spans,
                    title_spans=title_spans,
                    extra=art.get("extra") or {}, attachments=art.get("attachments") or [])
