"""Sources: health, last and next crawl, new items per day over 30 days, the last errors
in words, and "crawl now" (a request the running service polls; see
``newswatch.service.state``: it only ever crawls a source it has loaded, through its own
scheduler and the per-source lock)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone

from starlette.responses import RedirectResponse

from crawler import archive, runs, seeds
from newswatch import service
from newswatch.health import states as health
from newswatch.web.app import route

DAYS = 30


def _errors_in_words(errors: list) -> list[str]:
    out = []
    for e in errors or []:
        if isinstance(e, dict):
            url, err = e.get("url"), e.get("error") or ""
            out.append(f"{err} ({url})" if url else str(err))
        else:
            out.append(str(e))
    return out


@route("/sources")
def sources(web, request):
    db = web.db()
    now = datetime.now(timezone.utc)
    good, problems = seeds.check_sources(web.config.sources_dir)
    known = {r["name"]: r for r in archive.list_sources(db)}
    schedule = service.read_schedule(db)
    start_day = (now.astimezone(web.zone) - timedelta(days=DAYS - 1)).date()
    days = [start_day + timedelta(days=i) for i in range(DAYS)]
    per_day: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    since = (now - timedelta(days=DAYS + 1)).isoformat()
    for run in runs.runs_since(db, since):
        day = datetime.fromisoformat(run["started"]).astimezone(web.zone).date()
        per_day[run["source"]][day] += run["items_new"] or 0
    pending = {r["source"] for r in service.recent_requests(db, 200)
               if r["kind"] == "crawl" and not r["taken"]}
    rows = []
    for src in good:
        h = health.compute(db, src.name, now=now)
        counts = [per_day[src.name].get(d, 0) for d in days]
        rows.append({"name": src.name, "title": src.title, "site": src.site,
                     "language": getattr(src, "language", ""), "health": h,
                     "known": known.get(src.name), "next": schedule.get(src.name),
                     "counts": counts, "labels": [d.isoformat() for d in days],
                     "total": sum(counts), "errors": _errors_in_words(h.errors),
                     "requested": src.name in pending})
    return web.page(request, "sources.html", rows=rows, problems=problems,
                    service_pid=service.running_pid(web.db_path),
                    message=request.query_params.get("message", ""))


@route("/sources/{name}/crawl", methods=("POST",))
def crawl_now(web, request):
    name = request.path_params["name"]
    good, _ = seeds.check_sources(web.config.sources_dir)
    if name not in {s.name for s in good}:
        return web.error(request, 404, "Not found.")
    if service.running_pid(web.db_path) is None:
        message = "No service is running: start `newswatch run` to crawl."
    elif service.add_request(web.db(), "crawl", source=name,
                             by=request.state.visitor.name or "local") is None:
        message = "A crawl of this source is already requested."
    else:
        message = "Crawl requested: the running service starts it within seconds."
    from urllib.parse import quote

    return RedirectResponse(f"/sources?message={quote(message)}#{quote(name)}",
                            status_code=303)
